package epay

import (
	"net/url"
	"strings"
	"testing"

	"paygate/app"
)

// The expected signatures were computed with Python's hashlib from the
// protocol's description, not with this package.

func TestSignDocExample(t *testing.T) {
	// 彩虹易支付's own documentation example, with an empty param and sign/sign_type present (all three left out).
	p := map[string]string{"pid": "1001", "type": "alipay", "out_trade_no": "20160806151343349",
		"notify_url": "http://www.cccyun.cc/notify_url.php", "return_url": "http://www.cccyun.cc/return_url.php",
		"name": "VIP会员", "money": "1.00", "sitename": "彩虹云任务", "param": "", "sign": "x", "sign_type": "MD5"}
	want := "money=1.00&name=VIP会员&notify_url=http://www.cccyun.cc/notify_url.php&out_trade_no=20160806151343349&pid=1001&return_url=http://www.cccyun.cc/return_url.php&sitename=彩虹云任务&type=alipay"
	if got := SignString(p); got != want {
		t.Fatalf("sign string\n got %s\nwant %s", got, want)
	}
	const key, sign = "89unJUB8HZ54Hj7x4nUj56HN4nUzUJ8i", "89fb3837e8ceecfec6c6c35ce1f9c619"
	if got := Sign(p, key); got != sign {
		t.Fatalf("sign %s, want %s", got, sign)
	}
	for _, s := range []string{sign, strings.ToUpper(sign), " " + sign + " "} {
		if !Verify(p, key, s) {
			t.Errorf("Verify(%q) = false", s)
		}
	}
	for _, s := range []string{"", sign[:31], sign + "0", strings.Replace(sign, "8", "9", 1)} {
		if Verify(p, key, s) {
			t.Errorf("Verify(%q) = true", s)
		}
	}
	if Verify(p, key+"x", sign) {
		t.Error("another key verifies")
	}
	p["money"] = "1"
	if Verify(p, key, sign) {
		t.Error("changed money verifies")
	}
}

func TestNotifyParams(t *testing.T) {
	e := app.EpayOrder{OrderID: "ORD17641400001234567890", PID: "1000", OutTradeNo: "T1001", Type: "wxpay",
		Name: "会员 & 充值=1", Money: "10", Param: "uid=42", NotifyURL: "https://shop.example.com/n"}
	q := NotifyParams(e, "test_key_123456")
	want := map[string]string{"pid": "1000", "trade_no": e.OrderID, "out_trade_no": "T1001", "type": "wxpay", "name": "会员 & 充值=1",
		"money": "10", "trade_status": "TRADE_SUCCESS", "param": "uid=42", "sign": "addb02b143ab666545ec8b00bf5eeba5", "sign_type": "MD5"}
	if len(q) != len(want) {
		t.Fatalf("params %v", q)
	}
	for k, v := range want {
		if q.Get(k) != v {
			t.Errorf("%s = %q, want %q", k, q.Get(k), v)
		}
	}
	// Without param, no param at all (彩虹易支付 sends it only when the shop did).
	e.Param = ""
	if q := NotifyParams(e, "k"); q.Has("param") {
		t.Fatalf("empty param sent: %v", q)
	}

	// The query survives the trip: a client parsing the URL verifies the sign.
	u := WithQuery("https://shop.example.com/notify.php?gateway=epay", NotifyParams(e, "k"))
	parsed, err := url.Parse(u)
	if err != nil || !strings.Contains(u, "?gateway=epay&") {
		t.Fatalf("WithQuery: %s %v", u, err)
	}
	got := map[string]string{}
	for k := range parsed.Query() {
		if k != "gateway" {
			got[k] = parsed.Query().Get(k)
		}
	}
	if !Verify(got, "k", got["sign"]) || got["name"] != e.Name {
		t.Fatalf("round trip: %v", got)
	}
	if u := WithQuery("https://shop.example.com/n", url.Values{"a": {"1"}}); u != "https://shop.example.com/n?a=1" {
		t.Fatalf("WithQuery without a query: %s", u)
	}
}
