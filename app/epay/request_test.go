package epay

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"paygate/app"
	"paygate/app/money"
)

const testKey = "test_key_123456"

var merchant = Merchant{PID: "1000", Key: testKey}

// signed is a valid mapi.php request with fields changed (an empty value
// drops the field), signed with key.
func signed(fields map[string]string, key string) map[string]string {
	p := map[string]string{"pid": "1000", "type": "alipay", "out_trade_no": "T1",
		"notify_url": "https://shop.example.com/notify", "name": "商品", "money": "1.00"}
	for k, v := range fields {
		if v == "" {
			delete(p, k)
		} else {
			p[k] = v
		}
	}
	p["sign"] = Sign(p, key)
	p["sign_type"] = "MD5"
	return p
}

func TestReadCreateOrder(t *testing.T) {
	tests := []struct {
		name   string
		params map[string]string
		field  string // the field the error names; "" = accepted
		code   string
		says   string
	}{
		{"valid", signed(nil, testKey), "", "", ""},
		{"no pid", map[string]string{}, "pid", app.EINVALID, "1000"},
		{"no pid, the rest valid", func() map[string]string { p := signed(nil, testKey); delete(p, "pid"); return p }(), "pid", app.EINVALID, "1000"},
		{"another pid", signed(map[string]string{"pid": "1001"}, testKey), "pid", app.EUNAUTHORIZED, `"1001"`},
		{"no sign", map[string]string{"pid": "1000", "type": "alipay"}, "sign", app.EUNAUTHORIZED, "MD5"},
		{"wrong key", signed(nil, "another-key"), "sign", app.EUNAUTHORIZED, "API"},
		{"changed after signing", func() map[string]string { p := signed(nil, testKey); p["money"] = "0.01"; return p }(), "sign", app.EUNAUTHORIZED, ""},
		{"uppercase sign", func() map[string]string { p := signed(nil, testKey); p["sign"] = strings.ToUpper(p["sign"]); return p }(), "", "", ""},
		{"sign_type md5", func() map[string]string { p := signed(nil, testKey); p["sign_type"] = " md5 "; return p }(), "", "", ""},
		{"no sign_type", func() map[string]string { p := signed(nil, testKey); delete(p, "sign_type"); return p }(), "", "", ""},
		{"sign_type SHA1", func() map[string]string { p := signed(nil, testKey); p["sign_type"] = "SHA1"; return p }(), "sign_type", app.EINVALID, `"SHA1"`},
		{"sign_type HMAC, no sign", map[string]string{"pid": "1000", "sign_type": "HMAC"}, "sign_type", app.EINVALID, "MD5"},
		// RSA is 彩虹易支付 V2's: refused until a merchant public key is entered, saying where.
		{"sign_type RSA without a merchant public key", func() map[string]string { p := signed(nil, testKey); p["sign_type"] = "RSA"; return p }(), "sign_type", app.EINVALID, "RSA"},
		{"bad sign before bad fields", func() map[string]string {
			p := signed(map[string]string{"type": ""}, testKey)
			p["sign"] = "0"
			return p
		}(), "sign", app.EUNAUTHORIZED, ""},
		{"no type (the payer chooses)", signed(map[string]string{"type": ""}, testKey), "", "", ""},
		{"type qqpay", signed(map[string]string{"type": "qqpay"}, testKey), "type", app.EINVALID, `"qqpay"`},
		{"type WXPAY", signed(map[string]string{"type": "WXPAY"}, testKey), "", "", ""},
		{"type wechat", signed(map[string]string{"type": "wechat"}, testKey), "", "", ""},
		{"no out_trade_no", signed(map[string]string{"out_trade_no": ""}, testKey), "out_trade_no", app.EINVALID, ""},
		{"out_trade_no 129 long", signed(map[string]string{"out_trade_no": strings.Repeat("9", 129)}, testKey), "out_trade_no", app.EINVALID, "128"},
		{"out_trade_no with a space", signed(map[string]string{"out_trade_no": "a b"}, testKey), "out_trade_no", app.EINVALID, `"a b"`},
		{"out_trade_no of every allowed sign", signed(map[string]string{"out_trade_no": "aZ09._-|"}, testKey), "", "", ""},
		{"no notify_url", signed(map[string]string{"notify_url": ""}, testKey), "notify_url", app.EINVALID, "GET"},
		{"notify_url ftp", signed(map[string]string{"notify_url": "ftp://x"}, testKey), "notify_url", app.EINVALID, "http"},
		{"return_url javascript", signed(map[string]string{"return_url": "javascript:alert(1)"}, testKey), "return_url", app.EINVALID, ""},
		{"no name", signed(map[string]string{"name": ""}, testKey), "name", app.EINVALID, ""},
		{"name with a newline", signed(map[string]string{"name": "a\nb"}, testKey), "name", app.EINVALID, ""},
		{"no money", signed(map[string]string{"money": ""}, testKey), "money", app.EINVALID, "money"},
		{"money 0", signed(map[string]string{"money": "0"}, testKey), "money", app.EINVALID, ""},
		{"money -1", signed(map[string]string{"money": "-1"}, testKey), "money", app.EINVALID, `"-1"`},
		{"money 1e3", signed(map[string]string{"money": "1e3"}, testKey), "money", app.EINVALID, `"1e3"`},
		{"money ¥1", signed(map[string]string{"money": "¥1"}, testKey), "money", app.EINVALID, ""},
		{"money 1.001", signed(map[string]string{"money": "1.001"}, testKey), "money", app.EINVALID, "1.001"},
		{"money over the maximum", signed(map[string]string{"money": "10000.01"}, testKey), "money", app.EINVALID, "10000"},
		{"money 1..0", signed(map[string]string{"money": "1..0"}, testKey), "money", app.EINVALID, ""},
		{"param 1025 bytes", signed(map[string]string{"param": strings.Repeat("p", 1025)}, testKey), "param", app.EINVALID, "1024"},
		{"param 1024 bytes", signed(map[string]string{"param": strings.Repeat("p", 1024)}, testKey), "", "", ""},
	}
	for _, tt := range tests {
		_, _, err := ReadCreate(tt.params, "203.0.113.9").Order(merchant, time.Now(), 1, 1000000)
		if tt.field == "" {
			if err != nil {
				t.Errorf("%s: %v, want accepted", tt.name, err)
			}
			continue
		}
		if app.ErrorField(err) != tt.field || app.ErrorCode(err) != tt.code {
			t.Errorf("%s: %v (field %q, code %q), want field %q code %q", tt.name, err, app.ErrorField(err), app.ErrorCode(err), tt.field, tt.code)
			continue
		}
		for _, lang := range []string{"zh", "en"} {
			if msg := app.ErrorMessage(err, lang); !strings.Contains(msg, tt.says) {
				t.Errorf("%s: %q does not say %q", tt.name, msg, tt.says)
			}
		}
	}
}

func TestOrderWithoutAKey(t *testing.T) {
	_, _, err := ReadCreate(signed(nil, ""), "").Order(Merchant{PID: "1000"}, time.Now(), 1, 100)
	if app.ErrorCode(err) != app.EUNAUTHORIZED || !strings.Contains(app.ErrorMessage(err, "zh"), "API 密钥") {
		t.Fatalf("no key set: %v", err)
	}
}

// What an accepted request becomes: the order and what the shop sent, as it sent it.
func TestReadCreateKeepsWhatTheShopSent(t *testing.T) {
	long := strings.Repeat("商品名称很长", 10) // 180 bytes, 60 characters
	p := signed(map[string]string{"type": " WXPAY ", "out_trade_no": " T-9 ", "money": "9.9", "name": long,
		"param": " 订单 #1 ", "return_url": "https://shop.example.com/r?x=1", "sitename": "店", "clientip": "198.51.100.7"}, testKey)
	in, e, err := ReadCreate(p, "203.0.113.9").Order(merchant, time.Now(), 1, 1000000)
	if err != nil {
		t.Fatal(err)
	}
	want := app.EpayOrder{PID: "1000", OutTradeNo: "T-9", Type: "WXPAY", Name: long[:126], Money: "9.9",
		Param: " 订单 #1 ", NotifyURL: "https://shop.example.com/notify", ReturnURL: "https://shop.example.com/r?x=1", Protocol: ProtocolV1}
	if e != want {
		t.Errorf("epay order %+v\nwant %+v", e, want)
	}
	wantIn := app.OrderInput{ProductName: long[:126], Method: app.MethodWechat, Amount: 990,
		NotifyURL: "https://shop.example.com/notify", Attach: " 订单 #1 ", ClientIP: "198.51.100.7"}
	if in != wantIn {
		t.Errorf("order %+v\nwant %+v", in, wantIn)
	}

	// The product name shown to the payer is at most 50 characters; the name echoed to the shop is kept whole.
	in, e, err = ReadCreate(signed(map[string]string{"name": strings.Repeat("n", 60)}, testKey), "").Order(merchant, time.Now(), 1, 1000000)
	if err != nil || in.ProductName != strings.Repeat("n", 50) || e.Name != strings.Repeat("n", 60) {
		t.Errorf("60-character name: product name %q, name %q, %v", in.ProductName, e.Name, err)
	}

	// clientip absent or too long to be an address: the peer's.
	for _, ip := range []string{"", strings.Repeat("1", 65)} {
		in, _, err := ReadCreate(signed(map[string]string{"clientip": ip}, testKey), "203.0.113.9").Order(merchant, time.Now(), 1, 1000000)
		if err != nil || in.ClientIP != "203.0.113.9" {
			t.Errorf("clientip %q: %q %v", ip, in.ClientIP, err)
		}
	}
}

func TestParamsInQuery(t *testing.T) {
	tests := []struct {
		method string
		query  string
		want   bool
	}{
		{http.MethodGet, "pid=1000&type=alipay", true},
		{http.MethodGet, "", true},
		{http.MethodHead, "", true},
		{http.MethodPost, "", false},          // a form, multipart or JSON body
		{http.MethodPost, "act=order", false}, // api.php's act in the query, the rest in the body
		{http.MethodPost, "pid=1000", true},   // a form posted to submit.php?pid=…
	}
	for _, tt := range tests {
		q, _ := url.ParseQuery(tt.query)
		if got := ParamsInQuery(tt.method, q); got != tt.want {
			t.Errorf("%s ?%s: %v, want %v", tt.method, tt.query, got, tt.want)
		}
	}
	// A repeated name keeps its last value, as PHP does.
	q, _ := url.ParseQuery("money=1.00&money=9.99&name=a&empty=")
	got := LastValues(q)
	if len(got) != 3 || got["money"] != "9.99" || got["name"] != "a" || got["empty"] != "" {
		t.Errorf("LastValues: %v", got)
	}
}

func TestReadAPI(t *testing.T) {
	tests := []struct {
		name     string
		params   map[string]string
		queryAct string
		act      string // "" = refused
		says     string
	}{
		{"order", map[string]string{"act": "order"}, "", ActOrder, ""},
		{"query, any case and spaces", map[string]string{"act": " Query "}, "", ActQuery, ""},
		{"act in the query, the rest in the body", map[string]string{"pid": "1000"}, "order", ActOrder, ""},
		{"the body's act wins", map[string]string{"act": "query"}, "order", ActQuery, ""},
		{"an empty act in the body is absent", map[string]string{"act": ""}, "order", "", "act=order"},
		{"no act", map[string]string{}, "", "", "act=order"},
		{"refund, any case", map[string]string{"act": "Refund"}, "", ActRefund, ""},
		{"unknown act", map[string]string{"act": "settle"}, "", "", "settle"},
	}
	for _, tt := range tests {
		r, err := ReadAPI(tt.params, tt.queryAct)
		if tt.act != "" {
			if err != nil || r.Act != tt.act {
				t.Errorf("%s: act %q %v, want %q", tt.name, r.Act, err, tt.act)
			}
			continue
		}
		if app.ErrorField(err) != "act" || app.ErrorCode(err) != app.EINVALID || !strings.Contains(app.ErrorMessage(err, "zh"), tt.says) {
			t.Errorf("%s: %v, want act refused saying %q", tt.name, err, tt.says)
		}
	}
}

func TestAPIRequestKeyAndOrderNumber(t *testing.T) {
	read := func(p map[string]string) APIRequest {
		t.Helper()
		p["act"] = "order"
		r, err := ReadAPI(p, "")
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	keys := []struct {
		name   string
		params map[string]string
		field  string
		code   string
	}{
		{"right", map[string]string{"pid": "1000", "key": " " + testKey + " "}, "", ""},
		{"no pid", map[string]string{"key": testKey}, "pid", app.EINVALID},
		{"another pid", map[string]string{"pid": "1", "key": testKey}, "pid", app.EUNAUTHORIZED},
		{"no key", map[string]string{"pid": "1000"}, "key", app.EUNAUTHORIZED},
		{"wrong key", map[string]string{"pid": "1000", "key": "test_key_123457"}, "key", app.EUNAUTHORIZED},
	}
	for _, tt := range keys {
		err := read(tt.params).CheckKey(merchant)
		if app.ErrorField(err) != tt.field || app.ErrorCode(err) != tt.code || (tt.field == "") != (err == nil) {
			t.Errorf("key %s: %v, want field %q code %q", tt.name, err, tt.field, tt.code)
		}
	}

	numbers := []struct {
		name                string
		params              map[string]string
		tradeNo, outTradeNo string
		field               string
	}{
		{"trade_no", map[string]string{"trade_no": " ORD1 ", "out_trade_no": "T1"}, "ORD1", "", ""},
		{"out_trade_no", map[string]string{"out_trade_no": "T1"}, "", "T1", ""},
		{"neither", map[string]string{}, "", "", "out_trade_no"},
		{"trade_no too long", map[string]string{"trade_no": strings.Repeat("1", 65)}, "", "", "trade_no"},
		{"out_trade_no too long", map[string]string{"out_trade_no": strings.Repeat("1", 129)}, "", "", "out_trade_no"},
	}
	for _, tt := range numbers {
		tradeNo, outTradeNo, err := read(tt.params).OrderNumber()
		if tradeNo != tt.tradeNo || outTradeNo != tt.outTradeNo || app.ErrorField(err) != tt.field || (tt.field == "") != (err == nil) {
			t.Errorf("number %s: %q %q %v", tt.name, tradeNo, outTradeNo, err)
		}
	}
}

func TestPayable(t *testing.T) {
	e := app.EpayOrder{OutTradeNo: "T1"}
	expires := time.Date(2026, 11, 26, 2, 10, 0, 0, time.UTC)
	tests := []struct {
		status app.OrderStatus
		says   string // "" = payable
	}{
		{app.OrderPending, ""},
		{app.OrderSuccess, "已完成支付"},
		{app.OrderExpired, "2026-11-26 10:10"},
		{app.OrderFailed, "已被关闭"},
	}
	for _, tt := range tests {
		err := Payable(app.Order{Status: tt.status, ExpiresAt: expires, Amount: money.Fen(100)}, e)
		if tt.says == "" {
			if err != nil {
				t.Errorf("%s: %v", tt.status, err)
			}
			continue
		}
		if app.ErrorCode(err) != app.ECONFLICT || !strings.Contains(app.ErrorMessage(err, "zh"), tt.says) || !strings.Contains(app.ErrorMessage(err, "zh"), "T1") {
			t.Errorf("%s: %v, want a conflict saying %q", tt.status, err, tt.says)
		}
	}
}

// V2Board and others send no type: the order has no method, and the payer
// picks it on the checkout page.
func TestOrderWithoutType(t *testing.T) {
	in, e, err := ReadCreate(signed(map[string]string{"type": ""}, testKey), "203.0.113.9").Order(merchant, time.Now(), 1, 1000000)
	if err != nil || in.Method != "" || e.Type != "" || in.Amount == 0 {
		t.Fatalf("no type: %+v %+v %v", in, e, err)
	}
}
