package e2e

// Disk filling by unauthenticated posts (issue #11, point 2), against the
// real binary: keyless requests to the forwarder endpoints are stored before
// they are read, so without a bound every one of them stays on disk whole.
// And a disk that fills up while paygate runs must be answered with a clear
// 503, and paygate must carry on once there is room again.

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// dbFootprint is what the database takes on disk: the file and its WAL.
func dbFootprint(t *testing.T, dataDir string) int64 {
	t.Helper()
	var total int64
	for _, name := range []string{"paygate.db", "paygate.db-wal"} {
		st, err := os.Stat(filepath.Join(dataDir, name))
		if err == nil {
			total += st.Size()
		} else if !os.IsNotExist(err) {
			t.Fatal(err)
		}
	}
	return total
}

// dbFiles lists the database files' sizes, for the log.
func dbFiles(dataDir string) string {
	var parts []string
	for _, name := range []string{"paygate.db", "paygate.db-wal"} {
		if st, err := os.Stat(filepath.Join(dataDir, name)); err == nil {
			parts = append(parts, fmt.Sprintf("%s %.1f MB", name, float64(st.Size())/(1<<20)))
		}
	}
	return strings.Join(parts, ", ")
}

// flood sends n requests built by req from workers goroutines and counts the
// answers by status.
func flood(t *testing.T, n, workers int, req func(i int) *http.Request) map[int]int {
	t.Helper()
	cl := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: workers}, Timeout: 30 * time.Second}
	var (
		next   atomic.Int64
		mu     sync.Mutex
		counts = map[int]int{}
		wg     sync.WaitGroup
		failed atomic.Value
	)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				resp, err := cl.Do(req(i))
				if err != nil {
					failed.Store(err)
					return
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				mu.Lock()
				counts[resp.StatusCode]++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if err, ok := failed.Load().(error); ok {
		t.Fatalf("flood: %v", err)
	}
	return counts
}

// keylessPadding is 60 KB of text, under the 64 KB body limit.
var keylessPadding = strings.Repeat("填满磁盘", 60<<10/12)

func TestAttackKeylessFloodKeepsDiskBounded(t *testing.T) {
	dir := t.TempDir()
	pg := startPaygate(t, dir, "PAYGATE_MERCHANT_API_KEY="+testAPIKey, "PAYGATE_SERVER_RATE_LIMIT=0")
	order := pg.createOrder(`{"productName":"flood","amount":3.21,"paymentMethod":"alipay"}`)
	before := dbFootprint(t, dir)

	const perEndpoint = 300
	body := `{"message":"收到转账0.01元(支付宝)","pad":"` + keylessPadding + `"}`
	kinds := []func(i int) *http.Request{
		func(i int) *http.Request { // the guide's webhook without a key
			r, _ := http.NewRequest("POST", pg.URL+"/webhook", strings.NewReader(body))
			r.Header.Set("Content-Type", "application/json")
			return r
		},
		func(i int) *http.Request { // a V免签 push with a wrong sign and a long body
			r, _ := http.NewRequest("POST", pg.URL+fmt.Sprintf("/appPush?t=%d&type=2&price=0.01&sign=x", time.Now().UnixMilli()), strings.NewReader(body))
			r.Header.Set("Content-Type", "text/plain")
			return r
		},
		func(i int) *http.Request { // a V免签 push with a 60 KB query string
			r, _ := http.NewRequest("GET", pg.URL+fmt.Sprintf("/appPush?t=%d&type=2&price=0.01&sign=x&pad=%s", time.Now().UnixMilli(), strings.Repeat("z", 60<<10)), nil)
			return r
		},
	}
	var paid map[string]any
	for k, kind := range kinds {
		counts := flood(t, perEndpoint, 8, kind)
		for status, n := range counts {
			// V免签 refusals are HTTP 200 with code -1, as vmqphp answers them.
			if k == 0 && status != 401 && status != 400 || k > 0 && status != 200 {
				t.Errorf("flood %d: %d answers with status %d (want 401/400 from /webhook, 200 from V免签)", k, n, status)
			}
		}
		if k == 0 {
			// In the middle of the flood the phone reports a real payment.
			paid = pg.webhook("收到转账3.21元(支付宝)")
		}
	}
	if paid["kind"] != "payment" || paid["orderId"] != order["orderId"] {
		t.Fatalf("the authentic webhook during the flood did not pay its order: %v", paid)
	}
	_, st := pg.call("GET", "/api/order-status?orderId="+order["orderId"].(string), "", nil)
	if st["status"] != "success" {
		t.Fatalf("order after the flood: %v", st)
	}

	// What is kept of the refused 60 KB requests: their start, and their size.
	status, list := pg.call("GET", "/api/notifications?outcome=refused&limit=20", "", bearer)
	if status != 200 {
		t.Fatalf("list notifications: %d %v", status, list)
	}
	for _, v := range list["data"].([]any) {
		n := v.(map[string]any)
		body, _ := n["body"].(string)
		query, _ := n["query"].(string)
		if size := len(body) + len(query); size > 6<<10 {
			t.Errorf("refused notification #%v keeps %d bytes of body and query", n["id"], size)
		}
		if from, _ := n["truncatedFrom"].(float64); from < 60<<10 {
			t.Errorf("refused notification #%v does not say it was cut from its original size (%v)", n["id"], n["truncatedFrom"])
		}
	}

	// Past the count: only the newest 1,000 strangers' requests stay.
	small := flood(t, 300, 8, func(i int) *http.Request {
		r, _ := http.NewRequest("POST", pg.URL+"/webhook", strings.NewReader(`{"message":"收到转账0.01元(支付宝)"}`))
		r.Header.Set("key", "guessed-key")
		return r
	})
	if small[401] != 300 {
		t.Errorf("small keyless posts: %v, want 300 × 401", small)
	}

	// Kept: at most 1,000 cut requests (about a 4 KB page each) and the WAL,
	// which paygate starts over at about 16 MB (store.restartBytes).
	// Unbounded, the same requests took 57 MB.
	sent := int64(len(kinds) * perEndpoint * 60 << 10)
	grown := dbFootprint(t, dir) - before
	t.Logf("sent %.1f MB of keyless requests; paygate.db + WAL grew by %.1f MB (now %s)", float64(sent)/(1<<20), float64(grown)/(1<<20), dbFiles(dir))
	if grown > 24<<20 {
		t.Errorf("paygate.db + WAL grew by %.1f MB for %.1f MB of keyless requests: refused requests are not bounded",
			float64(grown)/(1<<20), float64(sent)/(1<<20))
	}

	// What the store reports, through the API.
	status, list = pg.call("GET", "/api/notifications?outcome=refused&limit=1", "", bearer)
	if status != 200 {
		t.Fatalf("list notifications: %d %v", status, list)
	}
	storage, _ := list["storage"].(map[string]any)
	if storage == nil {
		t.Fatalf("GET /api/notifications does not report the storage used: %v", list)
	}
	if db, _ := storage["databaseBytes"].(float64); db <= 0 {
		t.Errorf("storage report without the database size: %v", storage)
	}
	strangers, _ := storage["strangers"].(map[string]any)
	if n, _ := strangers["requests"].(float64); n != 1000 {
		t.Errorf("storage report counts %v requests without a valid key, want the newest 1000: %v", strangers["requests"], storage)
	}
	if bytes, _ := strangers["bytes"].(float64); bytes <= 0 || bytes > 5<<20 {
		t.Errorf("requests without a valid key take %v bytes, want (0, 5 MB]: %v", strangers["bytes"], storage)
	}
	if refused, _ := storage["byOutcome"].(map[string]any)["refused"].(map[string]any); refused["requests"] == nil {
		t.Errorf("storage report has no refused requests: %v", storage)
	}

	// The console shows the same on the devices page.
	o := newOwner(t, pg)
	resp, err := o.cl.Get(pg.URL + "/admin/devices")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{`id="notification-storage"`, "数据库", "只保存开头"} {
		if !strings.Contains(string(page), want) {
			t.Errorf("the devices page does not show %q (the database size and the stored requests)", want)
		}
	}
}

// A disk that fills while paygate runs: every write is answered 503 with a
// message saying so (forwarders retry a 503), and once space is freed
// paygate works again by itself.
func TestAttackFullDiskWhileRunningAnswers503(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root for a small tmpfs in a mount namespace")
	}
	unshareRoot(t)
	dir := t.TempDir()
	addr := freeAddr(t)
	pg := &instance{t: t, URL: "http://" + addr, dataDir: dir, logs: &syncBuffer{}}
	cmd := exec.Command("unshare", "-m", "--propagation", "private", "sh", "-c",
		`mount -t tmpfs -o size=8m tmpfs "$PAYGATE_DATA_DIR" && exec "$ATTACK_BIN"`)
	cmd.Dir = t.TempDir()
	cmd.Env = append(os.Environ(), "PAYGATE_SERVER_ADDR="+addr, "PAYGATE_DATA_DIR="+dir, "PAYGATE_SERVER_OPEN_BROWSER=false",
		"PAYGATE_MERCHANT_API_KEY="+testAPIKey, "PAYGATE_SERVER_RATE_LIMIT=0", "PAYGATE_BACKUP_INTERVAL=0", "ATTACK_BIN="+binPath)
	cmd.Stdout, cmd.Stderr = pg.logs, pg.logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pg.cmd = cmd
	t.Cleanup(func() {
		pg.stop()
		if t.Failed() {
			t.Logf("paygate log:\n%s", pg.logs.String())
		}
	})
	deadline := time.Now().Add(15 * time.Second)
	for {
		resp, err := http.Get(pg.URL + "/health")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("paygate did not become healthy:\n%s", pg.logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	// inside runs a shell command in paygate's mount namespace, where its
	// data directory is the small tmpfs.
	inside := func(script string) {
		t.Helper()
		out, err := exec.Command("nsenter", "-t", fmt.Sprint(cmd.Process.Pid), "-m", "sh", "-c", script).CombinedOutput()
		if err != nil {
			t.Fatalf("%s: %v\n%s", script, err, out)
		}
	}
	order := pg.createOrder(`{"productName":"before","amount":4.56,"paymentMethod":"alipay"}`)

	inside(`dd if=/dev/zero of="` + dir + `/filler" bs=4k 2>/dev/null; true`)
	// Whatever SQLite had free in its files is used up by a few writes; then
	// every write meets the full disk.
	var status int
	var out map[string]any
	for i := 0; i < 200; i++ {
		body := fmt.Sprintf(`{"productName":"full %d","amount":%d.%02d,"paymentMethod":"wechat"}`, i, 1+i/100, i%100)
		if status, out = pg.call("POST", "/api/orders", body, bearer); status != 200 {
			break
		}
	}
	if status != http.StatusServiceUnavailable {
		t.Fatalf("creating an order on a full disk: %d %v, want 503", status, out)
	}
	mustSay(t, "order on a full disk", fmt.Sprint(out["error"]), "磁盘已满")
	if out["code"] != "disk_full" {
		t.Errorf("order on a full disk: code %v, want disk_full", out["code"])
	}
	status, out = pg.call("POST", "/webhook?lang=en", `{"message":"收到转账4.56元(支付宝)"}`, map[string]string{"key": testAPIKey})
	if status != http.StatusServiceUnavailable {
		t.Fatalf("webhook on a full disk: %d %v, want 503 (SmsForwarder retries it)", status, out)
	}
	mustSay(t, "webhook on a full disk", fmt.Sprint(out["error"]), "disk is full", "free")

	// Whatever writes — a stranger's request, a phone's, an order, a
	// device — gets the same 503, never a 500.
	writes := []struct{ method, path, body string }{
		{"POST", "/webhook", `{"message":"收到转账9.99元(支付宝)"}`},
		{"GET", "/appPush?t=1&type=2&price=1.0&sign=x", ""},
		{"POST", "/api/orders", `{"productName":"full","amount":7.77,"paymentMethod":"alipay"}`},
		{"POST", "/api/devices", `{"name":"满了"}`},
	}
	// A write smaller than the order that was refused may still fit in the
	// room SQLite's WAL file already has (it overwrites the file from the
	// start once a checkpoint copied it all): that write is stored, on disk,
	// and answered 200, which is right. Such room is used up by a few of
	// them; from then on, every kind is refused.
	for pass, stored := 0, true; stored; pass++ {
		if pass == 50 {
			t.Fatal("writes keep being stored on a full disk")
		}
		stored = false
		for _, w := range writes {
			switch status, out := pg.call(w.method, w.path, w.body, bearer); status {
			case http.StatusOK:
				stored = true
			case http.StatusServiceUnavailable:
			default:
				t.Fatalf("%s %s on a full disk: %d %v, want 200 (it fit) or 503", w.method, w.path, status, out)
			}
		}
	}
	// A checkpoint that finishes meanwhile can start the WAL over and make
	// room for one more small write (stored, as above): each kind is
	// asked again until it meets the full disk, and then it must get 503
	// disk_full; a few such fits are fine, anything but 200 or 503 is not.
	fits := 0
	for i := 0; i < 5; i++ {
		for _, w := range writes {
			header := bearer
			if i%2 == 1 && w.path == "/webhook" {
				header = nil // a stranger's: stored before it is refused
			}
			for {
				status, out := pg.call(w.method, w.path, w.body, header)
				if status == http.StatusServiceUnavailable {
					if strings.HasPrefix(w.path, "/api/") && out["code"] != "disk_full" { // V免签's own answer has its own codes
						t.Errorf("%s %s on a full disk: code %v, want disk_full", w.method, w.path, out["code"])
					}
					break
				}
				// A stranger's request that fit is stored, then refused: 401.
				fit := status == http.StatusOK || header == nil && status == http.StatusUnauthorized
				if !fit || fits == 20 {
					t.Fatalf("%s %s on a full disk: %d %v, want 503 (after %d writes that fit)", w.method, w.path, status, out, fits)
				}
				fits++
			}
		}
	}

	inside(`rm -f "` + dir + `/filler"`)
	deadline = time.Now().Add(10 * time.Second)
	for {
		status, out = pg.call("POST", "/webhook", `{"message":"收到转账4.56元(支付宝)"}`, map[string]string{"key": testAPIKey})
		if status == 200 || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if status != 200 || out["orderId"] != order["orderId"] {
		t.Fatalf("after freeing space, the webhook: %d %v, want the order paid", status, out)
	}
	pg.createOrder(`{"productName":"after","amount":5.67,"paymentMethod":"alipay"}`)
}
