package store

import (
	"context"
	"database/sql"
	"errors"

	"paygate/app"
	"paygate/app/money"
)

// orderColumns: pay_amount is NULL while an order has no method (migration
// 0017); it reads as the asked amount then (app.Order.PayAmount).
const orderColumns = `id, merchant_order_id, product_name, method, amount, coalesce(pay_amount, amount), status,
	notify_url, return_url, attach, client_ip, created_at, expires_at, paid_at, closed_at, payment_id`

type rowScanner interface {
	Scan(dest ...any) error
}

func scanOrder(r rowScanner) (app.Order, error) {
	var (
		o                     app.Order
		merchantID, paymentID sql.NullString
		method, status        string
		amount, payAmount     int64
		created, expires      int64
		paid, closed          sql.NullInt64
	)
	err := r.Scan(&o.ID, &merchantID, &o.ProductName, &method, &amount, &payAmount, &status,
		&o.NotifyURL, &o.ReturnURL, &o.Attach, &o.ClientIP, &created, &expires, &paid, &closed, &paymentID)
	if err != nil {
		return app.Order{}, err
	}
	o.MerchantOrderID = merchantID.String
	o.PaymentID = paymentID.String
	o.Method = app.Method(method)
	o.Status = app.OrderStatus(status)
	o.Amount = money.Fen(amount)
	o.PayAmount = money.Fen(payAmount)
	o.CreatedAt = fromMS(created)
	o.ExpiresAt = fromMS(expires)
	o.PaidAt = fromNullMS(paid)
	o.ClosedAt = fromNullMS(closed)
	return o, nil
}

func errOrderNotFound(id string) error {
	return app.NewError(app.ENOTFOUND, "orderId",
		"订单 "+id+" 不存在：请检查订单号是否完整、是否来自这个 paygate。",
		"Order "+id+" does not exist: check that the order id is complete and was issued by this paygate.")
}

// Order returns one order. A pending order whose lifetime is over is reported
// as expired even before the sweeper has written that down.
func (db *DB) Order(ctx context.Context, id string) (app.Order, error) {
	o, err := scanOrder(db.read.QueryRowContext(ctx, `SELECT `+orderColumns+` FROM orders WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return app.Order{}, errOrderNotFound(id)
	}
	if err != nil {
		return app.Order{}, err
	}
	if o.Status == app.OrderPending && !db.now().Before(o.ExpiresAt) {
		o.Status = app.OrderExpired
		o.ClosedAt = o.ExpiresAt
	}
	return o, nil
}

func orderByIDTx(ctx context.Context, tx *Tx, id string) (app.Order, error) {
	o, err := scanOrder(tx.QueryRowContext(ctx, `SELECT `+orderColumns+` FROM orders WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return app.Order{}, errOrderNotFound(id)
	}
	return o, err
}

// orderByRefTx finds the order a person names: by its id, else by the
// shop's own order number (merchantOrderId, or the 易支付 out_trade_no,
// stored as "epay:" + it).
func orderByRefTx(ctx context.Context, tx *Tx, ref string) (app.Order, error) {
	for _, q := range []struct{ where, arg string }{
		{`id = ?`, ref},
		{`merchant_order_id = ?`, ref},
		{`merchant_order_id = ?`, app.EpayPrefix + ref},
	} {
		o, err := scanOrder(tx.QueryRowContext(ctx, `SELECT `+orderColumns+` FROM orders WHERE `+q.where, q.arg))
		if !errors.Is(err, sql.ErrNoRows) {
			return o, err
		}
	}
	return app.Order{}, app.NewError(app.ENOTFOUND, "orderId",
		"没有找到订单 "+app.ClipRunes(ref, 64)+"：请填写 paygate 的订单号（ORD 开头）或商城自己的订单号，并检查是否完整。",
		"No order "+app.ClipRunes(ref, 64)+" was found: enter paygate's order id (starting with ORD) or the shop's own order number, and check it is complete.")
}
