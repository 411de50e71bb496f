package e2e

// These tests drive the real binary the way a merchant and a phone do: build
// it, start it on a temporary data directory, talk HTTP to it, receive its
// callbacks on a local server, and kill -9 it.

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

var binPath string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "paygate-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binPath = filepath.Join(dir, "paygate")
	build := exec.Command("go", "build", "-o", binPath, ".")
	build.Dir = ".." // the module root: package main
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building paygate: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// instance is a running paygate process.
type instance struct {
	t       *testing.T
	cmd     *exec.Cmd
	URL     string
	dataDir string
	env     []string
	logs    *syncBuffer
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

const testAPIKey = "test_key_123456"

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// startPaygate starts the binary on dataDir with extra environment settings.
func startPaygate(t *testing.T, dataDir string, env ...string) *instance {
	t.Helper()
	addr := freeAddr(t)
	in := &instance{t: t, URL: "http://" + addr, dataDir: dataDir, logs: &syncBuffer{}}
	in.env = append([]string{
		"PAYGATE_SERVER_ADDR=" + addr,
		"PAYGATE_DATA_DIR=" + dataDir,
		"PAYGATE_SERVER_OPEN_BROWSER=false",
	}, env...)
	in.start()
	t.Cleanup(func() {
		in.stop()
		if t.Failed() {
			t.Logf("paygate log:\n%s", in.logs.String())
		}
	})
	return in
}

func (in *instance) start() {
	in.t.Helper()
	cmd := exec.Command(binPath)
	cmd.Dir = in.t.TempDir() // not the repo: no config.yaml is picked up
	cmd.Env = append(os.Environ(), in.env...)
	cmd.Stdout, cmd.Stderr = in.logs, in.logs
	if err := cmd.Start(); err != nil {
		in.t.Fatal(err)
	}
	in.cmd = cmd
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(in.URL + "/health")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	in.t.Fatalf("paygate did not become healthy:\n%s", in.logs.String())
}

// kill9 kills the process without letting it clean up.
func (in *instance) kill9() {
	if in.cmd == nil {
		return
	}
	_ = in.cmd.Process.Signal(syscall.SIGKILL)
	_ = in.cmd.Wait()
	in.cmd = nil
}

func (in *instance) stop() {
	if in.cmd == nil {
		return
	}
	_ = in.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = in.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = in.cmd.Process.Kill()
		<-done
	}
	in.cmd = nil
}

// call sends a request and decodes the JSON answer.
func (in *instance) call(method, path, body string, header map[string]string) (int, map[string]any) {
	in.t.Helper()
	req, err := http.NewRequest(method, in.URL+path, strings.NewReader(body))
	if err != nil {
		in.t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range header {
		if k == "Content-Type" && v == "" {
			req.Header.Del(k) // as curl -d sends it: no JSON header
			continue
		}
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		in.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if err := json.Unmarshal(raw, &out); err != nil {
		in.t.Fatalf("%s %s: answer is not JSON (%d): %s", method, path, resp.StatusCode, raw)
	}
	return resp.StatusCode, out
}

var bearer = map[string]string{"Authorization": "Bearer " + testAPIKey}

func (in *instance) createOrder(body string) map[string]any {
	in.t.Helper()
	status, out := in.call("POST", "/api/orders", body, bearer)
	if status != 200 || out["success"] != true {
		in.t.Fatalf("create order %s: %d %v", body, status, out)
	}
	return out
}

func (in *instance) webhook(message string) map[string]any {
	in.t.Helper()
	body, _ := json.Marshal(map[string]string{"message": message})
	status, out := in.call("POST", "/webhook", string(body), map[string]string{"key": testAPIKey})
	if status != 200 {
		in.t.Fatalf("webhook %q: %d %v", message, status, out)
	}
	return out
}

// merchant is a local callback receiver. respond decides each answer by the
// 1-based number of the call.
type merchant struct {
	srv     *httptest.Server
	mu      sync.Mutex
	bodies  [][]byte
	respond func(n int) (int, string)
}

func newMerchant(t *testing.T, addr string, respond func(n int) (int, string)) *merchant {
	t.Helper()
	m := &merchant{respond: respond}
	if m.respond == nil {
		m.respond = func(int) (int, string) { return 200, `{"success":true,"message":"处理成功"}` }
	}
	m.srv = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		m.mu.Lock()
		m.bodies = append(m.bodies, body)
		n := len(m.bodies)
		m.mu.Unlock()
		status, answer := m.respond(n)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		io.WriteString(w, answer)
	}))
	if addr != "" {
		l, err := net.Listen("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		m.srv.Listener = l
	}
	m.srv.Start()
	t.Cleanup(m.srv.Close)
	return m
}

func (m *merchant) calls() [][]byte {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([][]byte(nil), m.bodies...)
}

// waitCalls waits until the merchant has received n calls.
func (m *merchant) waitCalls(t *testing.T, n int, within time.Duration) [][]byte {
	t.Helper()
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		if c := m.calls(); len(c) >= n {
			return c
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("merchant got %d calls, want %d", len(m.calls()), n)
	return nil
}

// expectExactly checks that the merchant got exactly n calls and that no
// further one arrives within window. Tests that use it set a retry schedule
// whose next attempt falls inside window, so a second delivery (an attempt
// not recorded as acknowledged) would be seen.
func (m *merchant) expectExactly(t *testing.T, n int, window time.Duration) [][]byte {
	t.Helper()
	m.waitCalls(t, n, 15*time.Second)
	deadline := time.Now().Add(window)
	for time.Now().Before(deadline) {
		if c := m.calls(); len(c) > n {
			t.Fatalf("merchant got %d calls, want exactly %d", len(c), n)
		}
		time.Sleep(50 * time.Millisecond)
	}
	return m.calls()
}

// skipOrFailOnCI skips a test that needs a missing tool; on CI (CI set),
// where .ci/run installs every tool, it fails instead.
func skipOrFailOnCI(t *testing.T, why string) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatal(why + " — and CI is set, where .ci/run must have installed it")
	}
	t.Skip(why)
}

// verifyWithGuidePython checks a callback body with the guide's Python verifier.
func verifyWithGuidePython(t *testing.T, body []byte, key string) bool {
	t.Helper()
	py, err := exec.LookPath("python3")
	if err != nil {
		skipOrFailOnCI(t, "python3 is not installed (.ci/run installs it)")
	}
	f := filepath.Join(t.TempDir(), "callback.json")
	if err := os.WriteFile(f, body, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(py, "testdata/guide_verify.py", key, f).CombinedOutput()
	if err != nil {
		t.Logf("python verifier: %s", out)
		return false
	}
	return strings.TrimSpace(string(out)) == "ok"
}

func TestGuideFlowAgainstBinary(t *testing.T) {
	m := newMerchant(t, "", nil)
	pg := startPaygate(t, t.TempDir(),
		"PAYGATE_MERCHANT_API_KEY="+testAPIKey,
		"PAYGATE_MERCHANT_CALLBACK_URL="+m.srv.URL+"/payment-callback",
		// A second attempt would come 1 s after the first: the check for
		// exactly one callback below waits long enough to see it.
		"PAYGATE_CALLBACK_RETRY_SCHEDULE=0s 1s 1s")

	// Without the key: 401.
	status, out := pg.call("POST", "/api/orders", `{"productName":"测试商品","amount":0.01,"paymentMethod":"alipay"}`, nil)
	if status != 401 || out["success"] != false || out["code"] != "unauthorized" {
		t.Fatalf("order without key: %d %v", status, out)
	}

	// 3.1 create, 3.2 notify, 3.3 query.
	order := pg.createOrder(`{"productName":"测试商品","amount":0.01,"paymentMethod":"alipay"}`)
	orderID := order["orderId"].(string)
	if !strings.HasPrefix(orderID, "ORD") || len(orderID) < 20 || order["amount"] != 0.01 || order["displayAmount"] != 0.01 {
		t.Fatalf("created order: %v", order)
	}
	if order["message"] != "订单创建成功！" || order["expiresAt"] == "" {
		t.Fatalf("created order: %v", order)
	}
	hook := pg.webhook("收到转账0.01元(支付宝)")
	if hook["kind"] != "payment" || hook["orderId"] != orderID || hook["amount"] != 0.01 || hook["paymentMethod"] != "alipay" {
		t.Fatalf("webhook answer: %v", hook)
	}
	status, st := pg.call("GET", "/api/order-status?orderId="+orderID, "", nil)
	if status != 200 || st["status"] != "success" || st["paymentId"] != hook["paymentId"] || st["paidAt"] == "" {
		t.Fatalf("order-status: %d %v", status, st)
	}

	// 4. exactly one callback, verified by the guide's Python code.
	calls := m.expectExactly(t, 1, 3*time.Second)
	var cb map[string]any
	if err := json.Unmarshal(calls[0], &cb); err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]any{"orderId": orderID, "amount": 0.01, "uid": orderID, "paymentMethod": "alipay", "status": "success", "displayAmount": 0.01} {
		if cb[k] != want {
			t.Errorf("callback %s = %v, want %v", k, cb[k], want)
		}
	}
	if _, ok := cb["customerType"]; !ok || cb["customerType"] != nil {
		t.Errorf("callback customerType = %v, want null", cb["customerType"])
	}
	if !verifyWithGuidePython(t, calls[0], testAPIKey) {
		t.Fatalf("the guide's Python verifier rejected the callback %s", calls[0])
	}
	tampered := bytes.Replace(calls[0], []byte(`"amount":0.01`), []byte(`"amount":100`), 1)
	if verifyWithGuidePython(t, tampered, testAPIKey) {
		t.Fatal("the verifier accepted a tampered callback")
	}

	// The payment list shows the delivered callback.
	status, list := pg.call("GET", "/api/payments?page=1&limit=10", "", bearer)
	data, _ := list["data"].([]any)
	if status != 200 || list["total"] != 1.0 || len(data) != 1 {
		t.Fatalf("payments: %d %v", status, list)
	}
	if p := data[0].(map[string]any); p["callbackStatus"] != "sent" || p["uid"] != orderID || p["status"] != "success" {
		t.Fatalf("payment: %v", p)
	}
}

func TestFiftyConcurrentOrdersGetDistinctAmounts(t *testing.T) {
	pg := startPaygate(t, t.TempDir(), "PAYGATE_MERCHANT_API_KEY="+testAPIKey)
	var wg sync.WaitGroup
	amounts := make([]float64, 50)
	for i := range amounts {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			out := pg.createOrder(`{"productName":"同价商品","amount":10,"paymentMethod":"wechat"}`)
			amounts[i] = out["amount"].(float64)
		}(i)
	}
	wg.Wait()
	seen := map[float64]bool{}
	for _, a := range amounts {
		if seen[a] {
			t.Fatalf("payable amount %v given twice: %v", a, amounts)
		}
		if a < 9.5 || a > 10.5 {
			t.Fatalf("payable amount %v is further than 0.50 from 10", a)
		}
		seen[a] = true
	}
}

func TestCallbackRetriesUntilAcknowledged(t *testing.T) {
	m := newMerchant(t, "", func(n int) (int, string) {
		if n <= 3 {
			return 500, `{"success":false,"error":"db down"}`
		}
		return 200, `{"success":true}`
	})
	pg := startPaygate(t, t.TempDir(),
		"PAYGATE_MERCHANT_API_KEY="+testAPIKey,
		"PAYGATE_MERCHANT_CALLBACK_URL="+m.srv.URL,
		// Two attempts more than needed: a fifth would come 1 s after the
		// acknowledged fourth if the acknowledgement were lost.
		"PAYGATE_CALLBACK_RETRY_SCHEDULE=1s 1s 1s 1s 1s 1s")
	order := pg.createOrder(`{"productName":"重试","amount":2.5,"paymentMethod":"wechat"}`)
	hook := pg.webhook(fmt.Sprintf("微信支付收款%v元", order["amount"]))
	if hook["orderId"] != order["orderId"] {
		t.Fatalf("webhook: %v", hook)
	}
	calls := m.expectExactly(t, 4, 3*time.Second)
	// Each attempt is signed afresh: new nonce and timestamp, still valid.
	nonces := map[any]bool{}
	for _, c := range calls {
		var body map[string]any
		json.Unmarshal(c, &body)
		nonces[body["nonce"]] = true
		if !verifyWithGuidePython(t, c, testAPIKey) {
			t.Fatalf("attempt rejected by the verifier: %s", c)
		}
	}
	if len(nonces) != 4 {
		t.Fatalf("nonces reused across attempts: %v", nonces)
	}
	_, detail := pg.call("GET", "/api/payments/"+hook["paymentId"].(string), "", bearer)
	attempts, _ := detail["callbackAttempts"].([]any)
	if detail["payment"].(map[string]any)["callbackStatus"] != "sent" || len(attempts) != 4 {
		t.Fatalf("payment detail: %v", detail)
	}
}

func TestCallbackGivesUpAfterSchedule(t *testing.T) {
	m := newMerchant(t, "", func(int) (int, string) { return 200, `{"success":false}` })
	pg := startPaygate(t, t.TempDir(),
		"PAYGATE_MERCHANT_API_KEY="+testAPIKey,
		"PAYGATE_MERCHANT_CALLBACK_URL="+m.srv.URL,
		"PAYGATE_CALLBACK_RETRY_SCHEDULE=0s 1s")
	pg.createOrder(`{"productName":"x","amount":3,"paymentMethod":"alipay"}`)
	hook := pg.webhook("你已成功收款3.00元")
	m.waitCalls(t, 2, 10*time.Second)
	deadline := time.Now().Add(5 * time.Second)
	for {
		_, detail := pg.call("GET", "/api/payments/"+hook["paymentId"].(string), "", bearer)
		if detail["payment"].(map[string]any)["callbackStatus"] == "failed" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("callback status never became failed: %v", detail)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func TestCallbackSurvivesKill9(t *testing.T) {
	merchantAddr := freeAddr(t) // nothing listens yet: the merchant is down
	dataDir := t.TempDir()
	pg := startPaygate(t, dataDir,
		"PAYGATE_MERCHANT_API_KEY="+testAPIKey,
		"PAYGATE_MERCHANT_CALLBACK_URL=http://"+merchantAddr+"/cb",
		"PAYGATE_CALLBACK_RETRY_SCHEDULE=0s 2s 2s 2s 2s 2s 2s 2s 2s 2s")
	order := pg.createOrder(`{"productName":"断电","amount":8.88,"paymentMethod":"alipay"}`)
	hook := pg.webhook("你已成功收款8.88元")
	if hook["orderId"] != order["orderId"] {
		t.Fatalf("webhook: %v", hook)
	}
	// Wait for at least one failed attempt, then kill -9.
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, detail := pg.call("GET", "/api/payments/"+hook["paymentId"].(string), "", bearer)
		if a, _ := detail["callbackAttempts"].([]any); len(a) >= 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no callback attempt was made")
		}
		time.Sleep(50 * time.Millisecond)
	}
	pg.kill9()

	m := newMerchant(t, merchantAddr, nil)
	pg.start()
	// The schedule's next attempt would come 2 s later: 4 s sees it.
	calls := m.expectExactly(t, 1, 4*time.Second)
	if !verifyWithGuidePython(t, calls[0], testAPIKey) {
		t.Fatal("callback after restart rejected")
	}
	_, st := pg.call("GET", "/api/order-status?orderId="+order["orderId"].(string), "", nil)
	if st["status"] != "success" {
		t.Fatalf("order after restart: %v", st)
	}
}

func TestBadInputsGetClearClientErrors(t *testing.T) {
	pg := startPaygate(t, t.TempDir(), "PAYGATE_MERCHANT_API_KEY="+testAPIKey)
	tests := []struct {
		name      string
		body      string
		header    map[string]string
		wantCode  int
		wantField string
		wantWords []string // all must appear in the (Chinese) message
	}{
		{"amount 0", `{"productName":"a","amount":0,"paymentMethod":"alipay"}`, bearer, 400, "amount", []string{"amount", "0.01"}},
		{"amount 0.001", `{"productName":"a","amount":0.001,"paymentMethod":"alipay"}`, bearer, 400, "amount", []string{"两位小数"}},
		{"amount -1", `{"productName":"a","amount":-1,"paymentMethod":"alipay"}`, bearer, 400, "amount", []string{"负数"}},
		{"amount 10000.01", `{"productName":"a","amount":10000.01,"paymentMethod":"alipay"}`, bearer, 400, "amount", []string{"10000"}},
		{"amount abc", `{"productName":"a","amount":"abc","paymentMethod":"alipay"}`, bearer, 400, "amount", []string{"abc"}},
		{"amount 1e400", `{"productName":"a","amount":1e400,"paymentMethod":"alipay"}`, bearer, 400, "amount", []string{"amount"}},
		{"amount missing", `{"productName":"a","paymentMethod":"alipay"}`, bearer, 400, "amount", []string{"缺少"}},
		{"product missing", `{"amount":1,"paymentMethod":"alipay"}`, bearer, 400, "productName", []string{"productName"}},
		{"unknown method", `{"productName":"a","amount":1,"paymentMethod":"paypal"}`, bearer, 400, "paymentMethod", []string{"paypal"}},
		{"51-character name", `{"productName":"` + strings.Repeat("商", 51) + `","amount":1,"paymentMethod":"alipay"}`, bearer, 400, "productName", []string{"50"}},
		{"wrong key", `{"productName":"a","amount":1,"paymentMethod":"alipay"}`, map[string]string{"Authorization": "Bearer nope-nope"}, 401, "", []string{"API 密钥"}},
		{"malformed JSON", `{"productName":"a","amount":1,`, bearer, 400, "body", []string{"JSON"}},
		{"JSON array", `[1,2]`, bearer, 400, "body", []string{"JSON"}},
		{"object as amount", `{"productName":"a","amount":{"v":1},"paymentMethod":"alipay"}`, bearer, 400, "amount", []string{"amount"}},
		{"JSON without a content type (curl -d)", `{"productName":"a","amount":0.001,"paymentMethod":"alipay"}`, map[string]string{"Authorization": "Bearer " + testAPIKey, "Content-Type": "application/x-www-form-urlencoded"}, 400, "amount", []string{"两位小数"}},
		{"bad notifyUrl", `{"productName":"a","amount":1,"paymentMethod":"alipay","notifyUrl":"ftp://x"}`, bearer, 400, "notifyUrl", []string{"http"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, out := pg.call("POST", "/api/orders", tt.body, tt.header)
			if status != tt.wantCode || out["success"] != false {
				t.Fatalf("status %d %v, want %d", status, out, tt.wantCode)
			}
			if f, _ := out["field"].(string); f != tt.wantField {
				t.Errorf("field = %q, want %q", f, tt.wantField)
			}
			msg, _ := out["error"].(string)
			for _, w := range tt.wantWords {
				if !strings.Contains(msg, w) {
					t.Errorf("message %q does not mention %q", msg, w)
				}
			}
		})
	}

	// Other endpoints and English messages.
	others := []struct {
		method, path, body string
		header             map[string]string
		wantCode           int
	}{
		{"GET", "/api/order-status", "", nil, 400},
		{"GET", "/api/order-status?orderId=ORD000", "", nil, 404},
		{"GET", "/api/payments?limit=101", "", bearer, 400},
		{"GET", "/api/payments?page=0", "", bearer, 400},
		{"GET", "/api/payments", "", nil, 401},
		{"POST", "/webhook", `{"message":"收到转账0.01元(支付宝)"}`, nil, 401},
		{"POST", "/webhook", `{"message":"收到转账0.01元(支付宝)"}`, map[string]string{"key": "wrong"}, 401},
		{"POST", "/webhook", `{"message":`, map[string]string{"key": testAPIKey}, 400},
		{"POST", "/webhook", `{}`, map[string]string{"key": testAPIKey}, 400},
		{"POST", "/api/config", `{"apiKey":"short"}`, bearer, 400},
		{"POST", "/api/config", `{}`, bearer, 400},
		{"GET", "/api/nothing", "", nil, 404},
		{"DELETE", "/api/orders", "", bearer, 400},
		{"POST", "/api/orders", `{"productName":"` + strings.Repeat("x", 70000) + `"}`, bearer, 413},
	}
	for _, o := range others {
		status, out := pg.call(o.method, o.path+sep(o.path)+"lang=en", o.body, o.header)
		msg, _ := out["error"].(string)
		if status != o.wantCode || msg == "" || out["code"] == "" {
			t.Errorf("%s %s: %d %v, want %d with a message", o.method, o.path, status, out, o.wantCode)
		}
		// English first; a Chinese example notification text may follow.
		if head := []rune(msg); len(head) < 12 || strings.ContainsFunc(string(head[:12]), func(r rune) bool { return r > 0x2E80 }) {
			t.Errorf("%s %s: message is not in English: %q", o.method, o.path, msg)
		}
	}
}

func sep(path string) string {
	if strings.Contains(path, "?") {
		return "&"
	}
	return "?"
}

// signFields computes a signed request's signature as DESIGN (Merchant API)
// states it: METHOD, newline, PATH, newline, the guide's canonical string.
func signFields(method, path string, fields map[string]string, key string) string {
	return hmacHex(key, method+"\n"+path+"\n"+guideCanonical(fields, key))
}

// guideCanonical is the guide's string: fields but signature, api_key added,
// sorted, k=v joined with &.
func guideCanonical(fields map[string]string, key string) string {
	keys := make([]string, 0, len(fields)+1)
	for k := range fields {
		if k != "signature" {
			keys = append(keys, k)
		}
	}
	keys = append(keys, "api_key")
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		v := fields[k]
		if k == "api_key" {
			v = key
		}
		parts[i] = k + "=" + v
	}
	return strings.Join(parts, "&")
}

func hmacHex(key, text string) string {
	m := hmac.New(sha256.New, []byte(key))
	m.Write([]byte(text))
	return hex.EncodeToString(m.Sum(nil))
}

func TestSignedRequestsAndManualConfirm(t *testing.T) {
	m := newMerchant(t, "", nil)
	pg := startPaygate(t, t.TempDir()) // no key yet: configure it like the guide, from this machine

	status, out := pg.call("POST", "/api/orders", `{"productName":"a","amount":1,"paymentMethod":"alipay"}`, nil)
	if status != 401 || !strings.Contains(out["error"].(string), "PAYGATE_MERCHANT_API_KEY") {
		t.Fatalf("order before any key: %d %v", status, out)
	}
	status, out = pg.call("POST", "/api/config", `{"apiKey":"`+testAPIKey+`","callbackUrl":"`+m.srv.URL+`/cb","name":"小店"}`, nil)
	if status != 200 || out["success"] != true {
		t.Fatalf("first config from localhost: %d %v", status, out)
	}
	// Once a key exists, config needs it.
	if status, _ := pg.call("POST", "/api/config", `{"name":"x"}`, nil); status != 401 {
		t.Fatalf("config without key after setup: %d", status)
	}

	// The guide's signature scheme instead of a bearer key.
	fields := map[string]string{
		"productName": "签名商品", "amount": "100", "paymentMethod": "wechat",
		"timestamp": time.Now().In(time.FixedZone("CST", 8*3600)).Format("2006-01-02 15:04:05"), "nonce": "n-" + strconv.FormatInt(time.Now().UnixNano(), 36),
	}
	fields["signature"] = signFields("POST", "/api/orders", fields, testAPIKey)
	body := fmt.Sprintf(`{"productName":%q,"amount":100,"paymentMethod":"wechat","timestamp":%q,"nonce":%q,"signature":%q}`,
		fields["productName"], fields["timestamp"], fields["nonce"], fields["signature"])
	status, order := pg.call("POST", "/api/orders", body, nil)
	if status != 200 || order["amount"] != 100.0 {
		t.Fatalf("signed order: %d %v", status, order)
	}
	// The same nonce again is a replay.
	if status, out := pg.call("POST", "/api/orders", body, nil); status != 401 || out["field"] != "nonce" {
		t.Fatalf("replayed signed request: %d %v", status, out)
	}
	tampered := strings.Replace(body, `"amount":100`, `"amount":1`, 1)
	if status, out := pg.call("POST", "/api/orders", tampered, nil); status != 401 || out["field"] != "signature" {
		t.Fatalf("tampered signed request: %d %v", status, out)
	}

	// A payment with no method and two candidate orders waits for a person.
	other := pg.createOrder(`{"productName":"b","amount":100,"paymentMethod":"alipay"}`)
	hook := pg.webhook("收到100.00元")
	if hook["kind"] != "payment" || hook["matched"] != false || hook["confidence"] != "low" {
		t.Fatalf("ambiguous payment: %v", hook)
	}
	_, unmatched := pg.call("GET", "/api/payments?status=unmatched", "", bearer)
	if unmatched["total"] != 1.0 {
		t.Fatalf("unmatched: %v", unmatched)
	}
	status, out = pg.call("POST", "/api/payments/"+hook["paymentId"].(string)+"/confirm", `{"orderId":"`+other["orderId"].(string)+`"}`, bearer)
	if status != 200 || out["payment"].(map[string]any)["matchedBy"] != "api" {
		t.Fatalf("confirm: %d %v", status, out)
	}
	calls := m.waitCalls(t, 1, 5*time.Second)
	var cb map[string]any
	json.Unmarshal(calls[0], &cb)
	if cb["orderId"] != other["orderId"] || cb["amount"] != 100.0 || cb["paymentMethod"] != "alipay" {
		t.Fatalf("callback after manual confirm: %v", cb)
	}
	if !verifyWithGuidePython(t, calls[0], testAPIKey) {
		t.Fatal("callback after manual confirm rejected")
	}
	// Confirming again is a conflict, not a second payment.
	if status, _ := pg.call("POST", "/api/payments/"+hook["paymentId"].(string)+"/confirm", `{"orderId":"`+order["orderId"].(string)+`"}`, bearer); status != 409 {
		t.Fatalf("second confirm: %d", status)
	}
}
