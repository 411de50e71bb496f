package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"paygate/app"
)

// NotificationText returns what a forwarder said for one notification: the
// parsed title and text, or the raw body when it could not be parsed.
func (db *DB) NotificationText(ctx context.Context, id int64) (app.NotificationText, error) {
	var n app.NotificationText
	if id == 0 {
		return n, nil
	}
	var received int64
	var body []byte
	err := db.read.QueryRowContext(ctx, `SELECT id, received_at, endpoint, package, title, text, body FROM notifications WHERE id = ?`, id).
		Scan(&n.ID, &received, &n.Endpoint, &n.Package, &n.Title, &n.Text, &body)
	if errors.Is(err, sql.ErrNoRows) {
		return app.NotificationText{}, nil
	}
	if err != nil {
		return n, err
	}
	n.ReceivedAt = fromMS(received)
	if n.Title == "" && n.Text == "" {
		n.Text = strings.ToValidUTF8(string(body), "�")
	}
	return n, nil
}
