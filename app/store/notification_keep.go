package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"os"
	"time"

	"paygate/app"
)

// What is kept of stored forwarder requests. Every request is stored whole
// before it is read, so that a parser mistake never loses a payment; one
// that no known phone sent is cut down in the step that refuses it, and only
// the newest of those stay (RefuseNotification). Requests that made no
// payment go after the retention (PruneNotifications). notification_totals,
// kept by triggers (migration 0012), says how much is stored.

// RefuseNotification records that a stored request was refused or could not
// be read; reason says why, for the person reviewing it (reasonZh, the same
// in Chinese, for the console). A request that made
// a payment or was found a duplicate keeps that outcome. deviceID is the
// known phone that sent it (an unreadable request with a valid key), or 0.
// A request no known phone sent is cut down to limits in the same
// transaction, and the oldest such requests beyond limits are deleted.
func (db *DB) RefuseNotification(ctx context.Context, id int64, outcome app.NotificationOutcome, reason, reasonZh string, deviceID int64, limits app.StrangerLimits) error {
	return db.tx(ctx, func(tx *Tx) error {
		var (
			fromDevice     bool
			headers, query string
			body           []byte
		)
		err := tx.QueryRowContext(ctx, `UPDATE notifications SET outcome = ?, reason = ?, reason_zh = ?, device_id = coalesce(?, device_id)
			WHERE id = ? AND outcome NOT IN ('payment', 'duplicate') RETURNING device_id IS NOT NULL, headers, query, body`,
			string(outcome), reason, reasonZh, sql.NullInt64{Int64: deviceID, Valid: deviceID != 0}, id).Scan(&fromDevice, &headers, &query, &body)
		if errors.Is(err, sql.ErrNoRows) {
			return nil // gone, or applied meanwhile
		}
		if err != nil {
			return err
		}
		tx.tell(func(o Observer) { o.NotificationDecided(outcome) })
		if fromDevice {
			return nil
		}
		if err := cutStranger(ctx, tx, id, headers, query, body, limits); err != nil {
			return err
		}
		return keepNewestStrangers(ctx, tx, limits)
	})
}

// cutStranger cuts a stranger's stored request down to limits and notes its
// original size.
func cutStranger(ctx context.Context, tx *Tx, id int64, headers, query string, body []byte, limits app.StrangerLimits) error {
	size := int64(len(headers) + len(query) + len(body))
	cutHeaders := cutHeaderValues(headers, limits.HeaderCutTo)
	cutQuery := app.Cut(query, limits.CutTo)
	cutBody := []byte(app.Cut(string(body), limits.CutTo))
	if len(cutHeaders) == len(headers) && len(cutQuery) == len(query) && len(cutBody) == len(body) {
		return nil
	}
	_, err := tx.ExecContext(ctx, `UPDATE notifications SET headers = ?, query = ?, body = ?, cut_from = ? WHERE id = ?`,
		cutHeaders, cutQuery, cutBody, size, id)
	return err
}

// cutHeaderValues cuts each value of stored headers (a JSON object of
// strings) to max bytes.
func cutHeaderValues(headers string, max int) string {
	var h map[string]string
	if err := json.Unmarshal([]byte(headers), &h); err != nil {
		return app.Cut(headers, max)
	}
	cut := false
	for k, v := range h {
		if len(v) > max {
			h[k], cut = app.Cut(v, max), true
		}
	}
	if !cut {
		return headers
	}
	b, err := json.Marshal(h)
	if err != nil {
		return app.Cut(headers, max)
	}
	return string(b)
}

// keepNewestStrangers deletes the oldest requests no known phone sent until
// what is left is within limits.
func keepNewestStrangers(ctx context.Context, tx *Tx, limits app.StrangerLimits) error {
	for {
		s, err := strangers(ctx, tx)
		if err != nil {
			return err
		}
		excess := s.Requests - limits.MaxRequests
		if s.Bytes > limits.MaxBytes && s.Requests > 0 {
			// As many of the oldest as, on average, take the bytes over the limit.
			avg := max(s.Bytes/s.Requests, 1)
			excess = max(excess, (s.Bytes-limits.MaxBytes+avg-1)/avg)
		}
		if excess <= 0 {
			return nil
		}
		res, err := tx.ExecContext(ctx, deleteOldestStrangersQuery, excess)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return err
		}
	}
}

// The deletes, named so that a test checks their plans: each runs in the
// single writer and must walk an index, never scan notifications or payments.
const (
	// deleteOldestStrangersQuery deletes the ? oldest requests no known phone
	// sent. Pinned to its partial index: without statistics SQLite would
	// rather take every row without a device and sort them.
	deleteOldestStrangersQuery = `DELETE FROM notifications WHERE id IN (
		SELECT n.id FROM notifications n INDEXED BY notifications_strangers
		WHERE n.outcome IN ('refused', 'invalid') AND n.device_id IS NULL
		  AND NOT EXISTS (SELECT 1 FROM payments p WHERE p.notification_id = n.id)
		ORDER BY n.id LIMIT ?)`
	// pruneNotificationsQuery deletes up to ? requests received before ? that
	// made no payment and wait for nobody.
	pruneNotificationsQuery = `DELETE FROM notifications WHERE id IN (
		SELECT n.id FROM notifications n
		WHERE n.outcome IN ('ignored', 'duplicate', 'refused', 'invalid') AND n.received_at < ? AND n.payment_id IS NULL
		  AND NOT EXISTS (SELECT 1 FROM payments p WHERE p.notification_id = n.id)
		LIMIT ?)`
)

// strangers is what the requests no known phone sent take.
func strangers(ctx context.Context, q queryRower) (app.StoredSize, error) {
	var s app.StoredSize
	err := q.QueryRowContext(ctx, `SELECT coalesce(sum(requests), 0), coalesce(sum(bytes), 0) FROM notification_totals
		WHERE outcome IN ('refused', 'invalid') AND from_device = 0`).Scan(&s.Requests, &s.Bytes)
	return s, err
}

type queryRower interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// PruneNotifications deletes up to limit stored requests received before
// before that made no payment and wait for nobody — ignored, duplicate,
// refused and unreadable ones — and says how many. Requests that made a
// payment stay as long as the payment; those waiting to be applied or for a
// person (received, error) stay too.
func (db *DB) PruneNotifications(ctx context.Context, before time.Time, limit int) (int, error) {
	var n int64
	err := db.tx(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, pruneNotificationsQuery, ms(before), limit)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return int(n), err
}

// NotificationStorage says how many forwarder requests are stored and the
// bytes they take, by outcome, and how large the database files are. The
// rules (Retention, Limits) are the caller's to fill in.
func (db *DB) NotificationStorage(ctx context.Context) (app.NotificationStorage, error) {
	st := app.NotificationStorage{ByOutcome: map[app.NotificationOutcome]app.StoredSize{}}
	rows, err := db.read.QueryContext(ctx, `SELECT outcome, from_device, requests, bytes FROM notification_totals WHERE requests > 0`)
	if err != nil {
		return st, err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			outcome    string
			fromDevice bool
			s          app.StoredSize
		)
		if err := rows.Scan(&outcome, &fromDevice, &s.Requests, &s.Bytes); err != nil {
			return st, err
		}
		o := app.NotificationOutcome(outcome)
		sum := st.ByOutcome[o]
		sum.Requests, sum.Bytes = sum.Requests+s.Requests, sum.Bytes+s.Bytes
		st.ByOutcome[o] = sum
		st.Total.Requests, st.Total.Bytes = st.Total.Requests+s.Requests, st.Total.Bytes+s.Bytes
		if !fromDevice && (o == app.OutcomeRefused || o == app.OutcomeInvalid) {
			st.Strangers.Requests, st.Strangers.Bytes = st.Strangers.Requests+s.Requests, st.Strangers.Bytes+s.Bytes
		}
	}
	if err := rows.Err(); err != nil {
		return st, err
	}
	st.DatabaseBytes, st.WALBytes = fileSize(db.path), fileSize(db.path+"-wal")
	return st, nil
}

// fileSize is the size of the file at path, 0 when there is none.
func fileSize(path string) int64 {
	fi, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return fi.Size()
}
