package store

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"paygate/app"
	"paygate/app/money"
)

// recorder is an Observer that writes down what it hears.
type recorder struct {
	mu      sync.Mutex
	events  []string
	batches int
}

func (r *recorder) add(s string)                                  { r.mu.Lock(); r.events = append(r.events, s); r.mu.Unlock() }
func (r *recorder) OrderCreated(m app.Method)                     { r.add("created " + string(m)) }
func (r *recorder) OrdersExpired(m app.Method, n int)             { r.add(fmt.Sprintf("expired %s %d", m, n)) }
func (r *recorder) OrderPaid(m app.Method, by string)             { r.add("paid " + string(m) + " " + by) }
func (r *recorder) NotificationDecided(o app.NotificationOutcome) { r.add("notification " + string(o)) }
func (r *recorder) PaymentRecorded(m app.Method, s app.PaymentStatus, c app.Confidence) {
	r.add(fmt.Sprintf("payment %s %s %s", m, s, c))
}
func (r *recorder) CallbackAttempted(acked bool, took time.Duration, gaveUp bool) {
	r.add(fmt.Sprintf("callback acked=%v gaveUp=%v", acked, gaveUp))
}
func (r *recorder) WriteBatch(jobs int, commit time.Duration) {
	r.mu.Lock()
	r.batches++
	r.mu.Unlock()
}

// take returns what was heard since the last take, sorted.
func (r *recorder) take() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.events
	r.events = nil
	sort.Strings(out)
	return out
}

// observedClock is this file's own clock, so these tests do not lean on
// the shape of the package's shared test clock.
type observedClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *observedClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *observedClock) pass(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func openObservedDB(t *testing.T) (*DB, *observedClock) {
	t.Helper()
	clock := &observedClock{t: time.Date(2026, 11, 26, 10, 0, 0, 0, app.Shanghai)}
	db, err := Open(context.Background(), t.TempDir(), Options{Now: clock.now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db, clock
}

func TestObserverHearsCommittedWrites(t *testing.T) {
	db, clock := openObservedDB(t)
	rec := &recorder{}
	db.SetObserver(rec)
	ctx := context.Background()
	for _, tt := range []struct {
		name string
		do   func(t *testing.T)
		want []string
	}{
		{"an order", func(t *testing.T) { createOrder(t, db, app.MethodAlipay, 1000) }, []string{"created alipay"}},
		{"a payment that pays it", func(t *testing.T) {
			apply(t, db, app.Notice{Method: app.MethodAlipay, Amount: 1000})
		}, []string{"notification payment", "paid alipay auto", "payment alipay success high"}},
		{"a message that is no payment", func(t *testing.T) {
			apply(t, db, app.Notice{Kind: app.OutcomeIgnored, Text: "广告"})
		}, []string{"notification ignored"}},
		{"a payment nobody waits for", func(t *testing.T) {
			apply(t, db, app.Notice{Method: app.MethodWechat, Amount: 777})
		}, []string{"notification payment", "payment wechat unmatched "}},
		{"orders whose time ran out", func(t *testing.T) {
			createOrder(t, db, app.MethodWechat, 200)
			createOrder(t, db, app.MethodWechat, 300)
			createOrder(t, db, app.MethodAlipay, 400)
			rec.take()
			clock.pass(16 * time.Minute)
			if n, err := db.ExpireOrders(ctx); err != nil || n != 3 {
				t.Fatal(n, err)
			}
		}, []string{"expired alipay 1", "expired wechat 2"}},
		{"a refused request", func(t *testing.T) {
			id, err := db.SaveRawNotification(ctx, app.RawRequest{Endpoint: "/webhook", Method: "POST", ReceivedAt: db.Now()})
			if err != nil {
				t.Fatal(err)
			}
			if err := db.RefuseNotification(ctx, id, app.OutcomeRefused, "wrong key", "密钥不对", 0, app.StrangerLimits{CutTo: 2048, HeaderCutTo: 512, MaxRequests: 1000, MaxBytes: 5 << 20}); err != nil {
				t.Fatal(err)
			}
		}, []string{"notification refused"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rec.take()
			tt.do(t)
			got := rec.take()
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Fatalf("heard %q, want %q", got, tt.want)
			}
		})
	}
	if rec.batches == 0 {
		t.Fatal("no write batch was reported")
	}
}

// A job that fails is rolled back to its savepoint: what it did is never
// heard, while the jobs committed with it are.
func TestObserverDoesNotHearRolledBackWrites(t *testing.T) {
	db, _ := openObservedDB(t)
	rec := &recorder{}
	db.SetObserver(rec)
	ctx := context.Background()
	failed := errors.New("refused halfway")
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := db.tx(ctx, func(tx *Tx) error {
				o := app.Order{ID: fmt.Sprintf("ORDX%d", i), ProductName: "p", Method: app.MethodAlipay, Amount: 100, PayAmount: money.Fen(1000 + i),
					Status: app.OrderPending, CreatedAt: db.Now(), ExpiresAt: db.Now().Add(time.Minute)}
				if err := insertOrder(ctx, tx, o, app.OrderInput{}); err != nil {
					return err
				}
				if i%2 == 1 {
					return failed // after the insert: the insert rolls back
				}
				return nil
			})
			if (err != nil) != (i%2 == 1) {
				t.Errorf("job %d: %v", i, err)
			}
		}()
	}
	wg.Wait()
	if got := rec.take(); len(got) != 10 {
		t.Fatalf("heard %d orders created, want the 10 committed: %q", len(got), got)
	}
}

func TestVitals(t *testing.T) {
	db, clock := openObservedDB(t)
	ctx := context.Background()
	createOrder(t, db, app.MethodAlipay, 1000)
	if _, err := db.CreateDevice(ctx, "phone", "device-key-0123456789"); err != nil {
		t.Fatal(err)
	}
	apply(t, db, app.Notice{Method: app.MethodAlipay, Amount: 1000, DeviceID: 1}) // pays it; a callback is queued
	if _, err := db.SaveRawNotification(ctx, app.RawRequest{Endpoint: "/webhook", Method: "POST", ReceivedAt: db.Now()}); err != nil {
		t.Fatal(err)
	}
	clock.pass(2 * time.Minute)
	v, err := db.Vitals(ctx, 10*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if v.OrdersPending != 0 || v.CallbacksPending != 1 || v.CallbacksDue != 1 || v.At.Sub(v.OldestDueCallback) != 2*time.Minute ||
		v.NotificationsUnapplied != 1 || v.At.Sub(v.OldestUnapplied) != 2*time.Minute || v.Devices != 1 || v.DevicesOnline != 1 || v.DBBytes <= 0 {
		t.Fatalf("vitals: %+v", v)
	}
	if _, err := db.CheckWritable(ctx); err != nil {
		t.Fatalf("a healthy database is not writable: %v", err)
	}
	v.DBWritable = true // the gateway sets it from CheckWritable
	if p := v.Problems(); len(p) != 1 || p[0].En == "" {
		t.Fatalf("a request waiting two minutes is a problem: %+v", p)
	}
	clock.pass(20 * time.Minute)
	if v, _ := db.Vitals(ctx, 10*time.Minute); v.DevicesOnline != 0 {
		t.Fatalf("a device silent for 22 minutes is online: %+v", v)
	}
}
