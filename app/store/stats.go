package store

import (
	"context"
	"database/sql"
	"time"

	"paygate/app"
	"paygate/app/money"
)

// PeriodStats sums up orders and payments between from and to.
func (db *DB) PeriodStats(ctx context.Context, from, to time.Time) (app.PeriodStats, error) {
	s := app.PeriodStats{From: from, To: to}
	now := ms(db.now())
	var revenue int64
	if err := db.read.QueryRowContext(ctx, `SELECT coalesce(sum(amount), 0), count(*) FROM payments
		WHERE status = 'success' AND received_at >= ? AND received_at < ?`, ms(from), ms(to)).Scan(&revenue, &s.PaidInRange); err != nil {
		return s, err
	}
	s.Revenue = money.Fen(revenue)
	var avg sql.NullFloat64
	if err := db.read.QueryRowContext(ctx, `SELECT count(*),
		coalesce(sum(status = 'success'), 0),
		coalesce(sum(status <> 'pending' OR expires_at <= ?), 0),
		avg(CASE WHEN status = 'success' THEN paid_at - created_at END)
		FROM orders WHERE created_at >= ? AND created_at < ?`, now, ms(from), ms(to)).
		Scan(&s.Orders, &s.Paid, &s.Finished, &avg); err != nil {
		return s, err
	}
	if avg.Valid {
		s.AvgPaySeconds = avg.Float64 / 1000
	}
	err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM payments WHERE status = 'unmatched' AND received_at >= ? AND received_at < ?`,
		ms(from), ms(to)).Scan(&s.UnmatchedCount)
	return s, err
}

// RevenueByDay returns matched payments per Shanghai day from the day of
// from to the day of to, one entry per day (zero days included).
func (db *DB) RevenueByDay(ctx context.Context, from, to time.Time) ([]app.DayRevenue, error) {
	start := dayStart(from)
	end := dayStart(to).AddDate(0, 0, 1)
	var days []app.DayRevenue
	index := map[string]int{}
	for d := start; d.Before(end); d = d.AddDate(0, 0, 1) {
		index[d.Format("2006-01-02")] = len(days)
		days = append(days, app.DayRevenue{Day: d})
	}
	// Shanghai is UTC+8 all year (no daylight saving), so a day is a fixed offset.
	rows, err := db.read.QueryContext(ctx, `SELECT strftime('%Y-%m-%d', (received_at + 28800000) / 1000, 'unixepoch') AS d,
		sum(amount), count(*) FROM payments WHERE status = 'success' AND received_at >= ? AND received_at < ? GROUP BY d`,
		ms(start), ms(end))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var d string
		var sum int64
		var n int
		if err := rows.Scan(&d, &sum, &n); err != nil {
			return nil, err
		}
		if i, ok := index[d]; ok {
			days[i].Revenue, days[i].Orders = money.Fen(sum), n
		}
	}
	return days, rows.Err()
}

func dayStart(t time.Time) time.Time {
	t = t.In(app.Shanghai)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, app.Shanghai)
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
