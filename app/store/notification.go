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
// not be read; reason says why, for the person reviewing it.
func (db *DB) SetNotificationOutcome(ctx context.Context, id int64, outcome app.NotificationOutcome, reason string) error {
	return db.tx(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE notifications SET outcome = ?, reason = ? WHERE id = ?`, string(outcome), reason, id)
		return err
	})
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
	res := app.IngestResult{NotificationID: notificationID, Amount: n.Amount, Method: n.Method, CustomerType: n.CustomerType}
	err := db.tx(ctx, func(tx *Tx) error {
		now := db.now()
		if _, err := tx.ExecContext(ctx, `UPDATE notifications SET device_id = ?, sender_id = ?, package = ?, title = ?, text = ?,
			amount = ?, method = ?, customer_type = ? WHERE id = ?`,
			sql.NullInt64{Int64: n.DeviceID, Valid: n.DeviceID != 0}, n.SenderID, n.Package, n.Title, n.Text,
			sql.NullInt64{Int64: int64(n.Amount), Valid: n.Kind == string(app.OutcomePayment)}, string(n.Method), n.CustomerType,
			notificationID); err != nil {
			return err
		}
		if n.DeviceID != 0 {
			if _, err := tx.ExecContext(ctx, `UPDATE devices SET last_seen_at = ?, last_ip = ?, last_kind = ? WHERE id = ?`,
				ms(now), n.RemoteIP, n.Via, n.DeviceID); err != nil {
				return err
			}
		}

		if n.SenderID != "" {
			key := dedupeKey(n)
			var firstID int64
			var firstPayment sql.NullString
			err := tx.QueryRowContext(ctx, `SELECT id, payment_id FROM notifications WHERE dedupe_key = ? AND id <> ?`, key, notificationID).Scan(&firstID, &firstPayment)
			switch {
			case err == nil:
				res.Kind = app.OutcomeDuplicate
				res.Reason = fmt.Sprintf("same notification as #%d", firstID)
				if firstPayment.Valid {
					res.PaymentID = firstPayment.String
					var orderID sql.NullString
					if err := tx.QueryRowContext(ctx, `SELECT order_id FROM payments WHERE id = ?`, firstPayment.String).Scan(&orderID); err != nil {
						return err
					}
					res.OrderID = orderID.String
				}
				return setOutcome(ctx, tx, notificationID, app.OutcomeDuplicate, res.Reason, "")
			case !errors.Is(err, sql.ErrNoRows):
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE notifications SET dedupe_key = ? WHERE id = ?`, key, notificationID); err != nil {
				return err
			}
		}

		if n.Kind != string(app.OutcomePayment) || n.Amount <= 0 {
			res.Kind, res.Reason = app.OutcomeIgnored, n.Reason
			return setOutcome(ctx, tx, notificationID, app.OutcomeIgnored, n.Reason, "")
		}

		match, err := findMatch(ctx, tx, n.Method, n.Amount, now, opts.Policy)
		if err != nil {
			return err
		}
		orderID, conf := match.OrderID, match.Confidence
		p := app.Payment{
			ID:             opts.NewPaymentID(),
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
		return setOutcome(ctx, tx, notificationID, app.OutcomePayment, "", p.ID)
	})
	return res, err
}

func dedupeKey(n app.Notice) string {
	h := sha256.Sum256([]byte(n.Package + "\x00" + n.Title + "\x00" + n.Text))
	return fmt.Sprintf("%d|%s|%s", n.DeviceID, n.SenderID, hex.EncodeToString(h[:12]))
}

func setOutcome(ctx context.Context, tx *Tx, id int64, outcome app.NotificationOutcome, reason, paymentID string) error {
	_, err := tx.ExecContext(ctx, `UPDATE notifications SET outcome = ?, reason = ?, payment_id = ? WHERE id = ?`,
		string(outcome), reason, nullString(paymentID), id)
	return err
}
