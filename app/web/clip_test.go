package web_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"paygate/app/web"
)

// What a client sent is echoed in an error message cut to a few bytes; the
// cut must fall between characters, never inside one (issue 16:
// "一二三四五六\ufffd\ufffd…").
func TestEchoedInputIsCutBetweenCharacters(t *testing.T) {
	c := newConsole(t, web.Options{})
	const sent = "一二三四五六七八" // 24 bytes; 20 falls inside 七
	q := url.QueryEscape(sent)
	tests := []struct {
		name, method, path, body string
	}{
		{"amount", "POST", "/api/orders", `{"productName":"x","amount":"` + sent + `","paymentMethod":"alipay"}`},
		{"paymentMethod", "POST", "/api/orders", `{"productName":"x","amount":"1.00","paymentMethod":"` + sent + `"}`},
		{"page", "GET", "/api/payments?page=" + q, ""},
		{"limit", "GET", "/api/payments?limit=" + q, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(tt.method, c.srv.URL+tt.path, strings.NewReader(tt.body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+testKey)
			resp, err := c.http.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var out struct{ Field string }
			var raw json.RawMessage
			if err := json.NewDecoder(resp.Body).Decode(&raw); err != nil {
				t.Fatal(err)
			}
			_ = json.Unmarshal(raw, &out)
			if resp.StatusCode != http.StatusBadRequest || out.Field != tt.name {
				t.Fatalf("HTTP %d, want 400 naming %s: %s", resp.StatusCode, tt.name, raw)
			}
			if !strings.Contains(string(raw), "一二三四五六…") || strings.Contains(string(raw), `\ufffd`) || strings.Contains(string(raw), "\uFFFD") {
				t.Fatalf("the echoed value is not cut between characters: %s", raw)
			}
		})
	}
}
