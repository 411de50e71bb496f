package web_test

// The merchant API in process: every route of api_orders.go,
// api_payments.go, api_config.go and api_devices.go served by the real echo
// instance on a real store, with the answers a merchant's server reads —
// the guide's field names, every validation error (status, code, field and a
// message in both languages that names what was wrong), the API key in all
// its forms, pages, unknown ids and conflicts.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode"

	"paygate/app"
	"paygate/app/sign"
	"paygate/app/testclock"
	"paygate/app/web"
)

// answer is what the API said.
type answer struct {
	status int
	header http.Header
	body   map[string]any
	raw    string
}

// str is a string field of the answer's body ("" when absent).
func (a answer) str(k string) string { s, _ := a.body[k].(string); return s }

// num is a number field of the answer's body as written, e.g. "0.01".
func (a answer) num(k string) string {
	n, ok := a.body[k].(json.Number)
	if !ok {
		return ""
	}
	return n.String()
}

// obj is an object field of the answer's body.
func (a answer) obj(k string) map[string]any { m, _ := a.body[k].(map[string]any); return m }

// list is an array field of the answer's body.
func (a answer) list(k string) []map[string]any {
	var out []map[string]any
	for _, v := range a.body[k].([]any) {
		out = append(out, v.(map[string]any))
	}
	return out
}

// merchant is a merchant's server talking to an in-process paygate.
type merchant struct {
	t     *testing.T
	c     *console
	clock *testclock.Clock
	seq   int
}

func newMerchant(t *testing.T) *merchant {
	c, clk := newShop(t, web.Options{}, 0)
	return &merchant{t: t, c: c, clock: clk}
}

var bearer = map[string]string{"Authorization": "Bearer " + testKey}

// call serves one request in process; body is sent as JSON unless header
// says otherwise.
func (m *merchant) call(method, target, body string, header map[string]string) answer {
	m.t.Helper()
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	req.RemoteAddr = "198.51.100.7:41000" // the merchant's server, not this machine
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	m.c.e.ServeHTTP(rec, req)
	a := answer{status: rec.Code, header: rec.Header(), raw: rec.Body.String()}
	dec := json.NewDecoder(bytes.NewReader(rec.Body.Bytes()))
	dec.UseNumber()
	if err := dec.Decode(&a.body); err != nil {
		m.t.Fatalf("%s %s: the answer is not a JSON object: %d %q", method, target, rec.Code, rec.Body.String())
	}
	return a
}

// ok calls with the Bearer key and wants 200.
func (m *merchant) ok(method, target, body string) answer {
	m.t.Helper()
	a := m.call(method, target, body, bearer)
	if a.status != 200 || a.body["success"] != true {
		m.t.Fatalf("%s %s %s: %d %s", method, target, body, a.status, a.raw)
	}
	return a
}

// order creates an order and returns its id.
func (m *merchant) order(amount, method string) string {
	m.t.Helper()
	return m.ok("POST", "/api/orders", `{"productName":"测试商品","amount":`+amount+`,"paymentMethod":"`+method+`"}`).str("orderId")
}

// notify posts a phone's notification to /webhook and returns the answer.
func (m *merchant) notify(message string) answer {
	m.t.Helper()
	b, _ := json.Marshal(map[string]string{"message": message})
	a := m.call("POST", "/webhook", string(b), map[string]string{"key": testKey})
	if a.status != 200 || a.str("kind") != "payment" {
		m.t.Fatalf("webhook %q: %d %s", message, a.status, a.raw)
	}
	return a
}

// signed is a request signed as DESIGN's Merchant API says: fields plus
// timestamp and nonce, signed over METHOD, PATH and the fields.
func (m *merchant) signed(method, path string, fields map[string]string, key string) map[string]string {
	out := map[string]string{}
	for k, v := range fields {
		out[k] = v
	}
	if _, ok := out["timestamp"]; !ok {
		out["timestamp"] = fmt.Sprint(m.clock.Now().Unix())
	}
	if _, ok := out["nonce"]; !ok {
		m.seq++
		out["nonce"] = fmt.Sprintf("nonce-%d-%d", time.Now().UnixNano(), m.seq)
	}
	out["signature"] = sign.RequestHMAC(method, path, out, key)
	return out
}

// signedAs signs fields exactly as given, without adding a timestamp or a nonce.
func signedAs(method, path string, fields map[string]string) map[string]string {
	return with(fields, "signature", sign.RequestHMAC(method, path, fields, testKey))
}

func jsonBody(fields map[string]string) string {
	b, _ := json.Marshal(fields)
	return string(b)
}

func query(fields map[string]string) string {
	v := url.Values{}
	for k, s := range fields {
		v.Set(k, s)
	}
	return v.Encode()
}

var shanghaiTime = regexp.MustCompile(`^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$`)

func hasHan(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return unicode.Is(unicode.Han, r) }) >= 0
}

// wantError checks an error answer in both languages: the status, the
// code, the field, and messages that say, in Chinese and in English, what
// was wrong: each names mention (the field when ""; "zh|en" when the
// languages name it differently). do makes the request with the given
// Accept-Language.
func wantError(t *testing.T, do func(lang string) answer, status int, code, field, mention string) {
	t.Helper()
	if mention == "" {
		mention = field
	}
	zhName, enName, split := strings.Cut(mention, "|")
	if !split {
		enName = zhName
	}
	msgs := map[string]string{}
	for _, lang := range []string{"zh-CN", "en"} {
		a := do(lang)
		if a.status != status || a.str("code") != code || a.str("field") != field || a.body["success"] != false {
			t.Fatalf("%s: %d %s; want %d, code %q, field %q", lang, a.status, a.raw, status, code, field)
		}
		msg, name := a.str("error"), zhName
		if lang == "en" {
			name = enName
		}
		if msg == "" || !strings.Contains(msg, name) {
			t.Fatalf("%s message %q does not name %q", lang, msg, name)
		}
		msgs[lang] = msg
	}
	if !hasHan(msgs["zh-CN"]) || msgs["zh-CN"] == msgs["en"] {
		t.Fatalf("no Chinese message: zh %q, en %q", msgs["zh-CN"], msgs["en"])
	}
}

// lang adds Accept-Language to a header.
func lang(h map[string]string, l string) map[string]string {
	out := map[string]string{"Accept-Language": l}
	for k, v := range h {
		out[k] = v
	}
	return out
}

func TestAPICreateOrderAnswersAsTheGuideShows(t *testing.T) {
	m := newMerchant(t)
	now := m.clock.Now()
	tests := []struct {
		name, body, contentType, acceptLang string
		amount, display, method, message    string
		merchantOrderID                     string
	}{
		{name: "the guide's example", body: `{"productName":"测试商品","amount":0.01,"paymentMethod":"alipay"}`,
			amount: "0.01", display: "0.01", method: "alipay", message: "订单创建成功！"},
		{name: "the same amount again takes the next slot", body: `{"productName":"测试商品","amount":0.01,"paymentMethod":"alipay"}`,
			amount: "0.02", display: "0.01", method: "alipay", message: "订单创建成功！"},
		{name: "the other method has its own slots", body: `{"productName":"测试商品","amount":0.01,"paymentMethod":"wechat"}`,
			amount: "0.01", display: "0.01", method: "wechat", message: "订单创建成功！"},
		{name: "amount as a string, method in capitals, in English", body: `{"productName":"Cookies","amount":"12.5","paymentMethod":"ALIPAY"}`,
			acceptLang: "en", amount: "12.5", display: "12.5", method: "alipay", message: "Order created."},
		{name: "a form body", body: "productName=%E6%9B%B2%E5%A5%87&amount=3&paymentMethod=wechat&merchantOrderId=SHOP-42",
			contentType: "application/x-www-form-urlencoded", amount: "3", display: "3", method: "wechat", message: "订单创建成功！", merchantOrderID: "SHOP-42"},
		{name: "curl -d labels JSON as a form", body: `{"productName":"p","amount":1000,"paymentMethod":"alipay"}`,
			contentType: "application/x-www-form-urlencoded", amount: "1000", display: "1000", method: "alipay", message: "订单创建成功！"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := lang(bearer, tt.acceptLang)
			if tt.contentType != "" {
				h["Content-Type"] = tt.contentType
			}
			a := m.call("POST", "/api/orders", tt.body, h)
			if a.status != 200 {
				t.Fatalf("%d %s", a.status, a.raw)
			}
			id := a.str("orderId")
			if a.body["success"] != true || !strings.HasPrefix(id, "ORD") || a.body["created"] != true {
				t.Fatalf("answer %s", a.raw)
			}
			if a.num("amount") != tt.amount || a.num("displayAmount") != tt.display || a.str("paymentMethod") != tt.method {
				t.Fatalf("amount %s displayAmount %s paymentMethod %s; want %s %s %s", a.num("amount"), a.num("displayAmount"),
					a.str("paymentMethod"), tt.amount, tt.display, tt.method)
			}
			if a.str("status") != "pending" || a.str("message") != tt.message || a.str("merchantOrderId") != tt.merchantOrderID {
				t.Fatalf("status %q message %q merchantOrderId %q", a.str("status"), a.str("message"), a.str("merchantOrderId"))
			}
			if a.str("createdAt") != app.FormatTime(now) || a.str("expiresAt") != app.FormatTime(now.Add(15*time.Minute)) {
				t.Fatalf("createdAt %q expiresAt %q; want Shanghai time %s and 15 minutes later", a.str("createdAt"), a.str("expiresAt"), app.FormatTime(now))
			}
			if a.str("payUrl") != "http://example.com/pay/"+id {
				t.Fatalf("payUrl %q", a.str("payUrl"))
			}
		})
	}
}

func TestAPICreateOrderRefusesBadInput(t *testing.T) {
	m := newMerchant(t)
	long := func(n int, s string) string { return strings.Repeat(s, n) }
	tests := []struct {
		name, body, contentType string
		status                  int
		code, field, mention    string
	}{
		{name: "no product name", body: `{"amount":1,"paymentMethod":"alipay"}`, field: "productName"},
		{name: "blank product name", body: `{"productName":"   ","amount":1,"paymentMethod":"alipay"}`, field: "productName"},
		{name: "product name of 51 characters", body: `{"productName":"` + long(51, "商") + `","amount":1,"paymentMethod":"alipay"}`, field: "productName"},
		{name: "control character in the product name", body: `{"productName":"a\u0007b","amount":1,"paymentMethod":"alipay"}`, field: "productName"},
		{name: "product name an object", body: `{"productName":{"a":1},"amount":1,"paymentMethod":"alipay"}`, field: "productName"},
		{name: "no amount", body: `{"productName":"p","paymentMethod":"alipay"}`, field: "amount"},
		{name: "amount null", body: `{"productName":"p","amount":null,"paymentMethod":"alipay"}`, field: "amount"},
		{name: "amount 0.001", body: `{"productName":"p","amount":0.001,"paymentMethod":"alipay"}`, field: "amount", mention: "0.001"},
		{name: "amount -1", body: `{"productName":"p","amount":-1,"paymentMethod":"alipay"}`, field: "amount", mention: "-1"},
		{name: "amount 1e400", body: `{"productName":"p","amount":1e400,"paymentMethod":"alipay"}`, field: "amount", mention: "1e400"},
		{name: "amount abc", body: `{"productName":"p","amount":"abc","paymentMethod":"alipay"}`, field: "amount", mention: "abc"},
		{name: "amount NaN", body: `{"productName":"p","amount":"NaN","paymentMethod":"alipay"}`, field: "amount", mention: "NaN"},
		{name: "amount 0", body: `{"productName":"p","amount":0,"paymentMethod":"alipay"}`, field: "amount", mention: "0.01"},
		{name: "amount over the maximum", body: `{"productName":"p","amount":10000.01,"paymentMethod":"alipay"}`, field: "amount", mention: "10000"},
		{name: "unknown method", body: `{"productName":"p","amount":1,"paymentMethod":"paypal"}`, field: "paymentMethod", mention: "paypal"},
		{name: "merchantOrderId with a space", body: `{"productName":"p","amount":1,"paymentMethod":"alipay","merchantOrderId":"A 1"}`, field: "merchantOrderId"},
		{name: "merchantOrderId in Chinese", body: `{"productName":"p","amount":1,"paymentMethod":"alipay","merchantOrderId":"订单1"}`, field: "merchantOrderId"},
		{name: "merchantOrderId of 65 characters", body: `{"productName":"p","amount":1,"paymentMethod":"alipay","merchantOrderId":"` + long(65, "A") + `"}`, field: "merchantOrderId"},
		{name: "merchantOrderId with the 易支付 prefix", body: `{"productName":"p","amount":1,"paymentMethod":"alipay","merchantOrderId":"epay:7"}`, field: "merchantOrderId"},
		{name: "notifyUrl not http", body: `{"productName":"p","amount":1,"paymentMethod":"alipay","notifyUrl":"ftp://shop.example.com/cb"}`, field: "notifyUrl"},
		{name: "notifyUrl not a URL", body: `{"productName":"p","amount":1,"paymentMethod":"alipay","notifyUrl":"shop"}`, field: "notifyUrl"},
		{name: "notifyUrl on this machine", body: `{"productName":"p","amount":1,"paymentMethod":"alipay","notifyUrl":"http://127.0.0.1:8080/cb"}`, field: "notifyUrl"},
		{name: "notifyUrl in the LAN", body: `{"productName":"p","amount":1,"paymentMethod":"alipay","notifyUrl":"http://192.168.1.10/cb"}`, field: "notifyUrl", mention: "192.168.1.10"},
		{name: "returnUrl javascript", body: `{"productName":"p","amount":1,"paymentMethod":"alipay","returnUrl":"javascript:alert(1)"}`, field: "returnUrl"},
		{name: "attach over 1024 bytes", body: `{"productName":"p","amount":1,"paymentMethod":"alipay","attach":"` + long(1025, "x") + `"}`, field: "attach"},
		{name: "broken JSON", body: `{"productName":"p",`, field: "body", mention: "JSON"},
		{name: "a JSON array", body: `[{"productName":"p"}]`, field: "body", mention: "JSON"},
		{name: "not UTF-8", body: "{\"productName\":\"\xff\xfe\",\"amount\":1}", field: "body", mention: "UTF-8"},
		{name: "XML", body: `<order/>`, contentType: "application/xml", status: 415, code: app.EUNSUPPORTED, field: "body", mention: "application/xml"},
		{name: "a body over 64 KB", body: `{"productName":"p","attach":"` + long(70<<10, "x") + `"}`, status: 413, code: app.ETOOLARGE, field: "body", mention: "64 KB"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, code := tt.status, tt.code
			if status == 0 {
				status, code = 400, app.EINVALID
			}
			mention := tt.mention
			if mention == "" && tt.field == "body" {
				mention = "请求体|body"
			}
			wantError(t, func(l string) answer {
				h := lang(bearer, l)
				if tt.contentType != "" {
					h["Content-Type"] = tt.contentType
				}
				return m.call("POST", "/api/orders", tt.body, h)
			}, status, code, tt.field, mention)
		})
	}
	// Nothing was created by any of them.
	if n, _, err := m.c.gw.Orders(t.Context(), app.OrderFilter{Limit: 10}); err != nil || len(n) != 0 {
		t.Fatalf("refused requests made orders: %v %v", n, err)
	}
}

func TestAPIMerchantOrderIDRepeatsAndConflicts(t *testing.T) {
	m := newMerchant(t)
	first := m.ok("POST", "/api/orders", `{"productName":"曲奇","amount":5,"paymentMethod":"alipay","merchantOrderId":"SHOP-1","attach":"u=7"}`)
	if first.body["created"] != true || first.str("merchantOrderId") != "SHOP-1" {
		t.Fatalf("first: %s", first.raw)
	}
	id := first.str("orderId")

	// A retry after a timeout gets the same order back, saying so.
	again := m.call("POST", "/api/orders", `{"productName":"曲奇","amount":"5.00","paymentMethod":"alipay","merchantOrderId":"SHOP-1","attach":"u=7"}`, bearer)
	if again.status != 200 || again.str("orderId") != id || again.body["created"] != false || !strings.Contains(again.str("message"), "订单已存在") ||
		again.num("amount") != first.num("amount") {
		t.Fatalf("repeat: %d %s", again.status, again.raw)
	}
	for _, tt := range []struct{ name, body string }{
		{"another amount", `{"productName":"曲奇","amount":6,"paymentMethod":"alipay","merchantOrderId":"SHOP-1","attach":"u=7"}`},
		{"another product", `{"productName":"蛋糕","amount":5,"paymentMethod":"alipay","merchantOrderId":"SHOP-1","attach":"u=7"}`},
		{"another attach", `{"productName":"曲奇","amount":5,"paymentMethod":"alipay","merchantOrderId":"SHOP-1"}`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			wantError(t, func(l string) answer { return m.call("POST", "/api/orders", tt.body, lang(bearer, l)) },
				409, app.ECONFLICT, "merchantOrderId", id)
		})
	}
	// Another method switches the pending order: the same orderId, now WeChat.
	sw := m.call("POST", "/api/orders", `{"productName":"曲奇","amount":5,"paymentMethod":"wechat","merchantOrderId":"SHOP-1","attach":"u=7"}`, bearer)
	if sw.status != 200 || sw.str("orderId") != id || sw.str("paymentMethod") != "wechat" || sw.body["created"] != false {
		t.Fatalf("switch: %d %s", sw.status, sw.raw)
	}
	// Still one order under that number.
	orders, total, err := m.c.gw.Orders(t.Context(), app.OrderFilter{Query: "SHOP-1", Limit: 10})
	if err != nil || total != 1 || len(orders) != 1 || orders[0].ID != id {
		t.Fatalf("orders with SHOP-1: %d %v %v", total, orders, err)
	}
}

// The default slot offset is ±0.50: an amount of 0.01 has 51 payable
// amounts (0.01 … 0.51); the 52nd open order is refused, never a duplicate.
func TestAPISlotsRunOut(t *testing.T) {
	m := newMerchant(t)
	seen := map[string]bool{}
	for i := range 51 {
		a := m.ok("POST", "/api/orders", `{"productName":"p","amount":0.01,"paymentMethod":"alipay"}`)
		if seen[a.num("amount")] {
			t.Fatalf("order %d got the payable amount %s twice", i+1, a.num("amount"))
		}
		seen[a.num("amount")] = true
	}
	wantError(t, func(l string) answer {
		return m.call("POST", "/api/orders", `{"productName":"p","amount":0.01,"paymentMethod":"alipay"}`, lang(bearer, l))
	}, 409, app.ESLOTSFULL, "amount", "0.01")
	// WeChat still has its own.
	m.order("0.01", "wechat")
}

func TestAPIOrderStatusDetailAndClose(t *testing.T) {
	m := newMerchant(t)
	created := m.ok("POST", "/api/orders", `{"productName":"手工曲奇","amount":1,"paymentMethod":"alipay","merchantOrderId":"M-9",`+
		`"notifyUrl":"https://shop.example.com/notify","returnUrl":"https://shop.example.com/thanks","attach":"user=42"}`)
	id := created.str("orderId")

	// order-status is open (the checkout page polls it) and shows nothing
	// only the merchant may see.
	st := m.call("GET", "/api/order-status?orderId="+id, "", nil)
	if st.status != 200 || st.header.Get("Cache-Control") != "no-store" {
		t.Fatalf("order-status: %d %v %s", st.status, st.header, st.raw)
	}
	for k, want := range map[string]string{"orderId": id, "productName": "手工曲奇", "paymentMethod": "alipay", "status": "pending",
		"createdAt": created.str("createdAt"), "expiresAt": created.str("expiresAt"), "merchantOrderId": "M-9"} {
		if st.str(k) != want {
			t.Errorf("order-status %s = %q, want %q", k, st.str(k), want)
		}
	}
	if st.num("amount") != "1" || st.num("displayAmount") != "1" {
		t.Errorf("order-status amounts: %s", st.raw)
	}
	for _, secret := range []string{"notifyUrl", "returnUrl", "attach", "paymentId", "paidAt"} {
		if _, ok := st.body[secret]; ok {
			t.Errorf("order-status shows %s: %s", secret, st.raw)
		}
	}

	detail := m.ok("GET", "/api/orders/"+id, "")
	for k, want := range map[string]string{"orderId": id, "notifyUrl": "https://shop.example.com/notify",
		"returnUrl": "https://shop.example.com/thanks", "attach": "user=42", "status": "pending"} {
		if detail.str(k) != want {
			t.Errorf("detail %s = %q, want %q", k, detail.str(k), want)
		}
	}
	if _, ok := detail.body["closedAt"]; ok {
		t.Errorf("a pending order has closedAt: %s", detail.raw)
	}

	// Paid by a notification: order-status says so.
	paid := m.order("2", "alipay")
	n := m.notify("收到转账2.00元(支付宝)")
	if n.str("orderId") != paid || n.body["matched"] != true {
		t.Fatalf("the notification did not pay %s: %s", paid, n.raw)
	}
	ps := m.call("GET", "/api/order-status?orderId="+paid, "", nil)
	if ps.str("status") != "success" || ps.str("paymentId") != n.str("paymentId") || !shanghaiTime.MatchString(ps.str("paidAt")) {
		t.Fatalf("paid order-status: %s", ps.raw)
	}

	// Close: a pending order once; never a closed or a paid one.
	closed := m.ok("POST", "/api/orders/"+id+"/close", "")
	if closed.str("status") != "failed" || closed.str("orderId") != id {
		t.Fatalf("close: %s", closed.raw)
	}
	if d := m.ok("GET", "/api/orders/"+id, ""); d.str("status") != "failed" || d.str("closedAt") != app.FormatTime(m.clock.Now()) {
		t.Fatalf("closed order detail: %s", d.raw)
	}
	tests := []struct {
		name, method, target string
		header               map[string]string
		status               int
		code, field, mention string
	}{
		{"close a closed order", "POST", "/api/orders/" + id + "/close", bearer, 409, app.ECONFLICT, "orderId", "failed"},
		{"close a paid order", "POST", "/api/orders/" + paid + "/close", bearer, 409, app.ECONFLICT, "orderId", "success"},
		{"close an unknown order", "POST", "/api/orders/ORD17000000001234567890123456/close", bearer, 404, app.ENOTFOUND, "orderId", "ORD17000000001234567890123456"},
		{"detail of an unknown order", "GET", "/api/orders/ORD17000000001234567890123456", bearer, 404, app.ENOTFOUND, "orderId", "ORD17000000001234567890123456"},
		{"status of an unknown order", "GET", "/api/order-status?orderId=ORDnope", nil, 404, app.ENOTFOUND, "orderId", "ORDnope"},
		{"status without orderId", "GET", "/api/order-status", nil, 400, app.EINVALID, "orderId", ""},
		{"status with a blank orderId", "GET", "/api/order-status?orderId=%20%20", nil, 400, app.EINVALID, "orderId", ""},
		{"status with a 65-character orderId", "GET", "/api/order-status?orderId=" + strings.Repeat("A", 65), nil, 400, app.EINVALID, "orderId", ""},
		{"detail without the key", "GET", "/api/orders/" + id, nil, 401, app.EUNAUTHORIZED, "", "Authorization"},
		{"close without the key", "POST", "/api/orders/" + paid + "/close", nil, 401, app.EUNAUTHORIZED, "", "Authorization"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantError(t, func(l string) answer { return m.call(tt.method, tt.target, "", lang(tt.header, l)) },
				tt.status, tt.code, tt.field, tt.mention)
		})
	}
	// The paid order is still paid.
	if s := m.call("GET", "/api/order-status?orderId="+paid, "", nil); s.str("status") != "success" {
		t.Fatalf("paid order after a refused close: %s", s.raw)
	}
}

func TestAPIPaymentsListAndPages(t *testing.T) {
	m := newMerchant(t)
	paidOrder := m.order("1", "alipay")
	matched := m.notify("收到转账1.00元(支付宝)")
	m.clock.Add(time.Second)
	m.notify("收到转账3.00元（微信）") // no order: waits for a person
	m.clock.Add(time.Second)
	newest := m.notify("你已成功收款1430.00元（老顾客消费） 支付宝 已转入余额 可兑1000收款免费额度>> 你已成功收款1430.00元")

	all := m.ok("GET", "/api/payments", "")
	if all.num("total") != "3" || all.num("page") != "1" || all.num("limit") != "20" {
		t.Fatalf("list: %s", all.raw)
	}
	data := all.list("data")
	if len(data) != 3 || data[0]["id"] != newest.str("paymentId") || data[2]["id"] != matched.str("paymentId") {
		t.Fatalf("not newest first: %s", all.raw)
	}
	// The guide's fields: id amount uid paymentMethod status timestamp callbackStatus (customerType null when unknown).
	p := data[2]
	if p["amount"].(json.Number).String() != "1" || p["uid"] != paidOrder || p["orderId"] != paidOrder || p["paymentMethod"] != "alipay" ||
		p["status"] != "success" || !shanghaiTime.MatchString(p["timestamp"].(string)) || p["callbackStatus"] == nil {
		t.Fatalf("matched payment: %v", p)
	}
	if ct, ok := p["customerType"]; !ok || ct != nil {
		t.Fatalf("customerType of a payment without one: %v (present %v)", ct, ok)
	}
	if data[0]["customerType"] != "老顾客" || data[0]["paymentMethod"] != "alipay" || data[0]["amount"].(json.Number).String() != "1430" ||
		data[0]["status"] != "unmatched" || data[1]["paymentMethod"] != "wechat" {
		t.Fatalf("unmatched payments: %v", data[:2])
	}
	if _, ok := data[1]["uid"]; ok {
		t.Fatalf("an unmatched payment names an order: %v", data[1])
	}

	pages := []struct {
		query       string
		ids         int
		total, page string
	}{
		{"?status=unmatched", 2, "2", "1"},
		{"?status=success", 1, "1", "1"},
		{"?status=ignored", 0, "0", "1"},
		{"?page=2&limit=2", 1, "3", "2"},
		{"?page=1&limit=1", 1, "3", "1"},
		{"?limit=100", 3, "3", "1"},
		{"?page=99", 0, "3", "99"},
		{"?page=1000000", 0, "3", "1000000"},
		{"?page=%201%20", 3, "3", "1"},
	}
	for _, tt := range pages {
		t.Run(tt.query, func(t *testing.T) {
			a := m.ok("GET", "/api/payments"+tt.query, "")
			if _, isList := a.body["data"].([]any); !isList {
				t.Fatalf("data is not a list: %s", a.raw)
			}
			if n := len(a.list("data")); n != tt.ids || a.num("total") != tt.total || a.num("page") != tt.page {
				t.Fatalf("%d payments, total %s, page %s; want %d, %s, %s", n, a.num("total"), a.num("page"), tt.ids, tt.total, tt.page)
			}
		})
	}
	if a := m.ok("GET", "/api/payments?page=2&limit=2", ""); a.list("data")[0]["id"] != matched.str("paymentId") {
		t.Fatalf("page 2 of 2 is not the oldest: %s", a.raw)
	}
	for _, tt := range []struct{ query, field, mention string }{
		{"?page=0", "page", "0"},
		{"?page=-1", "page", "-1"},
		{"?page=abc", "page", "abc"},
		{"?page=1.5", "page", "1.5"},
		{"?page=1000001", "page", "1000001"},
		{"?limit=0", "limit", "100"},
		{"?limit=101", "limit", "101"},
		{"?limit=ten", "limit", "ten"},
		{"?status=paid", "status", "unmatched"},
	} {
		t.Run(tt.query, func(t *testing.T) {
			wantError(t, func(l string) answer { return m.call("GET", "/api/payments"+tt.query, "", lang(bearer, l)) },
				400, app.EINVALID, tt.field, tt.mention)
			if !strings.Contains(m.call("GET", "/api/payments"+tt.query, "", bearer).str("error"), tt.field) {
				t.Fatal("the Chinese message does not name the field")
			}
		})
	}
}

func TestAPIPaymentDecisions(t *testing.T) {
	m := newMerchant(t)
	paidOrder := m.order("1", "alipay")
	matched := m.notify("收到转账1.00元(支付宝)").str("paymentId")
	waiting := m.notify("收到转账3.00元(支付宝)").str("paymentId")
	stray := m.notify("收到转账4.00元(支付宝)").str("paymentId")
	target := m.order("3", "wechat") // the payer used the wrong code; the owner knows
	other := m.order("5", "wechat")

	d := m.ok("GET", "/api/payments/"+waiting, "")
	if pay := d.obj("payment"); pay["id"] != waiting || pay["status"] != "unmatched" || pay["amount"].(json.Number).String() != "3" {
		t.Fatalf("detail: %s", d.raw)
	}
	if attempts, ok := d.body["callbackAttempts"].([]any); !ok || len(attempts) != 0 {
		t.Fatalf("callbackAttempts of an unmatched payment: %s", d.raw)
	}

	// Confirm the waiting payment against the order it pays.
	c := m.ok("POST", "/api/payments/"+waiting+"/confirm", `{"orderId":"`+target+`"}`)
	if pay := c.obj("payment"); pay["status"] != "success" || pay["uid"] != target || pay["matchedBy"] != "api" || !shanghaiTime.MatchString(pay["matchedAt"].(string)) {
		t.Fatalf("confirm: %s", c.raw)
	}
	if st := m.call("GET", "/api/order-status?orderId="+target, "", nil); st.str("status") != "success" || st.str("paymentId") != waiting {
		t.Fatalf("the confirmed order: %s", st.raw)
	}
	if d := m.ok("GET", "/api/orders/"+target, ""); d.body["receivedAmount"] != nil {
		t.Fatalf("receivedAmount on an order paid in full: %s", d.raw)
	}
	// A payment short of the order's amount, settled by a person: the
	// order says what arrived, as the callback does.
	under := m.order("6", "alipay")
	short := m.notify("收到转账5.90元(支付宝)").str("paymentId")
	m.ok("POST", "/api/payments/"+short+"/confirm", `{"orderId":"`+under+`","note":"顾客少付了"}`)
	if d := m.ok("GET", "/api/orders/"+under, ""); d.str("status") != "success" || fmt.Sprint(d.body["receivedAmount"]) != "5.9" {
		t.Fatalf("the under-paid order: %s", d.raw)
	}
	// Ignore the stray one.
	ig := m.ok("POST", "/api/payments/"+stray+"/ignore", "")
	if pay := ig.obj("payment"); pay["status"] != "ignored" || pay["matchedBy"] != "api" {
		t.Fatalf("ignore: %s", ig.raw)
	}
	// Send a paid order's callback again.
	if r := m.ok("POST", "/api/payments/"+matched+"/resend-callback", ""); r.str("message") != "回调已重新排队发送" {
		t.Fatalf("resend: %s", r.raw)
	}
	if r := m.call("POST", "/api/payments/"+matched+"/resend-callback", "", lang(bearer, "en")); r.str("message") != "Callback queued again" {
		t.Fatalf("resend in English: %s", r.raw)
	}

	const nope = "PAY17000000009999999999999999"
	tests := []struct {
		name, target, body   string
		status               int
		code, field, mention string
	}{
		{"confirm twice", "/api/payments/" + waiting + "/confirm", `{"orderId":"` + other + `"}`, 409, app.ECONFLICT, "paymentId", target},
		{"confirm onto a paid order", "/api/payments/" + stray + "/confirm", `{"orderId":"` + paidOrder + `"}`, 409, app.ECONFLICT, "orderId", paidOrder},
		{"confirm without orderId", "/api/payments/" + stray + "/confirm", "", 400, app.EINVALID, "orderId", ""},
		{"confirm onto an unknown order", "/api/payments/" + stray + "/confirm", `{"orderId":"ORDnope"}`, 404, app.ENOTFOUND, "orderId", "ORDnope"},
		{"confirm an unknown payment", "/api/payments/" + nope + "/confirm", `{"orderId":"` + other + `"}`, 404, app.ENOTFOUND, "paymentId", nope},
		{"ignore twice", "/api/payments/" + stray + "/ignore", "", 409, app.ECONFLICT, "paymentId", stray},
		{"ignore a matched payment", "/api/payments/" + matched + "/ignore", "", 409, app.ECONFLICT, "paymentId", matched},
		{"ignore an unknown payment", "/api/payments/" + nope + "/ignore", "", 404, app.ENOTFOUND, "paymentId", nope},
		{"resend for a payment without an order", "/api/payments/" + stray + "/resend-callback", "", 409, app.ECONFLICT, "paymentId", stray},
		{"resend for an unknown payment", "/api/payments/" + nope + "/resend-callback", "", 404, app.ENOTFOUND, "paymentId", nope},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantError(t, func(l string) answer { return m.call("POST", tt.target, tt.body, lang(bearer, l)) },
				tt.status, tt.code, tt.field, tt.mention)
		})
	}
	wantError(t, func(l string) answer { return m.call("GET", "/api/payments/"+nope, "", lang(bearer, l)) }, 404, app.ENOTFOUND, "paymentId", nope)

	// Nothing changed by the refused requests: the other order still waits,
	// the stray payment is still ignored, the paid order keeps its payment.
	if st := m.call("GET", "/api/order-status?orderId="+other, "", nil); st.str("status") != "pending" {
		t.Fatalf("order %s: %s", other, st.raw)
	}
	if p := m.ok("GET", "/api/payments/"+stray, "").obj("payment"); p["status"] != "ignored" {
		t.Fatalf("stray payment: %v", p)
	}
	if st := m.call("GET", "/api/order-status?orderId="+paidOrder, "", nil); st.str("paymentId") != matched {
		t.Fatalf("paid order: %s", st.raw)
	}
}

// Every route that needs the key refuses a request without it, with a wrong
// one or with a Basic header, and takes the Bearer key in any case of
// "Bearer".
func TestAPIKeyOnEveryRoute(t *testing.T) {
	m := newMerchant(t)
	id := m.order("1", "alipay")
	routes := []struct {
		method, path, body string
		bearerOnly         bool // answers a secret: without a Bearer header the error names Authorization
	}{
		{"POST", "/api/orders", `{"productName":"p","amount":2,"paymentMethod":"alipay"}`, false},
		{"GET", "/api/orders/" + id, "", false},
		{"POST", "/api/orders/" + id + "/close", "", false},
		{"POST", "/api/config", `{"name":"小店"}`, false},
		{"GET", "/api/payments", "", false},
		{"GET", "/api/payments/PAY1", "", false},
		{"POST", "/api/payments/PAY1/confirm", `{"orderId":"` + id + `"}`, false},
		{"POST", "/api/payments/PAY1/ignore", "", false},
		{"POST", "/api/payments/PAY1/resend-callback", "", false},
		{"GET", "/api/devices", "", false},
		{"POST", "/api/devices", `{"name":"phone"}`, true},
		{"POST", "/api/devices/1/rotate-key", "", true},
		{"DELETE", "/api/devices/1", "", false},
		{"GET", "/api/notifications", "", false},
		{"POST", "/api/notifications/reparse", `{}`, false},
	}
	refused := []struct {
		name    string
		header  map[string]string
		mention string
	}{
		{"no key", nil, "Authorization"},
		{"wrong key", map[string]string{"Authorization": "Bearer wrong-key-123"}, "API"},
		{"the key without Bearer", map[string]string{"Authorization": testKey}, "Authorization"},
		{"Basic", map[string]string{"Authorization": "Basic dGVzdDp0ZXN0"}, "Authorization"},
		{"the key in a query's api_key", nil, "Authorization"},
	}
	for _, r := range routes {
		for _, tt := range refused {
			t.Run(r.method+" "+r.path+" "+tt.name, func(t *testing.T) {
				target := r.path
				if tt.name == "the key in a query's api_key" {
					target += "?api_key=" + testKey
				}
				field := ""
				if r.bearerOnly && tt.name != "wrong key" {
					field = "Authorization"
				}
				wantError(t, func(l string) answer { return m.call(r.method, target, r.body, lang(tt.header, l)) },
					401, app.EUNAUTHORIZED, field, tt.mention)
			})
		}
	}
	// The order is untouched by all that.
	if st := m.call("GET", "/api/order-status?orderId="+id, "", nil); st.str("status") != "pending" {
		t.Fatalf("order after refused requests: %s", st.raw)
	}
	for _, scheme := range []string{"Bearer ", "bearer ", "BEARER ", "Bearer   "} {
		if a := m.call("GET", "/api/payments", "", map[string]string{"Authorization": scheme + testKey}); a.status != 200 {
			t.Fatalf("%q: %d %s", scheme, a.status, a.raw)
		}
	}
}

// A signed request (DESIGN, Merchant API) is accepted for the method and
// path it was signed for, once, within 5 minutes of the server's time.
func TestAPISignedRequests(t *testing.T) {
	m := newMerchant(t)
	now := m.clock.Now()
	order := map[string]string{"productName": "签名商品", "amount": "0.5", "paymentMethod": "alipay"}

	accepted := []struct {
		name, method, path string
		fields             map[string]string
		inQuery            bool
	}{
		{"create an order", "POST", "/api/orders", order, false},
		{"with Unix milliseconds", "POST", "/api/orders", with(order, "timestamp", fmt.Sprint(now.UnixMilli())), false},
		{"with Shanghai time", "POST", "/api/orders", with(order, "timestamp", app.FormatTime(now.Add(-4*time.Minute))), false},
		{"four minutes ahead", "POST", "/api/orders", with(order, "timestamp", fmt.Sprint(now.Add(4*time.Minute).Unix())), false},
		{"list payments, signed in the query", "GET", "/api/payments", map[string]string{"page": "1", "limit": "5"}, true},
		{"list devices", "GET", "/api/devices", map[string]string{}, true},
		{"change the shop's name", "POST", "/api/config", map[string]string{"name": "签名小店"}, false},
	}
	for _, tt := range accepted {
		t.Run(tt.name, func(t *testing.T) {
			f := m.signed(tt.method, tt.path, tt.fields, testKey)
			var a answer
			if tt.inQuery {
				a = m.call(tt.method, tt.path+"?"+query(f), "", nil)
			} else {
				a = m.call(tt.method, tt.path, jsonBody(f), nil)
			}
			if a.status != 200 || a.body["success"] != true {
				t.Fatalf("%d %s", a.status, a.raw)
			}
		})
	}

	replayed := m.signed("POST", "/api/orders", order, testKey)
	if a := m.call("POST", "/api/orders", jsonBody(replayed), nil); a.status != 200 {
		t.Fatalf("first use: %s", a.raw)
	}
	refused := []struct {
		name, method, path string
		body               map[string]string
		field, mention     string
	}{
		{"the same nonce again", "POST", "/api/orders", replayed, "nonce", "nonce"},
		{"signed for another path", "POST", "/api/orders", m.signed("POST", "/api/payments", order, testKey), "signature", "/api/orders"},
		{"signed for another method", "POST", "/api/orders", m.signed("GET", "/api/orders", order, testKey), "signature", "POST"},
		{"signed with another key", "POST", "/api/orders", m.signed("POST", "/api/orders", order, "another-key-123"), "signature", "HMAC-SHA256"},
		{"a callback's signature (no method and path)", "POST", "/api/orders", withSig(order, sign.HMAC(with(order, "nonce", "n-cb", "timestamp", fmt.Sprint(now.Unix())), testKey), "n-cb", fmt.Sprint(now.Unix())), "signature", "HMAC-SHA256"},
		{"a field changed after signing", "POST", "/api/orders", with(m.signed("POST", "/api/orders", order, testKey), "amount", "0.01"), "signature", "signature"},
		{"six minutes old", "POST", "/api/orders", m.signed("POST", "/api/orders", with(order, "timestamp", fmt.Sprint(now.Add(-6*time.Minute).Unix())), testKey), "timestamp", "timestamp"},
		{"six minutes ahead", "POST", "/api/orders", m.signed("POST", "/api/orders", with(order, "timestamp", fmt.Sprint(now.Add(6*time.Minute).Unix())), testKey), "timestamp", "timestamp"},
		{"a timestamp that is no time", "POST", "/api/orders", m.signed("POST", "/api/orders", with(order, "timestamp", "yesterday"), testKey), "timestamp", "timestamp"},
		{"no timestamp", "POST", "/api/orders", signedAs("POST", "/api/orders", with(order, "nonce", "n-no-ts")), "signature", "timestamp"},
		{"no nonce", "POST", "/api/orders", signedAs("POST", "/api/orders", with(order, "timestamp", fmt.Sprint(now.Unix()))), "signature", "nonce"},
		{"a nonce of 129 characters", "POST", "/api/orders", m.signed("POST", "/api/orders", with(order, "nonce", strings.Repeat("n", 129)), testKey), "nonce", "nonce"},
		// What shows or replaces a secret takes the Bearer key only.
		{"a new device key", "POST", "/api/devices", m.signed("POST", "/api/devices", map[string]string{"name": "phone"}, testKey), "Authorization", "Bearer"},
		{"a rotated device key", "POST", "/api/devices/1/rotate-key", m.signed("POST", "/api/devices/1/rotate-key", map[string]string{}, testKey), "Authorization", "Bearer"},
		{"a new API key", "POST", "/api/config", m.signed("POST", "/api/config", map[string]string{"apiKey": "taken-over-key-1"}, testKey), "Authorization", "Bearer"},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			body := jsonBody(tt.body)
			a := m.call(tt.method, tt.path, body, nil)
			if a.status != 401 || a.str("code") != app.EUNAUTHORIZED || a.str("field") != tt.field || !strings.Contains(a.str("error"), tt.mention) {
				t.Fatalf("%d %s; want 401 naming %s (%s)", a.status, a.raw, tt.field, tt.mention)
			}
		})
	}
	// Only the accepted creations made orders: four signed ones and the first replayed one.
	if _, total, err := m.c.gw.Orders(t.Context(), app.OrderFilter{Query: "签名商品", Limit: 20}); err != nil || total != 5 {
		t.Fatalf("signed orders made: %d, %v; want 5", total, err)
	}
	// The API key was not replaced by the signed request.
	if a := m.call("GET", "/api/payments", "", bearer); a.status != 200 {
		t.Fatalf("the old key stopped working: %s", a.raw)
	}
}

// with returns fields with the pairs k, v set ("" deletes k).
func with(fields map[string]string, kv ...string) map[string]string {
	out := map[string]string{}
	for k, v := range fields {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			delete(out, kv[i])
		} else {
			out[kv[i]] = kv[i+1]
		}
	}
	return out
}

func withSig(fields map[string]string, signature, nonce, timestamp string) map[string]string {
	return with(fields, "signature", signature, "nonce", nonce, "timestamp", timestamp)
}

func TestAPIConfig(t *testing.T) {
	m := newMerchant(t)
	a := m.ok("POST", "/api/config", `{"callbackUrl":"https://shop.example.com/paygate/callback","name":"小店","description":"手工曲奇","epayPid":"1001"}`)
	if a.str("message") != "配置更新成功" {
		t.Fatalf("config: %s", a.raw)
	}
	s, err := m.c.gw.Settings(t.Context())
	if err != nil || s.CallbackURL != "https://shop.example.com/paygate/callback" || s.Name != "小店" || s.Description != "手工曲奇" || s.PID() != "1001" {
		t.Fatalf("settings after config: %+v %v", s, err)
	}
	if a := m.call("POST", "/api/config", `{"name":"Shop"}`, lang(bearer, "en")); a.str("message") != "Settings updated" {
		t.Fatalf("config in English: %s", a.raw)
	}

	for _, tt := range []struct {
		name, body, field, mention string
	}{
		{"nothing to change", `{}`, "", "apiKey"},
		{"an API key of 7 characters", `{"apiKey":"1234567"}`, "apiKey", ""},
		{"an API key with a space", `{"apiKey":"1234 5678 90"}`, "apiKey", ""},
		{"an API key of 129 characters", `{"apiKey":"` + strings.Repeat("k", 129) + `"}`, "apiKey", ""},
		{"a callback URL that is no URL", `{"callbackUrl":"shop.example.com/cb"}`, "callbackUrl", ""},
		{"a name of 101 characters", `{"name":"` + strings.Repeat("店", 101) + `"}`, "name", ""},
		{"a description of 501 characters", `{"description":"` + strings.Repeat("d", 501) + `"}`, "description", ""},
		{"an 易支付 pid with letters", `{"epayPid":"10a"}`, "epayPid", "10a"},
		{"an 易支付 pid of 19 digits", `{"epayPid":"1234567890123456789"}`, "epayPid", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			wantError(t, func(l string) answer { return m.call("POST", "/api/config", tt.body, lang(bearer, l)) }, 400, app.EINVALID, tt.field, tt.mention)
		})
	}
	if s2, _ := m.c.gw.Settings(t.Context()); s2.Name != "Shop" || s2.PID() != "1001" {
		t.Fatalf("refused changes were applied: %+v", s2)
	}

	// A new key: the old one stops working at once.
	m.ok("POST", "/api/config", `{"apiKey":"  new-key-12345  "}`)
	if a := m.call("GET", "/api/payments", "", bearer); a.status != 401 {
		t.Fatalf("the old key still works: %d", a.status)
	}
	if a := m.call("GET", "/api/payments", "", map[string]string{"Authorization": "Bearer new-key-12345"}); a.status != 200 {
		t.Fatalf("the new key (trimmed) does not work: %d %s", a.status, a.raw)
	}
}

func TestAPIDevicesAndNotifications(t *testing.T) {
	m := newMerchant(t)
	if a := m.ok("GET", "/api/devices", ""); len(a.body["data"].([]any)) != 0 {
		t.Fatalf("devices of a new paygate: %s", a.raw)
	}
	made := m.ok("POST", "/api/devices", `{"name":"  店里的旧手机  "}`).obj("device")
	key, _ := made["key"].(string)
	id := made["id"].(json.Number).String()
	if made["name"] != "店里的旧手机" || len(key) != 24 || made["usesApiKey"] != false || made["online"] != false || !shanghaiTime.MatchString(made["createdAt"].(string)) {
		t.Fatalf("new device: %v", made)
	}
	// The new key is a phone's key.
	b, _ := json.Marshal(map[string]string{"message": "收到转账7.00元(支付宝)"})
	if a := m.call("POST", "/webhook", string(b), map[string]string{"key": key}); a.status != 200 || a.str("kind") != "payment" {
		t.Fatalf("the device key is refused: %s", a.raw)
	}
	list := m.ok("GET", "/api/devices", "").list("data")
	var listed map[string]any
	for _, d := range list {
		if _, ok := d["key"]; ok {
			t.Fatalf("the list shows a key: %v", d)
		}
		if d["id"].(json.Number).String() == id {
			listed = d
		}
	}
	if listed == nil || listed["online"] != true || listed["lastIp"] != "198.51.100.7" || !shanghaiTime.MatchString(listed["lastSeenAt"].(string)) {
		t.Fatalf("the device after its notification: %v", list)
	}

	rotated := m.ok("POST", "/api/devices/"+id+"/rotate-key", "").obj("device")
	if rotated["key"] == key || len(rotated["key"].(string)) != 24 {
		t.Fatalf("rotate: %v", rotated)
	}
	if a := m.call("POST", "/webhook", string(b), map[string]string{"key": key}); a.status != 401 {
		t.Fatalf("the old device key still works: %s", a.raw)
	}

	notes := m.ok("GET", "/api/notifications?limit=1", "")
	if notes.num("total") != "2" || len(notes.list("data")) != 1 || notes.num("limit") != "1" || notes.obj("storage") == nil {
		t.Fatalf("notifications: %s", notes.raw)
	}
	if newest := notes.list("data")[0]; newest["outcome"] != "refused" || newest["endpoint"] != "/webhook" || strings.Contains(fmt.Sprint(newest), key) {
		t.Fatalf("the refused notification, secrets hidden: %v", newest)
	}
	if a := m.ok("GET", "/api/notifications?deviceId="+id, ""); a.num("total") != "1" {
		t.Fatalf("the device's notifications: %s", a.raw)
	}
	rep := m.ok("POST", "/api/notifications/reparse", `{"since":"2000-01-01 00:00:00"}`).obj("report")
	if rep == nil || rep["checked"] == nil {
		t.Fatalf("reparse: %v", rep)
	}

	m.ok("DELETE", "/api/devices/"+id, "")
	for _, tt := range []struct {
		name, method, target, body string
		status                     int
		code, field, mention       string
	}{
		{"delete it again", "DELETE", "/api/devices/" + id, "", 404, app.ENOTFOUND, "deviceId", "#" + id},
		{"rotate a deleted device", "POST", "/api/devices/" + id + "/rotate-key", "", 404, app.ENOTFOUND, "deviceId", "#" + id},
		{"a device id that is no number", "DELETE", "/api/devices/abc", "", 400, app.EINVALID, "deviceId", "abc"},
		{"a device id of 0", "POST", "/api/devices/0/rotate-key", "", 400, app.EINVALID, "deviceId", ""},
		{"a device without a name", "POST", "/api/devices", `{"name":"  "}`, 400, app.EINVALID, "name", "设备名称|device name"},
		{"a device name of 41 characters", "POST", "/api/devices", `{"name":"` + strings.Repeat("机", 41) + `"}`, 400, app.EINVALID, "name", "设备名称|device name"},
		{"notifications of device abc", "GET", "/api/notifications?deviceId=abc", "", 400, app.EINVALID, "deviceId", ""},
		{"notifications page 0", "GET", "/api/notifications?page=0", "", 400, app.EINVALID, "page", ""},
		{"reparse since no time", "POST", "/api/notifications/reparse", `{"since":"yesterday"}`, 400, app.EINVALID, "since", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			wantError(t, func(l string) answer { return m.call(tt.method, tt.target, tt.body, lang(bearer, l)) },
				tt.status, tt.code, tt.field, tt.mention)
		})
	}
}

// Before any API key exists, curl on the paygate machine may set the first
// one through POST /api/config; nobody else, and no web page, may.
func TestAPIFirstKeyFromThisMachineOnly(t *testing.T) {
	tests := []struct {
		name, remote, host, contentType string
		header                          map[string]string
		status                          int
		code, field, mention            string
	}{
		{name: "curl on this machine", remote: "127.0.0.1:50000", host: "localhost:8080", contentType: "application/json", status: 200},
		{name: "curl on this machine over IPv6", remote: "[::1]:50000", host: "[::1]:8080", contentType: "application/json", status: 200},
		{name: "another computer", remote: "198.51.100.7:50000", host: "pay.example.com", contentType: "application/json",
			status: 401, code: app.EUNAUTHORIZED, mention: "PAYGATE_MERCHANT_API_KEY"},
		{name: "a name re-pointed at this machine (DNS rebinding)", remote: "127.0.0.1:50000", host: "evil.example:8080", contentType: "application/json",
			status: 401, code: app.EUNAUTHORIZED, mention: "PAYGATE_MERCHANT_API_KEY"},
		{name: "relayed by a proxy", remote: "127.0.0.1:50000", host: "localhost:8080", contentType: "application/json",
			header: map[string]string{"X-Forwarded-For": "203.0.113.9"}, status: 401, code: app.EUNAUTHORIZED, mention: "PAYGATE_MERCHANT_API_KEY"},
		{name: "a page of another site", remote: "127.0.0.1:50000", host: "localhost:8080", contentType: "application/json",
			header: map[string]string{"Origin": "https://evil.example"}, status: 403, code: app.EFORBIDDEN, mention: "curl"},
		{name: "a cross-site fetch", remote: "127.0.0.1:50000", host: "localhost:8080", contentType: "application/json",
			header: map[string]string{"Sec-Fetch-Site": "cross-site"}, status: 403, code: app.EFORBIDDEN, mention: "curl"},
		{name: "a form a page could post", remote: "127.0.0.1:50000", host: "localhost:8080", contentType: "text/plain",
			status: 415, code: app.EUNSUPPORTED, field: "body", mention: "Content-Type: application/json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _ := openConsole(t, web.Options{}, "", 0, nil)
			do := func(l string) answer {
				req := httptest.NewRequest("POST", "/api/config", strings.NewReader(`{"apiKey":"first-key-12345"}`))
				req.RemoteAddr, req.Host = tt.remote, tt.host
				req.Header.Set("Content-Type", tt.contentType)
				req.Header.Set("Accept-Language", l)
				for k, v := range tt.header {
					req.Header.Set(k, v)
				}
				rec := httptest.NewRecorder()
				c.e.ServeHTTP(rec, req)
				a := answer{status: rec.Code, raw: rec.Body.String()}
				if err := json.Unmarshal(rec.Body.Bytes(), &a.body); err != nil {
					t.Fatalf("not JSON: %d %s", rec.Code, rec.Body)
				}
				return a
			}
			if tt.status != 200 {
				wantError(t, do, tt.status, tt.code, tt.field, tt.mention)
				if has, _ := c.gw.HasAPIKey(t.Context()); has {
					t.Fatal("a refused request set the API key")
				}
				return
			}
			if a := do("zh-CN"); a.status != 200 || a.body["success"] != true {
				t.Fatalf("%d %s", a.status, a.raw)
			}
			if err := c.gw.CheckAPIKey(t.Context(), "first-key-12345"); err != nil {
				t.Fatalf("the first key is not in force: %v", err)
			}
			// Once a key exists, the same request needs it.
			if a := do("en"); a.status != 401 {
				t.Fatalf("a second unauthenticated change: %d %s", a.status, a.raw)
			}
		})
	}
}
