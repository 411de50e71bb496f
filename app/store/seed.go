package store

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"paygate/app/money"
)

// SeedSample fills the database with n orders spread over the 30 days
// before now — nine in ten paid, with their payments and delivered
// callbacks — for benchmarks at realistic size. Ids start with ORDS/PAYS
// so they never collide with real ones; SampleOrderID(i) names order i.
func (db *DB) SeedSample(ctx context.Context, n int, now time.Time) error {
	const batch = 10000
	span := int64(30 * 24 * time.Hour / time.Millisecond)
	for lo := 0; lo < n; lo += batch {
		hi := min(lo+batch, n)
		err := db.tx(ctx, func(tx *Tx) error {
			for i := lo; i < hi; i++ {
				created := ms(now) - span + span*int64(i)/int64(n)
				id, amount, method := SampleOrderID(i), int64(100+i%50000), []string{"alipay", "wechat"}[i%2]
				paid := i%10 != 0
				status := "expired"
				if paid {
					status = "success"
				}
				paymentID := ""
				if paid {
					paymentID = fmt.Sprintf("PAYS%022d", i)
				}
				if _, err := tx.ExecContext(ctx, `INSERT INTO orders (id, product_name, method, amount, pay_amount, status,
					created_at, expires_at, paid_at, closed_at, payment_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
					id, fmt.Sprintf("样例商品 %d", i%97), method, amount, amount, status, created, created+15*60*1000,
					nullIf(paid, created+40*1000), nullIf(!paid, created+15*60*1000), nullString(paymentID)); err != nil {
					return err
				}
				if !paid {
					continue
				}
				if _, err := tx.ExecContext(ctx, `INSERT INTO payments (id, method, amount, status, order_id, confidence,
					received_at, matched_at, matched_by) VALUES (?, ?, ?, 'success', ?, 'high', ?, ?, 'auto')`,
					paymentID, method, amount, id, created+40*1000, created+40*1000); err != nil {
					return err
				}
				if _, err := tx.ExecContext(ctx, `INSERT INTO callbacks (payment_id, order_id, status, attempts, next_attempt_at, created_at, updated_at)
					VALUES (?, ?, 'sent', 1, ?, ?, ?)`, paymentID, id, created+41*1000, created+40*1000, created+41*1000); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return db.rebuildDailyStats(ctx)
}

// SampleOrderID is the id SeedSample gives order i.
func SampleOrderID(i int) string { return fmt.Sprintf("ORDS%022d", i) }

func nullIf(ok bool, v int64) any {
	if !ok {
		return nil
	}
	return v
}

// SeedPending adds n pending orders, half by each method, on distinct
// random payable amounts between lo and hi fen, created at now and expiring
// after lifetime: the orders a busy shop has open at once, for benchmarks
// of order creation among them. Ids start with ORDP.
func (db *DB) SeedPending(ctx context.Context, n int, lo, hi money.Fen, now time.Time, lifetime time.Duration) error {
	if hi < lo || int64(n) > 2*int64(hi-lo+1) {
		return fmt.Errorf("%d pending orders do not fit between %s and %s", n, lo.Fixed2(), hi.Fixed2())
	}
	rng := rand.New(rand.NewPCG(uint64(n), uint64(lo)))
	taken := map[[2]int64]bool{}
	const batch = 10000
	for first := 0; first < n; first += batch {
		err := db.tx(ctx, func(tx *Tx) error {
			for i := first; i < min(first+batch, n); i++ {
				method := []string{"alipay", "wechat"}[i%2]
				amount := int64(lo) + rng.Int64N(int64(hi-lo+1))
				for taken[[2]int64{int64(i % 2), amount}] {
					amount = int64(lo) + rng.Int64N(int64(hi-lo+1))
				}
				taken[[2]int64{int64(i % 2), amount}] = true
				if _, err := tx.ExecContext(ctx, `INSERT INTO orders (id, product_name, method, amount, pay_amount, status, created_at, expires_at)
					VALUES (?, ?, ?, ?, ?, 'pending', ?, ?)`,
					fmt.Sprintf("ORDP%022d", i), "样例商品", method, amount, amount, ms(now), ms(now.Add(lifetime))); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return db.rebuildDailyStats(ctx)
}
