package store

import (
	"context"
	"time"

	"paygate/app"
	"paygate/app/money"
)

// dayStats is a change to one day's dashboard counters.
type dayStats struct {
	orders, paid, payMS, revenue, payments, unmatched int64
	// by the method the money came by
	alipayRevenue, alipayPayments, wechatRevenue, wechatPayments int64
}

// matchedDay is the change a payment of amount by method makes once it pays
// an order (sign -1 takes it back).
func matchedDay(method app.Method, amount money.Fen) dayStats {
	d := dayStats{revenue: int64(amount), payments: 1}
	switch method {
	case app.MethodAlipay:
		d.alipayRevenue, d.alipayPayments = int64(amount), 1
	case app.MethodWechat:
		d.wechatRevenue, d.wechatPayments = int64(amount), 1
	}
	return d
}

// dayNumber is the Shanghai calendar day of t (UTC+8 all year).
func dayNumber(t time.Time) int64 { return (t.UnixMilli() + 8*3600*1000) / (24 * 3600 * 1000) }

// dayTime is midnight, Shanghai, of day number d.
func dayTime(d int64) time.Time { return time.UnixMilli(d*24*3600*1000 - 8*3600*1000) }

// bumpDay adds d to the counters of day, in the caller's transaction. In a
// job of the writer the change is noted and written with the other jobs' of
// its batch, just before the commit (flushDays): a batch of a hundred orders
// then updates the day's row once, not a hundred times. A job that fails
// leaves its notes out.
func bumpDay(ctx context.Context, tx *Tx, day int64, d dayStats) error {
	if tx.days != nil {
		*tx.days = append(*tx.days, dayBump{day, d})
		return nil
	}
	return writeDay(ctx, tx, day, d)
}

// dayBump is one noted change to a day's counters.
type dayBump struct {
	day int64
	d   dayStats
}

func (a dayStats) plus(b dayStats) dayStats {
	return dayStats{a.orders + b.orders, a.paid + b.paid, a.payMS + b.payMS, a.revenue + b.revenue, a.payments + b.payments,
		a.unmatched + b.unmatched, a.alipayRevenue + b.alipayRevenue, a.alipayPayments + b.alipayPayments,
		a.wechatRevenue + b.wechatRevenue, a.wechatPayments + b.wechatPayments}
}

// flushDays writes the per-day changes of the batch's jobs that succeeded.
func flushDays(tx *Tx, batch []*writeJob, results []error) error {
	var sums map[int64]dayStats
	for i, j := range batch {
		if results[i] != nil {
			continue
		}
		for _, b := range j.days {
			if sums == nil {
				sums = map[int64]dayStats{}
			}
			sums[b.day] = sums[b.day].plus(b.d)
		}
	}
	for day, d := range sums {
		if err := writeDay(writerCtx, tx, day, d); err != nil {
			return err
		}
	}
	return nil
}

// writeDay adds d to the counters of day.
func writeDay(ctx context.Context, tx *Tx, day int64, d dayStats) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO daily_stats (day, orders, paid, pay_ms, revenue, payments, unmatched,
			alipay_revenue, alipay_payments, wechat_revenue, wechat_payments)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (day) DO UPDATE SET orders = orders + excluded.orders, paid = paid + excluded.paid,
			pay_ms = pay_ms + excluded.pay_ms, revenue = revenue + excluded.revenue,
			payments = payments + excluded.payments, unmatched = unmatched + excluded.unmatched,
			alipay_revenue = alipay_revenue + excluded.alipay_revenue, alipay_payments = alipay_payments + excluded.alipay_payments,
			wechat_revenue = wechat_revenue + excluded.wechat_revenue, wechat_payments = wechat_payments + excluded.wechat_payments`,
		day, d.orders, d.paid, d.payMS, d.revenue, d.payments, d.unmatched,
		d.alipayRevenue, d.alipayPayments, d.wechatRevenue, d.wechatPayments)
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
			`INSERT INTO daily_stats (day, alipay_revenue, alipay_payments, wechat_revenue, wechat_payments)
			SELECT (p.received_at + 28800000) / 86400000,
			       coalesce(sum(CASE WHEN coalesce(nullif(p.method, ''), o.method) = 'alipay' THEN p.amount END), 0),
			       coalesce(sum(coalesce(nullif(p.method, ''), o.method) = 'alipay'), 0),
			       coalesce(sum(CASE WHEN coalesce(nullif(p.method, ''), o.method) = 'wechat' THEN p.amount END), 0),
			       coalesce(sum(coalesce(nullif(p.method, ''), o.method) = 'wechat'), 0)
			FROM payments p JOIN orders o ON o.id = p.order_id WHERE p.status = 'success' GROUP BY 1
			ON CONFLICT (day) DO UPDATE SET alipay_revenue = excluded.alipay_revenue, alipay_payments = excluded.alipay_payments,
			    wechat_revenue = excluded.wechat_revenue, wechat_payments = excluded.wechat_payments`,
		} {
			if _, err := tx.execOnce(q); err != nil {
				return err
			}
		}
		return nil
	})
}
