package store

import (
	"context"
	"database/sql"
	"errors"
	"math"
	"slices"
	"time"

	"paygate/app"
	"paygate/app/money"
)

// findMatch gathers what the database knows about the slot a payment fits —
// (method, amount), or both methods' slots at amount when method is "" — and
// lets p decide which order it pays and how sure that is (app.MatchPolicy.Decide):
//   - the pending orders on the slot created within the match window (and,
//     when the phone signed when it saw the money, not after; SentBound);
//   - whether an earlier holder was paid, expired or closed within the grace
//     period, or left the slot (its payer switched method), and the newest
//     that expired (past its lifetime, whether or not the sweeper has marked
//     it yet) or moved off the slot while still payable.
func findMatch(ctx context.Context, tx *Tx, method app.Method, amount money.Fen, now, sentAt time.Time, p app.MatchPolicy) (app.MatchDecision, error) {
	// Matching runs in the single writer, so it must touch a handful of rows:
	// INDEXED BY pins the (method, pay_amount) slot indexes — without table
	// statistics the planner may prefer walking every pending order by time.
	methods := []any{string(method), string(method)}
	if method == "" {
		methods = []any{string(app.MethodAlipay), string(app.MethodWechat)}
	}
	facts := app.SlotFacts{MethodKnown: method != ""}
	createdBefore := int64(math.MaxInt64)
	if bound := p.SentBound(sentAt); !bound.IsZero() {
		createdBefore = ms(bound)
	}
	var err error
	facts.Pending, err = orderIDs(ctx, tx, `SELECT id FROM orders INDEXED BY orders_slot
		WHERE status = 'pending' AND method IN (?, ?) AND pay_amount = ? AND expires_at > ? AND created_at >= ? AND created_at < ?
		ORDER BY created_at, id`, methods[0], methods[1], int64(amount), ms(now), ms(now.Add(-p.Window)), createdBefore)
	if err != nil {
		return app.MatchDecision{}, err
	}
	if p.Grace > 0 {
		if err := releasedWithinGrace(ctx, tx, methods, amount, now, p.Grace, &facts); err != nil {
			return app.MatchDecision{}, err
		}
	}
	return p.Decide(facts), nil
}

// releasedWithinGraceQuery lists a slot's orders released since a time,
// newest first: seeks on orders_released_slot (migration 0010) and
// orders_slot, and on slot_releases (migration 0017) for the orders that left
// the slot while staying payable (their payer switched method, or they were
// reopened on another slot) — "moved" while such an order may still be paid.
const releasedWithinGraceQuery = `SELECT id, status FROM (
		SELECT id, status, coalesce(paid_at, closed_at) AS released FROM orders INDEXED BY orders_released_slot
		WHERE status <> 'pending' AND method IN (?, ?) AND pay_amount = ? AND coalesce(paid_at, closed_at) >= ?
		UNION ALL
		SELECT id, 'expired', expires_at FROM orders INDEXED BY orders_slot
		WHERE status = 'pending' AND method IN (?, ?) AND pay_amount = ? AND expires_at <= ? AND expires_at >= ?
		UNION ALL
		SELECT r.order_id, CASE WHEN o.status IN ('pending', 'expired') THEN 'moved' ELSE 'gone' END, r.released_at
		FROM slot_releases r INDEXED BY slot_releases_slot JOIN orders o ON o.id = r.order_id
		WHERE r.method IN (?, ?) AND r.pay_amount = ? AND r.released_at >= ?
	) ORDER BY released DESC, id`

// releasedWithinGrace fills facts.Released, facts.Expired and facts.Moved
// from the orders on the slot released since now − grace, newest first:
// paid, expired or closed ones (orders_released_slot), pending ones past
// their lifetime, and those that moved off the slot. An order that moved
// off and back again is pending here: its own earlier release does not count.
func releasedWithinGrace(ctx context.Context, tx *Tx, methods []any, amount money.Fen, now time.Time, grace time.Duration, facts *app.SlotFacts) error {
	since := ms(now.Add(-grace))
	rows, err := tx.QueryContext(ctx, releasedWithinGraceQuery,
		methods[0], methods[1], int64(amount), since,
		methods[0], methods[1], int64(amount), ms(now), since,
		methods[0], methods[1], int64(amount), since)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id, status string
		if err := rows.Scan(&id, &status); err != nil {
			return err
		}
		if slices.Contains(facts.Pending, id) {
			continue
		}
		facts.Released = true
		switch {
		case facts.Expired == "" && status == string(app.OrderExpired):
			facts.Expired = id
		case facts.Moved == "" && status == "moved":
			facts.Moved = id
		}
	}
	return rows.Err()
}

func orderIDs(ctx context.Context, tx *Tx, query string, args ...any) ([]string, error) {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// payOrder marks an order paid by payment p, as of when its money arrived
// (p.ReceivedAt; now when unknown): the order's paidAt, in the API and the
// callback, is the payment time even when a person matched it later. The
// order must still be unpaid; the UNIQUE payment_id and order_id columns
// make paying twice impossible even if this check were skipped.
func payOrder(ctx context.Context, tx *Tx, orderID string, p app.Payment, now time.Time) error {
	paid := p.ReceivedAt
	if paid.IsZero() {
		paid = now
	}
	var (
		created int64
		method  string
	)
	// An order whose payer never picked a method (a person confirmed a
	// payment against it) takes the payment's: the callback names a method.
	err := tx.QueryRowContext(ctx, `UPDATE orders SET status = 'success', paid_at = ?, payment_id = ?, closed_at = NULL,
		method = CASE WHEN method = '' THEN ? ELSE method END
		WHERE id = ? AND status IN ('pending', 'expired') RETURNING created_at, method`, ms(paid), p.ID, string(p.Method), orderID).Scan(&created, &method)
	if errors.Is(err, sql.ErrNoRows) {
		return app.NewError(app.ECONFLICT, "orderId",
			"订单 "+orderID+" 已支付或已关闭，不能再确认一笔收款。",
			"Order "+orderID+" is already paid or closed; it cannot take another payment.")
	}
	if err != nil {
		return err
	}
	by := p.MatchedBy
	tx.tell(func(o Observer) { o.OrderPaid(app.Method(method), by) })
	// Money recorded as arriving before the order was made counts as paid at once.
	return bumpDay(ctx, tx, dayNumber(fromMS(created)), dayStats{paid: 1, payMS: max(ms(paid)-created, 0)})
}

const slotReleasedBetweenQuery = `SELECT 1 FROM orders INDEXED BY orders_released_slot
	WHERE status <> 'pending' AND method IN (?, ?) AND pay_amount = ? AND coalesce(paid_at, closed_at) BETWEEN ? AND ?
	UNION ALL
	SELECT 1 FROM slot_releases INDEXED BY slot_releases_slot
	WHERE method IN (?, ?) AND pay_amount = ? AND released_at BETWEEN ? AND ?
	LIMIT 1`

// SlotReleasedBetween reports whether an order on the slot a payment of
// method and amount fits (both methods' slots when method is "") was paid,
// expired or closed, or left it, between from and to: for the console, whether an
// unmatched payment may belong to an earlier holder of the slot.
func (db *DB) SlotReleasedBetween(ctx context.Context, method app.Method, amount money.Fen, from, to time.Time) (bool, error) {
	methods := []any{string(method), string(method)}
	if method == "" {
		methods = []any{string(app.MethodAlipay), string(app.MethodWechat)}
	}
	var one int
	err := db.read.QueryRowContext(ctx, slotReleasedBetweenQuery, methods[0], methods[1], int64(amount), ms(from), ms(to),
		methods[0], methods[1], int64(amount), ms(from), ms(to)).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}
