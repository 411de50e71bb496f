package store

import (
	"context"
	"database/sql"

	"paygate/app"
	"paygate/app/money"
)

// ListCallbacks returns callbacks (merchant and 易支付), most recently changed first, with
// their payment's amount and their last attempt.
func (db *DB) ListCallbacks(ctx context.Context, f app.CallbackFilter) ([]app.CallbackSummary, int, error) {
	where, args := ` WHERE 1 = 1`, []any{}
	switch f.Status {
	case "":
	case "failing":
		where += ` AND (c.status = 'failed' OR (c.status = 'pending' AND c.attempts > 0 AND c.last_error <> ''))`
	default:
		where += ` AND c.status = ?`
		args = append(args, f.Status)
	}
	var total int
	if err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM callbacks c`+where, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := db.read.QueryContext(ctx, `SELECT c.id, c.payment_id, c.order_id, c.kind, c.status, c.attempts, c.next_attempt_at,
		c.created_at, c.last_error, p.amount, p.method, o.product_name, coalesce(o.merchant_order_id, ''),
		(SELECT a.started_at FROM callback_attempts a WHERE a.callback_id = c.id ORDER BY a.id DESC LIMIT 1),
		(SELECT a.http_status FROM callback_attempts a WHERE a.callback_id = c.id ORDER BY a.id DESC LIMIT 1),
		(SELECT a.url FROM callback_attempts a WHERE a.callback_id = c.id ORDER BY a.id DESC LIMIT 1)
		FROM callbacks c JOIN payments p ON p.id = c.payment_id JOIN orders o ON o.id = c.order_id`+where+
		` ORDER BY c.updated_at DESC, c.id DESC LIMIT ? OFFSET ?`, append(args, f.Limit, f.Offset)...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	out := []app.CallbackSummary{}
	for rows.Next() {
		var (
			s                app.CallbackSummary
			kind, status     string
			method           string
			next, created    int64
			amount           int64
			lastAt, lastHTTP sql.NullInt64
			lastURL          sql.NullString
		)
		if err := rows.Scan(&s.ID, &s.PaymentID, &s.OrderID, &kind, &status, &s.Attempts, &next, &created, &s.LastError,
			&amount, &method, &s.ProductName, &s.MerchantOrderID, &lastAt, &lastHTTP, &lastURL); err != nil {
			return nil, 0, err
		}
		s.Kind, s.Status, s.NextAttemptAt, s.CreatedAt = app.CallbackKind(kind), app.CallbackStatus(status), fromMS(next), fromMS(created)
		s.Amount, s.Method = money.Fen(amount), app.Method(method)
		s.LastAttemptAt, s.LastHTTP, s.LastURL = fromNullMS(lastAt), int(lastHTTP.Int64), lastURL.String
		out = append(out, s)
	}
	return out, total, rows.Err()
}
