package store

import (
	"context"
	"errors"
	"testing"
)

// The per-day counters a batch's jobs change are written once, before the
// commit: those of a job that failed are left out, and a job alone (no
// batch around it) counts the same way.
func TestDayCountersOfFailedJobsLeftOut(t *testing.T) {
	db, _ := openTestDB(t)
	ctx := context.Background()
	job := func(day, orders int64, fail bool) *writeJob {
		return &writeJob{ctx: ctx, done: make(chan error, 1), fn: func(tx *Tx) error {
			if err := bumpDay(ctx, tx, day, dayStats{orders: orders}); err != nil {
				return err
			}
			if err := bumpDay(ctx, tx, day, dayStats{paid: orders}); err != nil {
				return err
			}
			if fail {
				return errors.New("refused")
			}
			return nil
		}}
	}
	runBatch := func(jobs ...*writeJob) { runAsOneBatch(db, jobs...) }
	runBatch(job(100, 1, false), job(100, 10, true), job(101, 2, false), job(100, 4, false))
	runBatch(job(101, 20, true))
	runBatch(job(102, 7, false))
	for day, want := range map[int64]int64{100: 5, 101: 2, 102: 7} {
		var orders, paid int64
		if err := db.read.QueryRow(`SELECT orders, paid FROM daily_stats WHERE day = ?`, day).Scan(&orders, &paid); err != nil {
			t.Fatalf("day %d: %v", day, err)
		}
		if orders != want || paid != want {
			t.Errorf("day %d: orders %d, paid %d; want %d each", day, orders, paid, want)
		}
	}
}
