package e2e

// Notifications a payer can make the shop's phone show, or hold back,
// without paying for the order they would pay (red-team review 2026-12-02),
// posted to the real binary the way SmsForwarder sends them.

import (
	"encoding/json"
	"net/url"
	"testing"
	"time"
)

func TestAttackChatMessagesDoNotPay(t *testing.T) {
	pg := startPaygate(t, t.TempDir(), "PAYGATE_MERCHANT_API_KEY="+testAPIKey)
	_, deviceKey := pg.createDevice("店里的小米")
	key := map[string]string{"key": deviceKey}
	orders := map[string]string{}
	for _, o := range []struct{ amount, method string }{{"88", "wechat"}, {"66", "wechat"}, {"100", "wechat"}, {"50", "alipay"}, {"120", "alipay"}} {
		orders[o.amount] = pg.createOrder(`{"productName":"c","amount":` + o.amount + `,"paymentMethod":"` + o.method + `"}`)["orderId"].(string)
	}
	asJSON := func(fields map[string]string) string { b, _ := json.Marshal(fields); return string(b) }
	for _, tt := range []struct {
		name, contentType, body, reason string
	}{
		{"a customer's chat", "application/json",
			asJSON(map[string]string{"package": "com.tencent.mm", "title": "张三", "message": "微信支付收款88.00元(朋友到店)"}), "chat"},
		{"a chat in SmsForwarder's default form", "application/x-www-form-urlencoded",
			url.Values{"from": {"com.tencent.mm"}, "content": {"com.tencent.mm\n微信支付收款66.00元(朋友到店)\n张三\nUID：10234\n2026-12-02 10:00:00"}}.Encode(), "chat"},
		{"a group chat named like WeChat Pay", "application/json",
			asJSON(map[string]string{"package": "com.tencent.mm", "title": "微信支付", "message": "李四: 微信支付收款100.00元"}), "chat"},
		{"an Alipay name that vetoes the real amount", "application/json",
			asJSON(map[string]string{"package": "com.eg.android.AlipayGphone", "title": "收款通知", "message": "到账50元、退款通过扫码向你付款0.01元"}), "ambiguous"},
		{"an Alipay name with an amount over the ¥ receipt", "application/json",
			asJSON(map[string]string{"package": "com.eg.android.AlipayGphone", "title": "收款通知", "message": "张三到账120元 ¥0.01"}), "ambiguous"},
	} {
		status, out := pg.post("/webhook", tt.contentType, tt.body, key)
		if status != 200 || out["kind"] != "ignored" || out["reason"] != tt.reason {
			t.Errorf("%s: %d %v, want ignored as %s", tt.name, status, out, tt.reason)
		}
	}
	for amount, id := range orders {
		if status, _ := pg.orderStatus(id); status != "pending" {
			t.Errorf("the %s order is %s", amount, status)
		}
	}
	// WeChat Pay's own notice still pays.
	status, out := pg.post("/webhook", "application/json",
		asJSON(map[string]string{"package": "com.tencent.mm", "title": "微信支付", "message": "微信支付收款88.00元(朋友到店)"}), key)
	if status != 200 || out["orderId"] != orders["88"] {
		t.Fatalf("WeChat Pay's notice: %d %v", status, out)
	}
}

// A signed push is accepted for 15 minutes; one the phone signed before the
// order existed (held back past the slot's cooldown) must not pay it.
func TestAttackHeldBackSignedPushDoesNotPayNewerOrder(t *testing.T) {
	pg := startPaygate(t, t.TempDir(), "PAYGATE_MERCHANT_API_KEY="+testAPIKey)
	_, deviceKey := pg.createDevice("店里的小米")
	order := pg.createOrder(`{"productName":"c","amount":6.00,"paymentMethod":"wechat"}`)["orderId"].(string)
	const form = "application/x-www-form-urlencoded"

	heldBack := time.Now().Add(-12 * time.Minute).UnixMilli() // past the 10-minute grace, inside the 15-minute window
	status, out := pg.post("/webhook", form, smsForwarderForm("微信支付收款6.00元(朋友到店)", deviceKey, heldBack).Encode(), nil)
	if status != 200 || out["kind"] != "payment" || out["matched"] != false {
		t.Fatalf("held-back push: %d %v, want a payment waiting for a person", status, out)
	}
	if status, _ := pg.orderStatus(order); status != "pending" {
		t.Fatalf("the order was paid by money seen 12 minutes before it existed: %s", status)
	}
	status, out = pg.post("/webhook", form, smsForwarderForm("微信支付收款6.00元(朋友到店)", deviceKey, time.Now().UnixMilli()).Encode(), nil)
	if status != 200 || out["orderId"] != order {
		t.Fatalf("the order's own push: %d %v", status, out)
	}
}
