package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"paygate/app"
)

// enqueueCallback queues the announcement of a paid order: the 易支付 notify
// (kind epay) for an order an epay client created, else the merchant callback.
// Each payment has exactly one callback row.
func enqueueCallback(ctx context.Context, tx *Tx, paymentID, orderID string, now, at time.Time) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO callbacks (payment_id, order_id, kind, status, attempts, next_attempt_at, created_at, updated_at)
		VALUES (?, ?, CASE WHEN EXISTS (SELECT 1 FROM epay_orders WHERE order_id = ?) THEN 'epay' ELSE 'merchant' END,
		'pending', 0, ?, ?, ?)`, paymentID, orderID, orderID, ms(at), ms(now), ms(now))
	return err
}

// ClaimDueCallbacks takes up to limit callbacks whose time has come and leases
// them: their next attempt moves lease into the future, so a crash while
// sending retries them after the lease instead of losing them. admit, when
// not nil, is asked about each due callback, earliest first, and those it
// refuses stay due (their destination is busy): callbacks behind them are
// claimed instead.
func (db *DB) ClaimDueCallbacks(ctx context.Context, limit int, lease time.Duration, admit func(app.Callback) bool) ([]app.CallbackDelivery, error) {
	var out []app.CallbackDelivery
	err := db.tx(ctx, func(tx *Tx) error {
		out = nil // a job may run twice (writer.go)
		now := db.now()
		rows, err := tx.QueryContext(ctx, `SELECT c.id, c.payment_id, c.order_id, c.kind, c.status, c.attempts, c.next_attempt_at, c.created_at,
			c.last_error, o.notify_url
			FROM callbacks c JOIN orders o ON o.id = c.order_id
			WHERE c.status = 'pending' AND c.next_attempt_at <= ? ORDER BY c.next_attempt_at`, ms(now))
		if err != nil {
			return err
		}
		var cbs []app.Callback
		for len(cbs) < limit && rows.Next() {
			var c app.Callback
			var kind, status string
			var next, created int64
			if err := rows.Scan(&c.ID, &c.PaymentID, &c.OrderID, &kind, &status, &c.Attempts, &next, &created, &c.LastError, &c.NotifyURL); err != nil {
				rows.Close()
				return err
			}
			c.Kind, c.Status, c.NextAttemptAt, c.CreatedAt = app.CallbackKind(kind), app.CallbackStatus(status), fromMS(next), fromMS(created)
			if admit == nil || admit(c) {
				cbs = append(cbs, c)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, c := range cbs {
			c.Claim = db.newClaim(now)
			if _, err := tx.ExecContext(ctx, `UPDATE callbacks SET next_attempt_at = ?, claimed_at = ?, updated_at = ? WHERE id = ?`,
				ms(now.Add(lease)), c.Claim, ms(now), c.ID); err != nil {
				return err
			}
			o, err := orderByIDTx(ctx, tx, c.OrderID)
			if err != nil {
				return err
			}
			p, err := paymentTx(ctx, tx, c.PaymentID)
			if err != nil {
				return err
			}
			d := app.CallbackDelivery{Callback: c, Order: o, Payment: p}
			if c.Kind == app.CallbackEpay {
				if d.Epay, err = epayOrderTx(ctx, tx, c.OrderID); err != nil {
					return err
				}
			}
			out = append(out, d)
		}
		return nil
	})
	return out, err
}

// newClaim stamps a claim: the time in milliseconds, but always after the
// one before, so that no two claims of this process are alike (claimed_at;
// a restart releases every claim, ReleaseCallbackClaims). Only the writer
// calls it.
func (db *DB) newClaim(now time.Time) int64 {
	db.lastClaim = max(ms(now), db.lastClaim+1)
	return db.lastClaim
}

// FinishCallbackAttempt logs one attempt and moves the callback on: sent when
// acknowledged, failed when no attempts are left, else pending until next.
// It moves it only while the attempt's claim still holds it: a person who
// asked for the callback again meanwhile (ResendCallback) queued it anew,
// and an attempt that outlived its lease was claimed again; either way the
// callback is no longer this attempt's to move, and only the log keeps it.
func (db *DB) FinishCallbackAttempt(ctx context.Context, a app.CallbackAttempt, status app.CallbackStatus, next time.Time) error {
	return db.tx(ctx, func(tx *Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO callback_attempts (callback_id, url, started_at, duration_ms, http_status, body_excerpt, error, acked)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			a.CallbackID, a.URL, ms(a.StartedAt), a.DurationMS, a.HTTPStatus, a.BodyExcerpt, a.Error, a.Acked); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE callbacks SET status = ?, attempts = attempts + 1, next_attempt_at = ?,
			claimed_at = NULL, last_error = ?, updated_at = ? WHERE id = ? AND claimed_at = ?`,
			string(status), ms(next), a.Error, ms(db.now()), a.CallbackID, a.Claim)
		tx.tell(func(o Observer) {
			o.CallbackAttempted(a.Acked, time.Duration(a.DurationMS)*time.Millisecond, status == app.CallbackFailed)
		})
		return err
	})
}

// ReleaseCallbackClaims makes callbacks that were in flight when the previous
// process died due now. Only one process uses the database, so at start every
// claim is stale; without this they would wait out their lease.
func (db *DB) ReleaseCallbackClaims(ctx context.Context) (int64, error) {
	var n int64
	err := db.tx(ctx, func(tx *Tx) error {
		now := ms(db.now())
		res, err := tx.ExecContext(ctx, `UPDATE callbacks SET next_attempt_at = ?, claimed_at = NULL, updated_at = ?
			WHERE status = 'pending' AND claimed_at IS NOT NULL`, now, now)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, err
}

// NextCallbackDue is when the earliest pending callback that is not due yet
// becomes due, if any. Due ones that a claim left (their destination was
// busy) are the dispatcher's to look at again when an attempt ends.
func (db *DB) NextCallbackDue(ctx context.Context) (time.Time, bool, error) {
	var next sql.NullInt64
	err := db.read.QueryRowContext(ctx, `SELECT min(next_attempt_at) FROM callbacks WHERE status = 'pending' AND next_attempt_at > ?`,
		ms(db.now())).Scan(&next)
	if err != nil || !next.Valid {
		return time.Time{}, false, err
	}
	return fromMS(next.Int64), true, nil
}

// ResendCallback queues a payment's callback (merchant or 易支付) again from the first attempt,
// whatever its state; the attempt log is kept and who (by) asked is recorded.
func (db *DB) ResendCallback(ctx context.Context, paymentID, by string) error {
	return db.tx(ctx, func(tx *Tx) error {
		var orderID sql.NullString
		err := tx.QueryRowContext(ctx, `SELECT order_id FROM payments WHERE id = ?`, paymentID).Scan(&orderID)
		if errors.Is(err, sql.ErrNoRows) {
			return errPaymentNotFound(paymentID)
		}
		if err != nil {
			return err
		}
		if !orderID.Valid {
			return app.NewError(app.ECONFLICT, "paymentId",
				"收款 "+paymentID+" 还没有匹配订单，没有可发送的回调：请先确认它属于哪个订单。",
				"Payment "+paymentID+" pays no order yet, so there is no callback to send: confirm its order first.")
		}
		now := db.now()
		if err := insertAudit(ctx, tx, app.AuditEntry{At: now, Actor: by, Action: app.AuditCallbackResend, Subject: paymentID,
			Detail: orderID.String}); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE callbacks SET status = 'pending', attempts = 0, next_attempt_at = ?, claimed_at = NULL, updated_at = ?
			WHERE payment_id = ?`, ms(now), ms(now), paymentID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return enqueueCallback(ctx, tx, paymentID, orderID.String, now, now)
		}
		return nil
	})
}

// CallbackAttempts returns the attempt log of a payment's callback, oldest first.
func (db *DB) CallbackAttempts(ctx context.Context, paymentID string) ([]app.CallbackAttempt, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT a.id, a.callback_id, a.url, a.started_at, a.duration_ms, a.http_status,
		a.body_excerpt, a.error, a.acked FROM callback_attempts a JOIN callbacks c ON c.id = a.callback_id
		WHERE c.payment_id = ? ORDER BY a.id`, paymentID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []app.CallbackAttempt
	for rows.Next() {
		var a app.CallbackAttempt
		var started int64
		if err := rows.Scan(&a.ID, &a.CallbackID, &a.URL, &started, &a.DurationMS, &a.HTTPStatus, &a.BodyExcerpt, &a.Error, &a.Acked); err != nil {
			return nil, err
		}
		a.StartedAt = fromMS(started)
		out = append(out, a)
	}
	return out, rows.Err()
}
