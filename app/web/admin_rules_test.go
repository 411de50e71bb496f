package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"paygate/app/web"
)

// A refused rules form comes back with the message on its field and what
// was typed kept; the rules in force do not change.
func TestRulesFormShowsTheErrorOnTheField(t *testing.T) {
	c := newConsole(t, web.Options{})
	c.setup(c.http)
	hx := map[string]string{"HX-Request": "true", "X-CSRF-Token": c.csrf(c.http, "/admin/settings")}
	form := url.Values{"orderLifetime": {"30"}, "matchWindow": {"15"}, "minAmount": {"0.01"}, "maxAmount": {"10000"},
		"slotMode": {"alternate"}, "slotMaxOffset": {"0.50"}, "matchGrace": {"10"}, "autoConfirm": {"medium"}}
	resp, body := c.do(c.http, "POST", "/admin/settings/tuning", form, hx)
	for _, want := range []string{`value="30" aria-describedby="orderLifetime-err" aria-invalid="true"`, `id="orderLifetime-err"`, "不会自动匹配", "没有保存"} {
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, want) {
			t.Errorf("%d, want 400 with %q:\n%.3000s", resp.StatusCode, want, body)
		}
	}
	if c.gw.Tuning().OrderLifetime.Minutes() != 15 {
		t.Fatalf("lifetime %s after a refused save", c.gw.Tuning().OrderLifetime)
	}
	hx["Cookie"] = "lang=en"
	_, body = c.do(c.http, "POST", "/admin/settings/tuning?lang=en", form, hx)
	if !strings.Contains(body, "never matches") {
		t.Errorf("English message missing:\n%.3000s", body)
	}
}

// The API-key switch is a console action like the others: no CSRF token, no change.
func TestAPIKeySwitchNeedsTheCSRFToken(t *testing.T) {
	c := newConsole(t, web.Options{})
	c.setup(c.http)
	resp, _ := c.do(c.http, "POST", "/admin/devices/api-key-forwarding", url.Values{"accept": {"off"}}, map[string]string{"HX-Request": "true"})
	if resp.StatusCode != http.StatusForbidden || !c.gw.APIKeyForwarding().On {
		t.Fatalf("without a token: %d, on=%v", resp.StatusCode, c.gw.APIKeyForwarding().On)
	}
	hx := map[string]string{"HX-Request": "true", "X-CSRF-Token": c.csrf(c.http, "/admin/devices")}
	resp, body := c.do(c.http, "POST", "/admin/devices/api-key-forwarding", url.Values{"accept": {"off"}}, hx)
	if resp.StatusCode != http.StatusOK || c.gw.APIKeyForwarding().On || !strings.Contains(body, "只接受设备密钥") {
		t.Fatalf("with the token: %d, on=%v\n%.1000s", resp.StatusCode, c.gw.APIKeyForwarding().On, body)
	}
}
