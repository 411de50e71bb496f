package e2e

// One test per security rule, against the real binary.

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestRateLimitPerClient(t *testing.T) {
	pg := startPaygate(t, t.TempDir(), "PAYGATE_MERCHANT_API_KEY="+testAPIKey, "PAYGATE_SERVER_RATE_LIMIT=2")
	limited := 0
	for i := 0; i < 20; i++ {
		resp, err := http.Get(pg.URL + "/api/order-status?orderId=ORD1")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode == http.StatusTooManyRequests {
			limited++
			if resp.Header.Get("Retry-After") == "" {
				t.Fatal("429 without Retry-After")
			}
		}
	}
	if limited == 0 {
		t.Fatal("20 requests at once with a limit of 2/s were all served")
	}
	status, out := pg.call("POST", "/webhook", `{"message":"x"}`, map[string]string{"key": testAPIKey})
	if status != 429 || !strings.Contains(out["error"].(string), "请求太频繁") {
		t.Fatalf("webhook over the limit: %d %v", status, out)
	}

	off := startPaygate(t, t.TempDir(), "PAYGATE_MERCHANT_API_KEY="+testAPIKey, "PAYGATE_SERVER_RATE_LIMIT=0")
	for i := 0; i < 200; i++ {
		resp, err := http.Get(off.URL + "/api/order-status?orderId=ORD1")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode == http.StatusTooManyRequests {
			t.Fatal("rate limit 0 must turn limits off")
		}
	}
}

func TestRequestSizeLimit(t *testing.T) {
	pg := startPaygate(t, t.TempDir(), "PAYGATE_MERCHANT_API_KEY="+testAPIKey, "PAYGATE_SERVER_MAX_BODY_SIZE=1KB")
	big := `{"message":"` + strings.Repeat("a", 2000) + `"}`
	for _, path := range []string{"/webhook", "/api/orders", "/api/config"} {
		status, out := pg.call("POST", path, big, map[string]string{"key": testAPIKey, "Authorization": "Bearer " + testAPIKey})
		if status != 413 || out["code"] != "too_large" {
			t.Errorf("%s: %d %v, want 413", path, status, out)
		}
	}
}

func TestSecurityHeaders(t *testing.T) {
	pg := startPaygate(t, t.TempDir(), "PAYGATE_MERCHANT_API_KEY="+testAPIKey)
	for _, path := range []string{"/health", "/api/order-status?orderId=x", "/admin/login", "/nowhere"} {
		resp, err := http.Get(pg.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		h := resp.Header
		if h.Get("X-Content-Type-Options") != "nosniff" || !strings.Contains(h.Get("Content-Security-Policy"), "frame-ancestors 'none'") {
			t.Errorf("%s: headers %v", path, h)
		}
		if h.Get("Strict-Transport-Security") != "" {
			t.Errorf("%s: HSTS over plain HTTP", path)
		}
	}
}

// writeSelfSignedCert makes a certificate for 127.0.0.1.
func writeSelfSignedCert(t *testing.T) (certFile, keyFile string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "paygate test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, _ := x509.MarshalECPrivateKey(key)
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600)
	return certFile, keyFile
}

func TestTLSFromCertificateFiles(t *testing.T) {
	cert, key := writeSelfSignedCert(t)
	addr := freeAddr(t)
	cmd := exec.Command(binPath)
	cmd.Dir = t.TempDir()
	logs := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = logs, logs
	cmd.Env = append(os.Environ(), "PAYGATE_SERVER_ADDR="+addr, "PAYGATE_DATA_DIR="+t.TempDir(),
		"PAYGATE_SERVER_TLS_CERT="+cert, "PAYGATE_SERVER_TLS_KEY="+key, "PAYGATE_SERVER_OPEN_BROWSER=false")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	client := &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	var resp *http.Response
	var err error
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if resp, err = client.Get("https://" + addr + "/health"); err == nil {
			break
		}
	}
	if err != nil {
		t.Fatalf("https: %v\n%s", err, logs.String())
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.TLS == nil || !strings.HasPrefix(resp.Header.Get("Strict-Transport-Security"), "max-age=") {
		t.Fatalf("https answer: %d tls=%v hsts=%q", resp.StatusCode, resp.TLS != nil, resp.Header.Get("Strict-Transport-Security"))
	}
	if !strings.Contains(logs.String(), "url=https://") {
		t.Errorf("start log does not show the https URL:\n%s", logs.String())
	}
}

func TestReplayWindowForSignedForwarders(t *testing.T) {
	pg := startPaygate(t, t.TempDir(), "PAYGATE_MERCHANT_API_KEY="+testAPIKey)
	old := time.Now().Add(-2 * time.Hour).UnixMilli()
	form := url.Values{"from": {"com.tencent.mm"}, "content": {"com.tencent.mm\n微信支付收款1.00元\n微信支付"},
		"timestamp": {strconv.FormatInt(old, 10)}, "sign": {smsForwarderSign(testAPIKey, old)}}
	status, out := pg.post("/webhook", "application/x-www-form-urlencoded", form.Encode(), nil)
	if status != 401 || out["field"] != "timestamp" {
		t.Fatalf("SmsForwarder sign 2 h old: %d %v", status, out)
	}
	ts := strconv.FormatInt(old, 10)
	status, vmq := vmqCall(pg, "/appPush", url.Values{"t": {ts}, "type": {"1"}, "price": {"1.0"}, "sign": {md5hex("1" + "1.0" + ts + testAPIKey)}})
	if status != 200 || vmq["code"] != -1.0 {
		t.Fatalf("V免签 push 2 h old: %d %v", status, vmq)
	}
	_, list := pg.call("GET", "/api/payments", "", bearer)
	if list["total"] != 0.0 {
		t.Fatalf("a replayed request made a payment: %v", list)
	}
}

func TestNoSecretsInLogs(t *testing.T) {
	m := newMerchant(t, "", nil)
	const secret = "s3cret-api-key-that-must-not-leak"
	pg := startPaygate(t, t.TempDir(), "PAYGATE_MERCHANT_API_KEY="+secret, "PAYGATE_MERCHANT_CALLBACK_URL="+m.srv.URL)
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
	m.waitCalls(t, 1, 5*time.Second)
	pg.stop()
	logs := pg.logs.String()
	for _, s := range []string{secret, deviceKey} {
		if strings.Contains(logs, s) {
			t.Fatalf("a secret appears in the log:\n%s", logs)
		}
	}
	if !regexp.MustCompile(`msg=callback .*status=sent`).MatchString(logs) {
		t.Fatalf("the flow did not run:\n%s", logs)
	}
}

func TestOneServerPerDataDir(t *testing.T) {
	dir := t.TempDir()
	startPaygate(t, dir, "PAYGATE_MERCHANT_API_KEY="+testAPIKey)
	cmd := exec.Command(binPath)
	cmd.Env = append(os.Environ(), "PAYGATE_SERVER_ADDR="+freeAddr(t), "PAYGATE_DATA_DIR="+dir)
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "another paygate") {
		t.Fatalf("second server on one data dir: err=%v\n%s", err, out)
	}
}

// Secrets are compared in constant time: no == or != on a key, token or signature in the code.
func TestSecretsComparedInConstantTime(t *testing.T) {
	risky := regexp.MustCompile(`(?i)(apikey|api_key|\bkey\b|secret|token|signature|sig)\w*\s*[!=]=\s*[a-z]`)
	allowed := regexp.MustCompile(`(?i)[!=]=\s*(nil|""|''|len\(|0\b)|== "(key|sign|signature|secret|authorization|api_key)"|k == "|name == "`)
	err := filepath.Walk("../app", func(path string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") || strings.HasSuffix(path, "_templ.go") {
			return err
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for i, line := range strings.Split(string(src), "\n") {
			if risky.MatchString(line) && !allowed.MatchString(line) {
				t.Errorf("%s:%d compares a secret with == or !=; use sign.Equal: %s", path, i+1, strings.TrimSpace(line))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
