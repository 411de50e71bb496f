package gateway

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"testing"
	"time"

	"paygate/app"
	"paygate/app/console"
	"paygate/app/store"
	"paygate/app/testclock"
)

// newConnectGateway is a gateway on a settable clock with one alert
// channel, whose queued messages the test reads.
func newConnectGateway(t *testing.T, opts Options) (*Gateway, *testclock.Clock) {
	t.Helper()
	c := testclock.New(time.Date(2026, 11, 26, 14, 0, 0, 0, app.Shanghai))
	db, err := store.Open(context.Background(), t.TempDir(), store.Options{Synchronous: "NORMAL", Now: c.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.SeedSettings(context.Background(), "test-api-key", "http://shop.example/callback"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateAlertChannel(context.Background(), app.AlertChannel{Kind: app.ChannelWebhook, Name: "hook",
		Config: app.AlertChannelConfig{URL: "http://hooks.example/x", Secret: "secret-123"}}); err != nil {
		t.Fatal(err)
	}
	opts.Defaults = app.Tuning{OrderLifetime: 15 * time.Minute, MinAmount: 1, MaxAmount: 1_000_000,
		Slots: app.SlotPolicy{Mode: app.SlotAlternate, MaxOffset: 50},
		Match: app.MatchPolicy{Window: 15 * time.Minute, Grace: 10 * time.Minute, AutoConfirm: app.ConfidenceMedium}}
	opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	if opts.AlertSettle == 0 {
		opts.AlertSettle = time.Minute
	}
	return New(db, quietNotifier{}, opts), c
}

// queued lists the queued messages, oldest first, as "event kind key".
func queued(t *testing.T, g *Gateway) []string {
	t.Helper()
	msgs, err := g.db.RecentAlertMessages(context.Background(), 100)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for i := len(msgs) - 1; i >= 0; i-- {
		m := msgs[i]
		out = append(out, string(m.Event)+" "+string(m.Incident.Kind)+" "+m.Incident.Key)
	}
	return out
}

func check(t *testing.T, g *Gateway, times int) {
	t.Helper()
	for range times {
		if err := g.CheckAlerts(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
}

// A phone that sends heartbeats and goes quiet past its window opens one
// incident however often it is checked; heard again, the incident clears.
func TestPhoneSilentAndBack(t *testing.T) {
	ctx := context.Background()
	g, c := newConnectGateway(t, Options{DeviceOfflineAfter: 2 * time.Minute})
	vmq, err := g.CreateDevice(ctx, "店里的小米", "admin")
	if err != nil {
		t.Fatal(err)
	}
	smsf, err := g.CreateDevice(ctx, "SmsForwarder 手机", "admin")
	if err != nil {
		t.Fatal(err)
	}
	if err := g.db.TouchDevice(ctx, vmq.ID, g.Now(), "192.168.1.23", "vmq", true); err != nil {
		t.Fatal(err)
	}
	if err := g.db.TouchDevice(ctx, smsf.ID, g.Now(), "192.168.1.24", "smsforwarder", false); err != nil {
		t.Fatal(err)
	}
	check(t, g, 2)
	if q := queued(t, g); len(q) != 0 {
		t.Fatalf("online phones raised %v", q)
	}
	c.Add(3 * time.Minute)
	check(t, g, 3)
	// The SmsForwarder phone sends only when a notification comes: its quiet is not an incident.
	if q := strings.Join(queued(t, g), "; "); q != "open device_silent "+strconv.FormatInt(vmq.ID, 10) {
		t.Fatalf("silent phone: %q", q)
	}
	if err := g.db.TouchDevice(ctx, vmq.ID, g.Now(), "192.168.1.23", "vmq", true); err != nil {
		t.Fatal(err)
	}
	check(t, g, 3)
	// The opening message had not gone out (no dispatcher here): it becomes
	// the one message saying both when it started and when it ended.
	if q := strings.Join(queued(t, g), "; "); q != "resolved device_silent "+strconv.FormatInt(vmq.ID, 10) {
		t.Fatalf("back online: %q", q)
	}
}

// Payments waiting for a person and callbacks failing per destination
// host are incidents while they last.
func TestWaitingPaymentsAndFailingCallbacks(t *testing.T) {
	ctx := context.Background()
	g, _ := newConnectGateway(t, Options{})
	res, err := g.Ingest(ctx, app.RawRequest{Endpoint: "/webhook", Method: "POST", RemoteIP: "127.0.0.1",
		Header: map[string]string{"content-type": "application/json", "key": "test-api-key"}, Body: []byte(`{"message":"收到转账8.88元(支付宝)"}`),
		ReceivedAt: g.Now()})
	if err != nil || res.PaymentID == "" {
		t.Fatalf("ingest: %+v %v", res, err)
	}
	check(t, g, 2)
	open, _ := g.db.OpenIncidents(ctx)
	if len(open) != 1 || open[0].Kind != app.AlertPaymentsWaiting || !strings.Contains(open[0].Text, "1 笔收款") {
		t.Fatalf("open incidents %+v", open)
	}
	if _, err := g.IgnorePayment(ctx, res.PaymentID, "", "admin"); err != nil {
		t.Fatal(err)
	}
	check(t, g, 1)
	if open, _ := g.db.OpenIncidents(ctx); len(open) != 0 {
		t.Fatalf("after the payment was handled: %+v", open)
	}

	// A paid order whose callback the shop does not acknowledge.
	if _, _, err := g.CreateOrder(ctx, OrderRequest{ProductName: "p", Amount: "6", AmountPresent: true, PaymentMethod: "alipay"}); err != nil {
		t.Fatal(err)
	}
	if _, err := g.Ingest(ctx, app.RawRequest{Endpoint: "/webhook", Method: "POST", RemoteIP: "127.0.0.1",
		Header: map[string]string{"content-type": "application/json", "key": "test-api-key"}, Body: []byte(`{"message":"收到转账6.00元(支付宝)"}`),
		ReceivedAt: g.Now()}); err != nil {
		t.Fatal(err)
	}
	due, err := g.db.ClaimDueCallbacks(ctx, 10, time.Minute, nil)
	if err != nil || len(due) != 1 {
		t.Fatalf("claim: %v %v", due, err)
	}
	fail := app.CallbackAttempt{CallbackID: due[0].Callback.ID, Claim: due[0].Callback.Claim, URL: "http://shop.example/callback", StartedAt: g.Now(), HTTPStatus: 500, Error: "HTTP 500"}
	if err := g.db.FinishCallbackAttempt(ctx, fail, app.CallbackFailed, g.Now()); err != nil {
		t.Fatal(err)
	}
	check(t, g, 2)
	open, _ = g.db.OpenIncidents(ctx)
	if len(open) != 1 || open[0].Kind != app.AlertCallbacksFailing || open[0].Key != "shop.example" || !strings.Contains(open[0].Text, "1 个发往 shop.example") {
		t.Fatalf("failing callback: %+v", open)
	}
	if err := g.ResendCallback(ctx, due[0].Payment.ID, "admin"); err != nil {
		t.Fatal(err)
	}
	check(t, g, 1)
	if open, _ := g.db.OpenIncidents(ctx); len(open) != 0 {
		t.Fatalf("resent, the callback is no longer failing: %+v", open)
	}
}

// Pending orders and no notification from any phone for alerts.order_silence:
// one incident; a phone's notification clears it.
func TestOrdersUnheard(t *testing.T) {
	ctx := context.Background()
	g, c := newConnectGateway(t, Options{OrderSilence: 10 * time.Minute})
	if _, _, err := g.CreateOrder(ctx, OrderRequest{ProductName: "p", Amount: "5", AmountPresent: true, PaymentMethod: "alipay"}); err != nil {
		t.Fatal(err)
	}
	c.Add(11 * time.Minute)
	check(t, g, 1)
	if open, _ := g.db.OpenIncidents(ctx); len(open) != 0 {
		t.Fatalf("no phone is set up yet: nothing to blame, got %+v", open)
	}
	if _, err := g.CreateDevice(ctx, "phone", "admin"); err != nil {
		t.Fatal(err)
	}
	check(t, g, 2)
	open, _ := g.db.OpenIncidents(ctx)
	if len(open) != 1 || open[0].Kind != app.AlertOrdersUnheard || !strings.Contains(open[0].Text, "从来没有发来过通知") {
		t.Fatalf("open incidents %+v", open)
	}
	// The order expires unpaid: that says nothing of the phone, the incident stays.
	c.Add(10 * time.Minute)
	if _, err := g.db.ExpireOrders(ctx); err != nil {
		t.Fatal(err)
	}
	check(t, g, 2)
	if open, _ := g.db.OpenIncidents(ctx); len(open) != 1 {
		t.Fatalf("after the order expired: %+v", open)
	}
	c.Add(time.Minute)
	if _, err := g.Ingest(ctx, app.RawRequest{Endpoint: "/webhook", Method: "POST", RemoteIP: "127.0.0.1",
		Header: map[string]string{"content-type": "application/json", "key": "test-api-key"}, Body: []byte(`{"message":"【测试通道】恭喜您，该发送通道测试成功，请继续添加转发规则！"}`),
		ReceivedAt: g.Now()}); err != nil {
		t.Fatal(err)
	}
	check(t, g, 1)
	if open, _ := g.db.OpenIncidents(ctx); len(open) != 0 {
		t.Fatalf("after the phone was heard: %+v", open)
	}
	if q := strings.Join(queued(t, g), "; "); q != "resolved orders_unheard " {
		t.Fatalf("messages: %q", q)
	}
}

// Reach hands out the public address, else the address the console was
// opened at, else this computer's LAN address instead of localhost.
func TestReach(t *testing.T) {
	lan := []netip.Addr{netip.MustParseAddr("192.168.1.5"), netip.MustParseAddr("10.0.0.7")}
	g, _ := newConnectGateway(t, Options{LANAddresses: func() []netip.Addr { return lan }})
	ctx := context.Background()
	if r := g.Reach("http://localhost:3000"); r.Via != console.ReachLocal || r.Base != "http://localhost:3000" {
		t.Fatalf("listen address unknown: %+v", r)
	}
	g.SetListenAddr(&net.TCPAddr{IP: net.IPv4zero, Port: 3000})
	for _, tt := range []struct{ request, base string }{
		{"http://localhost:3000", "http://192.168.1.5:3000"},
		{"http://127.0.0.1:3000", "http://192.168.1.5:3000"},
		{"http://[::1]:3000", "http://192.168.1.5:3000"},
		{"http://10.0.0.7:3000", "http://10.0.0.7:3000"},
		{"https://pay.example.com", "https://pay.example.com"},
	} {
		if r := g.Reach(tt.request); r.Base != tt.base || len(r.LAN) != 2 {
			t.Errorf("opened at %s: %+v, want %s", tt.request, r, tt.base)
		}
	}
	g.SetListenAddr(&net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 3000})
	if r := g.Reach("http://localhost:3000"); r.Via != console.ReachLocal || !r.LocalOnly || len(r.LAN) != 0 {
		t.Fatalf("listening on 127.0.0.1 only: %+v", r)
	}
	if err := g.SetPublicAddress(ctx, "https://pay.example.com/", "admin"); err != nil {
		t.Fatal(err)
	}
	if r := g.Reach("http://localhost:3000"); r.Base != "https://pay.example.com" || r.Via != console.ReachPublic || r.Public.Source.Kind != app.SourceConsole {
		t.Fatalf("public address: %+v", r)
	}
	// Saved, it survives a restart (LoadTuning reads it).
	g2 := New(g.db, quietNotifier{}, Options{Defaults: g.defaults, Logger: g.log})
	if err := g2.LoadTuning(ctx); err != nil {
		t.Fatal(err)
	}
	if p := g2.PublicAddress(); p.URL != "https://pay.example.com" {
		t.Fatalf("after a restart: %+v", p)
	}
	// Pinned by the environment: it wins and the console cannot change it.
	g3 := New(g.db, quietNotifier{}, Options{Defaults: g.defaults, Logger: g.log, PublicURL: "https://env.example.com",
		Pinned: map[string]app.Source{"server.public_url": {Kind: app.SourceEnv, Name: "PAYGATE_SERVER_PUBLIC_URL"}}})
	if err := g3.LoadTuning(ctx); err != nil {
		t.Fatal(err)
	}
	if p := g3.PublicAddress(); p.URL != "https://env.example.com" || p.Saved != "https://pay.example.com" {
		t.Fatalf("pinned: %+v", p)
	}
	if err := g3.SetPublicAddress(ctx, "https://other.example.com", "admin"); app.ErrorCode(err) != app.ECONFLICT || !strings.Contains(err.Error(), "PAYGATE_SERVER_PUBLIC_URL") {
		t.Fatalf("changing a pinned address: %v", err)
	}
}

func TestParsePublicURL(t *testing.T) {
	for in, want := range map[string]string{
		"":                           "",
		"https://pay.example.com/":   "https://pay.example.com",
		"192.168.1.5:3000":           "http://192.168.1.5:3000",
		" http://Shop.example:8080 ": "http://Shop.example:8080",
	} {
		if got, err := ParsePublicURL(in); err != nil || got != want {
			t.Errorf("ParsePublicURL(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"http://localhost:3000", "http://127.0.0.1:3000", "https://pay.example.com/pay", "ftp://x.example",
		"https://u:p@pay.example.com", "https://pay.example.com?x=1"} {
		if _, err := ParsePublicURL(in); app.ErrorCode(err) != app.EINVALID || app.ErrorField(err) != "publicUrl" {
			t.Errorf("ParsePublicURL(%q): %v, want a publicUrl error", in, err)
		}
	}
}

func TestParseAlertChannel(t *testing.T) {
	for _, tt := range []struct {
		name  string
		form  console.AlertChannelForm
		field string // "" = accepted
		check func(app.AlertChannel) bool
	}{
		{"bark from the app's test address", console.AlertChannelForm{Kind: "bark", URL: "https://api.day.app/ynJ5Ft4atkMkWeo2PAvFhF/推送内容"}, "",
			func(c app.AlertChannel) bool {
				return c.Config.URL == "https://api.day.app" && c.Config.Key == "ynJ5Ft4atkMkWeo2PAvFhF"
			}},
		{"bark key only", console.AlertChannelForm{Kind: "bark", Key: "ynJ5Ft4atkMkWeo2PAvFhF"}, "", nil},
		{"bark bad key", console.AlertChannelForm{Kind: "bark", Key: "a/b"}, "key", nil},
		{"serverchan", console.AlertChannelForm{Kind: "serverchan", Key: "SCT123456TabcdefGHIJ"}, "", nil},
		{"serverchan empty", console.AlertChannelForm{Kind: "serverchan"}, "key", nil},
		{"wecom", console.AlertChannelForm{Kind: "wecom", URL: "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a"}, "", nil},
		{"wecom no url", console.AlertChannelForm{Kind: "wecom", URL: "qyapi"}, "url", nil},
		{"dingtalk signed", console.AlertChannelForm{Kind: "dingtalk", URL: "https://oapi.dingtalk.com/robot/send?access_token=x", Secret: "SECabc"}, "", nil},
		{"dingtalk bad secret", console.AlertChannelForm{Kind: "dingtalk", URL: "https://oapi.dingtalk.com/robot/send?access_token=x", Secret: "abc"}, "secret", nil},
		{"telegram", console.AlertChannelForm{Kind: "telegram", Key: "123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11", ChatID: "-1001234"}, "", nil},
		{"telegram bad chat", console.AlertChannelForm{Kind: "telegram", Key: "123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11", ChatID: "me"}, "chatId", nil},
		{"email", console.AlertChannelForm{Kind: "email", Host: "smtp.qq.com:465", Username: "shop@qq.com", Password: "code", To: "a@b.cn"}, "",
			func(c app.AlertChannel) bool { return c.Config.From == "shop@qq.com" }},
		{"email no password", console.AlertChannelForm{Kind: "email", Host: "smtp.qq.com", Username: "shop@qq.com", To: "a@b.cn"}, "password", nil},
		{"email bad to", console.AlertChannelForm{Kind: "email", Host: "smtp.qq.com", From: "shop@qq.com", To: "nobody"}, "to", nil},
		{"webhook short secret", console.AlertChannelForm{Kind: "webhook", URL: "https://hooks.example/x", Secret: "short"}, "secret", nil},
		{"unknown kind", console.AlertChannelForm{Kind: "sms"}, "kind", nil},
	} {
		ch, err := ParseAlertChannel(tt.form)
		if tt.field == "" {
			if err != nil || (tt.check != nil && !tt.check(ch)) {
				t.Errorf("%s: %+v %v", tt.name, ch.Config, err)
			}
			continue
		}
		if app.ErrorCode(err) != app.EINVALID || app.ErrorField(err) != tt.field {
			t.Errorf("%s: %v, want an error on %s", tt.name, err, tt.field)
		}
	}
}
