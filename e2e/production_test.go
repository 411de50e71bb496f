package e2e

// Production without nginx, certbot or PM2 (issue #19), against the real
// binary: /metrics and the owner's detailed /health, log files rotated and
// free of secrets, `paygate service run`, and automatic HTTPS telling the
// owner what to check.

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

const testMetricsToken = "metrics-token-for-the-test-0123"

// scrape reads /metrics with the token and returns its samples by series,
// e.g. `paygate_orders_paid_total{by="auto",method="alipay"}` → 1.
func scrape(t *testing.T, in *instance) (map[string]float64, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", in.URL+"/metrics", nil)
	req.Header.Set("Authorization", "Bearer "+testMetricsToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
		t.Fatalf("/metrics: %d %s\n%s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("/metrics is not valid Prometheus text: %v\n%s", err, body)
	}
	out := map[string]float64{}
	for name, f := range families {
		for _, m := range f.Metric {
			var labels []string
			for _, l := range m.Label {
				labels = append(labels, fmt.Sprintf("%s=%q", l.GetName(), l.GetValue()))
			}
			key := name
			if len(labels) > 0 {
				key += "{" + strings.Join(labels, ",") + "}"
			}
			switch {
			case m.Counter != nil:
				out[key] = m.Counter.GetValue()
			case m.Gauge != nil:
				out[key] = m.Gauge.GetValue()
			case m.Histogram != nil:
				out[key+"_count"] = float64(m.Histogram.GetSampleCount())
			}
		}
	}
	return out, string(body)
}

// paygateLines are the exposition's paygate_ lines without histogram buckets.
func paygateLines(body string) string {
	var keep []string
	for _, l := range strings.Split(body, "\n") {
		if strings.HasPrefix(l, "paygate_") && !strings.Contains(l, "_bucket{") {
			keep = append(keep, l)
		}
	}
	return strings.Join(keep, "\n")
}

// Must show: a scrape of /metrics after a paid order, the counters moving.
func TestMetricsCountAPaidOrder(t *testing.T) {
	m := newMerchant(t, "", nil)
	pg := startPaygate(t, t.TempDir(), "PAYGATE_MERCHANT_API_KEY="+testAPIKey, "PAYGATE_MERCHANT_CALLBACK_URL="+m.srv.URL,
		"PAYGATE_METRICS_TOKEN="+testMetricsToken)

	for _, tt := range []struct {
		name, auth string
		want       int
	}{
		{"no token", "", 401},
		{"wrong token", "Bearer " + strings.Repeat("x", len(testMetricsToken)), 401},
		{"the API key is not the metrics token", "Bearer " + testAPIKey, 401},
	} {
		status, out := pg.call("GET", "/metrics", "", map[string]string{"Authorization": tt.auth})
		if status != tt.want || !strings.Contains(out["error"].(string), "metrics.token") {
			t.Errorf("%s: %d %v", tt.name, status, out)
		}
	}

	before, _ := scrape(t, pg)
	order := pg.createOrder(`{"productName":"测试商品","amount":0.01,"paymentMethod":"alipay"}`)
	afterCreate, _ := scrape(t, pg)
	res := pg.webhook("收到转账0.01元(支付宝)")
	if res["orderId"] != order["orderId"] {
		t.Fatalf("webhook: %v", res)
	}
	m.waitCalls(t, 1, 5*time.Second)
	var after map[string]float64
	var body string
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if after, body = scrape(t, pg); after[`paygate_callback_attempts_total{result="acked"}`] == 1 {
			break
		}
	}
	t.Logf("/metrics after one paid order:\n%s", paygateLines(body))

	moved := []struct {
		series       string
		before, want float64
	}{
		{`paygate_orders_created_total{method="alipay"}`, 0, 1},
		{`paygate_orders_paid_total{by="auto",method="alipay"}`, 0, 1},
		{`paygate_payments_total{confidence="high",method="alipay",status="success"}`, 0, 1},
		{`paygate_notifications_total{outcome="payment"}`, 0, 1},
		{`paygate_callback_attempts_total{result="acked"}`, 0, 1},
		{`paygate_callback_attempt_duration_seconds_count`, 0, 1},
		{`paygate_devices_online`, 0, 1},
		{`paygate_db_writable`, 1, 1},
	}
	for _, s := range moved {
		if before[s.series] != s.before || after[s.series] != s.want {
			t.Errorf("%s: %v before, %v after; want %v → %v", s.series, before[s.series], after[s.series], s.before, s.want)
		}
	}
	if afterCreate[`paygate_orders_pending`] != 1 || after[`paygate_orders_pending`] != 0 {
		t.Errorf("orders_pending: %v after creating, %v after paying", afterCreate[`paygate_orders_pending`], after[`paygate_orders_pending`])
	}
	if after[`paygate_store_write_batch_jobs_count`] <= before[`paygate_store_write_batch_jobs_count`] ||
		after[`paygate_store_commit_duration_seconds_count`] <= before[`paygate_store_commit_duration_seconds_count`] {
		t.Error("the writer's batch size and commit time did not move")
	}
	if after[`paygate_db_size_bytes`] <= 0 || after[`paygate_callback_queue_pending`] != 0 {
		t.Errorf("db size %v, callbacks queued %v", after[`paygate_db_size_bytes`], after[`paygate_callback_queue_pending`])
	}
	if _, ok := after[`go_goroutines`]; !ok {
		t.Error("the Go runtime's series are missing")
	}
	if strings.Contains(body, testAPIKey) {
		t.Error("the API key appears in /metrics")
	}
}

func TestMetricsAllowListAndOff(t *testing.T) {
	off := startPaygate(t, t.TempDir(), "PAYGATE_MERCHANT_API_KEY="+testAPIKey)
	status, out := off.call("GET", "/metrics", "", nil)
	if status != 403 || !strings.Contains(out["error"].(string), "metrics.allow") {
		t.Fatalf("metrics not set up: %d %v", status, out)
	}
	allowed := startPaygate(t, t.TempDir(), "PAYGATE_MERCHANT_API_KEY="+testAPIKey, "PAYGATE_METRICS_ALLOW=127.0.0.1")
	resp, err := http.Get(allowed.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("an allowed address got %d", resp.StatusCode)
	}
	other := startPaygate(t, t.TempDir(), "PAYGATE_MERCHANT_API_KEY="+testAPIKey, "PAYGATE_METRICS_ALLOW=10.0.0.0/8")
	if status, _ := other.call("GET", "/metrics", "", nil); status != 401 {
		t.Fatalf("an address outside metrics.allow got %d", status)
	}
}

// The public /health says only that paygate runs; the owner — metrics token
// or console session — sees the database, queues, phones, backups.
func TestHealthDetailOnlyForTheOwner(t *testing.T) {
	pg := startPaygate(t, t.TempDir(), "PAYGATE_MERCHANT_API_KEY="+testAPIKey, "PAYGATE_METRICS_TOKEN="+testMetricsToken)
	status, public := pg.call("GET", "/health", "", nil)
	if status != 200 || len(public) != 4 || public["status"] != "ok" {
		t.Fatalf("public health: %d %v", status, public)
	}
	if status, out := pg.call("GET", "/health?detail=1", "", nil); status != 401 || out["db"] != nil {
		t.Fatalf("detail for a stranger: %d %v", status, out)
	}
	pg.createOrder(`{"productName":"x","amount":2,"paymentMethod":"wechat"}`)
	status, detail := pg.call("GET", "/health?detail=1", "", map[string]string{"Authorization": "Bearer " + testMetricsToken})
	if status != 200 || detail["status"] != "ok" {
		t.Fatalf("detail with the token: %d %v", status, detail)
	}
	db := detail["db"].(map[string]any)
	if db["writable"] != true || db["bytes"].(float64) <= 0 || detail["orders"].(map[string]any)["pending"] != 1.0 ||
		detail["callbacks"].(map[string]any)["due"] != 0.0 || detail["devices"] == nil || detail["replication"] != nil {
		t.Fatalf("detail: %v", detail)
	}
	o := newOwner(t, pg)
	resp, err := o.cl.Get(pg.URL + "/admin/health")
	if err != nil {
		t.Fatal(err)
	}
	var viaSession map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&viaSession)
	resp.Body.Close()
	if resp.StatusCode != 200 || viaSession["db"] == nil {
		t.Fatalf("detail with a console session: %d %v", resp.StatusCode, viaSession)
	}
	stranger, err := browserClient().Get(pg.URL + "/admin/health")
	if err != nil {
		t.Fatal(err)
	}
	stranger.Body.Close()
	if stranger.StatusCode != http.StatusSeeOther || !strings.HasPrefix(stranger.Header.Get("Location"), "/admin/login") {
		t.Fatalf("/admin/health without a session: %d %q, want the login page", stranger.StatusCode, stranger.Header.Get("Location"))
	}
}

// readLogs returns the log directory's files, gzipped ones unpacked, and how many were rotated.
func readLogs(t *testing.T, dir string) (all string, rotated int) {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	var b strings.Builder
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasSuffix(f, ".gz") {
			rotated++
			zr, err := gzip.NewReader(bytes.NewReader(data))
			if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			if data, err = io.ReadAll(zr); err != nil {
				t.Fatalf("%s: %v", f, err)
			}
		}
		b.Write(data)
	}
	return b.String(), rotated
}

// TestNoSecretsInLogs's rule, for the log file: at debug level, in JSON,
// rotated and gzipped, it never holds the API key, a device key, the
// metrics token or the one-time setup token.
func TestLogFileRotatesAndKeepsNoSecrets(t *testing.T) {
	m := newMerchant(t, "", nil)
	const secret = "s3cret-api-key-that-must-not-leak"
	logDir := filepath.Join(t.TempDir(), "logs")
	pg := startPaygate(t, t.TempDir(), "PAYGATE_MERCHANT_API_KEY="+secret, "PAYGATE_MERCHANT_CALLBACK_URL="+m.srv.URL,
		"PAYGATE_LOG_FILE="+filepath.Join(logDir, "paygate.log"), "PAYGATE_LOG_LEVEL=debug", "PAYGATE_LOG_FORMAT=json",
		"PAYGATE_LOG_MAX_SIZE=1MB", "PAYGATE_SERVER_RATE_LIMIT=0", "PAYGATE_METRICS_TOKEN="+testMetricsToken)
	var setupToken []string
	for deadline := time.Now().Add(5 * time.Second); setupToken == nil && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		setupToken = setupTokenLine.FindStringSubmatch(pg.logs.String())
	}
	if setupToken == nil {
		t.Fatalf("no setup token in the banner:\n%s", pg.logs.String())
	}
	auth := map[string]string{"Authorization": "Bearer " + secret}
	status, dev := pg.call("POST", "/api/devices", `{"name":"手机"}`, auth)
	if status != 200 {
		t.Fatal(dev)
	}
	deviceKey := dev["device"].(map[string]any)["key"].(string)
	pg.call("POST", "/api/orders", `{"productName":"x","amount":1,"paymentMethod":"alipay"}`, auth)
	pg.call("POST", "/webhook", `{"message":"收到转账1元(支付宝)"}`, map[string]string{"key": deviceKey})
	pg.call("POST", "/webhook", `{"message":"收到转账1元(支付宝)"}`, map[string]string{"key": "wrong-" + secret})
	pg.call("GET", "/webhook?key="+secret+"&message=hi", "", nil)
	pg.call("GET", "/health?detail=1", "", map[string]string{"Authorization": "Bearer " + testMetricsToken})
	m.waitCalls(t, 1, 5*time.Second)

	// Over 1 MB of debug request lines: the file rotates at least once.
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 1100 {
				resp, err := http.Get(fmt.Sprintf("%s/health?key=%s&n=%d-%d", pg.URL, secret, w, i))
				if err != nil {
					t.Error(err)
					return
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		}()
	}
	wg.Wait()
	var logs string
	var rotated int
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if logs, rotated = readLogs(t, logDir); rotated > 0 {
			break
		}
	}
	pg.stop()
	logs, rotated = readLogs(t, logDir)
	if rotated == 0 {
		t.Fatalf("the log was not rotated after %d bytes", len(logs))
	}
	for name, s := range map[string]string{"API key": secret, "device key": deviceKey, "metrics token": testMetricsToken, "setup token": setupToken[1]} {
		if strings.Contains(logs, s) {
			t.Errorf("the %s appears in the log file", name)
		}
	}
	lines := 0
	sc := bufio.NewScanner(strings.NewReader(logs))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		lines++
		if !json.Valid(sc.Bytes()) {
			t.Fatalf("not a JSON line: %s", sc.Text())
		}
	}
	if !strings.Contains(logs, `"msg":"callback"`) || !strings.Contains(logs, `"status":"sent"`) || !strings.Contains(logs, `"msg":"http"`) {
		t.Fatalf("the flow is not in the log file (%d lines)", lines)
	}
	t.Logf("%d JSON lines over %d rotated file(s) and the current one; no secret in any", lines, rotated)
}

// `paygate service run` is what systemd, launchd or Windows start: it
// serves, logs to data/logs/paygate.log and not to the console, and stops
// cleanly on SIGTERM.
func TestServiceRunLogsToTheDataDir(t *testing.T) {
	dataDir := t.TempDir()
	addr := freeAddr(t)
	cmd := exec.Command(binPath, "service", "run", "--data-dir", dataDir)
	cmd.Dir = t.TempDir()
	out := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	cmd.Env = append(os.Environ(), "PAYGATE_SERVER_ADDR="+addr, "PAYGATE_MERCHANT_API_KEY="+testAPIKey)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	in := &instance{t: t, URL: "http://" + addr, logs: out}
	waitHealthy(t, in.URL, out)
	in.createOrder(`{"productName":"x","amount":3,"paymentMethod":"alipay"}`)
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("service run did not stop cleanly: %v\n%s", err, out.String())
	}
	file, err := os.ReadFile(filepath.Join(dataDir, "logs", "paygate.log"))
	if err != nil {
		t.Fatalf("no log file: %v\n%s", err, out.String())
	}
	if !strings.Contains(string(file), "paygate started") || !strings.Contains(string(file), "shutting down") {
		t.Fatalf("log file:\n%s", file)
	}
	if strings.Contains(out.String(), "level=") || !strings.Contains(out.String(), "is running") {
		t.Fatalf("a service prints the banner only, the log goes to the file:\n%s", out.String())
	}
}

func waitHealthy(t *testing.T, url string, logs *syncBuffer) {
	t.Helper()
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if resp, err := http.Get(url + "/health"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
	}
	t.Fatalf("paygate did not become healthy:\n%s", logs.String())
}

// A double-clicked paygate (config.yaml written beside it) logs to
// data/logs/paygate.log too, and its banner says where and how to start it at boot.
func TestDoubleClickedPaygateLogsToAFile(t *testing.T) {
	binDir := t.TempDir()
	exe := filepath.Join(binDir, "paygate")
	data, err := os.ReadFile(binPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(exe, data, 0o755); err != nil {
		t.Fatal(err)
	}
	addr := freeAddr(t)
	cmd := exec.Command(exe)
	cmd.Dir = t.TempDir()
	out := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	cmd.Env = append(os.Environ(), "PAYGATE_SERVER_ADDR="+addr, "PAYGATE_SERVER_OPEN_BROWSER=false")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Signal(syscall.SIGTERM); cmd.Wait() }()
	waitHealthy(t, "http://"+addr, out)
	logFile := filepath.Join(binDir, "data", "logs", "paygate.log")
	file, err := os.ReadFile(logFile)
	if err != nil || !strings.Contains(string(file), "paygate started") {
		t.Fatalf("log file %s: %v\n%s", logFile, err, file)
	}
	for _, want := range []string{"日志 Log:        " + logFile, "开机自启 Start at boot: sudo " + exe + " service install"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("banner lacks %q:\n%s", want, out.String())
		}
	}
}

// server.domain set, but the name has no address: paygate still starts,
// sends browsers on plain HTTP to HTTPS, keeps the phones' endpoints on
// HTTP, and tells the owner — in the log and the detailed health — what to
// fix, in Chinese and English.
func TestAutomaticHTTPSSaysWhatToCheck(t *testing.T) {
	httpsAddr, httpAddr := freeAddr(t), freeAddr(t)
	dataDir := t.TempDir()
	cmd := exec.Command(binPath)
	cmd.Dir = t.TempDir()
	out := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	// .invalid never resolves (RFC 2606): the check before asking the CA says so, and the CA is never asked.
	cmd.Env = append(os.Environ(), "PAYGATE_SERVER_DOMAIN=pay.paygate.invalid", "PAYGATE_SERVER_ADDR="+httpsAddr,
		"PAYGATE_SERVER_HTTP_ADDR="+httpAddr, "PAYGATE_DATA_DIR="+dataDir, "PAYGATE_SERVER_OPEN_BROWSER=false",
		"PAYGATE_MERCHANT_API_KEY="+testAPIKey, "PAYGATE_METRICS_TOKEN="+testMetricsToken,
		"PAYGATE_SERVER_ACME_DIRECTORY=https://127.0.0.1:9/directory")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Signal(syscall.SIGTERM); cmd.Wait() }()

	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline) && !strings.Contains(out.String(), "no certificate yet"); {
		time.Sleep(100 * time.Millisecond)
	}
	logs := out.String()
	for _, want := range []string{"查不到解析记录", "添加一条 A 记录", "has no address", "add an A record", "https://pay.paygate.invalid"} {
		if !strings.Contains(logs, want) {
			t.Errorf("the start lacks %q:\n%s", want, logs)
		}
	}

	noFollow := &http.Client{Timeout: 5 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req, _ := http.NewRequest("GET", "http://"+httpAddr+"/admin/", nil)
	req.Host = "pay.paygate.invalid"
	resp, err := noFollow.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	_, port, _ := strings.Cut(httpsAddr, ":")
	if want := "https://pay.paygate.invalid:" + port + "/admin/"; resp.StatusCode != 301 || resp.Header.Get("Location") != want {
		t.Errorf("plain HTTP: %d %q, want 301 %q", resp.StatusCode, resp.Header.Get("Location"), want)
	}
	webhook, _ := http.NewRequest("POST", "http://"+httpAddr+"/webhook", strings.NewReader(`{"message":"收到转账1元(支付宝)"}`))
	webhook.Header.Set("Content-Type", "application/json")
	webhook.Header.Set("key", testAPIKey)
	resp, err = noFollow.Do(webhook)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"kind"`) {
		t.Errorf("a phone's webhook over plain HTTP: %d %s", resp.StatusCode, body)
	}

	// The HTTPS side listens, but has no certificate to show until the domain is fixed.
	conn, err := tls.Dial("tcp", httpsAddr, &tls.Config{ServerName: "pay.paygate.invalid", InsecureSkipVerify: true})
	if err == nil {
		conn.Close()
		t.Error("HTTPS completed a handshake without a certificate")
	}
}
