package store

import (
	"context"
	"time"

	"paygate/app"
	"paygate/app/money"
)

// PeriodStats sums up the days from the day of from to the day of to
// (Shanghai), from the per-day counters; only "finished" needs a look at
// the few orders still pending.
func (db *DB) PeriodStats(ctx context.Context, from, to time.Time) (app.PeriodStats, error) {
	s := app.PeriodStats{From: from, To: to}
	var revenue, payMS, alipay, wechat int64
	var alipayN, wechatN int
	err := db.read.QueryRowContext(ctx, `SELECT coalesce(sum(orders), 0), coalesce(sum(paid), 0), coalesce(sum(pay_ms), 0),
		coalesce(sum(revenue), 0), coalesce(sum(payments), 0), coalesce(sum(unmatched), 0),
		coalesce(sum(alipay_revenue), 0), coalesce(sum(alipay_payments), 0), coalesce(sum(wechat_revenue), 0), coalesce(sum(wechat_payments), 0)
		FROM daily_stats WHERE day BETWEEN ? AND ?`, dayNumber(from), dayNumber(to.Add(-time.Millisecond))).
		Scan(&s.Orders, &s.Paid, &payMS, &revenue, &s.PaidInRange, &s.UnmatchedCount, &alipay, &alipayN, &wechat, &wechatN)
	if err != nil {
		return s, err
	}
	s.Revenue = money.Fen(revenue)
	s.ByMethod = map[app.Method]app.Takings{
		app.MethodAlipay: {Revenue: money.Fen(alipay), Payments: alipayN},
		app.MethodWechat: {Revenue: money.Fen(wechat), Payments: wechatN},
	}
	if s.Paid > 0 {
		s.AvgPaySeconds = float64(payMS) / float64(s.Paid) / 1000
	}
	var pending int
	if err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM orders
		WHERE status = 'pending' AND expires_at > ? AND created_at >= ? AND created_at < ?`,
		ms(db.now()), ms(dayTime(dayNumber(from))), ms(dayTime(dayNumber(to.Add(-time.Millisecond))+1))).Scan(&pending); err != nil {
		return s, err
	}
	s.Finished, s.Pending = s.Orders-pending, pending
	return s, nil
}

// TakingsBetween sums the matched payments received in [from, to): for
// comparing today with yesterday at the same time of day, which the per-day
// counters cannot tell. One index range (payments_status_received).
func (db *DB) TakingsBetween(ctx context.Context, from, to time.Time) (app.Takings, error) {
	var t app.Takings
	var sum int64
	err := db.read.QueryRowContext(ctx, `SELECT coalesce(sum(amount), 0), count(*) FROM payments
		WHERE status = 'success' AND received_at >= ? AND received_at < ?`, ms(from), ms(to)).Scan(&sum, &t.Payments)
	t.Revenue = money.Fen(sum)
	return t, err
}

// RevenueByDay returns matched payments per Shanghai day from the day of
// from to the day of to, one entry per day (zero days included).
func (db *DB) RevenueByDay(ctx context.Context, from, to time.Time) ([]app.DayRevenue, error) {
	first, last := dayNumber(from), dayNumber(to)
	days := make([]app.DayRevenue, 0, last-first+1)
	for d := first; d <= last; d++ {
		days = append(days, app.DayRevenue{Day: dayTime(d).In(app.Shanghai)})
	}
	rows, err := db.read.QueryContext(ctx, `SELECT day, revenue, payments FROM daily_stats WHERE day BETWEEN ? AND ?`, first, last)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var d, sum int64
		var n int
		if err := rows.Scan(&d, &sum, &n); err != nil {
			return nil, err
		}
		days[d-first].Revenue, days[d-first].Orders = money.Fen(sum), n
	}
	return days, rows.Err()
}

// Attention counts what waits for a person: unmatched payments (and the
// money they brought) and callbacks that failed or are failing.
func (db *DB) Attention(ctx context.Context) (app.Attention, error) {
	var a app.Attention
	var sum int64
	if err := db.read.QueryRowContext(ctx, `SELECT count(*), coalesce(sum(amount), 0) FROM payments WHERE status = 'unmatched'`).
		Scan(&a.Unmatched, &sum); err != nil {
		return a, err
	}
	a.UnmatchedTotal = money.Fen(sum)
	err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM callbacks
		WHERE status = 'failed' OR (status = 'pending' AND attempts > 0 AND last_error <> '')`).Scan(&a.CallbacksFailing)
	return a, err
}

// Arrivals returns the payments recorded after seq (the payments table's
// rowid, which only grows), oldest first, at most limit, for the 收款播报.
// Payments a person recorded by hand are left out: nobody needs to hear
// about money they typed in themselves.
func (db *DB) Arrivals(ctx context.Context, seq int64, limit int) ([]app.Arrival, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT p.rowid, p.id, p.method, p.amount, p.received_at, p.status,
		coalesce(o.id, ''), coalesce(o.product_name, ''), coalesce(o.merchant_order_id, ''), coalesce(o.method, ''), coalesce(o.pay_amount, 0)
		FROM payments p LEFT JOIN orders o ON o.id = p.order_id
		WHERE p.rowid > ? AND p.notification_id IS NOT NULL ORDER BY p.rowid LIMIT ?`, seq, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []app.Arrival
	for rows.Next() {
		var (
			a                     app.Arrival
			method, status, oMeth string
			amount, received, pay int64
		)
		if err := rows.Scan(&a.Seq, &a.PaymentID, &method, &amount, &received, &status,
			&a.Order.ID, &a.Order.ProductName, &a.Order.MerchantOrderID, &oMeth, &pay); err != nil {
			return nil, err
		}
		a.Method, a.Amount, a.ReceivedAt, a.Status = app.Method(method), money.Fen(amount), fromMS(received), app.PaymentStatus(status)
		a.Order.Method, a.Order.PayAmount = app.Method(oMeth), money.Fen(pay)
		out = append(out, a)
	}
	return out, rows.Err()
}

// LastArrival is the seq of the newest payment (0 when none), where a
// 收款播报 that just started begins: it announces what comes next, not the past.
func (db *DB) LastArrival(ctx context.Context) (int64, error) {
	var seq int64
	err := db.read.QueryRowContext(ctx, `SELECT coalesce(max(rowid), 0) FROM payments`).Scan(&seq)
	return seq, err
}
