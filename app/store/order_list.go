package store

import (
	"context"
	"strings"
	"time"

	"paygate/app"
	"paygate/app/money"
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
	if f.Unpaid {
		b.WriteString(` AND status IN ('pending', 'expired')`)
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		like := "%" + escapeLike(q) + "%"
		b.WriteString(` AND (id = ? OR merchant_order_id = ? OR merchant_order_id = ? OR id LIKE ? ESCAPE '\' OR product_name LIKE ? ESCAPE '\'`)
		args = append(args, q, q, app.EpayPrefix+q, like, like)
		if amount, err := money.ParseYuan(strings.TrimPrefix(strings.TrimPrefix(q, "¥"), "￥")); err == nil && amount > 0 {
			b.WriteString(` OR pay_amount = ? OR amount = ?`)
			args = append(args, int64(amount), int64(amount))
		}
		b.WriteString(`)`)
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

// summaryColumns are an order's columns, the amount of the payment that paid
// it, and its shop notification's status and whether the last try failed.
const summaryColumns = orderColumns + `,
	coalesce((SELECT amount FROM payments WHERE id = orders.payment_id), 0),
	coalesce((SELECT status FROM callbacks WHERE payment_id = orders.payment_id ORDER BY id LIMIT 1), ''),
	coalesce((SELECT status = 'failed' OR (attempts > 0 AND last_error <> '') FROM callbacks
		WHERE payment_id = orders.payment_id ORDER BY id LIMIT 1), 0)`

// moreColumns lets a scan function read its columns from a row that
// carries more after them, into extra.
type moreColumns struct {
	r     rowScanner
	extra []any
}

func (m moreColumns) Scan(dest ...any) error { return m.r.Scan(append(dest, m.extra...)...) }

func scanSummary(r rowScanner, now time.Time) (app.OrderSummary, error) {
	var (
		s        app.OrderSummary
		received int64
		callback string
	)
	o, err := scanOrder(moreColumns{r, []any{&received, &callback, &s.CallbackTrouble}})
	if err != nil {
		return s, err
	}
	s.Order, s.Received, s.Callback = effective(o, now), money.Fen(received), app.CallbackStatus(callback)
	return s, nil
}

// ListOrders returns orders newest first, with their payment and callback,
// and how many match in total.
func (db *DB) ListOrders(ctx context.Context, f app.OrderFilter) ([]app.OrderSummary, int, error) {
	now := db.now()
	where, args := orderWhere(f, now)
	total, err := db.count(ctx, `SELECT 1 FROM orders`+where, args, f.CountCap)
	if err != nil {
		return nil, 0, err
	}
	rows, err := db.read.QueryContext(ctx, `SELECT `+summaryColumns+` FROM orders`+where+
		` ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?`, append(args, f.Limit, f.Offset)...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	out := []app.OrderSummary{}
	for rows.Next() {
		o, err := scanSummary(rows, now)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, o)
	}
	return out, total, rows.Err()
}

// EachOrder calls fn for every order matching f (Offset and Limit ignored),
// oldest first, straight from the cursor: nothing is collected in memory.
func (db *DB) EachOrder(ctx context.Context, f app.OrderFilter, fn func(app.OrderSummary) error) error {
	now := db.now()
	where, args := orderWhere(f, now)
	rows, err := db.read.QueryContext(ctx, `SELECT `+summaryColumns+` FROM orders`+where+` ORDER BY created_at, id`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		o, err := scanSummary(rows, now)
		if err != nil {
			return err
		}
		if err := fn(o); err != nil {
			return err
		}
	}
	return rows.Err()
}

// SuggestionOrders returns the orders an unmatched payment of amount,
// received at, may pay as the payer's usual mistakes go (app.Suggest): every
// order waiting on either method's slots within maxOffset of amount, and the
// orders on those slots that expired within app.SuggestLookback before.
// Both are index seeks: orders_slot, and orders_released_slot per slot.
func (db *DB) SuggestionOrders(ctx context.Context, amount money.Fen, at time.Time, maxOffset money.Fen) ([]app.Order, error) {
	lo, hi := max(amount-maxOffset, 1), amount+maxOffset
	slots := make([]any, 0, hi-lo+1)
	marks := make([]string, 0, hi-lo+1)
	for a := lo; a <= hi; a++ {
		slots = append(slots, int64(a))
		marks = append(marks, "?")
	}
	in := strings.Join(marks, ", ")
	args := append([]any{}, slots...)
	args = append(args, slots...)
	args = append(args, ms(at.Add(-app.SuggestLookback)), ms(at.Add(time.Minute)))
	rows, err := db.read.QueryContext(ctx, `SELECT `+orderColumns+` FROM orders INDEXED BY orders_slot
		WHERE status = 'pending' AND method IN ('alipay', 'wechat') AND pay_amount IN (`+in+`)
		UNION ALL
		SELECT `+orderColumns+` FROM orders INDEXED BY orders_released_slot
		WHERE status <> 'pending' AND status = 'expired' AND method IN ('alipay', 'wechat') AND pay_amount IN (`+in+`)
		AND coalesce(paid_at, closed_at) BETWEEN ? AND ?`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	now := db.now()
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
