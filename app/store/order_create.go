package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"paygate/app"
	"paygate/app/money"
)

// CreateOrder stores a new pending order on a free amount slot, in one
// transaction: expired orders near the asked amount give their slots back,
// then the first free payable amount in policy order is taken. With a
// MerchantOrderID that exists already, the existing order is returned
// (created = false) if the request is the same, else a conflict.
func (db *DB) CreateOrder(ctx context.Context, newID func() string, in app.OrderInput, lifetime time.Duration, policy app.SlotPolicy) (order app.Order, created bool, err error) {
	err = db.tx(ctx, func(tx *Tx) error {
		order, created, err = createOrderTx(ctx, tx, db.now(), newID, in, lifetime, policy, nil)
		return err
	})
	return order, created, err
}

// createOrderTx is CreateOrder inside tx. prepare, when not nil, may change the
// new order once its id is known, just before it is inserted.
func createOrderTx(ctx context.Context, tx *Tx, now time.Time, newID func() string, in app.OrderInput, lifetime time.Duration,
	policy app.SlotPolicy, prepare func(*app.Order)) (app.Order, bool, error) {
	if in.MerchantOrderID != "" {
		existing, found, err := orderByMerchantID(ctx, tx, in.MerchantOrderID)
		if err != nil {
			return app.Order{}, false, err
		}
		if found {
			if !sameOrderRequest(existing, in) {
				return app.Order{}, false, app.Errorf(app.ECONFLICT, "merchantOrderId",
					"商户订单号 "+in.MerchantOrderID+" 已用于另一笔参数不同的订单（"+existing.ID+"）：同一订单号重复提交时金额、支付方式和商品名必须相同，新订单请换一个商户订单号。",
					"merchantOrderId "+in.MerchantOrderID+" was already used for a different order ("+existing.ID+"): a repeat must have the same amount, method and product name; use a new merchantOrderId for a new order.")
			}
			if existing.Status == app.OrderPending && !now.Before(existing.ExpiresAt) {
				existing.Status = app.OrderExpired
			}
			return existing, false, nil
		}
	}

	candidates := policy.Candidates(in.Amount)
	lo, hi := candidates[0], candidates[0]
	for _, c := range candidates {
		lo, hi = min(lo, c), max(hi, c)
	}
	if err := expireSlots(ctx, tx, in.Method, lo, hi, now); err != nil {
		return app.Order{}, false, err
	}
	taken, err := takenSlots(ctx, tx, in.Method, lo, hi)
	if err != nil {
		return app.Order{}, false, err
	}
	payAmount := money.Fen(0)
	for _, c := range candidates {
		if !taken[c] {
			payAmount = c
			break
		}
	}
	if payAmount == 0 {
		return app.Order{}, false, app.Errorf(app.ESLOTSFULL, "amount",
			fmt.Sprintf("%s 元附近的可用支付金额已被未支付的订单占满（最多调整 ±%s 元）：请等几分钟让旧订单过期，或换一个金额。", in.Amount.Fixed2(), policy.MaxOffset.Fixed2()),
			fmt.Sprintf("Every payable amount near %s yuan (within ±%s) is held by an unpaid order: wait a few minutes for old orders to expire, or use another amount.", in.Amount.Fixed2(), policy.MaxOffset.Fixed2()))
	}

	o := app.Order{
		MerchantOrderID: in.MerchantOrderID,
		ProductName:     in.ProductName,
		Method:          in.Method,
		Amount:          in.Amount,
		PayAmount:       payAmount,
		Status:          app.OrderPending,
		NotifyURL:       in.NotifyURL,
		ReturnURL:       in.ReturnURL,
		Attach:          in.Attach,
		ClientIP:        in.ClientIP,
		CreatedAt:       now,
		ExpiresAt:       now.Add(lifetime),
	}
	for try := 0; ; try++ {
		o.ID = newID()
		if prepare != nil {
			prepare(&o)
		}
		err = insertOrder(ctx, tx, o, in.LinkID)
		if err == nil || try == 3 || !isUniqueViolation(err, "orders.id") {
			break
		}
	}
	if err != nil {
		return app.Order{}, false, err
	}
	return o, true, nil
}

func sameOrderRequest(o app.Order, in app.OrderInput) bool {
	return o.ProductName == in.ProductName && o.Method == in.Method && o.Amount == in.Amount &&
		o.NotifyURL == in.NotifyURL && o.ReturnURL == in.ReturnURL && o.Attach == in.Attach
}

func orderByMerchantID(ctx context.Context, tx *Tx, merchantID string) (app.Order, bool, error) {
	o, err := scanOrder(tx.QueryRowContext(ctx, `SELECT `+orderColumns+` FROM orders WHERE merchant_order_id = ?`, merchantID))
	if errors.Is(err, sql.ErrNoRows) {
		return app.Order{}, false, nil
	}
	return o, err == nil, err
}

// expireSlots closes pending orders in the amount range whose time is up, so
// their slots can be reused in this same transaction.
func expireSlots(ctx context.Context, tx *Tx, method app.Method, lo, hi money.Fen, now time.Time) error {
	_, err := tx.ExecContext(ctx, `UPDATE orders INDEXED BY orders_slot SET status = 'expired', closed_at = expires_at
		WHERE status = 'pending' AND method = ? AND pay_amount BETWEEN ? AND ? AND expires_at <= ?`,
		string(method), int64(lo), int64(hi), ms(now))
	return err
}

func takenSlots(ctx context.Context, tx *Tx, method app.Method, lo, hi money.Fen) (map[money.Fen]bool, error) {
	rows, err := tx.QueryContext(ctx, `SELECT pay_amount FROM orders INDEXED BY orders_slot
		WHERE status = 'pending' AND method = ? AND pay_amount BETWEEN ? AND ?`, string(method), int64(lo), int64(hi))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	taken := map[money.Fen]bool{}
	for rows.Next() {
		var v int64
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		taken[money.Fen(v)] = true
	}
	return taken, rows.Err()
}

func insertOrder(ctx context.Context, tx *Tx, o app.Order, linkID int64) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO orders (id, merchant_order_id, product_name, method, amount, pay_amount,
		status, notify_url, return_url, attach, client_ip, created_at, expires_at, link_id)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		o.ID, nullString(o.MerchantOrderID), o.ProductName, string(o.Method), int64(o.Amount), int64(o.PayAmount),
		string(o.Status), o.NotifyURL, o.ReturnURL, o.Attach, o.ClientIP, ms(o.CreatedAt), ms(o.ExpiresAt), nullInt(linkID))
	if err != nil {
		return err
	}
	return bumpDay(ctx, tx, dayNumber(o.CreatedAt), dayStats{orders: 1})
}

func nullInt(v int64) sql.NullInt64 { return sql.NullInt64{Int64: v, Valid: v != 0} }

func isUniqueViolation(err error, column string) bool {
	return err != nil && strings.Contains(err.Error(), "UNIQUE constraint failed") && strings.Contains(err.Error(), column)
}
