package examples

// TestExamplesAgainstPaygate runs every merchant example the way a merchant
// does: the real paygate binary, each example's callback receiver under its
// real interpreter, orders created with the example's own client (Bearer and
// signed), payments posted to /webhook. It checks each receiver accepts
// paygate's genuine callbacks (paygate records them as sent, the receiver logs
// them verified and processed once) and refuses forgeries: a tampered amount,
// a callback re-pointed at another order, a replay, a stale timestamp, each
// forgery with a fresh nonce so a receiver that skipped a check would fail.
// Whole-number amounts (1 and 100) catch number-formatting bugs, and the
// receivers run in a time zone far from Shanghai to catch timestamps parsed
// as local time.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"paygate/app"
	"paygate/app/sign"
)

// apiKey has characters that break naive signing code.
const apiKey = "pg-key_&=+/%~!#?"

// farZone is where the receivers think they are: a local-time parse of
// Shanghai timestamps is off by hours there.
const farZone = "America/Los_Angeles"

var (
	buildOnce sync.Once
	buildDir  string
	buildErr  error
)

// binaries builds paygate and the Go example once per test run.
func binaries(t *testing.T) (paygate, goExample string) {
	t.Helper()
	buildOnce.Do(func() {
		buildDir, buildErr = os.MkdirTemp("", "paygate-examples-")
		if buildErr != nil {
			return
		}
		for _, b := range [][2]string{{"paygate", "."}, {"merchant-go", "./examples/go"}} {
			cmd := exec.Command("go", "build", "-o", filepath.Join(buildDir, b[0]), b[1])
			cmd.Dir = ".."
			cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
			if out, err := cmd.CombinedOutput(); err != nil {
				buildErr = fmt.Errorf("go build %s: %v\n%s", b[1], err, out)
				return
			}
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return filepath.Join(buildDir, "paygate"), filepath.Join(buildDir, "merchant-go")
}

func TestMain(m *testing.M) {
	code := m.Run()
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

// need returns the path of an interpreter, or skips (fails on CI, where .ci/run installs it).
func need(t *testing.T, name, why string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err == nil {
		return p
	}
	if os.Getenv("CI") != "" {
		t.Fatalf("%s is not installed, but CI must run the %s example (.ci/run installs it)", name, why)
	}
	t.Skipf("%s is not installed: skipping the %s example (.ci/run installs it on CI)", name, why)
	return ""
}

// installExpress makes sure the Node receiver's one dependency is there: a
// fresh clone has no examples/node/node_modules, so `go test ./...` runs
// `npm ci` (the versions pinned in package-lock.json) once, and fails saying
// how to do it by hand when it cannot.
func installExpress(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(filepath.Join("node", "node_modules", "express", "package.json")); err == nil {
		return
	}
	npm := need(t, "npm", "Node.js (npm installs express)")
	cmd := exec.Command(npm, "ci", "--no-audit", "--no-fund", "--loglevel=error")
	cmd.Dir = "node"
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("express is not installed and `npm ci` in examples/node failed (%v): run it by hand with access to the npm registry.\n%s", err, out)
	}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// logBuffer collects a process's output.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string { l.mu.Lock(); defer l.mu.Unlock(); return l.b.String() }

// process starts cmd and stops it when the test ends, showing its output on failure.
func process(t *testing.T, name string, cmd *exec.Cmd) *logBuffer {
	t.Helper()
	logs := &logBuffer{}
	cmd.Stdout, cmd.Stderr = logs, logs
	cmd.WaitDelay = 2 * time.Second
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", name, err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
		if t.Failed() {
			t.Logf("%s output:\n%s", name, logs.String())
		}
	})
	return logs
}

// waitHealthy polls url until it answers 200.
func waitHealthy(t *testing.T, url string, logs *logBuffer) {
	t.Helper()
	client := &http.Client{Timeout: 2 * time.Second}
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := client.Get(url); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s did not answer:\n%s", url, logs.String())
}

// gateway is a running paygate.
type gateway struct {
	t   *testing.T
	URL string
}

func startPaygate(t *testing.T, bin string) *gateway {
	t.Helper()
	addr := freeAddr(t)
	cmd := exec.Command(bin)
	cmd.Dir = t.TempDir() // no config.yaml is picked up
	cmd.Env = append(os.Environ(),
		"PAYGATE_SERVER_ADDR="+addr,
		"PAYGATE_DATA_DIR="+t.TempDir(),
		"PAYGATE_SERVER_OPEN_BROWSER=false",
		"PAYGATE_MERCHANT_API_KEY="+apiKey,
		"PAYGATE_CALLBACK_RETRY_SCHEDULE=0s 1s 1s 1s",
		"PAYGATE_CALLBACK_ALLOW_HOSTS=127.0.0.1") // the example merchants' notifyUrl is on this machine
	logs := process(t, "paygate", cmd)
	g := &gateway{t: t, URL: "http://" + addr}
	waitHealthy(t, g.URL+"/health", logs)
	return g
}

func (g *gateway) call(method, path, body string, header map[string]string) map[string]any {
	g.t.Helper()
	req, err := http.NewRequest(method, g.URL+path, strings.NewReader(body))
	if err != nil {
		g.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		g.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != 200 {
		g.t.Fatalf("%s %s: %d %v %v", method, path, resp.StatusCode, out, err)
	}
	return out
}

// pay posts the phone's notification for amount and returns the payment id.
func (g *gateway) pay(amount float64, orderID string) string {
	g.t.Helper()
	msg, _ := json.Marshal(map[string]string{"message": "收到转账" + strconv.FormatFloat(amount, 'f', -1, 64) + "元(支付宝)"})
	out := g.call("POST", "/webhook", string(msg), map[string]string{"key": apiKey})
	if out["orderId"] != orderID {
		g.t.Fatalf("webhook for %v paid %v, want order %s: %v", amount, out["orderId"], orderID, out)
	}
	return out["paymentId"].(string)
}

// waitDelivered waits until paygate records attempts callback attempts and
// the callback as sent.
func (g *gateway) waitDelivered(paymentID string, attempts int) {
	g.t.Helper()
	bearer := map[string]string{"Authorization": "Bearer " + apiKey}
	var detail map[string]any
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		detail = g.call("GET", "/api/payments/"+paymentID, "", bearer)
		list, _ := detail["callbackAttempts"].([]any)
		if detail["payment"].(map[string]any)["callbackStatus"] == "sent" && len(list) == attempts {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	g.t.Fatalf("payment %s: callback not sent after %d attempt(s): %v", paymentID, attempts, detail)
}

// recorder sits between paygate and a receiver and keeps what paygate sent.
type recorder struct {
	mu      sync.Mutex
	bodies  [][]byte
	answers []string
}

func (r *recorder) handler(target string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		resp, err := http.Post(target, req.Header.Get("Content-Type"), bytes.NewReader(body))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		answer, _ := io.ReadAll(resp.Body)
		r.mu.Lock()
		r.bodies = append(r.bodies, body)
		r.answers = append(r.answers, fmt.Sprintf("%d %s", resp.StatusCode, bytes.TrimSpace(answer)))
		r.mu.Unlock()
		w.WriteHeader(resp.StatusCode)
		w.Write(answer)
	})
}

func (r *recorder) last() ([]byte, string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.bodies) == 0 {
		return nil, ""
	}
	return r.bodies[len(r.bodies)-1], r.answers[len(r.answers)-1]
}

// receiver describes one example's callback receiver.
type receiver struct {
	name string
	// setup checks tools and returns the commands; it may skip the test.
	setup func(t *testing.T, goExample, paygate string) receiverCmds
	// count reports how often the log says what (verified, processed,
	// duplicate) about orderID.
	count func(log, what, orderID string) int
}

type receiverCmds struct {
	selftest    *exec.Cmd
	serve       func(addr string) *exec.Cmd
	createOrder func(args ...string) *exec.Cmd // flags: amount, auth, notify-url
	path        string
}

// exampleCount reads the examples' log lines, e.g. "processed orderId=ORD1 amount=1".
func exampleCount(log, what, orderID string) int {
	return len(regexp.MustCompile(`\b`+what+` orderId=`+regexp.QuoteMeta(orderID)+`(\s|$)`).FindAllString(log, -1))
}

// demoCount reads merchant-demo's blocks, one per callback.
func demoCount(log, what, orderID string) int {
	n := 0
	for _, block := range strings.Split(log, "──────────") {
		if !strings.Contains(block, "订单号    "+orderID+"\n") {
			continue
		}
		ok := strings.Contains(block, "✓ 通过")
		switch {
		case what == "verified" && ok,
			what == "processed" && ok && strings.Contains(block, "首次收到"),
			what == "duplicate" && ok && strings.Contains(block, "重复回调"):
			n++
		}
	}
	return n
}

func command(dir string, env []string, name string, args ...string) *exec.Cmd {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	return cmd
}

func receivers() []receiver {
	common := []string{"PAYGATE_API_KEY=" + apiKey, "TZ=" + farZone, "HOST=127.0.0.1"}
	withPort := func(addr string) []string {
		_, port, _ := net.SplitHostPort(addr)
		return append(append([]string(nil), common...), "PORT="+port)
	}
	return []receiver{
		{name: "go", count: exampleCount, setup: func(t *testing.T, goExample, _ string) receiverCmds {
			return receiverCmds{
				selftest: command("go", common, goExample, "--selftest", filepath.Join("..", "testdata", "signature-vectors.json")),
				serve:    func(addr string) *exec.Cmd { return command("go", withPort(addr), goExample) },
				createOrder: func(args ...string) *exec.Cmd {
					return command("go", common, goExample, append([]string{"create-order"}, args...)...)
				},
				path: "/payment-callback",
			}
		}},
		{name: "node", count: exampleCount, setup: func(t *testing.T, _, _ string) receiverCmds {
			node := need(t, "node", "Node.js")
			c := receiverCmds{
				selftest: command("node", common, node, "verify.js", "--selftest"),
				createOrder: func(args ...string) *exec.Cmd {
					return command("node", common, node, append([]string{"create-order.js"}, args...)...)
				},
				path: "/payment-callback",
			}
			installExpress(t)
			c.serve = func(addr string) *exec.Cmd { return command("node", withPort(addr), node, "verify.js") }
			return c
		}},
		{name: "php", count: exampleCount, setup: func(t *testing.T, _, _ string) receiverCmds {
			php := need(t, "php", "PHP")
			// PHP's own default zone is set far from Shanghai too.
			tz := "-d date.timezone=" + farZone
			state := append(append([]string(nil), common...), "PAYGATE_STATE_DIR="+t.TempDir())
			return receiverCmds{
				selftest: command("php", common, php, tz, "verify.php", "--selftest"),
				serve: func(addr string) *exec.Cmd {
					return command("php", state, php, tz, "-S", addr, "verify.php")
				},
				createOrder: func(args ...string) *exec.Cmd {
					return command("php", common, php, append([]string{tz, "create-order.php"}, args...)...)
				},
				path: "/payment-callback",
			}
		}},
		{name: "python", count: exampleCount, setup: func(t *testing.T, _, _ string) receiverCmds {
			py := need(t, "python3", "Python")
			env := append(append([]string(nil), common...), "PYTHONDONTWRITEBYTECODE=1", "PYTHONUNBUFFERED=1")
			return receiverCmds{
				selftest: command("python", env, py, "verify.py", "--selftest"),
				serve: func(addr string) *exec.Cmd {
					_, port, _ := net.SplitHostPort(addr)
					return command("python", append(env, "PORT="+port), py, "verify.py")
				},
				createOrder: func(args ...string) *exec.Cmd {
					return command("python", env, py, append([]string{"create_order.py"}, args...)...)
				},
				path: "/payment-callback",
			}
		}},
		{name: "paygate merchant-demo", count: demoCount, setup: func(t *testing.T, goExample, paygate string) receiverCmds {
			return receiverCmds{
				serve: func(addr string) *exec.Cmd {
					return command(".", []string{"TZ=" + farZone, "PAYGATE_MERCHANT_API_KEY=" + apiKey}, paygate, "merchant-demo", "--addr", addr)
				},
				// The demo has no client of its own: orders come from the Go example's.
				createOrder: func(args ...string) *exec.Cmd {
					return command("go", common, goExample, append([]string{"create-order"}, args...)...)
				},
				path: "/payment-callback",
			}
		}},
	}
}

// createOrder runs an example's order client and returns paygate's answer.
func createOrder(t *testing.T, c receiverCmds, pg *gateway, amount, auth, notifyURL string) (id string, payable float64) {
	t.Helper()
	cmd := c.createOrder("--amount="+amount, "--auth="+auth, "--notify-url="+notifyURL)
	cmd.Env = append(cmd.Env, "PAYGATE_URL="+pg.URL)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := runWithin(ctx, cmd); err != nil {
		t.Fatalf("%v: %v\n%s%s", cmd.Args, err, stdout.String(), stderr.String())
	}
	var out struct {
		Success       bool
		OrderID       string
		Amount        json.Number
		DisplayAmount json.Number
	}
	if err := json.Unmarshal(stdout.Bytes(), &out); err != nil || !out.Success || out.OrderID == "" {
		t.Fatalf("%v printed %q (%v)\n%s", cmd.Args, stdout.String(), err, stderr.String())
	}
	// paygate answers the whole amount exactly as asked: 1, not 1.0 or 1.00.
	if out.Amount.String() != amount || out.DisplayAmount.String() != amount {
		t.Fatalf("order for %s with %s auth: amount %s, displayAmount %s", amount, auth, out.Amount, out.DisplayAmount)
	}
	f, _ := out.Amount.Float64()
	return out.OrderID, f
}

func runWithin(ctx context.Context, cmd *exec.Cmd) error {
	if err := cmd.Start(); err != nil {
		return err
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		_ = cmd.Process.Kill()
		<-done
		return ctx.Err()
	}
}

// post sends body straight to a receiver and returns the status.
func post(t *testing.T, url string, body []byte) int {
	t.Helper()
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Post(url, "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// withNonce replaces a callback's nonce, keeping every other byte.
func withNonce(t *testing.T, body []byte, nonce string) []byte {
	t.Helper()
	re := regexp.MustCompile(`"nonce":"[^"]*"`)
	if !re.Match(body) {
		t.Fatalf("no nonce in %s", body)
	}
	return re.ReplaceAll(body, []byte(`"nonce":"`+nonce+`"`))
}

// resign returns a genuinely signed copy of a callback with some fields changed.
func resign(t *testing.T, body []byte, change map[string]string) []byte {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var obj map[string]any
	if err := dec.Decode(&obj); err != nil {
		t.Fatal(err)
	}
	for k, v := range change {
		obj[k] = v
	}
	fields := map[string]string{}
	for k, v := range obj {
		switch v := v.(type) {
		case string:
			fields[k] = v
		case json.Number:
			fields[k] = v.String()
		}
	}
	obj["signature"] = sign.HMAC(fields, apiKey)
	out, err := json.Marshal(obj)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestExamplesAgainstPaygate(t *testing.T) {
	paygate, goExample := binaries(t)
	for _, r := range receivers() {
		t.Run(r.name, func(t *testing.T) {
			c := r.setup(t, goExample, paygate)
			if c.selftest != nil {
				out, err := c.selftest.CombinedOutput()
				if err != nil || !strings.Contains(string(out), " 0 failed") {
					t.Fatalf("self-test %v: %v\n%s", c.selftest.Args, err, out)
				}
			}
			checkReceiver(t, r, c, paygate)
		})
	}
}

func checkReceiver(t *testing.T, r receiver, c receiverCmds, paygate string) {
	addr := freeAddr(t)
	logs := process(t, r.name, c.serve(addr))
	waitHealthy(t, "http://"+addr+"/health", logs)
	direct := "http://" + addr + c.path
	rec := &recorder{}
	proxy := httptest.NewServer(rec.handler(direct))
	t.Cleanup(proxy.Close)
	pg := startPaygate(t, paygate)

	// Two orders through the example's client: Bearer for 1, signature for 100.
	idA, amountA := createOrder(t, c, pg, "1", "bearer", proxy.URL+c.path)
	idB, amountB := createOrder(t, c, pg, "100", "sign", proxy.URL+c.path)

	// The genuine callback for A is accepted and processed once.
	payA := pg.pay(amountA, idA)
	pg.waitDelivered(payA, 1)
	genuine, answer := rec.last()
	var ack struct{ Success bool }
	if !strings.HasPrefix(answer, "200 ") || json.Unmarshal([]byte(answer[4:]), &ack) != nil || !ack.Success {
		t.Fatalf("receiver answered the genuine callback with %s", answer)
	}
	if !bytes.Contains(genuine, []byte(`"amount":1,`)) {
		t.Fatalf("paygate's callback does not carry amount 1: %s", genuine)
	}

	// Forgeries go straight to the receiver and are refused. Each carries a
	// nonce the receiver has not seen, so only the check it targets (the
	// signature, or the timestamp) can refuse it; the replay alone reuses one.
	now := time.Now().In(app.Shanghai)
	forgeries := []struct {
		name string
		body []byte
	}{
		{"amount changed to 100", withNonce(t, bytes.Replace(genuine, []byte(`"amount":1,`), []byte(`"amount":100,`), 1), "forged-nonce-1")},
		{"re-pointed at order B", withNonce(t, bytes.ReplaceAll(genuine, []byte(idA), []byte(idB)), "forged-nonce-2")},
		{"replayed as it was", genuine},
		{"signed but 10 minutes old", resign(t, genuine, map[string]string{
			"orderId": idB, "uid": idB, "nonce": "stale-nonce-1",
			"timestamp": now.Add(-10 * time.Minute).Format(app.TimeLayout)})},
		{"signed but 10 minutes ahead", resign(t, genuine, map[string]string{
			"orderId": idB, "uid": idB, "nonce": "future-nonce-1",
			"timestamp": now.Add(10 * time.Minute).Format(app.TimeLayout)})},
		{"signature missing", withNonce(t, bytes.Replace(genuine, []byte(`"signature":"`), []byte(`"sig":"`), 1), "forged-nonce-3")},
	}
	for _, f := range forgeries {
		if code := post(t, direct, f.body); code != http.StatusUnauthorized {
			t.Errorf("forgery %q: receiver answered %d, want 401", f.name, code)
		}
	}

	// B's genuine callback (amount 100) is then processed for the first time.
	payB := pg.pay(amountB, idB)
	pg.waitDelivered(payB, 1)
	if _, answer := rec.last(); !strings.HasPrefix(answer, "200 ") {
		t.Fatalf("receiver answered B's genuine callback with %s", answer)
	}

	// paygate sends A again (fresh timestamp and nonce): success, not re-processed.
	pg.call("POST", "/api/payments/"+payA+"/resend-callback", "", map[string]string{"Authorization": "Bearer " + apiKey})
	pg.waitDelivered(payA, 2)

	log := logs.String()
	for _, w := range []struct {
		what, order string
		want        int
	}{
		{"verified", idA, 2}, {"processed", idA, 1}, {"duplicate", idA, 1},
		{"verified", idB, 1}, {"processed", idB, 1}, {"duplicate", idB, 0},
	} {
		if got := r.count(log, w.what, w.order); got != w.want {
			t.Errorf("receiver log says %q about order %s %d times, want %d", w.what, w.order, got, w.want)
		}
	}
}
