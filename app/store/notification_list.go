package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strconv"
	"strings"

	"paygate/app"
	"paygate/app/money"
)

const notificationColumns = `n.id, n.received_at, n.endpoint, n.http_method, n.remote_ip, coalesce(n.device_id, 0), coalesce(d.name, ''),
	n.outcome, n.reason, n.reason_zh, n.sender_id, n.package, n.title, n.text, coalesce(n.amount, 0), n.method, n.customer_type,
	coalesce(n.payment_id, ''), n.query, n.body, n.headers, coalesce(n.cut_from, 0)`

const notificationFrom = ` FROM notifications n LEFT JOIN devices d ON d.id = n.device_id`

func scanNotification(r rowScanner) (app.Notification, error) {
	var (
		n                app.Notification
		received, amount int64
		outcome, method  string
		body             []byte
		headers          string
	)
	err := r.Scan(&n.ID, &received, &n.Endpoint, &n.HTTPMethod, &n.RemoteIP, &n.DeviceID, &n.DeviceName,
		&outcome, &n.Reason, &n.ReasonZh, &n.SenderID, &n.Package, &n.Title, &n.Text, &amount, &method, &n.CustomerType,
		&n.PaymentID, &n.Query, &body, &headers, &n.CutFrom)
	if err != nil {
		return app.Notification{}, err
	}
	n.ReceivedAt, n.Outcome, n.Method, n.Amount = fromMS(received), app.NotificationOutcome(outcome), app.Method(method), money.Fen(amount)
	n.Body = strings.ToValidUTF8(string(body), "\uFFFD")
	_ = json.Unmarshal([]byte(headers), &n.Header)
	return n, nil
}

// ListNotifications returns stored forwarder requests, newest first, and the total.
func (db *DB) ListNotifications(ctx context.Context, f app.NotificationFilter) ([]app.Notification, int, error) {
	where, args := ` WHERE 1 = 1`, []any{}
	if f.DeviceID != 0 {
		where += ` AND n.device_id = ?`
		args = append(args, f.DeviceID)
	}
	if f.Outcome != "" {
		where += ` AND n.outcome = ?`
		args = append(args, f.Outcome)
	}
	total, err := db.count(ctx, `SELECT 1 FROM notifications n`+where, args, f.CountCap)
	if err != nil {
		return nil, 0, err
	}
	if f.Limit <= 0 {
		f.Limit = 20
	}
	rows, err := db.read.QueryContext(ctx, `SELECT `+notificationColumns+notificationFrom+where+` ORDER BY n.id DESC LIMIT ? OFFSET ?`,
		append(args, f.Limit, f.Offset)...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	out := []app.Notification{}
	for rows.Next() {
		n, err := scanNotification(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, n)
	}
	return out, total, rows.Err()
}

// CountNotifications counts stored requests with outcome.
func (db *DB) CountNotifications(ctx context.Context, outcome app.NotificationOutcome) (int, error) {
	var n int
	err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM notifications WHERE outcome = ?`, string(outcome)).Scan(&n)
	return n, err
}

// Notification returns one stored request.
func (db *DB) Notification(ctx context.Context, id int64) (app.Notification, error) {
	n, err := scanNotification(db.read.QueryRowContext(ctx, `SELECT `+notificationColumns+notificationFrom+` WHERE n.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		s := strconv.FormatInt(id, 10)
		return n, app.NewError(app.ENOTFOUND, "notificationId", "通知 #"+s+" 不存在。", "Notification #"+s+" does not exist.")
	}
	return n, err
}

// RawNotification returns a stored request as it arrived, for re-parsing.
func (db *DB) RawNotification(ctx context.Context, id int64) (app.RawRequest, app.NotificationOutcome, error) {
	n, err := db.Notification(ctx, id)
	if err != nil {
		return app.RawRequest{}, "", err
	}
	var body []byte
	if err := db.read.QueryRowContext(ctx, `SELECT body FROM notifications WHERE id = ?`, id).Scan(&body); err != nil {
		return app.RawRequest{}, "", err
	}
	return app.RawRequest{
		Endpoint: n.Endpoint, Method: n.HTTPMethod, RemoteIP: n.RemoteIP, Header: n.Header,
		Query: n.Query, Body: body, ReceivedAt: n.ReceivedAt,
	}, n.Outcome, nil
}

// ReparseCandidates returns ids of stored notifications that produced no
// payment and were not refused — the ones a parser fix could change, and
// those that could not be applied —
// received at or after sinceMS, oldest first.
func (db *DB) ReparseCandidates(ctx context.Context, sinceMS int64, limit int) ([]int64, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT id FROM notifications
		WHERE outcome IN ('ignored', 'invalid', 'received', 'error') AND received_at >= ? ORDER BY id LIMIT ?`, sinceMS, limit)
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
