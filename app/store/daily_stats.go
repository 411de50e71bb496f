package store

import (
	"context"
	"time"
)

// dayStats is a change to one day's dashboard counters.
type dayStats struct {
	orders, paid, payMS, revenue, payments, unmatched int64
}

// dayNumber is the Shanghai calendar day of t (UTC+8 all year).
func dayNumber(t time.Time) int64 { return (t.UnixMilli() + 8*3600*1000) / (24 * 3600 * 1000) }

// dayTime is midnight, Shanghai, of day number d.
func dayTime(d int64) time.Time { return time.UnixMilli(d*24*3600*1000 - 8*3600*1000) }

// bumpDay adds d to the counters of day, in the caller's transaction.
func bumpDay(ctx context.Context, tx *Tx, day int64, d dayStats) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO daily_stats (day, orders, paid, pay_ms, revenue, payments, unmatched)
		VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (day) DO UPDATE SET orders = orders + excluded.orders, paid = paid + excluded.paid,
			pay_ms = pay_ms + excluded.pay_ms, revenue = revenue + excluded.revenue,
			payments = payments + excluded.payments, unmatched = unmatched + excluded.unmatched`,
		day, d.orders, d.paid, d.payMS, d.revenue, d.payments, d.unmatched)
	return err
}

// rebuildDailyStats recounts every day from the orders and payments, for
// data written around the counters (SeedSample).
func (db *DB) rebuildDailyStats(ctx context.Context) error {
	return db.tx(ctx, func(tx *Tx) error {
		for _, q := range []string{
			`DELETE FROM daily_stats`,
			`INSERT INTO daily_stats (day, orders, paid, pay_ms)
			SELECT (created_at + 28800000) / 86400000, count(*), sum(status = 'success'),
			       coalesce(sum(CASE WHEN status = 'success' THEN paid_at - created_at END), 0)
			FROM orders GROUP BY 1`,
			`INSERT INTO daily_stats (day, revenue, payments, unmatched)
			SELECT (received_at + 28800000) / 86400000, coalesce(sum(CASE WHEN status = 'success' THEN amount END), 0),
			       sum(status = 'success'), sum(status = 'unmatched')
			FROM payments WHERE true GROUP BY 1
			ON CONFLICT (day) DO UPDATE SET revenue = excluded.revenue, payments = excluded.payments, unmatched = excluded.unmatched`,
		} {
			if _, err := tx.Tx.ExecContext(ctx, q); err != nil {
				return err
			}
		}
		return nil
	})
}
