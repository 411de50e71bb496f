package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"paygate/app"
	"paygate/app/money"
)

// The payer's choice of method (issue #14): an order created without one
// takes its amount slot when its payer picks; a pending order may switch to
// the other method; an expired one sent again may be reopened. An order that
// leaves a slot while it stays pending records the slot in slot_releases, so
// the slot cools as if its holder had been paid, expired or closed.

// ChooseMethod gives order id the method its payer picked, in one
// transaction: a free slot in method m (among app.LinkSlots for a
// payment-link order), the old slot, if any, left cooling. offered are the
// methods the payer may pick (app.CheckMethodChoice). epayReturn, when not
// nil, rebuilds an 易支付 order's return URL once its type follows the method.
func (db *DB) ChooseMethod(ctx context.Context, id string, m app.Method, offered []app.Method, policy app.SlotPolicy, cooldown time.Duration,
	epayReturn func(app.EpayOrder) string) (app.Order, error) {
	var o app.Order
	err := db.tx(ctx, func(tx *Tx) error {
		now := db.now()
		cur, err := orderByIDTx(ctx, tx, id)
		if err != nil {
			return err
		}
		switches, err := methodSwitches(ctx, tx, cur)
		if err != nil {
			return err
		}
		if err := app.CheckMethodChoice(cur, m, offered, switches, now); err != nil {
			return err
		}
		if cur.Method == m {
			o = cur
			return nil
		}
		if o, err = switchMethodTx(ctx, tx, now, cur, m, policy, cooldown); err != nil {
			return err
		}
		return syncEpayTx(ctx, tx, &o, epayReturn)
	})
	return o, err
}

// switchMethodTx moves pending order o to a free slot in method to and
// records the slot it leaves (none when it had no method yet).
func switchMethodTx(ctx context.Context, tx *Tx, now time.Time, o app.Order, to app.Method, policy app.SlotPolicy, cooldown time.Duration) (app.Order, error) {
	linkID, err := orderLinkID(ctx, tx, o.ID)
	if err != nil {
		return app.Order{}, err
	}
	amount, err := pickSlot(ctx, tx, to, o.Amount, linkID != 0, policy, cooldown, now, o.ID)
	if err != nil {
		return app.Order{}, err
	}
	res, err := tx.ExecContext(ctx, `UPDATE orders SET method = ?, pay_amount = ? WHERE id = ? AND status = 'pending'`,
		string(to), int64(amount), o.ID)
	if err := oneRow(res, err, o.ID); err != nil {
		return app.Order{}, err
	}
	if o.MethodChosen() {
		if err := releaseSlotTx(ctx, tx, o.Method, o.PayAmount, now, o.ID, now, cooldown); err != nil {
			return app.Order{}, err
		}
	}
	o.Method, o.PayAmount = to, amount
	return o, nil
}

// reopenOrderTx makes expired, unpaid order o pending again with a fresh
// lifetime: in method (a free slot, its own old one allowed) or, when method
// is "", with none for its payer to pick. The slot it had is recorded as
// released when it expired, since o's row no longer says so. Its created_at
// becomes now: the match window counts from when it can be paid again.
func reopenOrderTx(ctx context.Context, tx *Tx, now time.Time, o app.Order, method app.Method, lifetime time.Duration,
	policy app.SlotPolicy, cooldown time.Duration) (app.Order, error) {
	if o.MethodChosen() {
		released := o.ClosedAt
		if released.IsZero() || o.Status == app.OrderPending {
			released = o.ExpiresAt
		}
		if err := releaseSlotTx(ctx, tx, o.Method, o.PayAmount, released, o.ID, now, cooldown); err != nil {
			return app.Order{}, err
		}
	}
	o.Method, o.PayAmount = method, o.Amount
	if method != "" {
		amount, err := pickSlot(ctx, tx, method, o.Amount, false, policy, cooldown, now, o.ID)
		if err != nil {
			return app.Order{}, err
		}
		o.PayAmount = amount
	}
	res, err := tx.ExecContext(ctx, `UPDATE orders SET status = 'pending', method = ?, pay_amount = ?, created_at = ?, expires_at = ?, closed_at = NULL
		WHERE id = ? AND status IN ('pending', 'expired') AND payment_id IS NULL`,
		string(o.Method), slotAmount(o), ms(now), ms(now.Add(lifetime)), o.ID)
	if err := oneRow(res, err, o.ID); err != nil {
		return app.Order{}, err
	}
	o.Status, o.CreatedAt, o.ExpiresAt, o.ClosedAt = app.OrderPending, now, now.Add(lifetime), time.Time{}
	return o, nil
}

// oneRow turns an UPDATE that changed no row into a conflict: the order
// changed under the caller (paid or closed meanwhile).
func oneRow(res sql.Result, err error, id string) error {
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n == 1 {
		return err
	}
	return app.NewError(app.ECONFLICT, "orderId",
		"订单 "+id+" 刚刚已支付或已关闭，不能再更改。", "Order "+id+" has just been paid or closed; it cannot change any more.")
}

// releaseSlotTx records that order left slot (method, amount) at releasedAt,
// and drops records too old to matter: past twice the cooldown, and at
// least two days old.
func releaseSlotTx(ctx context.Context, tx *Tx, method app.Method, amount money.Fen, releasedAt time.Time, orderID string,
	now time.Time, cooldown time.Duration) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO slot_releases (method, pay_amount, released_at, order_id) VALUES (?, ?, ?, ?)`,
		string(method), int64(amount), ms(releasedAt), orderID); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `DELETE FROM slot_releases WHERE released_at < ?`, ms(now.Add(-48*time.Hour-2*cooldown)))
	return err
}

// methodSwitches counts the slots o has left since it was created (or
// reopened): how often its payer switched.
func methodSwitches(ctx context.Context, tx *Tx, o app.Order) (int, error) {
	var n int
	err := tx.QueryRowContext(ctx, `SELECT count(*) FROM slot_releases WHERE order_id = ? AND released_at >= ?`, o.ID, ms(o.CreatedAt)).Scan(&n)
	return n, err
}

func orderLinkID(ctx context.Context, tx *Tx, id string) (int64, error) {
	var link sql.NullInt64
	err := tx.QueryRowContext(ctx, `SELECT link_id FROM orders WHERE id = ?`, id).Scan(&link)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, errOrderNotFound(id)
	}
	return link.Int64, err
}

// syncEpayTx keeps an 易支付 order's type on the method it has now (the
// notify and api.php report the type the payer paid by, as 彩虹易支付's
// cashier does) and, through returnURL, its return URL, whose signed
// parameters carry the type. Orders not made through 易支付 are left alone.
func syncEpayTx(ctx context.Context, tx *Tx, o *app.Order, returnURL func(app.EpayOrder) string) error {
	e, err := epayOrderTx(ctx, tx, o.ID)
	if err != nil || e == nil {
		return err
	}
	typ := app.EpayType(o.Method, e.Type)
	if typ == e.Type {
		return nil
	}
	e.Type = typ
	if _, err := tx.ExecContext(ctx, `UPDATE epay_orders SET type = ? WHERE order_id = ?`, typ, o.ID); err != nil {
		return err
	}
	if e.ReturnURL == "" || returnURL == nil {
		return nil
	}
	o.ReturnURL = returnURL(*e)
	_, err = tx.ExecContext(ctx, `UPDATE orders SET return_url = ? WHERE id = ?`, o.ReturnURL, o.ID)
	return err
}

// OrderOffer is what the checkout page needs to offer methods for an order:
// the methods its payment link allows (nil when it came through none, or
// the link is gone: any) and how often its payer has switched.
func (db *DB) OrderOffer(ctx context.Context, o app.Order) (linkMethods []app.Method, switches int, err error) {
	var methods sql.NullString
	err = db.read.QueryRowContext(ctx, `SELECT l.methods,
			(SELECT count(*) FROM slot_releases r WHERE r.order_id = o.id AND r.released_at >= o.created_at)
		FROM orders o LEFT JOIN payment_links l ON l.id = o.link_id WHERE o.id = ?`, o.ID).Scan(&methods, &switches)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, 0, errOrderNotFound(o.ID)
	}
	if methods.Valid {
		linkMethods = app.ParseMethods(methods.String)
	}
	return linkMethods, switches, err
}
