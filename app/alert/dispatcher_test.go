package alert

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"paygate/app"
	"paygate/app/store"
)

// clock is a settable time for the store.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// queue is a store, a dispatcher and a webhook channel whose messages are
// collected (the signed webhook: its JSON says the event).
type queue struct {
	t      *testing.T
	db     *store.DB
	d      *Dispatcher
	clock  *clock
	fail   atomic.Int32 // answer 500 to this many requests first
	mu     sync.Mutex
	events []string // "open device_silent 3"
}

func newQueue(t *testing.T, opts Options) *queue {
	t.Helper()
	q := &queue{t: t, clock: &clock{t: time.Date(2026, 11, 26, 14, 0, 0, 0, app.Shanghai)}}
	db, err := store.Open(context.Background(), t.TempDir(), store.Options{Synchronous: "NORMAL", Now: q.clock.now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	svc := newFakeService(t, func(r recorded) (int, string) {
		if q.fail.Load() > 0 {
			q.fail.Add(-1)
			return http.StatusInternalServerError, "down"
		}
		var f map[string]string
		_ = json.Unmarshal(r.Body, &f)
		q.mu.Lock()
		q.events = append(q.events, f["event"]+" "+f["kind"]+" "+f["key"])
		q.mu.Unlock()
		return 200, "ok"
	})
	if _, err := db.CreateAlertChannel(context.Background(), app.AlertChannel{Kind: app.ChannelWebhook, Name: "hook",
		Config: app.AlertChannelConfig{URL: svc.URL, Secret: "s"}}); err != nil {
		t.Fatal(err)
	}
	opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	q.db, q.d = db, New(db, opts)
	return q
}

// run handles every message due now.
func (q *queue) run() {
	q.t.Helper()
	for {
		n, err := q.d.round(context.Background())
		if err != nil {
			q.t.Fatal(err)
		}
		if n == 0 {
			return
		}
	}
}

func (q *queue) got() string {
	q.mu.Lock()
	defer q.mu.Unlock()
	return strings.Join(q.events, "; ")
}

func (q *queue) raise(key string) bool {
	q.t.Helper()
	opened, err := q.db.RaiseIncident(context.Background(), app.AlertDeviceSilent, key, "手机不见了")
	if err != nil {
		q.t.Fatal(err)
	}
	return opened
}

func (q *queue) clear(key string, settle time.Duration) bool {
	q.t.Helper()
	closed, err := q.db.ClearIncident(context.Background(), app.AlertDeviceSilent, key, settle)
	if err != nil {
		q.t.Fatal(err)
	}
	return closed
}

// An incident sends one message when it starts, however often it is seen,
// and one when it clears, after the settle time.
func TestOneMessageEachWay(t *testing.T) {
	q := newQueue(t, Options{})
	if !q.raise("3") || q.raise("3") || q.raise("3") {
		t.Fatal("the first raise opens the incident, the others are the same incident")
	}
	q.run()
	if q.got() != "open device_silent 3" {
		t.Fatalf("after three raises: %q", q.got())
	}
	if !q.clear("3", time.Minute) || q.clear("3", time.Minute) {
		t.Fatal("the first clear closes it, the second finds nothing open")
	}
	q.run()
	if q.got() != "open device_silent 3" {
		t.Fatalf("the recovery went out before the settle time: %q", q.got())
	}
	q.clock.add(time.Minute)
	q.run()
	if q.got() != "open device_silent 3; clear device_silent 3" {
		t.Fatalf("after the settle time: %q", q.got())
	}
	// Later, it happens again: a new incident.
	q.clock.add(time.Hour)
	if !q.raise("3") {
		t.Fatal("a new incident after the recovery went out")
	}
	q.run()
	if q.got() != "open device_silent 3; clear device_silent 3; open device_silent 3" {
		t.Fatalf("second incident: %q", q.got())
	}
}

// A blip — cleared and back within the settle time — sends nothing more.
func TestBlipWithinSettleSendsNothing(t *testing.T) {
	q := newQueue(t, Options{})
	q.raise("3")
	q.run()
	q.clear("3", time.Minute)
	q.clock.add(20 * time.Second)
	if q.raise("3") {
		t.Fatal("back within the settle time: the same incident, not news")
	}
	q.clock.add(2 * time.Minute)
	q.run()
	if q.got() != "open device_silent 3" {
		t.Fatalf("a blip: %q", q.got())
	}
	open, err := q.db.OpenIncidents(context.Background())
	if err != nil || len(open) != 1 {
		t.Fatalf("open incidents %v %v", open, err)
	}
}

// In quiet hours messages wait; an incident that started and cleared
// meanwhile arrives as one message saying both.
func TestQuietHours(t *testing.T) {
	q := newQueue(t, Options{})
	q.clock.t = time.Date(2026, 11, 26, 23, 30, 0, 0, app.Shanghai)
	if err := q.db.SetQuietHours(context.Background(), app.QuietHours{From: 22 * 60, To: 8 * 60}); err != nil {
		t.Fatal(err)
	}
	q.raise("3")
	q.raise("4")
	q.run()
	q.clock.add(time.Hour)
	q.clear("3", time.Minute)
	q.clock.add(2 * time.Hour)
	q.run()
	if q.got() != "" {
		t.Fatalf("sent in quiet hours: %q", q.got())
	}
	q.clock.t = time.Date(2026, 11, 27, 8, 0, 1, 0, app.Shanghai)
	q.run()
	if got := q.got(); got != "resolved device_silent 3; open device_silent 4" && got != "open device_silent 4; resolved device_silent 3" {
		t.Fatalf("after quiet hours: %q", got)
	}
}

// A channel that fails is retried from the queue, also by a new dispatcher
// (a restart), until it answers.
func TestRetriedFromTheQueue(t *testing.T) {
	q := newQueue(t, Options{Schedule: []time.Duration{time.Minute, time.Minute}})
	q.fail.Store(2)
	q.raise("3")
	q.run()
	q.clock.add(70 * time.Second)
	q.run()
	if q.got() != "" {
		t.Fatal("sent while the service was down")
	}
	q.d = New(q.db, Options{Schedule: []time.Duration{time.Minute, time.Minute}, Logger: q.d.log})
	if err := q.db.ReleaseAlertClaims(context.Background()); err != nil {
		t.Fatal(err)
	}
	q.clock.add(70 * time.Second)
	q.run()
	if q.got() != "open device_silent 3" {
		t.Fatalf("after the service came back: %q", q.got())
	}
	// Out of attempts: failed, not retried for ever.
	q.fail.Store(10)
	q.raise("4")
	for range 5 {
		q.run()
		q.clock.add(2 * time.Minute)
	}
	msgs, err := q.db.RecentAlertMessages(context.Background(), 10)
	if err != nil {
		t.Fatal(err)
	}
	if msgs[0].Incident.Key != "4" || msgs[0].Status != app.AlertFailed || msgs[0].Attempts != 3 || !strings.Contains(msgs[0].LastError, "HTTP 500") {
		t.Fatalf("newest message %+v", msgs[0])
	}
}

// A channel sends at most MaxPerHour messages an hour; the rest wait.
func TestHourlyLimit(t *testing.T) {
	q := newQueue(t, Options{MaxPerHour: 2})
	for _, k := range []string{"1", "2", "3"} {
		q.raise(k)
	}
	q.run()
	if n := strings.Count(q.got(), "open"); n != 2 {
		t.Fatalf("sent %d in the first hour: %q", n, q.got())
	}
	q.clock.add(time.Hour + time.Second)
	q.run()
	if n := strings.Count(q.got(), "open"); n != 3 {
		t.Fatalf("after the hour: %q", q.got())
	}
}

// A channel switched off drops its waiting messages and gets no new ones.
func TestChannelOff(t *testing.T) {
	q := newQueue(t, Options{})
	chans, _ := q.db.AlertChannels(context.Background())
	q.fail.Store(1)
	q.raise("3")
	q.run()
	if err := q.db.SetAlertChannelEnabled(context.Background(), chans[0].ID, false); err != nil {
		t.Fatal(err)
	}
	q.raise("4")
	q.clock.add(time.Hour)
	q.run()
	if q.got() != "" {
		t.Fatalf("a channel switched off sent %q", q.got())
	}
}
