package store

import (
	"context"
	"strings"
	"time"

	"paygate/app"
)

// orderWhere builds the WHERE clause of f. A pending order past its lifetime
// counts as expired, as Order reports it, even before the sweeper has marked it.
func orderWhere(f app.OrderFilter, now time.Time) (string, []any) {
	var b strings.Builder
	args := []any{}
	b.WriteString(` WHERE 1 = 1`)
	switch f.Status {
	case "":
	case app.OrderPending:
		b.WriteString(` AND status = 'pending' AND expires_at > ?`)
		args = append(args, ms(now))
	case app.OrderExpired:
		b.WriteString(` AND (status = 'expired' OR (status = 'pending' AND expires_at <= ?))`)
		args = append(args, ms(now))
	default:
		b.WriteString(` AND status = ?`)
		args = append(args, string(f.Status))
	}
	if f.Method != "" {
		b.WriteString(` AND method = ?`)
		args = append(args, string(f.Method))
	}
	if !f.From.IsZero() {
		b.WriteString(` AND created_at >= ?`)
		args = append(args, ms(f.From))
	}
	if !f.To.IsZero() {
		b.WriteString(` AND created_at < ?`)
		args = append(args, ms(f.To))
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		like := "%" + escapeLike(q) + "%"
		b.WriteString(` AND (id = ? OR merchant_order_id = ? OR id LIKE ? ESCAPE '\' OR product_name LIKE ? ESCAPE '\')`)
		args = append(args, q, q, like, like)
	}
	return b.String(), args
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// effective reports a pending order past its lifetime as expired.
func effective(o app.Order, now time.Time) app.Order {
	if o.Status == app.OrderPending && !now.Before(o.ExpiresAt) {
		o.Status = app.OrderExpired
		o.ClosedAt = o.ExpiresAt
	}
	return o
}

// ListOrders returns orders newest first and how many match in total.
func (db *DB) ListOrders(ctx context.Context, f app.OrderFilter) ([]app.Order, int, error) {
	now := db.now()
	where, args := orderWhere(f, now)
	total, err := db.count(ctx, `SELECT 1 FROM orders`+where, args, f.CountCap)
	if err != nil {
		return nil, 0, err
	}
	rows, err := db.read.QueryContext(ctx, `SELECT `+orderColumns+` FROM orders`+where+
		` ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?`, append(args, f.Limit, f.Offset)...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	out := []app.Order{}
	for rows.Next() {
		o, err := scanOrder(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, effective(o, now))
	}
	return out, total, rows.Err()
}

// EachOrder calls fn for every order matching f (Offset and Limit ignored),
// oldest first, straight from the cursor: nothing is collected in memory.
func (db *DB) EachOrder(ctx context.Context, f app.OrderFilter, fn func(app.Order) error) error {
	now := db.now()
	where, args := orderWhere(f, now)
	rows, err := db.read.QueryContext(ctx, `SELECT `+orderColumns+` FROM orders`+where+` ORDER BY created_at, id`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		o, err := scanOrder(rows)
		if err != nil {
			return err
		}
		if err := fn(effective(o, now)); err != nil {
			return err
		}
	}
	return rows.Err()
}

// CandidateOrders returns the orders an unmatched payment may pay: same
// payable amount, same method when the payment names one, and either still
// pending or expired no longer than grace before the payment arrived.
func (db *DB) CandidateOrders(ctx context.Context, p app.Payment, grace time.Duration, limit int) ([]app.Order, error) {
	now := db.now()
	rows, err := db.read.QueryContext(ctx, `SELECT `+orderColumns+` FROM orders
		WHERE pay_amount = ? AND (? = '' OR method = ?) AND status IN ('pending', 'expired')
		AND created_at <= ? AND expires_at >= ?
		ORDER BY abs(created_at - ?) LIMIT ?`,
		int64(p.Amount), string(p.Method), string(p.Method),
		ms(p.ReceivedAt.Add(time.Minute)), ms(p.ReceivedAt.Add(-grace)), ms(p.ReceivedAt), limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []app.Order
	for rows.Next() {
		o, err := scanOrder(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, effective(o, now))
	}
	return out, rows.Err()
}
