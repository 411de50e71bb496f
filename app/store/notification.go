package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"paygate/app"
)

// SaveRawNotification stores a forwarder request exactly as it arrived, before
// anything reads it, and returns its id.
func (db *DB) SaveRawNotification(ctx context.Context, r app.RawRequest) (int64, error) {
	var id int64
	headers, err := json.Marshal(r.Header)
	if err != nil {
		return 0, err
	}
	body := r.Body
	if body == nil {
		body = []byte{}
	}
	err = db.tx(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO notifications (received_at, endpoint, http_method, remote_ip, headers, query, body)
			VALUES (?, ?, ?, ?, ?, ?, ?)`,
			ms(r.ReceivedAt), r.Endpoint, r.Method, r.RemoteIP, string(headers), r.Query, body)
		if err != nil {
			return err
		}
		id, err = res.LastInsertId()
		return err
	})
	return id, err
}

// SetNotificationOutcome records that a stored request was refused or could
// not be read; reason says why, for the person reviewing it. A request that
// made a payment or was found a duplicate keeps that outcome.
func (db *DB) SetNotificationOutcome(ctx context.Context, id int64, outcome app.NotificationOutcome, reason string) error {
	return db.tx(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE notifications SET outcome = ?, reason = ?
			WHERE id = ? AND outcome NOT IN ('payment', 'duplicate')`, string(outcome), reason, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n > 0 {
			tx.tell(func(o Observer) { o.NotificationDecided(outcome) })
		}
		return nil
	})
}

// UnappliedNotifications returns the ids of stored requests never applied
// (outcome received: the client hung up, the process died, or applying
// failed) that arrived at or before before, oldest first.
func (db *DB) UnappliedNotifications(ctx context.Context, before time.Time, limit int) ([]int64, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT id FROM notifications WHERE outcome = 'received' AND received_at <= ?
		ORDER BY received_at, id LIMIT ?`, ms(before), limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// NoteApplyFailure counts a failed try to apply a stored request. After
// maxAttempts tries it gets the outcome error with reason, so a person
// sees it; gaveUp says so.
func (db *DB) NoteApplyFailure(ctx context.Context, id int64, reason string, maxAttempts int) (gaveUp bool, err error) {
	err = db.tx(ctx, func(tx *Tx) error {
		var attempts int
		err := tx.QueryRowContext(ctx, `UPDATE notifications SET apply_attempts = apply_attempts + 1
			WHERE id = ? AND outcome = 'received' RETURNING apply_attempts`, id).Scan(&attempts)
		if errors.Is(err, sql.ErrNoRows) {
			gaveUp = false // applied meanwhile
			return nil
		}
		if err != nil {
			return err
		}
		if gaveUp = attempts >= maxAttempts; !gaveUp {
			return nil
		}
		_, err = tx.ExecContext(ctx, `UPDATE notifications SET outcome = 'error', reason = ? WHERE id = ?`,
			fmt.Sprintf("%s (tried %d times)", reason, attempts), id)
		tx.tell(func(o Observer) { o.NotificationDecided(app.OutcomeError) })
		return err
	})
	return gaveUp, err
}

// ApplyOptions are the rules ApplyNotice follows.
type ApplyOptions struct {
	Policy             app.MatchPolicy
	NewPaymentID       func() string
	FirstCallbackDelay time.Duration // before the first attempt, from the retry schedule
}

// ApplyNotice turns a parsed notification into its outcome in one
// transaction: a duplicate of one already recorded, an ignored message, or a
// payment — matched to an order (which is paid and gets a queued callback)
// or waiting unmatched for a person.
func (db *DB) ApplyNotice(ctx context.Context, notificationID int64, n app.Notice, opts ApplyOptions) (app.IngestResult, error) {
	var res app.IngestResult
	// Made before the transaction: none of it needs the database, and the
	// single writer should only write.
	paymentID := opts.NewPaymentID()
	dedupe := ""
	if n.SenderID != "" {
		dedupe = dedupeKey(n)
	}
	err := db.tx(ctx, func(tx *Tx) error {
		res = app.IngestResult{NotificationID: notificationID, Amount: n.Amount, Method: n.Method, CustomerType: n.CustomerType}
		now := db.now()
		if done, err := appliedAlready(ctx, tx, notificationID, &res); err != nil || done {
			return err
		}
		if n.DeviceID != 0 {
			if _, err := tx.ExecContext(ctx, `UPDATE devices SET last_seen_at = ?, last_ip = ?, last_kind = ? WHERE id = ?`,
				ms(now), n.RemoteIP, n.Via, n.DeviceID); err != nil {
				return err
			}
		}

		if n.SenderID != "" {
			dup, err := findDuplicate(ctx, tx, notificationID, n, &res)
			if err != nil {
				return err
			}
			if dup {
				return recordNotice(ctx, tx, notificationID, n, "", app.OutcomeDuplicate, res.Reason, "")
			}
		}

		if n.Kind != app.OutcomePayment || n.Amount <= 0 {
			res.Kind, res.Reason = app.OutcomeIgnored, n.Reason
			return recordNotice(ctx, tx, notificationID, n, dedupe, app.OutcomeIgnored, n.Reason, "")
		}

		match, err := findMatch(ctx, tx, n.Method, n.Amount, now, n.SentAt, opts.Policy)
		if err != nil {
			return err
		}
		orderID, conf := match.OrderID, match.Confidence
		p := app.Payment{
			ID:             paymentID,
			NotificationID: notificationID,
			Method:         n.Method,
			Amount:         n.Amount,
			CustomerType:   n.CustomerType,
			Status:         app.PaymentUnmatched,
			Confidence:     conf,
			ReceivedAt:     now,
		}
		autoConfirm := match.AutoConfirm && !n.NoAutoConfirm
		if autoConfirm {
			p.Status, p.OrderID, p.MatchedAt, p.MatchedBy = app.PaymentMatched, orderID, now, "auto"
		} else {
			p.CandidateOrder = orderID
		}
		// The notification's row first: its dedupe key is unique, so a
		// second copy of the notification fails here, before anything is paid.
		if err := recordNotice(ctx, tx, notificationID, n, dedupe, app.OutcomePayment, "", p.ID); err != nil {
			return err
		}
		if err := insertPayment(ctx, tx, p); err != nil {
			return err
		}
		if autoConfirm {
			if err := payOrder(ctx, tx, orderID, p, now); err != nil {
				return err
			}
			if err := enqueueCallback(ctx, tx, p.ID, orderID, now, now.Add(opts.FirstCallbackDelay)); err != nil {
				return err
			}
		}
		res.Kind, res.PaymentID, res.Confidence, res.Matched = app.OutcomePayment, p.ID, conf, autoConfirm
		if autoConfirm {
			res.OrderID = orderID
		}
		return nil
	})
	return res, err
}

// recordNotice writes what a stored request was read as and what became of
// it, in one UPDATE of its row: the device and sender, the text, the amount
// and method, the dedupe key (none for a duplicate: the first copy holds
// it), the outcome and its reason, and the payment it made.
func recordNotice(ctx context.Context, tx *Tx, id int64, n app.Notice, dedupe string, outcome app.NotificationOutcome, reason, paymentID string) error {
	_, err := tx.ExecContext(ctx, `UPDATE notifications SET device_id = ?, sender_id = ?, package = ?, title = ?, text = ?,
		amount = ?, method = ?, customer_type = ?, dedupe_key = ?, outcome = ?, reason = ?, payment_id = ? WHERE id = ?`,
		sql.NullInt64{Int64: n.DeviceID, Valid: n.DeviceID != 0}, n.SenderID, n.Package, n.Title, n.Text,
		sql.NullInt64{Int64: int64(n.Amount), Valid: n.Kind == app.OutcomePayment}, string(n.Method), n.CustomerType,
		nullString(dedupe), string(outcome), reason, nullString(paymentID), id)
	if err != nil {
		return err
	}
	tx.tell(func(o Observer) { o.NotificationDecided(outcome) })
	return nil
}

// appliedAlready reports whether the notification was applied before (by a
// live request that took long, or the sweeper): applying it again could pay
// twice. res then describes what it became.
func appliedAlready(ctx context.Context, tx *Tx, id int64, res *app.IngestResult) (bool, error) {
	var outcome string
	var paymentID sql.NullString
	if err := tx.QueryRowContext(ctx, `SELECT outcome, payment_id FROM notifications WHERE id = ?`, id).Scan(&outcome, &paymentID); err != nil {
		return false, err
	}
	switch app.NotificationOutcome(outcome) {
	case app.OutcomePayment, app.OutcomeDuplicate:
	default:
		return false, nil
	}
	res.Kind, res.Reason = app.NotificationOutcome(outcome), fmt.Sprintf("notification #%d was applied already", id)
	return true, paymentOrder(ctx, tx, paymentID, res)
}

// findDuplicate looks for an earlier notification with n's sender id from
// the same device: the same text, or — when n's sender id is a signed
// timestamp — any text. A duplicate is recorded as such; when it is the
// same notification sent again, res names the first one's payment.
func findDuplicate(ctx context.Context, tx *Tx, id int64, n app.Notice, res *app.IngestResult) (bool, error) {
	var (
		firstID          int64
		firstPayment     sql.NullString
		pkg, title, text string
		row              *sql.Row
		prefix           = dedupePrefix(n)
	)
	if n.SignedTimestamp {
		// Every key with this device and timestamp lies in [prefix, prefix
		// with '}' for its last '|'): the signed one and those of any text.
		row = tx.QueryRowContext(ctx, `SELECT id, payment_id, package, title, text FROM notifications
			WHERE dedupe_key >= ? AND dedupe_key < ? AND id <> ? ORDER BY id LIMIT 1`, prefix, prefix[:len(prefix)-1]+"}", id)
	} else {
		row = tx.QueryRowContext(ctx, `SELECT id, payment_id, package, title, text FROM notifications
			WHERE dedupe_key IN (?, ?) AND id <> ? AND package = ? AND title = ? AND text = ? ORDER BY id LIMIT 1`,
			dedupeKey(n), prefix+"signed", id, n.Package, n.Title, n.Text)
	}
	err := row.Scan(&firstID, &firstPayment, &pkg, &title, &text)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if pkg == n.Package && title == n.Title && text == n.Text {
		res.Reason = fmt.Sprintf("same notification as #%d", firstID)
		if err := paymentOrder(ctx, tx, firstPayment, res); err != nil {
			return false, err
		}
	} else {
		// The sign covers the timestamp, not the text: another text with it is a replay.
		res.Reason = fmt.Sprintf("signed timestamp %s was used by #%d; each is used once", n.SenderID, firstID)
	}
	res.Kind = app.OutcomeDuplicate
	return true, nil
}

// paymentOrder puts a payment and the order it paid into res.
func paymentOrder(ctx context.Context, tx *Tx, paymentID sql.NullString, res *app.IngestResult) error {
	if !paymentID.Valid {
		return nil
	}
	res.PaymentID = paymentID.String
	var orderID sql.NullString
	if err := tx.QueryRowContext(ctx, `SELECT order_id FROM payments WHERE id = ?`, paymentID.String).Scan(&orderID); err != nil {
		return err
	}
	res.OrderID = orderID.String
	return nil
}

func dedupePrefix(n app.Notice) string {
	return fmt.Sprintf("%d|%s|", n.DeviceID, n.SenderID)
}

// dedupeKey is unique per notification: device, sender id and text — or,
// for a signed timestamp, device and timestamp alone, so the UNIQUE index
// lets it be used once.
func dedupeKey(n app.Notice) string {
	if n.SignedTimestamp {
		return dedupePrefix(n) + "signed"
	}
	h := sha256.Sum256([]byte(n.Package + "\x00" + n.Title + "\x00" + n.Text))
	return dedupePrefix(n) + hex.EncodeToString(h[:12])
}
