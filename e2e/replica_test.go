package e2e

// Off-machine replication with Litestream (issue #17), against the real
// binary: paygate replicates to a file:// directory and to an in-process
// S3-compatible server (gofakes3 on 127.0.0.1), is killed with kill -9 under
// order and webhook load, its data directory is deleted as if the disk were
// gone, and `paygate restore --from-replica` rebuilds an empty directory on
// another path. Every order and payment acknowledged more than one sync
// interval before the kill must be there; the test reports how many of the
// last interval were not (the measured loss window).

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

// replicaSyncInterval is replica.sync_interval in these tests: the default.
const replicaSyncInterval = time.Second

// replicaTarget is where paygate replicates to in a test.
type replicaTarget struct {
	name string
	url  string
	env  []string // PAYGATE_REPLICA_* (and AWS_CA_BUNDLE cleared) for paygate and its commands
	s3   *countingS3
}

// fileTarget is a directory standing in for another disk.
func fileTarget(t *testing.T) replicaTarget {
	u := "file://" + filepath.ToSlash(filepath.Join(t.TempDir(), "other-disk", "paygate"))
	return replicaTarget{name: "file", url: u, env: []string{"PAYGATE_REPLICA_URL=" + u}}
}

// s3Target is an S3-compatible server in this test process: no network
// beyond 127.0.0.1. It counts the requests paygate makes.
func s3Target(t *testing.T) replicaTarget {
	c := &countingS3{next: gofakes3.New(s3mem.New(), gofakes3.WithAutoBucket(true), gofakes3.WithLogger(gofakes3.DiscardLog())).Server(), counts: map[string]int{}}
	srv := httptest.NewServer(c)
	t.Cleanup(srv.Close)
	u := "s3://paygate-backup/shop-1"
	return replicaTarget{name: "s3", url: u, s3: c, env: []string{
		"PAYGATE_REPLICA_URL=" + u,
		"PAYGATE_REPLICA_ENDPOINT=" + srv.URL,
		"PAYGATE_REPLICA_REGION=us-east-1",
		"PAYGATE_REPLICA_ACCESS_KEY_ID=test-key-id",
		"PAYGATE_REPLICA_SECRET_ACCESS_KEY=test-secret",
		// Set on this machine: the S3 client Litestream builds cannot take it.
		"AWS_CA_BUNDLE=",
	}}
}

// countingS3 counts requests by kind: PUT (upload), GET (download), LIST,
// HEAD, DELETE. While down it answers 503 to everything.
type countingS3 struct {
	next   http.Handler
	down   atomic.Bool
	mu     sync.Mutex
	counts map[string]int
}

func (c *countingS3) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if c.down.Load() {
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(http.StatusServiceUnavailable)
		io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>ServiceUnavailable</Code><Message>test: the bucket is down</Message></Error>`)
		return
	}
	kind := r.Method
	if r.Method == "GET" && (r.URL.Query().Has("list-type") || r.URL.Query().Has("prefix")) {
		kind = "LIST"
	}
	if r.Method == "POST" && r.URL.Query().Has("delete") {
		kind = "DELETE"
	}
	c.mu.Lock()
	c.counts[kind]++
	c.mu.Unlock()
	c.next.ServeHTTP(w, r)
}

func (c *countingS3) snapshot() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := map[string]int{}
	for k, v := range c.counts {
		out[k] = v
	}
	return out
}

// runWithEnv runs a paygate command on dataDir with extra environment.
func runWithEnv(t *testing.T, dataDir string, env []string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(binPath, args...)
	cmd.Dir = t.TempDir()
	cmd.Env = append(append(os.Environ(), "PAYGATE_DATA_DIR="+dataDir), env...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// waitReplicating waits for paygate's log to say replication runs.
func waitReplicating(t *testing.T, in *instance) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !strings.Contains(in.logs.String(), "replicating the database") {
		if time.Now().After(deadline) {
			t.Fatalf("replication did not start:\n%s", in.logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// ackLedger records what paygate acknowledged, and when the answer came.
type ackLedger struct {
	mu       sync.Mutex
	orders   map[string]ackedOrder
	payments map[string]ackedPayment
}

type ackedOrder struct {
	at     time.Time
	amount string
}

type ackedPayment struct {
	at    time.Time
	order string // the order it paid, "" if unmatched
}

func (l *ackLedger) createOrder(client *http.Client, base string) {
	// Spread over ¥1–¥5000 so the amount slots never run out under load.
	amount := fmt.Sprintf("%d.%02d", 1+rand.IntN(5000), rand.IntN(100))
	req, _ := http.NewRequest("POST", base+"/api/orders", strings.NewReader(`{"productName":"副本","amount":`+amount+`,"paymentMethod":"alipay"}`))
	req.Header.Set("Authorization", "Bearer "+testAPIKey)
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return // died with the process: not acknowledged
	}
	defer resp.Body.Close()
	var out struct {
		OrderID string  `json:"orderId"`
		Amount  float64 `json:"amount"`
	}
	if resp.StatusCode != 200 || json.NewDecoder(resp.Body).Decode(&out) != nil || out.OrderID == "" {
		return
	}
	l.mu.Lock()
	l.orders[out.OrderID] = ackedOrder{at: time.Now(), amount: strconv.FormatFloat(out.Amount, 'f', 2, 64)}
	l.mu.Unlock()
}

func (l *ackLedger) pay(client *http.Client, base string, seq int64) {
	l.mu.Lock()
	amount := ""
	for _, o := range l.orders {
		amount = o.amount
		break
	}
	l.mu.Unlock()
	if amount == "" {
		time.Sleep(5 * time.Millisecond)
		return
	}
	body, _ := json.Marshal(map[string]string{"message": "你已成功收款" + amount + "元", "id": "replica-" + strconv.FormatInt(seq, 10)})
	req, _ := http.NewRequest("POST", base+"/webhook", bytes.NewReader(body))
	req.Header.Set("key", testAPIKey)
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return
	}
	defer resp.Body.Close()
	var out struct {
		Kind      string `json:"kind"`
		PaymentID string `json:"paymentId"`
		OrderID   string `json:"orderId"`
		Matched   bool   `json:"matched"`
	}
	if resp.StatusCode != 200 || json.NewDecoder(resp.Body).Decode(&out) != nil || out.Kind != "payment" {
		return
	}
	p := ackedPayment{at: time.Now()}
	if out.Matched {
		p.order = out.OrderID
	}
	l.mu.Lock()
	l.payments[out.PaymentID] = p
	l.mu.Unlock()
}

// restoredRecords reads the orders and payments of a restored database.
func restoredRecords(t *testing.T, dbPath string) (orders map[string]string, payments map[string]string) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+dbPath+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	orders, payments = map[string]string{}, map[string]string{}
	rows, err := db.Query(`SELECT id, status FROM orders`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id, status string
		rows.Scan(&id, &status)
		orders[id] = status
	}
	rows.Close()
	rows, err = db.Query(`SELECT id, coalesce(order_id, '') FROM payments`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id, order string
		rows.Scan(&id, &order)
		payments[id] = order
	}
	rows.Close()
	return orders, payments
}

func TestReplicaKill9RestoreOnAnotherMachine(t *testing.T) {
	for _, target := range []func(*testing.T) replicaTarget{fileTarget, s3Target} {
		tg := target(t)
		t.Run(tg.name, func(t *testing.T) { replicaKillRestore(t, tg) })
	}
}

func replicaKillRestore(t *testing.T, tg replicaTarget) {
	m := newMerchant(t, "", nil)
	env := append([]string{
		"PAYGATE_MERCHANT_API_KEY=" + testAPIKey,
		"PAYGATE_MERCHANT_CALLBACK_URL=" + m.srv.URL,
		"PAYGATE_SERVER_RATE_LIMIT=0",
		"PAYGATE_REPLICA_SYNC_INTERVAL=" + replicaSyncInterval.String(),
	}, tg.env...)
	oldDir := filepath.Join(t.TempDir(), "machine-a", "data")
	pg := startPaygate(t, oldDir, env...)
	waitReplicating(t, pg)

	ledger := &ackLedger{orders: map[string]ackedOrder{}, payments: map[string]ackedPayment{}}
	client := &http.Client{Timeout: 3 * time.Second}
	var seq atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := 0; w < 6; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				if w%2 == 0 {
					ledger.createOrder(client, pg.URL)
				} else {
					ledger.pay(client, pg.URL, seq.Add(1))
				}
			}
		}(w)
	}
	time.Sleep(time.Duration(4000+rand.IntN(1000)) * time.Millisecond)
	killAt := time.Now()
	pg.kill9()
	close(stop)
	wg.Wait()
	// The disk is gone: the old data directory never starts again.
	if err := os.RemoveAll(filepath.Dir(oldDir)); err != nil {
		t.Fatal(err)
	}

	newDir := filepath.Join(t.TempDir(), "machine-b", "paygate-data")
	out, err := runWithEnv(t, newDir, tg.env, "restore", "--from-replica", tg.url)
	if err != nil || !strings.Contains(out, "restored ") {
		t.Fatalf("paygate restore --from-replica: %v\n%s", err, out)
	}
	t.Logf("%s", strings.TrimSpace(out))
	orders, payments := restoredRecords(t, filepath.Join(newDir, "paygate.db"))

	// Older than one sync interval: every one is there. Younger: counted.
	cutoff := killAt.Add(-replicaSyncInterval)
	ledger.mu.Lock()
	defer ledger.mu.Unlock()
	var lateOrders, lateOrdersLost, latePayments, latePaymentsLost int
	var oldestLost time.Duration
	var tooOld []string // lost although acknowledged more than a sync interval before the kill
	lost := func(at time.Time) {
		if age := killAt.Sub(at); age > oldestLost {
			oldestLost = age
		}
	}
	for id, o := range ledger.orders {
		_, ok := orders[id]
		switch {
		case !o.at.Before(cutoff):
			lateOrders++
			if !ok {
				lateOrdersLost++
				lost(o.at)
			}
		case !ok:
			tooOld = append(tooOld, fmt.Sprintf("order %s acknowledged %s before the kill", id, killAt.Sub(o.at).Round(time.Millisecond)))
			lost(o.at)
		}
	}
	for id, p := range ledger.payments {
		order, ok := payments[id]
		switch {
		case !p.at.Before(cutoff):
			latePayments++
			if !ok {
				latePaymentsLost++
				lost(p.at)
			}
		case !ok:
			tooOld = append(tooOld, fmt.Sprintf("payment %s acknowledged %s before the kill", id, killAt.Sub(p.at).Round(time.Millisecond)))
			lost(p.at)
		case order != p.order:
			t.Errorf("payment %s was acknowledged as paying %q, restored as paying %q", id, p.order, order)
		case p.order != "" && orders[p.order] != "success":
			t.Errorf("order %s was paid by %s, restored as %q", p.order, id, orders[p.order])
		}
	}
	if len(ledger.orders) < 50 || len(ledger.payments) < 20 {
		t.Fatalf("the load made %d orders and %d payments: too few to tell", len(ledger.orders), len(ledger.payments))
	}
	t.Logf("%s: %d orders and %d payments acknowledged; in the last %s before kill -9: %d of %d orders and %d of %d payments lost; oldest lost acknowledged %s before the kill (loss window measured)",
		tg.name, len(ledger.orders), len(ledger.payments), replicaSyncInterval, lateOrdersLost, lateOrders, latePaymentsLost, latePayments, oldestLost.Round(time.Millisecond))
	if len(tooOld) > 0 {
		sort.Strings(tooOld)
		t.Errorf("%d records acknowledged more than %s before the kill are not in the restored database, e.g. %s",
			len(tooOld), replicaSyncInterval, strings.Join(tooOld[:min(len(tooOld), 5)], "; "))
	}
	if tg.s3 != nil {
		t.Logf("requests to the bucket during the run and the restore: %v", tg.s3.snapshot())
	}

	// The new machine runs on the restored directory and carries on
	// replicating to the same place.
	pg2 := startPaygate(t, newDir, env...)
	waitReplicating(t, pg2)
	checked := 0
	for id, o := range ledger.orders {
		if o.at.Before(cutoff) && checked < 20 {
			if status, st := pg2.call("GET", "/api/order-status?orderId="+id, "", nil); status != 200 {
				t.Fatalf("restored paygate does not know order %s: %d %v", id, status, st)
			}
			checked++
		}
	}
	after := pg2.createOrder(`{"productName":"接管后","amount":9.99,"paymentMethod":"wechat"}`)
	pg2.stop()
	again := filepath.Join(t.TempDir(), "machine-c", "data")
	if out, err := runWithEnv(t, again, tg.env, "restore", "--from-replica", tg.url); err != nil {
		t.Fatalf("second restore: %v\n%s", err, out)
	}
	if orders, _ := restoredRecords(t, filepath.Join(again, "paygate.db")); orders[after["orderId"].(string)] == "" {
		t.Fatalf("the order taken after the fail-over is not in the replica")
	}
}

// After a fail-over the old machine must not write to the replica again:
// paygate refuses to start on it, saying what to do, and the replica keeps
// the new machine's records.
func TestReplicaOldMachineRefusedAfterFailover(t *testing.T) {
	tg := fileTarget(t)
	env := append([]string{"PAYGATE_MERCHANT_API_KEY=" + testAPIKey}, tg.env...)
	oldDir := t.TempDir()
	pg := startPaygate(t, oldDir, env...)
	waitReplicating(t, pg)
	for i := 0; i < 5; i++ {
		pg.createOrder(`{"productName":"旧机器","amount":3.21,"paymentMethod":"alipay"}`)
	}
	time.Sleep(2 * replicaSyncInterval)
	pg.kill9()

	newDir := t.TempDir()
	if out, err := runWithEnv(t, newDir, tg.env, "restore", "--from-replica", tg.url); err != nil {
		t.Fatalf("restore: %v\n%s", err, out)
	}
	pg2 := startPaygate(t, newDir, env...)
	waitReplicating(t, pg2)
	taken := pg2.createOrder(`{"productName":"新机器","amount":4.56,"paymentMethod":"alipay"}`)["orderId"].(string)
	time.Sleep(2 * replicaSyncInterval)
	pg2.stop()

	// The old machine comes back (its VPS rebooted, systemd starts paygate).
	cmd := exec.Command(binPath)
	cmd.Dir = t.TempDir()
	cmd.Env = append(append(os.Environ(), "PAYGATE_DATA_DIR="+oldDir, "PAYGATE_SERVER_ADDR="+freeAddr(t)), env...)
	done := make(chan struct{})
	var out []byte
	var err error
	go func() { out, err = cmd.CombinedOutput(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		<-done
		t.Fatalf("the old machine started on a replica another paygate took over:\n%s", out)
	}
	if err == nil || !strings.Contains(string(out), "paygate restore --from-replica") || !strings.Contains(string(out), "另一台 paygate") {
		t.Fatalf("old machine's start: %v\n%s", err, out)
	}
	check := t.TempDir()
	if out, err := runWithEnv(t, check, tg.env, "restore", "--from-replica", tg.url); err != nil {
		t.Fatalf("restore: %v\n%s", err, out)
	}
	if orders, _ := restoredRecords(t, filepath.Join(check, "paygate.db")); orders[taken] == "" {
		t.Fatalf("the new machine's order %s is gone from the replica", taken)
	}
}

// restore --from-replica never replaces a database holding newer records
// than the replica; it replaces an older one, keeping it aside.
func TestReplicaRestoreRefusesNewerLocalDatabase(t *testing.T) {
	tg := fileTarget(t)
	env := append([]string{"PAYGATE_MERCHANT_API_KEY=" + testAPIKey}, tg.env...)
	pg := startPaygate(t, t.TempDir(), env...)
	waitReplicating(t, pg)
	pg.createOrder(`{"productName":"副本里的","amount":1.23,"paymentMethod":"alipay"}`)
	pg.stop()

	// A machine without replication, with an order made later.
	local := t.TempDir()
	other := startPaygate(t, local, "PAYGATE_MERCHANT_API_KEY="+testAPIKey)
	newer := other.createOrder(`{"productName":"本机更新的","amount":2.34,"paymentMethod":"alipay"}`)["orderId"].(string)
	other.stop()
	before, _ := os.ReadFile(filepath.Join(local, "paygate.db"))
	out, err := runWithEnv(t, local, tg.env, "restore", "--from-replica", tg.url)
	if err == nil || !strings.Contains(out, "比副本新") || !strings.Contains(out, "newer than the replica") {
		t.Fatalf("restore over a newer database: %v\n%s", err, out)
	}
	if after, _ := os.ReadFile(filepath.Join(local, "paygate.db")); !bytes.Equal(before, after) {
		t.Fatal("the refused restore changed the local database")
	}
	if orders, _ := restoredRecords(t, filepath.Join(local, "paygate.db")); orders[newer] == "" {
		t.Fatal("the newer local order is gone")
	}

	// An older database (made before the replica's newest record) is kept aside.
	older := t.TempDir()
	o := startPaygate(t, older, "PAYGATE_MERCHANT_API_KEY="+testAPIKey)
	o.stop()
	out, err = runWithEnv(t, older, tg.env, "restore", "--from-replica", tg.url)
	if err != nil || !strings.Contains(out, "before-restore") {
		t.Fatalf("restore over an older database: %v\n%s", err, out)
	}
}

// The console's settings page shows the replica's state; a replica that
// cannot be reached is not saved, and one that can is, for the next start.
func TestReplicaConsoleStateAndSettings(t *testing.T) {
	tg := fileTarget(t)
	pg := startPaygate(t, t.TempDir(), append([]string{"PAYGATE_MERCHANT_API_KEY=" + testAPIKey}, tg.env...)...)
	waitReplicating(t, pg)
	o := newOwner(t, pg)
	page := o.get("/admin/settings")
	for _, want := range []string{`id="replica"`, "正在复制", tg.url, "由环境变量 PAYGATE_REPLICA_URL 设置"} {
		if !strings.Contains(page, want) {
			t.Fatalf("settings page lacks %q", want)
		}
	}
	if resp, body := o.form("/admin/settings/replica", url.Values{"url": {"file:///elsewhere"}}); resp.StatusCode != http.StatusConflict || !strings.Contains(body, "PAYGATE_REPLICA_URL") {
		t.Fatalf("saving over a pinned replica: %d %s", resp.StatusCode, body)
	}
	pg.stop()

	// Not pinned: set in the console. With AWS_CA_BUNDLE set (as on this
	// machine) an S3 replica cannot work, and the owner is told why.
	dir := t.TempDir()
	pg = startPaygate(t, dir, "PAYGATE_MERCHANT_API_KEY="+testAPIKey, "AWS_CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt")
	o = newOwner(t, pg)
	s3Form := url.Values{"url": {"s3://bucket/p"}, "endpoint": {"http://127.0.0.1:1"}, "accessKeyId": {"id"}, "secretAccessKey": {"secret-123"}}
	if resp, body := o.form("/admin/settings/replica", s3Form); resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(body, "UnsetEnvironment=AWS_CA_BUNDLE") {
		t.Fatalf("S3 replica with AWS_CA_BUNDLE set: %d %s", resp.StatusCode, body)
	}
	pg.stop()
	pg.env = append(pg.env, "AWS_CA_BUNDLE=")
	pg.start()
	if page := o.get("/admin/settings"); !strings.Contains(page, "未开启") {
		t.Fatal("settings page does not say replication is off")
	}
	resp, body := o.form("/admin/settings/replica", url.Values{"url": {"sftp://backup@127.0.0.1:1/paygate"}, "keyFile": {"/nonexistent"}})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "主机公钥") {
		t.Fatalf("SFTP without a host key: %d %s", resp.StatusCode, body)
	}
	resp, body = o.form("/admin/settings/replica", s3Form)
	if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(body, "连不上副本") {
		t.Fatalf("unreachable S3 replica: %d %s", resp.StatusCode, body)
	}
	console := "file://" + filepath.ToSlash(filepath.Join(t.TempDir(), "from-console"))
	resp, body = o.form("/admin/settings/replica", url.Values{"url": {console}})
	if resp.StatusCode != 200 || !strings.Contains(body, "重启") {
		t.Fatalf("saving a file replica: %d %s", resp.StatusCode, body)
	}
	pg.stop()
	pg.start()
	waitReplicating(t, pg)
	if page := o.get("/admin/settings"); !strings.Contains(page, "正在复制") || !strings.Contains(page, console) {
		t.Fatal("after a restart the console's replica is not running")
	}
}

// get fetches a console page.
func (o *owner) get(path string) string {
	o.t.Helper()
	resp, err := o.cl.Get(o.in.URL + path)
	if err != nil {
		o.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		o.t.Fatalf("GET %s: %d", path, resp.StatusCode)
	}
	return string(b)
}

// form posts a console form as htmx does and returns the answer.
func (o *owner) form(path string, form url.Values) (*http.Response, string) {
	o.t.Helper()
	req, _ := http.NewRequest("POST", o.in.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-CSRF-Token", o.token("/admin/settings"))
	req.Header.Set("HX-Request", "true")
	resp, err := o.cl.Do(req)
	if err != nil {
		o.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// The bucket's bill: requests paygate makes per hour idle and under a
// steady trickle of orders. Slow (a minute each), so only with
// PAYGATE_REPLICA_COST=1; the README's numbers come from it.
func TestReplicaBucketRequests(t *testing.T) {
	if os.Getenv("PAYGATE_REPLICA_COST") == "" {
		t.Skip("set PAYGATE_REPLICA_COST=1 to measure the requests per hour to the bucket (2 minutes)")
	}
	tg := s3Target(t)
	pg := startPaygate(t, t.TempDir(), append([]string{"PAYGATE_MERCHANT_API_KEY=" + testAPIKey}, tg.env...)...)
	waitReplicating(t, pg)
	time.Sleep(5 * time.Second)
	measure := func(what string, d time.Duration, load func()) {
		before := tg.s3.snapshot()
		end := time.Now().Add(d)
		for time.Now().Before(end) {
			load()
		}
		after := tg.s3.snapshot()
		per := map[string]int{}
		kinds := []string{}
		for k, v := range after {
			per[k] = int(float64(v-before[k]) * float64(time.Hour) / float64(d))
			kinds = append(kinds, k)
		}
		sort.Strings(kinds)
		var parts []string
		for _, k := range kinds {
			parts = append(parts, fmt.Sprintf("%s %d/h", k, per[k]))
		}
		t.Logf("%s: %s", what, strings.Join(parts, ", "))
	}
	measure("idle", time.Minute, func() { time.Sleep(time.Second) })
	measure("one order every 10 s", time.Minute, func() {
		pg.createOrder(`{"productName":"cost","amount":1.11,"paymentMethod":"alipay"}`)
		time.Sleep(10 * time.Second)
	})
}

// paygate's own backups (an online `paygate backup` beside the running
// server) and Litestream share the WAL without harm: both copies restore
// with every order, and the backup restores as before.
func TestReplicaAndBackupsTogether(t *testing.T) {
	tg := fileTarget(t)
	dir := t.TempDir()
	pg := startPaygate(t, dir, append([]string{"PAYGATE_MERCHANT_API_KEY=" + testAPIKey}, tg.env...)...)
	waitReplicating(t, pg)
	var ids []string
	for i := 0; i < 20; i++ {
		ids = append(ids, pg.createOrder(`{"productName":"备份与副本","amount":5.55,"paymentMethod":"alipay"}`)["orderId"].(string))
	}
	out, err := runCommand(t, dir, "backup")
	if err != nil || !strings.Contains(out, "backup written") {
		t.Fatalf("paygate backup beside a replicating server: %v\n%s", err, out)
	}
	backupFile := strings.Fields(strings.SplitN(out, "backup written: ", 2)[1])[0]
	for i := 0; i < 20; i++ {
		ids = append(ids, pg.createOrder(`{"productName":"备份之后","amount":6.66,"paymentMethod":"alipay"}`)["orderId"].(string))
	}
	pg.stop()
	if strings.Contains(pg.logs.String(), "level=ERROR") {
		t.Fatalf("errors while replicating beside a backup:\n%s", pg.logs.String())
	}

	fromReplica := t.TempDir()
	if out, err := runWithEnv(t, fromReplica, tg.env, "restore", "--from-replica", tg.url); err != nil || !strings.Contains(out, "40 orders") {
		t.Fatalf("restore from the replica: %v\n%s", err, out)
	}
	orders, _ := restoredRecords(t, filepath.Join(fromReplica, "paygate.db"))
	for _, id := range ids {
		if orders[id] == "" {
			t.Fatalf("order %s is not in the replica", id)
		}
	}
	fromBackup := t.TempDir()
	if out, err := runCommand(t, fromBackup, "restore", backupFile); err != nil || !strings.Contains(out, "20 orders") {
		t.Fatalf("restore the backup: %v\n%s", err, out)
	}

	// The owner puts the backup back on the replicating machine: paygate
	// starts, and the replica follows the database put back.
	if out, err := runCommand(t, dir, "restore", backupFile); err != nil {
		t.Fatalf("restore the backup in place: %v\n%s", err, out)
	}
	pg.start()
	waitReplicating(t, pg)
	later := pg.createOrder(`{"productName":"恢复备份之后","amount":7.77,"paymentMethod":"alipay"}`)["orderId"].(string)
	pg.stop()
	again := t.TempDir()
	if out, err := runWithEnv(t, again, tg.env, "restore", "--from-replica", tg.url); err != nil || !strings.Contains(out, "21 orders") {
		t.Fatalf("restore from the replica after the backup was put back: %v\n%s", err, out)
	}
	if orders, _ := restoredRecords(t, filepath.Join(again, "paygate.db")); orders[later] == "" || orders[ids[len(ids)-1]] != "" {
		t.Fatalf("the replica does not follow the database put back")
	}
}

// The bucket stops answering while orders come in: once the replica lags
// past replica.alert_after the owner gets one alert over their channel (a
// Bark server here), saying how far behind and why; the detailed health
// says so too. The bucket back, the replica catches up and one recovery
// message follows.
func TestReplicaBehindAlertsOnceAndRecovers(t *testing.T) {
	tg := s3Target(t)
	bark := newBark(t, "ynJ5Ft4atkMkWeo2PAvFhF")
	pg := startPaygate(t, t.TempDir(), append([]string{"PAYGATE_MERCHANT_API_KEY=" + testAPIKey,
		"PAYGATE_REPLICA_ALERT_AFTER=10s", "PAYGATE_ALERTS_SETTLE=1s"}, tg.env...)...)
	waitReplicating(t, pg)
	own := newOwner(t, pg)
	if status, page := consoleCall(own, "POST", "/admin/alerts/channels", url.Values{"kind": {"bark"}, "name": {"老板的 iPhone"},
		"bark_url": {bark.URL + "/ynJ5Ft4atkMkWeo2PAvFhF/"}}); status != 200 {
		t.Fatalf("add Bark: %d %.2000s", status, page)
	}
	waitMessages := func(n int, within time.Duration) []map[string]string {
		t.Helper()
		deadline := time.Now().Add(within)
		for time.Now().Before(deadline) {
			if got := bark.messages(); len(got) >= n {
				return got
			}
			time.Sleep(200 * time.Millisecond)
		}
		t.Fatalf("Bark got %d messages, want %d: %v\n%s", len(bark.messages()), n, bark.messages(), pg.logs.String())
		return nil
	}
	pg.createOrder(`{"productName":"同步中","amount":1.01,"paymentMethod":"alipay"}`)
	time.Sleep(3 * replicaSyncInterval)
	if got := bark.messages(); len(got) != 0 {
		t.Fatalf("a replica in step alerted: %v", got)
	}

	tg.s3.down.Store(true)
	downAt := time.Now()
	for i := 0; i < 5; i++ {
		pg.createOrder(`{"productName":"存储桶不通","amount":2.02,"paymentMethod":"alipay"}`)
	}
	got := waitMessages(1, 40*time.Second)
	t.Logf("alert %s after the bucket went down: %s / %s", time.Since(downAt).Round(time.Second), got[0]["title"], got[0]["body"])
	if !strings.Contains(got[0]["title"], "数据库副本落后") || !strings.Contains(got[0]["body"], tg.url) ||
		!strings.Contains(got[0]["body"], "只在这台机器上") {
		t.Fatalf("alert %v", got[0])
	}
	if since := time.Since(downAt); since < 10*time.Second {
		t.Fatalf("alerted %s after the bucket went down, before replica.alert_after (10s)", since)
	}
	if status, health := consoleCall(own, "GET", "/admin/health", nil); status != http.StatusServiceUnavailable ||
		!strings.Contains(health, `"replication":{`) || !strings.Contains(health, "数据库复制出错") {
		t.Fatalf("detailed health while behind: %d %s", status, health)
	}
	time.Sleep(3 * time.Second)
	if got := bark.messages(); len(got) != 1 {
		t.Fatalf("still behind, %d messages: %v", len(got), got)
	}

	tg.s3.down.Store(false)
	got = waitMessages(2, 60*time.Second)
	if !strings.Contains(got[1]["title"], "已恢复") || !strings.Contains(got[1]["body"], "数据库副本落后") {
		t.Fatalf("recovery %v", got[1])
	}
	time.Sleep(3 * time.Second)
	if got := bark.messages(); len(got) != 2 {
		t.Fatalf("caught up, %d messages in all: %v", len(got), got)
	}
	pg.stop()
	restored := t.TempDir()
	if out, err := runWithEnv(t, restored, tg.env, "restore", "--from-replica", tg.url); err != nil || !strings.Contains(out, "6 orders") {
		t.Fatalf("restore after the bucket came back: %v\n%s", err, out)
	}
}
