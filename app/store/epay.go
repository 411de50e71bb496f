package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"paygate/app"
	"paygate/app/money"
)

const epayColumns = `order_id, pid, out_trade_no, type, name, money, param, notify_url, return_url, protocol, created_at`

func scanEpay(r rowScanner) (app.EpayOrder, error) {
	var e app.EpayOrder
	var created int64
	err := r.Scan(&e.OrderID, &e.PID, &e.OutTradeNo, &e.Type, &e.Name, &e.Money, &e.Param, &e.NotifyURL, &e.ReturnURL, &e.Protocol, &created)
	e.CreatedAt = fromMS(created)
	return e, err
}

// EpayCreate is what CreateEpayOrder needs besides the order itself.
type EpayCreate struct {
	Order    app.OrderInput // MerchantOrderID is set by CreateEpayOrder
	Epay     app.EpayOrder  // OrderID and CreatedAt are set by CreateEpayOrder
	Lifetime time.Duration
	Slots    app.SlotPolicy
	Cooldown time.Duration // how long a released amount stays unavailable: the match grace period
	// ReturnURL builds the order's returnUrl (what the checkout page sends
	// the payer to once paid) from the stored request, its OrderID known.
	ReturnURL func(app.EpayOrder) string
}

// CreateEpayOrder creates the order an 易支付 client asked for, or finds the
// one it asked for before with the same out_trade_no, in one transaction.
// A repeat must ask for the same thing (app.CheckEpayRepeat), else it is a
// conflict that names what changed; one with another type switches a pending
// order to it, and one of an order expired within Order.Reopen reopens it
// (repeatOrderTx). created is false for a repeat; the caller decides what a
// repeat of a paid, expired or closed order means. Without a type the order
// has no method until its payer picks one on the checkout page.
func (db *DB) CreateEpayOrder(ctx context.Context, newID func() string, c EpayCreate) (o app.Order, e app.EpayOrder, created bool, err error) {
	id := newID()
	err = db.tx(ctx, func(tx *Tx) error {
		created = false // a job may run twice (writer.go)
		now := db.now()
		old, err := scanEpay(tx.QueryRowContext(ctx, `SELECT `+epayColumns+` FROM epay_orders WHERE out_trade_no = ?`, c.Epay.OutTradeNo))
		switch {
		case err == nil:
			existing, err := orderByIDTx(ctx, tx, old.OrderID)
			if err != nil {
				return err
			}
			if err := app.CheckEpayRepeat(existing, old, c.Order, c.Epay); err != nil {
				return err
			}
			if o, err = repeatOrderTx(ctx, tx, now, existing, c.Order, c.Lifetime, c.Slots, c.Cooldown); err != nil {
				return err
			}
			if err := syncEpayTx(ctx, tx, &o, c.ReturnURL); err != nil {
				return err
			}
			e = old
			e.Type = app.EpayType(o.Method, old.Type)
			return nil
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}

		in := c.Order
		in.MerchantOrderID = app.EpayPrefix + c.Epay.OutTradeNo
		e = c.Epay
		e.CreatedAt = now
		var made bool
		o, made, err = createOrderTx(ctx, tx, now, idsFrom(id, newID), in, c.Lifetime, c.Slots, c.Cooldown, func(o *app.Order) {
			e.OrderID = o.ID
			if e.ReturnURL != "" && c.ReturnURL != nil {
				o.ReturnURL = c.ReturnURL(e)
			}
		})
		if err != nil {
			return err
		}
		if !made {
			// An order made through the REST API before "epay:" was reserved holds this number.
			return app.NewError(app.ECONFLICT, "out_trade_no",
				"订单号 out_trade_no "+c.Epay.OutTradeNo+" 已被另一笔订单（"+o.ID+"）占用：请更换订单号重新发起支付。",
				"out_trade_no "+c.Epay.OutTradeNo+" is taken by another order ("+o.ID+"): start the payment again with a new order number.")
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO epay_orders (`+epayColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			e.OrderID, e.PID, e.OutTradeNo, e.Type, e.Name, e.Money, e.Param, e.NotifyURL, e.ReturnURL, protocolOrV1(e.Protocol), ms(e.CreatedAt))
		created = true
		return err
	})
	return o, e, created, err
}

// protocolOrV1: a request read before V2 existed has no protocol, and is V1.
func protocolOrV1(p string) string {
	if p == "" {
		return "v1"
	}
	return p
}

// EpayOrderByOutTradeNo returns the order an 易支付 client created with out_trade_no.
func (db *DB) EpayOrderByOutTradeNo(ctx context.Context, outTradeNo string) (app.Order, app.EpayOrder, error) {
	e, err := scanEpay(db.read.QueryRowContext(ctx, `SELECT `+epayColumns+` FROM epay_orders WHERE out_trade_no = ?`, outTradeNo))
	if errors.Is(err, sql.ErrNoRows) {
		return app.Order{}, app.EpayOrder{}, app.NewError(app.ENOTFOUND, "out_trade_no",
			"订单号不存在：没有商户订单号 out_trade_no 为 "+outTradeNo+" 的易支付订单，请检查订单号。",
			"No such order: no epay order has out_trade_no "+outTradeNo+"; check the number.")
	}
	if err != nil {
		return app.Order{}, app.EpayOrder{}, err
	}
	o, err := db.Order(ctx, e.OrderID)
	return o, e, err
}

// EpayOrderByTradeNo returns an order by our id (the epay trade_no) and, when
// it was created through the 易支付 endpoints, what the client sent.
func (db *DB) EpayOrderByTradeNo(ctx context.Context, orderID string) (app.Order, *app.EpayOrder, error) {
	o, err := db.Order(ctx, orderID)
	if err != nil {
		return app.Order{}, nil, err
	}
	e, err := scanEpay(db.read.QueryRowContext(ctx, `SELECT `+epayColumns+` FROM epay_orders WHERE order_id = ?`, orderID))
	if errors.Is(err, sql.ErrNoRows) {
		return o, nil, nil
	}
	if err != nil {
		return app.Order{}, nil, err
	}
	return o, &e, nil
}

func epayOrderTx(ctx context.Context, tx *Tx, orderID string) (*app.EpayOrder, error) {
	e, err := scanEpay(tx.QueryRowContext(ctx, `SELECT `+epayColumns+` FROM epay_orders WHERE order_id = ?`, orderID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &e, nil
}

// EpayTotals are the figures api.php?act=query reports, as 彩虹易支付 counts them.
type EpayTotals struct {
	Orders        int       // orders created, all time
	PaidToday     int       // orders paid today (Shanghai day of the payment)
	PaidYesterday int       // orders paid yesterday
	Received      money.Fen // money received for paid orders, all time
}

// EpayTotals reads the totals on now's (Shanghai) day from the per-day
// counters (no scan of the orders). 彩虹易支付 counts orders_today and
// orders_lastday by the day an order was paid (its date column is set at
// payment), and its orders over all the merchant's orders.
func (db *DB) EpayTotals(ctx context.Context, now time.Time) (EpayTotals, error) {
	day := dayNumber(now)
	var t EpayTotals
	err := db.read.QueryRowContext(ctx, `SELECT coalesce(sum(orders), 0),
		coalesce(sum(CASE WHEN day = ? THEN payments END), 0), coalesce(sum(CASE WHEN day = ? THEN payments END), 0),
		coalesce(sum(revenue), 0)
		FROM daily_stats`, day, day-1).Scan(&t.Orders, &t.PaidToday, &t.PaidYesterday, &t.Received)
	return t, err
}
