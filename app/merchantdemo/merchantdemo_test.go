package merchantdemo

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"paygate/app"
	"paygate/app/callback"
	"paygate/app/money"
)

const key = "test_key_123456"

// body is a real callback as paygate's dispatcher builds it.
func body(t *testing.T, orderID string, amount int64, apiKey string, at time.Time) []byte {
	t.Helper()
	return callback.NewBody(app.CallbackDelivery{
		Order: app.Order{ID: orderID, Method: app.Method("alipay"), Amount: 10000, PayAmount: money.Fen(amount), PaidAt: at.Add(-time.Second),
			MerchantOrderID: "SHOP-1"},
		Payment: app.Payment{Amount: money.Fen(amount), CustomerType: "新客户"},
	}, apiKey, at).JSON()
}

func TestCallbacks(t *testing.T) {
	now := time.Date(2026, 11, 26, 8, 10, 5, 0, time.UTC)
	var out bytes.Buffer
	d := New(key, "/payment-callback", &out)
	d.now = func() time.Time { return now }

	genuine := body(t, "ORD1", 100, key, now)
	tests := []struct {
		name   string
		path   string
		body   []byte
		status int
		want   []string // all must be printed
	}{
		{"genuine, amount 1", "/payment-callback", genuine, 200, []string{"订单号    ORD1", "金额      1 元（下单金额 100 元", "支付宝", "新客户", "SHOP-1", "✓ 通过", "首次收到", `200 {"success":true`}},
		{"same body again: replay", "/payment-callback", genuine, 401, []string{"✗ 未通过", "nonce 已经用过"}},
		{"retry with a fresh nonce", "/payment-callback", body(t, "ORD1", 100, key, now.Add(-2*time.Minute)), 200, []string{"✓ 通过", "重复回调（该订单第 2 次）"}},
		{"tampered amount", "/payment-callback", bytes.Replace(body(t, "ORD2", 100, key, now), []byte(`"amount":1,`), []byte(`"amount":100,`), 1), 401, []string{"✗ 未通过：签名不正确", "api_key=***", "amount=100"}},
		{"wrong key", "/payment-callback", body(t, "ORD3", 100, "another-key", now), 401, []string{"签名不正确"}},
		{"10 minutes old", "/payment-callback", body(t, "ORD4", 100, key, now.Add(-10*time.Minute)), 401, []string{"超过 5 分钟"}},
		{"8 hours off: a zone mistake", "/payment-callback", body(t, "ORD6", 100, key, now.Add(-8*time.Hour+time.Minute)), 401, []string{"超过 5 分钟", "时区问题", "Asia/Shanghai", "/docs#callback-time"}},
		{"not JSON", "/payment-callback", []byte("orderId=1"), 400, []string{"不是 JSON 对象"}},
		{"no signature", "/payment-callback", []byte(`{"orderId":"ORD5","amount":1}`), 401, []string{"缺少 signature"}},
		{"wrong path", "/callback", genuine, 404, []string{"回调路径是 /payment-callback"}},
	}
	for _, tt := range tests {
		out.Reset()
		rec := httptest.NewRecorder()
		d.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, tt.path, bytes.NewReader(tt.body)))
		if rec.Code != tt.status {
			t.Errorf("%s: status %d, want %d (%s)", tt.name, rec.Code, tt.status, rec.Body)
		}
		var ans map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &ans); err != nil || (ans["success"] == true) != (tt.status == 200) {
			t.Errorf("%s: answer %s", tt.name, rec.Body)
		}
		for _, w := range tt.want {
			if !strings.Contains(out.String(), w) {
				t.Errorf("%s: output does not show %q:\n%s", tt.name, w, out.String())
			}
		}
		if strings.Contains(out.String(), "api_key="+key) {
			t.Errorf("%s: the API key was printed", tt.name)
		}
	}
}

// lockedBuffer is an io.Writer safe for the server goroutine and the test.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string { l.mu.Lock(); defer l.mu.Unlock(); return l.b.String() }

func TestRunServesUntilCancelled(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()

	ctx, cancel := context.WithCancel(context.Background())
	out := &lockedBuffer{}
	done := make(chan error, 1)
	go func() { done <- Run(ctx, Options{Addr: addr, Key: key, Path: "/payment-callback"}, out) }()

	client := &http.Client{Timeout: 5 * time.Second}
	deadline := time.Now().Add(5 * time.Second)
	for {
		resp, err := client.Get("http://" + addr + "/health")
		if err == nil {
			resp.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("merchant-demo did not start: %v\n%s", err, out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	post := func(b []byte) int {
		resp, err := client.Post("http://"+addr+"/payment-callback", "application/json", bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if !strings.Contains(out.String(), "Asia/Shanghai") || !strings.Contains(out.String(), "UTC+8") {
		t.Errorf("the banner does not say how to read the timestamp:\n%s", out.String())
	}
	if code := post(body(t, "ORDRUN", 10000, key, time.Now())); code != 200 {
		t.Errorf("genuine callback: %d\n%s", code, out.String())
	}
	tampered := bytes.Replace(body(t, "ORDRUN2", 10000, key, time.Now()), []byte(`"ORDRUN2"`), []byte(`"ORDRUN3"`), 1)
	if code := post(tampered); code != 401 {
		t.Errorf("tampered callback: %d\n%s", code, out.String())
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not stop")
	}
	for _, w := range []string{"merchant-demo listening: http://" + addr + "/payment-callback", "订单号    ORDRUN", "✓ 通过", "订单号    ORDRUN3", "✗ 未通过"} {
		if !strings.Contains(out.String(), w) {
			t.Errorf("output does not show %q:\n%s", w, out.String())
		}
	}
}
