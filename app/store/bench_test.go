package store

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"paygate/app"
	"paygate/app/money"
)

// The writer's cost per order and per payment, without HTTP: many callers
// at once, as under load, so writes group-commit as they do in the server.
// `go test -run - -bench . -cpuprofile cpu.out ./app/store` profiles them.

const benchCallers = 64

func openBenchDB(b *testing.B) *DB {
	b.Helper()
	// No checkpoints (as while Litestream runs): the WAL keeps every page
	// written, so its size counts them.
	db, err := Open(context.Background(), b.TempDir(), Options{NoAutoCheckpoint: true})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	return db
}

// cpuTime is the CPU time this process has used, user and system: on a
// shared machine it says more about a change than the wall clock does.
func cpuTime() time.Duration {
	var u syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &u); err != nil {
		return 0
	}
	return time.Duration(u.Utime.Nano() + u.Stime.Nano())
}

// reportCPU reports the CPU time per operation since start.
func reportCPU(b *testing.B, start time.Duration) {
	b.ReportMetric(float64((cpuTime()-start).Microseconds())/float64(b.N), "cpu-µs/op")
}

// walFrames is how many pages the WAL holds.
func walFrames(b *testing.B, db *DB) int64 {
	st, err := os.Stat(db.path + "-wal")
	if err != nil {
		return 0
	}
	return (st.Size() - 32) / (4096 + 24)
}

// seedPendingOrders adds n pending orders on random free slots between lo and hi fen.
func seedPendingOrders(b *testing.B, db *DB, n int, lo, hi money.Fen) {
	b.Helper()
	if err := db.SeedPending(context.Background(), n, lo, hi, time.Now(), 24*time.Hour); err != nil {
		b.Fatal(err)
	}
}

func benchCreateOrders(b *testing.B, pending int) {
	db := openBenchDB(b)
	const lo, hi = 100, 200_000
	if pending > 0 {
		seedPendingOrders(b, db, pending, lo, hi)
	}
	var seq atomic.Int64
	newID := func() string { return fmt.Sprintf("ORDB%d%016d", time.Now().Unix(), seq.Add(1)) }
	measureWrites(b, db, "order", func(int) error {
		in := app.OrderInput{ProductName: "bench", Method: []app.Method{app.MethodAlipay, app.MethodWechat}[rand.IntN(2)],
			Amount: money.Fen(lo + rand.IntN(hi-lo))}
		_, _, err := db.CreateOrder(context.Background(), newID, in, 15*time.Minute, slots, 10*time.Minute)
		return err
	})
}

// measureWrites runs write(0) … write(b.N-1) from benchCallers goroutines at
// once, so they group-commit as under load, and reports the CPU time per
// write, the writes per commit and the WAL pages per write. Any write that
// fails fails the benchmark.
func measureWrites(b *testing.B, db *DB, unit string, write func(i int) error) {
	var batches, jobs atomic.Int64
	db.SetObserver(batchCounter{&batches, &jobs})
	frames := walFrames(b, db)
	b.ResetTimer()
	cpu := cpuTime()
	var wg sync.WaitGroup
	var next, failed atomic.Int64
	var once sync.Once
	var firstErr error
	for range benchCallers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1) - 1
				if i >= int64(b.N) {
					return
				}
				if err := write(int(i)); err != nil {
					failed.Add(1)
					once.Do(func() { firstErr = err })
				}
			}
		}()
	}
	wg.Wait()
	b.StopTimer()
	reportCPU(b, cpu)
	if n := failed.Load(); n > 0 {
		b.Fatalf("%d of %d writes (%s) failed, the first: %v", n, b.N, unit, firstErr)
	}
	b.ReportMetric(float64(jobs.Load())/float64(max(batches.Load(), 1)), "writes/commit")
	if f := walFrames(b, db) - frames; f > 0 {
		b.ReportMetric(float64(f)/float64(b.N), "pages/"+unit)
	}
}

func BenchmarkCreateOrder(b *testing.B) { benchCreateOrders(b, 0) }

// With 60,000 pending orders in the same amount range the cost per order
// must stay about the same (issue #18).
func BenchmarkCreateOrderAmong60kPending(b *testing.B) { benchCreateOrders(b, 60_000) }

// BenchmarkWebhook stores and applies one payment notification per pending
// order, each paying its order, as the webhook does.
func BenchmarkWebhook(b *testing.B) {
	db := openBenchDB(b)
	ctx := context.Background()
	orders := make([]app.Order, b.N)
	var seq atomic.Int64
	newID := func() string { return fmt.Sprintf("ORDB%d%016d", time.Now().Unix(), seq.Add(1)) }
	for i := range orders {
		o, _, err := db.CreateOrder(ctx, newID, app.OrderInput{ProductName: "bench", Method: app.MethodAlipay, Amount: money.Fen(100 + i)},
			15*time.Minute, slots, 10*time.Minute)
		if err != nil {
			b.Fatal(err)
		}
		orders[i] = o
	}
	opts := ApplyOptions{Policy: policy, NewPaymentID: func() string { return fmt.Sprintf("PAYB%d%016d", time.Now().Unix(), seq.Add(1)) }}
	measureWrites(b, db, "payment", func(i int) error {
		o := orders[i]
		text := fmt.Sprintf("收到转账%s元", o.PayAmount.Fixed2())
		raw := app.RawRequest{Endpoint: "/webhook", Method: "POST", RemoteIP: "127.0.0.1", Header: map[string]string{"content-type": "application/json"},
			Body: []byte(`{"message":"` + text + `","id":"n` + o.ID + `"}`), ReceivedAt: time.Now()}
		id, err := db.SaveRawNotification(ctx, raw)
		if err != nil {
			return err
		}
		res, err := db.ApplyNotice(ctx, id, app.Notice{Via: "webhook", SenderID: "n" + o.ID, Text: text, Kind: app.OutcomePayment,
			Method: app.MethodAlipay, Amount: o.PayAmount}, opts)
		if err == nil && !res.Matched {
			err = fmt.Errorf("the payment for %s did not pay it", o.ID)
		}
		return err
	})
}

// batchCounter counts the writer's commits and the jobs they held.
type batchCounter struct{ batches, jobs *atomic.Int64 }

func (batchCounter) OrderCreated(app.Method)                                       {}
func (batchCounter) OrdersExpired(app.Method, int)                                 {}
func (batchCounter) OrderPaid(app.Method, string)                                  {}
func (batchCounter) PaymentRecorded(app.Method, app.PaymentStatus, app.Confidence) {}
func (batchCounter) NotificationDecided(app.NotificationOutcome)                   {}
func (batchCounter) CallbackAttempted(bool, time.Duration, bool)                   {}
func (c batchCounter) WriteBatch(jobs int, _ time.Duration) {
	c.batches.Add(1)
	c.jobs.Add(int64(jobs))
}
