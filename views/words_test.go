package views

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"paygate/app"
)

var zh = WithLang(context.Background(), "zh")

// asciiWord finds a run of Latin letters: machine words in Chinese text.
var asciiWord = regexp.MustCompile(`[A-Za-z_]{3,}`)

func TestEveryAuditActionIsWorded(t *testing.T) {
	for _, a := range app.AuditActions {
		if _, ok := actionLabels[a]; !ok {
			t.Errorf("audit action %q has no label", a)
		}
		if l := actionLabel(zh, a); strings.Contains(l, ".") || l == a {
			t.Errorf("audit action %q shown as %q", a, l)
		}
	}
}

func TestAuditDetailsInPlainWords(t *testing.T) {
	for _, tt := range []struct {
		e    app.AuditEntry
		want string
	}{
		{app.AuditEntry{Action: app.AuditTuning, Detail: "lifetime=1m0s amounts=0.01..10000 slots=alternate±0.5 window=15m0s grace=10m0s auto=medium"},
			"订单有效期 1 分钟；金额 ¥0.01 – ¥10000；金额上下交替调整，最多调整 ¥0.5；自动匹配时限 15 分钟；订单结束后的缓冲时间 10 分钟；自动确认：可信度中及以上"},
		{app.AuditEntry{Action: app.AuditSettings, Detail: "apiKey, callbackUrl → http://shop.example/cb"}, "修改了：API 密钥、通知地址 → http://shop.example/cb"},
		{app.AuditEntry{Action: app.AuditSettings, Detail: app.AuditFields("changed", "name,callbackUrl", "callbackUrl", "https://s.example/cb")}, "修改了：店铺名称、通知地址；通知地址 https://s.example/cb"},
		{app.AuditEntry{Action: app.AuditPaymentConfirm, Detail: app.AuditFields("order", "ORD1", "received", "10.00", "payable", "10.01", "why", "listed_price", "note", "顾客发了截图")},
			"订单 ORD1；到账 ¥10.00，应付 ¥10.01（少付 ¥0.01）；依据：按商品原价付款；说明：顾客发了截图"},
		{app.AuditEntry{Action: app.AuditPaymentRecord, Detail: app.AuditFields("order", "ORD2", "received", "18.80", "payable", "18.80", "method", "wechat", "receivedAt", "2026-11-26 12:00:00", "note", "手机关机")},
			"订单 ORD2；到账 ¥18.80；微信支付；到账时间 2026-11-26 12:00:00；说明：手机关机"},
		{app.AuditEntry{Action: app.AuditPaymentConfirm, Detail: "ORD3 ¥5.00"}, "订单 ORD3，到账 ¥5.00"},
		{app.AuditEntry{Action: app.AuditAPIKeyForwardingOff, Detail: "forwarder.accept_api_key=false"}, ""},
	} {
		got := auditDetail(zh, tt.e)
		if got != tt.want {
			t.Errorf("%s %q:\n got %q\nwant %q", tt.e.Action, tt.e.Detail, got, tt.want)
		}
	}
}

func TestNotificationReasonsInPlainWords(t *testing.T) {
	for _, r := range []string{"empty", "self-test", "recap", "refund", "withdrawal", "expense", "bill", "report", "earnings",
		"red packet", "transfer", "banner", "ambiguous", "no amount", "same notification as #12",
		"signed timestamp 1764144605000 was used by #3; each is used once", "notification #7 was applied already",
		"report (tried 5 times)"} {
		got := notificationReason(zh, app.Notification{Reason: r})
		if w := asciiWord.FindString(got); w != "" {
			t.Errorf("reason %q shown as %q: %q is not Chinese", r, got, w)
		}
	}
	n := app.Notification{Outcome: app.OutcomeRefused, Reason: "The key is wrong.", ReasonZh: "密钥不对。"}
	if got := notificationReason(zh, n); got != "密钥不对。" {
		t.Errorf("refusal shown as %q", got)
	}
	if got := notificationReason(WithLang(context.Background(), "en"), n); got != "The key is wrong." {
		t.Errorf("refusal in English shown as %q", got)
	}
}

func TestStatusWords(t *testing.T) {
	for _, w := range []string{
		orderStatusLabel(zh, app.OrderPending), orderStatusLabel(zh, app.OrderSuccess), orderStatusLabel(zh, app.OrderExpired), orderStatusLabel(zh, app.OrderFailed),
		paymentStatusLabel(zh, app.PaymentMatched), paymentStatusLabel(zh, app.PaymentUnmatched), paymentStatusLabel(zh, app.PaymentIgnored),
		callbackStatusLabel(zh, app.CallbackPending), callbackStatusLabel(zh, app.CallbackSent), callbackStatusLabel(zh, app.CallbackFailed), callbackStatusLabel(zh, ""),
		confidenceLabel(zh, app.ConfidenceHigh), confidenceLabel(zh, app.ConfidenceLow), actorLabel(zh, "auto"), actorLabel(zh, "api"),
		kindLabel(zh, "webhook"),
	} {
		if asciiWord.MatchString(w) || strings.Contains(w, "把握") || strings.Contains(w, "回调") {
			t.Errorf("status shown as %q", w)
		}
	}
}

func TestAnnouncement(t *testing.T) {
	say, title, body := Announcement("zh", app.Arrival{Method: app.MethodAlipay, Amount: 1250,
		Order: app.OrderRef{ID: "ORD1", ProductName: "苹果", MerchantOrderID: "epay:A-1", PayAmount: 1251}})
	if say != "支付宝到账 12.50 元" || title != "收款 ¥12.50 · 支付宝" || body != "苹果 · 商城单号 A-1（少付 ¥0.01）" {
		t.Fatalf("announcement: %q %q %q", say, title, body)
	}
	if say, _, _ := Announcement("zh", app.Arrival{Method: app.MethodWechat, Amount: 300}); say != "微信到账 3.00 元" {
		t.Fatalf("wechat: %q", say)
	}
}
