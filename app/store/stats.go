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
	var revenue, payMS int64
	err := db.read.QueryRowContext(ctx, `SELECT coalesce(sum(orders), 0), coalesce(sum(paid), 0), coalesce(sum(pay_ms), 0),
		coalesce(sum(revenue), 0), coalesce(sum(payments), 0), coalesce(sum(unmatched), 0)
		FROM daily_stats WHERE day BETWEEN ? AND ?`, dayNumber(from), dayNumber(to.Add(-time.Millisecond))).
		Scan(&s.Orders, &s.Paid, &payMS, &revenue, &s.PaidInRange, &s.UnmatchedCount)
	if err != nil {
		return s, err
	}
	s.Revenue = money.Fen(revenue)
	if s.Paid > 0 {
		s.AvgPaySeconds = float64(payMS) / float64(s.Paid) / 1000
	}
	var pending int
	if err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM orders
		WHERE status = 'pending' AND expires_at > ? AND created_at >= ? AND created_at < ?`,
		ms(db.now()), ms(dayTime(dayNumber(from))), ms(dayTime(dayNumber(to.Add(-time.Millisecond))+1))).Scan(&pending); err != nil {
		return s, err
	}
	s.Finished = s.Orders - pending
	return s, nil
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

// Attention counts what waits for a person: unmatched payments and
// callbacks that failed or are failing.
func (db *DB) Attention(ctx context.Context) (unmatched, callbacksFailing int, err error) {
	if err = db.read.QueryRowContext(ctx, `SELECT count(*) FROM payments WHERE status = 'unmatched'`).Scan(&unmatched); err != nil {
		return
	}
	err = db.read.QueryRowContext(ctx, `SELECT count(*) FROM callbacks
		WHERE status = 'failed' OR (status = 'pending' AND attempts > 0 AND last_error <> '')`).Scan(&callbacksFailing)
	return
}
