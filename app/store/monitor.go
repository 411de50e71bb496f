package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"paygate/app"
)

// The reads behind the dashboard's checklist and the alert checks.

// SetupProgress is how far a new shop has come: the steps of the console's
// first-run checklist.
type SetupProgress struct {
	PayQR    bool      // a 收款码 is uploaded
	Devices  int       // phones added (with their own key) or heard with the API key
	HeardAt  time.Time // when a phone was first … last heard from; zero: never
	Links    int       // payment links made
	APIOrder bool      // an order came through the API or 易支付
}

// SetupProgress reads the checklist's state in one go.
func (db *DB) SetupProgress(ctx context.Context) (SetupProgress, error) {
	var p SetupProgress
	var heard sql.NullInt64
	err := db.read.QueryRowContext(ctx, `SELECT
		EXISTS (SELECT 1 FROM pay_qr_codes),
		(SELECT count(*) FROM devices WHERE uses_api_key = 0 OR last_seen_at IS NOT NULL),
		(SELECT max(last_seen_at) FROM devices),
		(SELECT count(*) FROM payment_links),
		EXISTS (SELECT 1 FROM orders WHERE link_id IS NULL AND link_network = '')`).Scan(&p.PayQR, &p.Devices, &heard, &p.Links, &p.APIOrder)
	p.HeardAt = fromNullMS(heard)
	return p, err
}

// LastPhoneNotification is the newest stored request a known phone sent
// (heartbeats are not stored), and when; ok is false when there is none.
func (db *DB) LastPhoneNotification(ctx context.Context) (app.Notification, bool, error) {
	n, err := scanNotification(db.read.QueryRowContext(ctx, `SELECT `+notificationColumns+notificationFrom+
		` WHERE n.device_id IS NOT NULL ORDER BY n.id DESC LIMIT 1`))
	if errors.Is(err, sql.ErrNoRows) {
		return n, false, nil
	}
	return n, err == nil, err
}

// OldestPendingOrderSince is the creation time of the oldest pending order
// created after since; ok is false when there is none.
func (db *DB) OldestPendingOrderSince(ctx context.Context, since time.Time) (time.Time, int, bool, error) {
	var first sql.NullInt64
	var n int
	err := db.read.QueryRowContext(ctx, `SELECT min(created_at), count(*) FROM orders WHERE status = 'pending' AND created_at > ?`, ms(since)).Scan(&first, &n)
	return fromNullMS(first), n, first.Valid, err
}

// CallbackTarget is a destination whose callbacks are failing.
type CallbackTarget struct {
	URL     string // the order's own URL (notifyUrl, 易支付 notify_url); "" for the settings' callback URL
	Failing int
}

// FailingCallbackTargets groups the failing callbacks (failed, or pending
// after a failed attempt: what the console counts as failing) by the URL
// they go to.
func (db *DB) FailingCallbackTargets(ctx context.Context) ([]CallbackTarget, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT CASE WHEN c.kind = 'epay' THEN coalesce(e.notify_url, '') ELSE coalesce(o.notify_url, '') END AS target, count(*)
		FROM callbacks c JOIN orders o ON o.id = c.order_id LEFT JOIN epay_orders e ON e.order_id = c.order_id
		WHERE c.status = 'failed' OR (c.status = 'pending' AND c.attempts > 0 AND c.last_error <> '')
		GROUP BY target`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []CallbackTarget
	for rows.Next() {
		var t CallbackTarget
		if err := rows.Scan(&t.URL, &t.Failing); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}
