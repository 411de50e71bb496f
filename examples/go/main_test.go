package main

import (
	"bytes"
	"encoding/json"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestSelftestPassesOnSharedVectors(t *testing.T) {
	var out bytes.Buffer
	if code := runSelftest(filepath.Join("..", "testdata", "signature-vectors.json"), &out); code != 0 {
		t.Fatalf("selftest exit %d:\n%s", code, out.String())
	}
	if !strings.Contains(out.String(), " 0 failed") {
		t.Fatalf("selftest output: %s", out.String())
	}
}

// callback builds a callback body signed with key, timestamp at sent.
func callback(t *testing.T, key, orderID, amount, nonce string, sent time.Time) []byte {
	t.Helper()
	f := Fields{
		"orderId": orderID, "uid": orderID, "amount": amount, "displayAmount": amount,
		"paymentMethod": "alipay", "status": "success", "nonce": nonce,
		"timestamp": sent.In(shanghai).Format(time.DateTime),
	}
	f["signature"] = Sign(f, key)
	// amounts as JSON numbers, the way paygate sends them
	body := map[string]any{"customerType": nil}
	for k, v := range f {
		body[k] = v
		if k == "amount" || k == "displayAmount" {
			body[k] = json.Number(v)
		}
	}
	raw, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func TestCallbackHandler(t *testing.T) {
	const key = "test_key_123456"
	now := time.Date(2026, 11, 26, 8, 10, 5, 0, time.UTC)
	var logs bytes.Buffer
	log.SetOutput(&logs)
	t.Cleanup(func() { log.SetOutput(os.Stderr) })
	h := callbackHandler(&Verifier{APIKey: key, Now: func() time.Time { return now }}, &orders{paid: map[string]Fields{}})

	genuine := callback(t, key, "ORD1", "1", "n1", now)
	tests := []struct {
		name    string
		body    []byte
		status  int
		logWant string
	}{
		{"genuine", genuine, 200, "processed orderId=ORD1"},
		{"same nonce again", genuine, 401, "nonce replayed"},
		{"retry with a new nonce", callback(t, key, "ORD1", "1", "n2", now.Add(-time.Minute)), 200, "duplicate orderId=ORD1"},
		{"tampered amount", bytes.Replace(callback(t, key, "ORD2", "1", "n3", now), []byte(`"amount":1,`), []byte(`"amount":100,`), 1), 401, "bad signature"},
		{"wrong key", callback(t, "other-key", "ORD3", "100", "n4", now), 401, "bad signature"},
		{"10 minutes old", callback(t, key, "ORD4", "100", "n5", now.Add(-10*time.Minute)), 401, "too old"},
		{"not JSON", []byte(`{"orderId":`), 400, "not a JSON object"},
		{"100 as a whole number", callback(t, key, "ORD5", "100", "n6", now), 200, "processed orderId=ORD5 amount=100"},
	}
	for _, tt := range tests {
		logs.Reset()
		rec := httptest.NewRecorder()
		h(rec, httptest.NewRequest(http.MethodPost, "/payment-callback", bytes.NewReader(tt.body)))
		if rec.Code != tt.status {
			t.Errorf("%s: status %d, want %d: %s", tt.name, rec.Code, tt.status, rec.Body)
		}
		if !strings.Contains(logs.String(), tt.logWant) {
			t.Errorf("%s: log %q does not say %q", tt.name, logs.String(), tt.logWant)
		}
		if tt.status == 200 && !strings.Contains(rec.Body.String(), `"success":true`) {
			t.Errorf("%s: answer %s", tt.name, rec.Body)
		}
	}
}
