package e2e

// Settings that silently break matching, and the API key doubling as a phone
// key (issue #10, points 6 and 7), tried against the real binary.

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"paygate/app"
)

// consoleCall sends an htmx console request (CSRF token in the header, as
// admin.js does) and returns the status and the HTML answer.
func consoleCall(o *owner, method, path string, form url.Values) (int, string) {
	o.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, _ := http.NewRequest(method, o.in.URL+path, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if method != "GET" {
		req.Header.Set("X-CSRF-Token", o.token("/admin/settings"))
		req.Header.Set("HX-Request", "true")
	}
	resp, err := o.cl.Do(req)
	if err != nil {
		o.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// tuningForm is the settings page's rules form with the defaults, changed by edits.
func tuningForm(edits map[string]string) url.Values {
	f := url.Values{"orderLifetime": {"15"}, "matchWindow": {"15"}, "minAmount": {"0.01"}, "maxAmount": {"10000"},
		"slotMode": {"alternate"}, "slotMaxOffset": {"0.50"}, "matchGrace": {"10"}, "autoConfirm": {"medium"}}
	for k, v := range edits {
		f.Set(k, v)
	}
	return f
}

// orderLifetimeOf creates an order and returns expiresAt − createdAt.
func orderLifetimeOf(t *testing.T, in *instance, amount string) time.Duration {
	t.Helper()
	o := in.createOrder(`{"productName":"有效期","amount":` + amount + `,"paymentMethod":"alipay"}`)
	created, err1 := time.ParseInLocation(app.TimeLayout, o["createdAt"].(string), app.Shanghai)
	expires, err2 := time.ParseInLocation(app.TimeLayout, o["expiresAt"].(string), app.Shanghai)
	if err1 != nil || err2 != nil {
		t.Fatalf("order times: %v", o)
	}
	return expires.Sub(created)
}

// An order lifetime longer than the match window: its late payments would
// never match. paygate refuses to start, naming both keys.
func TestAttackLifetimeLongerThanMatchWindowRefusedAtStart(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, binPath)
	cmd.Dir = t.TempDir()
	cmd.Env = append(os.Environ(), "PAYGATE_SERVER_ADDR="+freeAddr(t), "PAYGATE_DATA_DIR="+t.TempDir(),
		"PAYGATE_SERVER_OPEN_BROWSER=false", "PAYGATE_ORDER_LIFETIME=20m", "PAYGATE_MATCH_WINDOW=15m")
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		t.Fatalf("paygate started with an order lifetime longer than the match window:\n%s", out)
	}
	if err == nil {
		t.Fatalf("paygate exited 0:\n%s", out)
	}
	for _, want := range []string{"order.lifetime", "match.window", "PAYGATE_ORDER_LIFETIME", "PAYGATE_MATCH_WINDOW", "20m", "never match"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("start-up error does not say %q:\n%s", want, out)
		}
	}
}

// The console refuses the same pair, with a message on the field.
func TestAttackConsoleRefusesLifetimeLongerThanMatchWindow(t *testing.T) {
	pg := startPaygate(t, t.TempDir(), "PAYGATE_MERCHANT_API_KEY="+testAPIKey)
	o := newOwner(t, pg)
	status, page := consoleCall(o, "POST", "/admin/settings/tuning", tuningForm(map[string]string{"orderLifetime": "30"}))
	if status != http.StatusBadRequest || !strings.Contains(page, "自动匹配时限") || !strings.Contains(page, `aria-invalid="true"`) {
		t.Fatalf("lifetime 30 > window 15 saved: %d\n%.2000s", status, page)
	}
	if got := orderLifetimeOf(t, pg, "1.11"); got != 15*time.Minute {
		t.Fatalf("order lifetime %s after a refused save, want 15m", got)
	}
	// Raising both together is fine.
	if status, page := consoleCall(o, "POST", "/admin/settings/tuning", tuningForm(map[string]string{"orderLifetime": "30", "matchWindow": "30"})); status != 200 {
		t.Fatalf("lifetime 30, window 30: %d\n%.2000s", status, page)
	}
	if got := orderLifetimeOf(t, pg, "1.12"); got != 30*time.Minute {
		t.Fatalf("order lifetime %s, want 30m", got)
	}
	// A grace of 0 would hand a freed amount to the next order at once.
	if status, page := consoleCall(o, "POST", "/admin/settings/tuning", tuningForm(map[string]string{"matchGrace": "0"})); status != http.StatusBadRequest {
		t.Fatalf("grace 0 saved: %d\n%.2000s", status, page)
	}
}

// A value set by the environment is pinned: saving the console form does not
// override it, across a restart too, and the page says where it comes from.
func TestAttackConsoleDoesNotOverridePinnedTuning(t *testing.T) {
	pg := startPaygate(t, t.TempDir(), "PAYGATE_MERCHANT_API_KEY="+testAPIKey, "PAYGATE_ORDER_LIFETIME=10m")
	o := newOwner(t, pg)
	status, page := consoleCall(o, "POST", "/admin/settings/tuning", tuningForm(map[string]string{"orderLifetime": "30", "matchWindow": "10"}))
	if status != 200 {
		t.Fatalf("save: %d\n%.2000s", status, page)
	}
	if got := orderLifetimeOf(t, pg, "2.21"); got != 10*time.Minute {
		t.Fatalf("order lifetime %s after the console saved 30, want the environment's 10m", got)
	}
	_, page = consoleCall(o, "GET", "/admin/settings", nil)
	for _, want := range []string{"由环境变量 PAYGATE_ORDER_LIFETIME 设置", `id="orderLifetime" name="orderLifetime" type="number" min="1" max="1440" value="10" readonly`,
		`id="matchWindow" name="matchWindow" type="number" min="1" max="1440" value="10"`, "在控制台修改", "默认值"} {
		if !strings.Contains(page, want) {
			t.Errorf("settings page does not show %q", want)
		}
	}
	// The lifetime stays pinned after a restart.
	pg.stop()
	pg.start()
	if got := orderLifetimeOf(t, pg, "2.22"); got != 10*time.Minute {
		t.Fatalf("after restart: order lifetime %s, want 10m", got)
	}
	_, page = consoleCall(o, "GET", "/admin/settings?lang=en", nil)
	if !strings.Contains(page, "set by the environment variable PAYGATE_ORDER_LIFETIME") {
		t.Errorf("English settings page does not say where the lifetime comes from:\n%.3000s", page)
	}

	// Pinned at 12 minutes, the console's 10-minute window would leave the last
	// two minutes of every order unmatched: it is set aside at start, with a
	// warning in the log and on the page, and the default window is in force.
	pg.stop()
	pg.env = append(pg.env, "PAYGATE_ORDER_LIFETIME=12m")
	pg.start()
	if got := orderLifetimeOf(t, pg, "2.23"); got != 12*time.Minute {
		t.Fatalf("order lifetime %s, want 12m", got)
	}
	if !strings.Contains(pg.logs.String(), "not in force") {
		t.Errorf("no warning in the log about the console's match window")
	}
	_, page = consoleCall(o, "GET", "/admin/settings", nil)
	for _, want := range []string{`id="matchWindow" name="matchWindow" type="number" min="1" max="1440" value="15"`, "没有生效", "由环境变量 PAYGATE_ORDER_LIFETIME 设置"} {
		if !strings.Contains(page, want) {
			t.Errorf("settings page does not show %q", want)
		}
	}
}

// The merchant API key doubles as a phone key until the owner switches it off
// on the devices page; then the phones' own keys still work and the API key
// is refused wherever a device key is accepted.
func TestAttackAPIKeyAsPhoneKeySwitchedOff(t *testing.T) {
	dir := t.TempDir()
	pg := startPaygate(t, dir, "PAYGATE_MERCHANT_API_KEY="+testAPIKey)
	o := newOwner(t, pg)
	_, key := pg.createDevice("店里的手机")
	hook := func(k, msg, id string) (int, map[string]any) {
		body, _ := json.Marshal(map[string]string{"message": msg, "id": id})
		return pg.call("POST", "/webhook", string(body), map[string]string{"key": k})
	}
	if status, out := hook(testAPIKey, "收到转账0.01元(支付宝)", "a1"); status != 200 {
		t.Fatalf("API key as phone key (default on): %d %v", status, out)
	}
	_, page := consoleCall(o, "GET", "/admin/devices", nil)
	if !strings.Contains(page, "商户 API 密钥也能当手机密钥用") || strings.Contains(page, `hx-post="/admin/devices/api-key-forwarding"`) {
		t.Fatalf("devices page before a phone is paired: want the warning without the switch\n%.3000s", page)
	}
	if status, out := hook(key, "收到转账0.02元(支付宝)", "d1"); status != 200 {
		t.Fatalf("device key: %d %v", status, out)
	}
	_, page = consoleCall(o, "GET", "/admin/devices", nil)
	if !strings.Contains(page, "商户 API 密钥也能当手机密钥用") || !strings.Contains(page, `hx-post="/admin/devices/api-key-forwarding"`) {
		t.Fatalf("devices page after a phone is paired: no warning with a switch\n%.3000s", page)
	}

	status, page := consoleCall(o, "POST", "/admin/devices/api-key-forwarding", url.Values{"accept": {"off"}})
	if status != 200 {
		t.Fatalf("switch off: %d\n%.2000s", status, page)
	}
	status, out := hook(testAPIKey, "收到转账0.03元(支付宝)", "a2")
	if status != 401 || !strings.Contains(out["error"].(string), "设备") || !strings.Contains(out["error"].(string), "API 密钥") {
		t.Fatalf("API key as webhook key after switching off: %d %v", status, out)
	}
	ts := time.Now().UnixMilli()
	status, out = pg.post("/webhook", "application/x-www-form-urlencoded",
		"from=com.eg.android.AlipayGphone&content="+url.QueryEscape("收到转账0.04元(支付宝)")+"&timestamp="+strconv.FormatInt(ts, 10)+"&sign="+smsForwarderSign(testAPIKey, ts), nil)
	if status != 401 {
		t.Fatalf("SmsForwarder signed with the API key after switching off: %d %v", status, out)
	}
	t0 := strconv.FormatInt(time.Now().UnixMilli(), 10)
	if status, out := vmqCall(pg, "/appPush", url.Values{"t": {t0}, "type": {"2"}, "price": {"0.05"}, "sign": {md5hex("2" + "0.05" + t0 + testAPIKey)}}); status != 200 || out["code"] != -1.0 {
		t.Fatalf("V免签 signed with the API key after switching off: %d %v", status, out)
	}
	if status, out := hook(key, "收到转账0.06元(支付宝)", "d2"); status != 200 || out["kind"] != "payment" {
		t.Fatalf("device key after switching off: %d %v", status, out)
	}
	// The API still takes the API key.
	pg.createOrder(`{"productName":"x","amount":3.33,"paymentMethod":"alipay"}`)

	_, page = consoleCall(o, "GET", "/admin/audit", nil)
	if !strings.Contains(page, "商户 API 密钥不再当手机密钥") {
		t.Errorf("audit log does not record the switch")
	}
	_, page = consoleCall(o, "GET", "/admin/settings", nil)
	if !strings.Contains(page, "只接受设备密钥") {
		t.Errorf("settings page does not say the API key is no longer a phone key")
	}

	// It stays off after a restart.
	pg.stop()
	pg.start()
	if status, out := hook(testAPIKey, "收到转账0.07元(支付宝)", "a3"); status != 401 {
		t.Fatalf("API key after restart: %d %v", status, out)
	}
}

// forwarder.accept_api_key set in the environment is pinned: the console shows
// where it comes from and offers no switch.
func TestAttackAPIKeyAsPhoneKeyPinnedByEnvironment(t *testing.T) {
	pg := startPaygate(t, t.TempDir(), "PAYGATE_MERCHANT_API_KEY="+testAPIKey, "PAYGATE_FORWARDER_ACCEPT_API_KEY=false")
	o := newOwner(t, pg)
	body := `{"message":"收到转账0.01元(支付宝)"}`
	if status, out := pg.call("POST", "/webhook", body, map[string]string{"key": testAPIKey}); status != 401 {
		t.Fatalf("API key as phone key with PAYGATE_FORWARDER_ACCEPT_API_KEY=false: %d %v", status, out)
	}
	_, page := consoleCall(o, "GET", "/admin/devices", nil)
	if !strings.Contains(page, "由环境变量 PAYGATE_FORWARDER_ACCEPT_API_KEY 设置") || strings.Contains(page, `hx-post="/admin/devices/api-key-forwarding"`) {
		t.Fatalf("devices page with the switch pinned off:\n%.3000s", page)
	}
	if status, _ := consoleCall(o, "POST", "/admin/devices/api-key-forwarding", url.Values{"accept": {"on"}}); status != http.StatusConflict {
		t.Fatalf("console turned a pinned switch on: %d", status)
	}
	if status, out := pg.call("POST", "/webhook", body, map[string]string{"key": testAPIKey}); status != 401 {
		t.Fatalf("API key accepted after the console tried: %d %v", status, out)
	}
}

// In a real browser at phone and desktop width: the settings page shows where
// each rule comes from and a refused rule on its field; the devices page
// warns while the API key works as a phone key and switches it off in one
// click. Nothing sticks out sideways (screenshots kept in PAYGATE_SCREENS).
func TestBrowserSettingsSourcesAndAPIKeySwitch(t *testing.T) {
	ctx, cancel := newBrowser(t)
	defer cancel()
	shots := screens{t: t, dir: os.Getenv("PAYGATE_SCREENS")}
	if shots.dir == "" {
		shots.dir = t.TempDir()
	} else if err := os.MkdirAll(shots.dir, 0o755); err != nil {
		t.Fatal(err)
	}
	pg := startPaygate(t, t.TempDir(), "PAYGATE_MERCHANT_API_KEY="+testAPIKey, "PAYGATE_ORDER_LIFETIME=10m")
	run := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, actions...); err != nil {
			html, _ := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS("main")))
			t.Fatalf("%s: %v\npage: %.3000s", what, err, html)
		}
	}
	const password = "xiaodian-2026"
	run("create admin", chromedp.Navigate(pg.URL+"/"), chromedp.WaitVisible(chromedp.ID(`password`)),
		chromedp.SendKeys(chromedp.ID(`password`), password), chromedp.SendKeys(chromedp.ID(`confirm`), password),
		chromedp.Submit(chromedp.ID(`password`)), chromedp.WaitVisible(chromedp.ID(`dashboard`)))

	run("settings", chromedp.Navigate(pg.URL+"/admin/settings"), chromedp.WaitVisible(chromedp.ID(`tuning`)))
	if hint, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#orderLifetime + .hint`))); !strings.Contains(hint, "由环境变量 PAYGATE_ORDER_LIFETIME 设置") {
		t.Errorf("the lifetime's source reads %q", hint)
	}
	shots.shoot(ctx, "settings-pinned")
	run("window below the pinned lifetime", chromedp.SetValue(chromedp.ID(`matchWindow`), "5"),
		chromedp.Click(chromedp.CSS(`#tuning button[type=submit]`)), chromedp.WaitVisible(chromedp.ID(`matchWindow-err`)))
	if msg, _ := chromedp.Run(ctx, chromedp.Text(chromedp.ID(`matchWindow-err`))); !strings.Contains(msg, "不会自动匹配") {
		t.Errorf("the window's error reads %q", msg)
	}
	shots.shoot(ctx, "settings-refused")

	_, key := pg.createDevice("店里的手机")
	for _, k := range []string{key, testAPIKey} {
		if status, out := pg.call("POST", "/webhook", `{"message":"收到转账0.01元(支付宝)","id":"`+k[:6]+`"}`, map[string]string{"key": k}); status != 200 {
			t.Fatalf("webhook: %d %v", status, out)
		}
	}
	run("devices", chromedp.Navigate(pg.URL+"/admin/devices"), chromedp.WaitVisible(chromedp.CSS(`#api-key-forwarding .notice.warn button`)))
	shots.shoot(ctx, "devices-api-key-on")
	run("switch off", chromedp.Click(chromedp.CSS(`#api-key-forwarding button`)), chromedp.WaitVisible(chromedp.CSS(`#api-key-forwarding .notice.ok`)))
	shots.shoot(ctx, "devices-api-key-off")
	if status, out := pg.call("POST", "/webhook", `{"message":"收到转账0.02元(支付宝)"}`, map[string]string{"key": testAPIKey}); status != 401 {
		t.Fatalf("API key after the click: %d %v", status, out)
	}
	run("english settings", chromedp.Navigate(pg.URL+"/admin/settings?lang=en"), chromedp.WaitVisible(chromedp.ID(`tuning`)))
	shots.shoot(ctx, "settings-en")
}
