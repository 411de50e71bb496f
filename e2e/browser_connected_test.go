package e2e

// A new owner, in a real headless Chromium, from an empty data directory
// through the dashboard's checklist to a paid order: set the password,
// upload the 收款码, pair the V免签 phone over the computer's LAN address
// (the pairing QR decoded from the screen never says loopback), see its
// first message arrive live, watch another phone turn online on an open
// devices page within 5 s, check the address from the phone, set up and
// test an alert channel, make a payment link, and pay it. With
// PAYGATE_SCREENS=DIR every page is saved at 390 and 1280 px as
// connect-*.png.

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/skip2/go-qrcode"

	"paygate/app/qr"
)

func TestBrowserConnectedFirstRunToPaidOrder(t *testing.T) {
	ip := lanIP(t)
	ctx, cancel := newBrowser(t)
	defer cancel()
	ctx, cancelLong := context.WithTimeout(ctx, 150*time.Second)
	defer cancelLong()
	shots := screens{t: t, dir: os.Getenv("PAYGATE_SCREENS")}
	if shots.dir != "" {
		if err := os.MkdirAll(shots.dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	hook := recorder(t, `{"success":true}`)
	in := startOnAllInterfaces(t, t.TempDir()) // empty data directory, nothing configured
	lanHost := net.JoinHostPort(ip, in.port())
	run := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, actions...); err != nil {
			html, _ := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS("body")))
			t.Fatalf("%s: %v\npage: %.3000s", what, err, html)
		}
	}
	// within runs actions that must finish in d (the live updates).
	within := func(what string, d time.Duration, actions ...chromedp.Action[chromedp.Void]) time.Duration {
		t.Helper()
		start := time.Now()
		short, cancel := context.WithTimeout(ctx, d)
		defer cancel()
		if err := chromedp.Do(short, actions...); err != nil {
			html, _ := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS("body")))
			t.Fatalf("%s not within %s: %v\npage: %.3000s", what, d, err, html)
		}
		return time.Since(start)
	}
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("reading %s: %v", sel, err)
		}
		return strings.TrimSpace(s)
	}
	step := func(key string, done bool) string {
		return `#setup-checklist li[data-step="` + key + `"][data-done="` + strconv.FormatBool(done) + `"]`
	}

	// First run, at the computer: the password, then the dashboard with the checklist.
	const password = "xiaodian-2026"
	run("first run", chromedp.Navigate(in.URL+"/"), chromedp.WaitVisible(chromedp.ID(`password`)),
		chromedp.SendKeys(chromedp.ID(`password`), password), chromedp.SendKeys(chromedp.ID(`confirm`), password),
		chromedp.Submit(chromedp.ID(`password`)), chromedp.WaitVisible(chromedp.ID(`dashboard`)),
		chromedp.WaitVisible(chromedp.ID(`setup-checklist`)))
	for _, k := range []string{"payqr", "pair", "heard", "sell"} {
		run("step "+k+" open", chromedp.WaitVisible(chromedp.CSS(step(k, false))))
	}
	shots.shoot(ctx, "connect-01-checklist")

	// 1. The 收款码, on a page of its own.
	pic := filepath.Join(t.TempDir(), "alipay.png")
	png, err := qrcode.Encode("https://qr.alipay.com/fkx12345abcde", qrcode.Medium, 300)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(pic, png, 0o644); err != nil {
		t.Fatal(err)
	}
	run("guide: 收款码", chromedp.Click(chromedp.CSS(step("payqr", false)+" a")), chromedp.WaitVisible(chromedp.ID(`qr-alipay`)),
		chromedp.SetUploadFiles(chromedp.ID(`qr-alipay`), []string{pic}),
		chromedp.Click(chromedp.CSS(`form[hx-post="/admin/settings/qr/alipay"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`#pay-qr img.qr-img`)))
	shots.shoot(ctx, "connect-02-guide-payqr")

	// 2. Pair the phone: V免签, its code on the LAN address.
	run("guide: phone", chromedp.Click(chromedp.ID(`guide-next`)), chromedp.WaitVisible(chromedp.ID(`guide-device-name`)))
	shots.shoot(ctx, "connect-03-guide-phone")
	run("add the phone", chromedp.SendKeys(chromedp.ID(`guide-device-name`), "店里的小米"), chromedp.Click(chromedp.ID(`guide-add-device`)),
		chromedp.WaitVisible(chromedp.ID(`pair-string`)), chromedp.WaitVisible(chromedp.CSS(`.heard[data-heard="false"]`)))
	pair := text(`#pair-string`)
	if !strings.HasPrefix(pair, lanHost+"/") {
		t.Fatalf("pairing string %q, want %s/<key>", pair, lanHost)
	}
	// What the phone's camera reads: the code on the screen, decoded.
	pngQR, err := chromedp.Run(ctx, chromedp.Screenshot(chromedp.CSS(`.guide .pairing svg.qr`)))
	if err != nil {
		t.Fatal(err)
	}
	scanned, _, err := qr.Decode(pngQR)
	if err != nil || scanned != pair || strings.Contains(scanned, "127.0.0.1") || strings.Contains(scanned, "localhost") {
		t.Fatalf("the pairing QR reads %q (%v), want %q", scanned, err, pair)
	}
	shots.shoot(ctx, "connect-04-guide-vmq")
	phone := vmqPhone{t: t, host: scanned[:strings.Index(scanned, "/")], key: scanned[strings.Index(scanned, "/")+1:]}

	// 3. The phone scans and calls in (扫码配置 sends a heartbeat): "received" shows by itself.
	phone.heart()
	took := within("received, live", 5*time.Second, chromedp.WaitVisible(chromedp.CSS(`.heard[data-heard="true"] .heart-ok, .heard[data-heard="true"] .heard-ok`)))
	t.Logf("the guide page showed the phone's first message %s after it was sent", took.Round(10*time.Millisecond))
	shots.shoot(ctx, "connect-05-guide-heard")
	run("guide: SmsForwarder", chromedp.Click(chromedp.CSS(`.tabs a[href$="app=smsf"]`)), chromedp.WaitVisible(chromedp.ID(`smsf-url`)))
	if u := text(`#smsf-url`); u != "http://"+lanHost+"/webhook?src=smsf" {
		t.Fatalf("SmsForwarder address %q", u)
	}
	if p := text(`#pkg-alipay`) + " " + text(`#pkg-wechat`); p != "com.eg.android.AlipayGphone com.tencent.mm" {
		t.Fatalf("packages %q", p)
	}
	shots.shoot(ctx, "connect-06-guide-smsforwarder")

	// Devices: another phone, never connected, turns online on the open page within 5 s of its heartbeat.
	run("devices", chromedp.Navigate(in.URL+"/admin/devices"), chromedp.WaitVisible(chromedp.ID(`device-name`)),
		chromedp.SendKeys(chromedp.ID(`device-name`), "备用机"), chromedp.Submit(chromedp.ID(`device-name`)),
		chromedp.WaitVisible(chromedp.CSS(`#device-2 .pairing svg.qr`)))
	second := text(`#device-2-pair`)
	if !strings.HasPrefix(second, lanHost+"/") {
		t.Fatalf("second pairing string %q", second)
	}
	run("reload the devices page", chromedp.Navigate(in.URL+"/admin/devices"), chromedp.WaitVisible(chromedp.CSS(`#device-2-state[data-online="false"]`)))
	vmqPhone{t: t, host: phone.host, key: second[strings.Index(second, "/")+1:]}.heart()
	took = within("online, live", 5*time.Second, chromedp.WaitVisible(chromedp.CSS(`#device-2-state[data-online="true"] .badge.ok`)))
	t.Logf("the devices page showed the phone online %s after its heartbeat", took.Round(10*time.Millisecond))
	shots.shoot(ctx, "connect-07-devices")

	// Settings: the address section; the phone opens the check address.
	run("settings", chromedp.Navigate(in.URL+"/admin/settings"), chromedp.WaitVisible(chromedp.ID(`address`)))
	if b := text(`#reach-base`); b != "http://"+lanHost {
		t.Fatalf("the settings say links use %q", b)
	}
	run("check from the phone", chromedp.Click(chromedp.ID(`reach-check-start`)), chromedp.WaitVisible(chromedp.ID(`reach-check-url`)))
	check := text(`#reach-check-url`)
	if !strings.HasPrefix(check, "http://"+lanHost+"/check/") {
		t.Fatalf("check address %q", check)
	}
	resp, err := http.Get(check)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	within("reached, live", 5*time.Second, chromedp.WaitVisible(chromedp.CSS(`#reach-status[data-reached="true"]`)))
	run("open the explanation", chromedp.Click(chromedp.CSS(`.reach-help summary`)))
	shots.shoot(ctx, "connect-08-settings-address")

	// Alerts: a signed webhook, tested from the console.
	run("alerts", chromedp.Navigate(in.URL+"/admin/alerts"), chromedp.WaitVisible(chromedp.ID(`alert-add`)))
	shots.shoot(ctx, "connect-09-alerts-empty")
	run("add a webhook", chromedp.Click(chromedp.ID(`ak-webhook`)), chromedp.WaitVisible(chromedp.ID(`webhook_url`)),
		chromedp.SendKeys(chromedp.ID(`webhook_url`), hook.URL+"/paygate"), chromedp.SendKeys(chromedp.ID(`webhook_secret`), "whsec_1234"),
		chromedp.Click(chromedp.ID(`alert-add-submit`)), chromedp.WaitVisible(chromedp.ID(`alert-channel-1`)),
		chromedp.Click(chromedp.CSS(`#alert-channel-1 button[hx-post$="/test"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#alert-channel-1 .test-result[data-ok="true"]`)))
	if len(hook.messages()) != 1 {
		t.Fatalf("the webhook got %v", hook.messages())
	}
	shots.shoot(ctx, "connect-10-alerts")

	// 4. A payment link: the checklist is done and leaves the dashboard.
	run("links", chromedp.Navigate(in.URL+"/admin/links"), chromedp.WaitVisible(chromedp.ID(`link-product`)),
		chromedp.SendKeys(chromedp.ID(`link-product`), "手工曲奇一盒"), chromedp.SendKeys(chromedp.ID(`link-amount`), "19.9"),
		chromedp.Submit(chromedp.ID(`link-product`)), chromedp.WaitVisible(chromedp.CSS(`.card.link`)))
	link := text(`.card.link .secret code`)
	if !strings.HasPrefix(link, "http://"+lanHost+"/l/") {
		t.Fatalf("link %q is not on the LAN address", link)
	}
	run("link QR", chromedp.Click(chromedp.CSS(`.card.link summary`)), chromedp.WaitVisible(chromedp.CSS(`.card.link svg.qr`)))
	linkQR, err := chromedp.Run(ctx, chromedp.Screenshot(chromedp.CSS(`.card.link svg.qr`)))
	if err != nil {
		t.Fatal(err)
	}
	if scanned, _, err := qr.Decode(linkQR); err != nil || scanned != link {
		t.Fatalf("the link's QR code reads %q (%v), want %q", scanned, err, link)
	}
	shots.shoot(ctx, "connect-11-links")
	run("dashboard, all done", chromedp.Navigate(in.URL+"/admin/"), chromedp.WaitVisible(chromedp.ID(`dashboard`)),
		chromedp.WaitVisible(chromedp.CSS(`#connect-panel`)), chromedp.WaitNotPresent(chromedp.ID(`setup-checklist`)))
	shots.shoot(ctx, "connect-12-dashboard-done")

	// A payer on the shop's Wi-Fi opens the link, pays with Alipay; the phone reports it.
	run("payer: link", chromedp.Navigate(link), chromedp.WaitVisible(chromedp.CSS(`form.buy`)),
		chromedp.Click(chromedp.CSS(`.pick.alipay`)), chromedp.Click(chromedp.CSS(`form.buy button`)),
		chromedp.WaitVisible(chromedp.CSS(`#checkout[data-status="pending"]`)))
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	orderID := loc[strings.LastIndex(loc, "/")+1:]
	if i := strings.IndexAny(orderID, "?#"); i >= 0 {
		orderID = orderID[:i]
	}
	st, err := http.Get(in.URL + "/api/order-status?orderId=" + orderID)
	if err != nil {
		t.Fatal(err)
	}
	var order map[string]any
	_ = json.NewDecoder(st.Body).Decode(&order)
	st.Body.Close()
	amount, ok := order["amount"].(float64)
	if !ok {
		t.Fatalf("order status %v", order)
	}
	phone.push("2", strconv.FormatFloat(amount, 'f', -1, 64))
	run("payer: paid", chromedp.WaitVisible(chromedp.CSS(`#checkout[data-status="success"]`)))
	shots.shoot(ctx, "connect-13-paid")

	// Money no order asked for: it appears on the open payments page by
	// itself, and the dashboard shows the alert the webhook was sent.
	run("payments", chromedp.Navigate(in.URL+"/admin/payments"), chromedp.WaitVisible(chromedp.ID(`payments-live`)))
	phone.push("2", "0.77")
	took = within("unmatched payment, live", 5*time.Second, chromedp.WaitVisible(chromedp.CSS(`#payments-live .pay-card`)))
	t.Logf("the payments page showed the waiting payment %s after it arrived", took.Round(10*time.Millisecond))
	shots.shoot(ctx, "connect-14-payments-live")
	run("dashboard alert", chromedp.Navigate(in.URL+"/admin/"), chromedp.WaitVisible(chromedp.CSS(`#open-incidents li[data-kind="payments_waiting"]`)))
	shots.shoot(ctx, "connect-15-dashboard-alert")
	deadline := time.Now().Add(10 * time.Second)
	for len(hook.messages()) < 2 && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	var fields map[string]string
	if got := hook.messages(); len(got) != 2 || json.Unmarshal([]byte(got[1]["body"]), &fields) != nil || fields["kind"] != "payments_waiting" || fields["event"] != "open" {
		t.Fatalf("the webhook got %v", got)
	}
}
