package callback

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"paygate/app"
	"paygate/app/money"
	"paygate/app/netguard"
	"paygate/app/store"
	"paygate/app/store/storetest"
)

const guardKey = "guard-test-key"

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// openQueue is a database whose settings have guardKey and callbackURL.
func openQueue(t *testing.T, callbackURL string) *store.DB {
	t.Helper()
	db := storetest.OpenDir(t, t.TempDir(), nil)
	storetest.Seed(t, db, guardKey, callbackURL)
	return db
}

// paidOrder creates an order with notifyURL and pays it, which queues its
// callback; it returns the payment id.
func paidOrder(t *testing.T, db *store.DB, n int, notifyURL string) string {
	t.Helper()
	ctx := context.Background()
	o, _, err := db.CreateOrder(ctx, func() string { return fmt.Sprintf("ORDG%d", n) },
		app.OrderInput{ProductName: "p", Method: app.MethodAlipay, Amount: money.Fen(100 + n), NotifyURL: notifyURL},
		15*time.Minute, app.SlotPolicy{Mode: app.SlotAlternate, MaxOffset: 50}, 10*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	nid, err := db.SaveRawNotification(ctx, app.RawRequest{Endpoint: "/webhook", Method: "POST", ReceivedAt: db.Now()})
	if err != nil {
		t.Fatal(err)
	}
	pid := fmt.Sprintf("PAYG%d", n)
	res, err := db.ApplyNotice(ctx, nid, app.Notice{Kind: "payment", Method: app.MethodAlipay, Amount: o.PayAmount},
		store.ApplyOptions{Policy: app.MatchPolicy{Window: 15 * time.Minute, Grace: 10 * time.Minute, AutoConfirm: app.ConfidenceMedium},
			NewPaymentID: func() string { return pid }})
	if err != nil || !res.Matched {
		t.Fatalf("paying %s: %+v %v", o.ID, res, err)
	}
	return pid
}

// secretServer counts its hits and answers with a secret, as an internal
// service that must never be reached would.
func secretServer(t *testing.T) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		io.WriteString(w, `{"success":true,"secret":"INTERNAL-SECRET-42"}`)
	}))
	t.Cleanup(srv.Close)
	return srv, &hits
}

// workQueue makes an attempt at every due callback, round after round,
// until a round starts none.
func workQueue(t *testing.T, d *Dispatcher) {
	t.Helper()
	for {
		if _, err := d.dispatchDue(context.Background()); err != nil {
			t.Fatal(err)
		}
		d.loads.mu.Lock()
		started := d.loads.running
		d.loads.mu.Unlock()
		if started == 0 {
			return
		}
		d.inflight.Wait()
	}
}

func lastAttempt(t *testing.T, db *store.DB, paymentID string) app.CallbackAttempt {
	t.Helper()
	as, err := db.CallbackAttempts(context.Background(), paymentID)
	if err != nil || len(as) == 0 {
		t.Fatalf("attempts of %s: %v %v", paymentID, as, err)
	}
	return as[len(as)-1]
}

// Per-order URLs that are, or resolve to, internal addresses are never
// dialled; the attempt says why and holds no answer. allow_hosts and the
// configured callback URL's host let them through.
func TestPerOrderURLsCannotReachInternalAddresses(t *testing.T) {
	srv, hits := secretServer(t)
	port := srv.Listener.Addr().(*net.TCPAddr).Port
	db := openQueue(t, "https://merchant.example.com/paygate/callback")
	d := New(db, Options{Timeout: 2 * time.Second, Workers: 8, Logger: quiet})

	blocked := map[string]string{ // payment → the reason's start
		paidOrder(t, db, 1, srv.URL+"/internal"):                                 "blocked: 127.0.0.1 is a loopback",
		paidOrder(t, db, 2, fmt.Sprintf("http://localhost:%d/internal", port)):   "blocked: localhost → 127.0.0.1 is a loopback",
		paidOrder(t, db, 4, "http://10.255.255.1/internal"):                      "blocked: 10.255.255.1 is a private",
		paidOrder(t, db, 5, "http://169.254.169.254/latest/meta-data/"):          "blocked: 169.254.169.254 is a link-local",
		paidOrder(t, db, 6, fmt.Sprintf("http://[::1]:%d/internal", port)):       "blocked: ::1 is a loopback",
		paidOrder(t, db, 7, fmt.Sprintf("http://[::ffff:127.0.0.1]:%d/x", port)): "blocked: ::ffff:127.0.0.1 → 127.0.0.1 is a loopback",
	}
	workQueue(t, d)
	if n := hits.Load(); n != 0 {
		t.Fatalf("the internal server was called %d times", n)
	}
	for pid, want := range blocked {
		a := lastAttempt(t, db, pid)
		if !strings.HasPrefix(a.Error, want) || !strings.Contains(a.Error, "callback.allow_hosts") || a.BodyExcerpt != "" || a.HTTPStatus != 0 || a.Acked {
			t.Errorf("%s: attempt %+v, want an error starting %q and no answer", a.URL, a, want)
		}
	}

	// Allowed by callback.allow_hosts: delivered.
	allow, err := netguard.New([]string{"127.0.0.1", "localhost"})
	if err != nil {
		t.Fatal(err)
	}
	d = New(db, Options{Timeout: 2 * time.Second, Workers: 8, Logger: quiet, Guard: allow})
	ok1 := paidOrder(t, db, 11, srv.URL+"/allowed")
	ok2 := paidOrder(t, db, 12, fmt.Sprintf("http://localhost:%d/allowed", port))
	workQueue(t, d)
	for _, pid := range []string{ok1, ok2} {
		if a := lastAttempt(t, db, pid); !a.Acked {
			t.Errorf("allowed %s not delivered: %+v", a.URL, a)
		}
	}
}

// The owner's callback URL is trusted wherever it points, and per-order URLs
// on its host are allowed.
func TestConfiguredCallbackHostIsTrusted(t *testing.T) {
	srv, hits := secretServer(t)
	db := openQueue(t, srv.URL+"/paygate/callback")
	d := New(db, Options{Timeout: 2 * time.Second, Workers: 8, Logger: quiet})
	viaSettings := paidOrder(t, db, 1, "")
	sameHost := paidOrder(t, db, 2, srv.URL+"/other-path")
	workQueue(t, d)
	for _, pid := range []string{viaSettings, sameHost} {
		if a := lastAttempt(t, db, pid); !a.Acked {
			t.Errorf("%s not delivered: %+v", a.URL, a)
		}
	}
	if hits.Load() != 2 {
		t.Errorf("merchant got %d calls, want 2", hits.Load())
	}
	if a := d.SendTest(context.Background(), srv.URL+"/test", guardKey); !a.Acked {
		t.Errorf("test callback to the owner's loopback URL: %+v", a)
	}
}

// A slow host holds at most PerHost workers: callbacks to another host,
// queued behind its callbacks, are sent at once.
func TestSlowHostDoesNotHoldUpOthers(t *testing.T) {
	var inSlow, maxSlow atomic.Int32
	release := make(chan struct{})
	slowLn, err := net.Listen("tcp", "127.0.0.2:0")
	if err != nil {
		t.Skipf("no 127.0.0.2 here: %v", err)
	}
	slow := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := inSlow.Add(1)
		defer inSlow.Add(-1)
		for m := maxSlow.Load(); n > m && !maxSlow.CompareAndSwap(m, n); m = maxSlow.Load() {
		}
		select {
		case <-release:
		case <-r.Context().Done():
		}
		io.WriteString(w, "success")
	}))
	slow.Listener = slowLn
	slow.Start()
	defer slow.Close()
	arrived := make(chan time.Time, 10)
	fast := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arrived <- time.Now()
		io.WriteString(w, `{"success":true}`)
	}))
	defer fast.Close()

	db := openQueue(t, "https://merchant.example.com/cb")
	allow, _ := netguard.New([]string{"127.0.0.0/8"})
	d := New(db, Options{Timeout: 4 * time.Second, Workers: 4, PerHost: 2, Logger: quiet, Guard: allow})
	for i := range 6 {
		paidOrder(t, db, i, slow.URL+"/notify")
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { d.Run(ctx); close(done) }()
	defer func() { close(release); cancel(); <-done }()

	deadline := time.Now().Add(2 * time.Second)
	for inSlow.Load() < 2 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	queued := time.Now()
	paidOrder(t, db, 10, fast.URL+"/notify")
	d.Wake()
	select {
	case at := <-arrived:
		if late := at.Sub(queued); late > time.Second {
			t.Errorf("the other host's callback arrived after %s", late)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("the other host's callback did not arrive while the slow host hung")
	}
	if m := maxSlow.Load(); m != 2 {
		t.Errorf("%d attempts in flight to the slow host at once, want 2 (PerHost)", m)
	}
}

// Every callback is sent once even when hosts are capped: the claim passes
// over a busy host's callbacks and comes back for them.
func TestCappedHostsAllDelivered(t *testing.T) {
	var mu sync.Mutex
	got := map[string]int{}
	srvs := make([]*httptest.Server, 3)
	for i := range srvs {
		srvs[i] = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			time.Sleep(20 * time.Millisecond)
			mu.Lock()
			got[r.URL.Path]++
			mu.Unlock()
			io.WriteString(w, "success")
		}))
		defer srvs[i].Close()
	}
	db := openQueue(t, srvs[0].URL+"/owner")
	d := New(db, Options{Timeout: 2 * time.Second, Workers: 3, PerHost: 1, Logger: quiet})
	for i := range 12 {
		paidOrder(t, db, i, fmt.Sprintf("%s/o%d", srvs[0].URL, i)) // all one host: 127.0.0.1, the owner's
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	go d.Run(ctx)
	for ctx.Err() == nil {
		mu.Lock()
		n := len(got)
		mu.Unlock()
		if n == 12 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	mu.Lock()
	defer mu.Unlock()
	for i := range 12 {
		if got[fmt.Sprintf("/o%d", i)] != 1 {
			t.Errorf("/o%d called %d times, want 1", i, got[fmt.Sprintf("/o%d", i)])
		}
	}
}
