package e2e

// An 易支付 (epay) client written from the protocol, as 彩虹易支付 documents
// it and shop software such as 独角数卡 implements it, not from paygate's code:
// its own MD5 signer, its own notify receiver that verifies the sign and the
// money and answers "success" (or not), driving the real binary.

import (
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// epaySign is the 易支付 MD5 signature: drop sign, sign_type and empty
// values, sort by name, join k=v with &, append the key, md5, lowercase hex.
func epaySign(params url.Values, key string) string {
	var keys []string
	for k := range params {
		if k == "sign" || k == "sign_type" || params.Get(k) == "" {
			continue
		}
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + params.Get(k)
	}
	sum := md5.Sum([]byte(strings.Join(parts, "&") + key))
	return hex.EncodeToString(sum[:])
}

// epayClient is a shop that speaks 易支付 to paygate.
type epayClient struct {
	t        *testing.T
	base     string // paygate's address: the shop's 接口地址
	pid, key string
	notify   *httptest.Server

	mu       sync.Mutex
	notifies []url.Values              // every notify received, in order
	answer   func(n int) (int, string) // HTTP status and body for the n-th notify (1-based)
	orders   map[string]string         // out_trade_no → money as sent
	problems []string                  // what the shop's checks refused
	paid     map[string]string         // out_trade_no → trade_no, once a notify was accepted
	methods  map[string]int            // HTTP methods the notifies came with
}

func newEpayClient(t *testing.T, base, pid, key string, answer func(n int) (int, string)) *epayClient {
	c := &epayClient{t: t, base: base, pid: pid, key: key, answer: answer,
		orders: map[string]string{}, paid: map[string]string{}, methods: map[string]int{}}
	c.notify = httptest.NewServer(http.HandlerFunc(c.handleNotify))
	t.Cleanup(c.notify.Close)
	return c
}

// handleNotify is the shop's notify_url, checked the way 独角数卡's
// YipayController does: the sign over every received parameter, then the
// order's money (bccomp to 2 places there; the exact string here, stricter).
func (c *epayClient) handleNotify(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	body, _ := io.ReadAll(r.Body)
	c.mu.Lock()
	c.notifies = append(c.notifies, q)
	n := len(c.notifies)
	c.methods[r.Method]++
	var problem string
	switch {
	case len(body) > 0:
		problem = "notify has a body"
	case q.Get("sign_type") != "MD5":
		problem = "sign_type is not MD5: " + q.Get("sign_type")
	case q.Get("sign") != epaySign(q, c.key):
		problem = "bad sign on " + r.URL.RawQuery
	case q.Get("trade_status") != "TRADE_SUCCESS":
		problem = "trade_status " + q.Get("trade_status")
	case q.Get("pid") != c.pid:
		problem = "pid " + q.Get("pid")
	case c.orders[q.Get("out_trade_no")] == "":
		problem = "unknown out_trade_no " + q.Get("out_trade_no")
	case q.Get("money") != c.orders[q.Get("out_trade_no")]:
		problem = "money " + q.Get("money") + " but the order asked for " + c.orders[q.Get("out_trade_no")]
	case q.Get("trade_no") == "":
		problem = "no trade_no"
	}
	status, answer := c.answer(n)
	if problem != "" {
		c.problems = append(c.problems, problem)
		status, answer = 200, "fail"
	} else if status == 200 && strings.Contains(answer, "success") {
		c.paid[q.Get("out_trade_no")] = q.Get("trade_no")
	}
	c.mu.Unlock()
	w.WriteHeader(status)
	io.WriteString(w, answer)
}

func (c *epayClient) received() []url.Values {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]url.Values(nil), c.notifies...)
}

func (c *epayClient) waitNotifies(n int, within time.Duration) []url.Values {
	c.t.Helper()
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		if got := c.received(); len(got) >= n {
			return got
		}
		time.Sleep(20 * time.Millisecond)
	}
	c.t.Fatalf("shop got %d notifies, want %d", len(c.received()), n)
	return nil
}

// params builds a signed payment request.
func (c *epayClient) params(outTradeNo, typ, money, name string, extra map[string]string) url.Values {
	p := url.Values{}
	p.Set("pid", c.pid)
	p.Set("type", typ)
	p.Set("out_trade_no", outTradeNo)
	p.Set("notify_url", c.notify.URL+"/yipay/notify_url")
	p.Set("return_url", "https://shop.example.com/detail-order-sn/"+outTradeNo)
	p.Set("name", name)
	p.Set("money", money)
	for k, v := range extra {
		p.Set(k, v)
	}
	p.Set("sign", epaySign(p, c.key))
	p.Set("sign_type", "MD5")
	c.mu.Lock()
	if _, ok := c.orders[outTradeNo]; !ok {
		c.orders[outTradeNo] = money
	}
	c.mu.Unlock()
	return p
}

// mapi posts a form to mapi.php and decodes the JSON answer.
func (c *epayClient) mapi(p url.Values) map[string]any {
	c.t.Helper()
	resp, err := http.PostForm(c.base+"/mapi.php", p)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	return c.decode(resp, "mapi.php")
}

func (c *epayClient) decode(resp *http.Response, what string) map[string]any {
	c.t.Helper()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		c.t.Fatalf("%s: HTTP %d (epay clients read the JSON of an HTTP 200): %s", what, resp.StatusCode, raw)
	}
	var out map[string]any
	if err := json.Unmarshal(raw, &out); err != nil {
		c.t.Fatalf("%s: not JSON: %s", what, raw)
	}
	return out
}

func (c *epayClient) api(query url.Values) map[string]any {
	c.t.Helper()
	resp, err := http.Get(c.base + "/api.php?" + query.Encode())
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	return c.decode(resp, "api.php")
}

var noRedirects = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

func wantCode(t *testing.T, what string, out map[string]any, code float64, msgHas ...string) {
	t.Helper()
	if out["code"] != code {
		t.Fatalf("%s: code %v, want %v: %v", what, out["code"], code, out)
	}
	msg, _ := out["msg"].(string)
	for _, s := range msgHas {
		if !strings.Contains(msg, s) {
			t.Fatalf("%s: msg %q does not say %q", what, msg, s)
		}
	}
}

func TestEpayClientAgainstBinary(t *testing.T) {
	// The REST callback URL must stay silent: an epay order is announced by its notify only.
	rest := newMerchant(t, "", nil)
	pg := startPaygate(t, t.TempDir(),
		"PAYGATE_MERCHANT_API_KEY="+testAPIKey,
		"PAYGATE_MERCHANT_CALLBACK_URL="+rest.srv.URL+"/payment-callback",
		"PAYGATE_CALLBACK_RETRY_SCHEDULE=0s 1s 1s 1s 1s 1s")
	// The shop answers "fail", then an HTTP 500 (whose body says success: not
	// an acknowledgement), then "success".
	shop := newEpayClient(t, pg.URL, "1000", testAPIKey, func(n int) (int, string) {
		switch n {
		case 1:
			return 200, "fail"
		case 2:
			return 500, "success? no: Internal Server Error"
		}
		return 200, "success"
	})

	// Another order already holds ¥10.00 by Alipay, so the epay order's payable amount moves to 10.01.
	pg.createOrder(`{"productName":"先来的订单","amount":10,"paymentMethod":"alipay"}`)

	extra := map[string]string{"param": "uid=42&coupon=无", "clientip": "203.0.113.9", "device": "pc", "sitename": "测试小店"}
	first := shop.mapi(shop.params("DJK20261126A1", "alipay", "10.00", "会员月卡 x 1", extra))
	wantCode(t, "mapi.php", first, 1)
	tradeNo, _ := first["trade_no"].(string)
	if !strings.HasPrefix(tradeNo, "ORD") {
		t.Fatalf("trade_no: %v", first)
	}
	if first["payurl"] != pg.URL+"/pay/"+tradeNo || first["qrcode"] != first["payurl"] {
		t.Fatalf("payurl/qrcode should be the checkout page %s/pay/%s: %v", pg.URL, tradeNo, first)
	}
	if first["realmoney"] != "10.01" || first["money"] != "10.00" {
		t.Fatalf("money as sent, realmoney adjusted to 10.01: %v", first)
	}

	// The same out_trade_no again → the same trade_no.
	again := shop.mapi(shop.params("DJK20261126A1", "alipay", "10.00", "会员月卡 x 1", extra))
	wantCode(t, "mapi.php repeat", again, 1)
	if again["trade_no"] != tradeNo {
		t.Fatalf("repeat got trade_no %v, want %s", again["trade_no"], tradeNo)
	}
	// The same out_trade_no with other money → refused, naming money.
	changed := shop.mapi(shop.params("DJK20261126A1", "alipay", "12.00", "会员月卡 x 1", extra))
	wantCode(t, "mapi.php changed money", changed, -1, "money", "10.00", "12.00", "更换订单号")
	// A bad sign → refused, saying so and what to check.
	bad := shop.params("DJK20261126B1", "alipay", "10.00", "会员月卡 x 1", nil)
	bad.Set("sign", strings.Repeat("0", 32))
	wantCode(t, "mapi.php bad sign", shop.mapi(bad), -1, "签名校验失败", "API 密钥")
	// A sign made with another key → the same.
	other := newEpayClient(t, pg.URL, "1000", "not_the_key", nil).params("DJK20261126B2", "alipay", "1", "x", nil)
	wantCode(t, "mapi.php wrong key", shop.mapi(other), -1, "签名校验失败")
	// Another pid → refused, naming the right one.
	wrongPID := newEpayClient(t, pg.URL, "1001", testAPIKey, nil).params("DJK20261126B3", "alipay", "1", "x", nil)
	wantCode(t, "mapi.php wrong pid", shop.mapi(wrongPID), -1, "1001", "1000")
	// Unsupported type, bad money, missing notify_url: code -1 with the field named.
	wantCode(t, "qqpay", shop.mapi(shop.params("DJK20261126B4", "qqpay", "1", "x", nil)), -1, "qqpay", "alipay")
	wantCode(t, "money", shop.mapi(shop.params("DJK20261126B5", "alipay", "1.001", "x", nil)), -1, "money")
	wantCode(t, "money text", shop.mapi(shop.params("DJK20261126B6", "alipay", "abc", "x", nil)), -1, "money")
	noNotify := shop.params("DJK20261126B7", "alipay", "1", "x", map[string]string{"notify_url": ""})
	wantCode(t, "notify_url", shop.mapi(noNotify), -1, "notify_url")
	wantCode(t, "out_trade_no", shop.mapi(shop.params("订单1", "alipay", "1", "x", nil)), -1, "out_trade_no")

	// api.php shows it unpaid.
	q := url.Values{"act": {"order"}, "pid": {"1000"}, "key": {testAPIKey}, "out_trade_no": {"DJK20261126A1"}}
	st := shop.api(q)
	wantCode(t, "api.php", st, 1)
	if st["status"] != 0.0 || st["trade_no"] != tradeNo || st["money"] != "10.00" || st["param"] != extra["param"] || st["endtime"] != nil {
		t.Fatalf("api.php before payment: %v", st)
	}

	// The payer pays the adjusted 10.01; the phone tells paygate.
	hook := pg.webhook("收到转账10.01元(支付宝)")
	if hook["orderId"] != tradeNo || hook["matched"] != true {
		t.Fatalf("webhook: %v", hook)
	}

	// The notify: a GET with a valid sign and the money the shop asked for,
	// repeated until the shop answers success, then never again.
	shop.waitNotifies(3, 15*time.Second)
	time.Sleep(2500 * time.Millisecond)
	got := shop.received()
	if len(got) != 3 {
		t.Fatalf("notifies after the acknowledgement: %d, want 3", len(got))
	}
	if len(shop.problems) > 0 || shop.methods[http.MethodGet] != 3 {
		t.Fatalf("the shop refused: %v (methods %v)", shop.problems, shop.methods)
	}
	n := got[2]
	for k, want := range map[string]string{"pid": "1000", "trade_no": tradeNo, "out_trade_no": "DJK20261126A1", "type": "alipay",
		"name": "会员月卡 x 1", "money": "10.00", "trade_status": "TRADE_SUCCESS", "param": extra["param"], "sign_type": "MD5"} {
		if n.Get(k) != want {
			t.Errorf("notify %s = %q, want %q", k, n.Get(k), want)
		}
	}
	if shop.paid["DJK20261126A1"] != tradeNo {
		t.Fatalf("the shop did not record the payment: %v", shop.paid)
	}
	if len(rest.calls()) != 0 {
		t.Fatalf("the REST callback URL got %d calls for an epay order", len(rest.calls()))
	}

	// api.php shows it paid, by out_trade_no and by trade_no.
	for _, by := range []url.Values{q, {"act": {"order"}, "pid": {"1000"}, "key": {testAPIKey}, "trade_no": {tradeNo}}} {
		st := shop.api(by)
		wantCode(t, "api.php paid", st, 1)
		if st["status"] != 1.0 || st["trade_no"] != tradeNo || st["out_trade_no"] != "DJK20261126A1" || st["money"] != "10.00" ||
			st["realmoney"] != "10.01" || st["endtime"] == nil || st["api_trade_no"] == "" || st["pid"] != 1000.0 {
			t.Fatalf("api.php after payment: %v", st)
		}
	}
	wantCode(t, "api.php wrong key", shop.api(url.Values{"act": {"order"}, "pid": {"1000"}, "key": {"nope"}, "out_trade_no": {"DJK20261126A1"}}), -1, "商户密钥")
	wantCode(t, "api.php unknown", shop.api(url.Values{"act": {"order"}, "pid": {"1000"}, "key": {testAPIKey}, "out_trade_no": {"NOPE"}}), -1, "NOPE")
	wantCode(t, "api.php act=refund", shop.api(url.Values{"act": {"refund"}, "pid": {"1000"}, "key": {testAPIKey}}), -1, "不支持自动退款")
	wantCode(t, "api.php act", shop.api(url.Values{"act": {"settle"}, "pid": {"1000"}, "key": {testAPIKey}}), -5, "act=order")
	info := shop.api(url.Values{"act": {"query"}, "pid": {"1000"}, "key": {testAPIKey}})
	wantCode(t, "api.php act=query", info, 1)
	if info["pid"] != 1000.0 || info["key"] != testAPIKey || info["active"] != 1.0 || info["orders"] != 2.0 {
		t.Fatalf("act=query: %v", info)
	}

	// Paid: mapi.php refuses to start it again; submit.php sends the browser to the (paid) checkout page.
	wantCode(t, "mapi.php paid", shop.mapi(shop.params("DJK20261126A1", "alipay", "10.00", "会员月卡 x 1", extra)), -1, "已完成支付")

	// The return URL the checkout page sends the payer to: return_url plus the notify's signed parameters.
	status, detail := pg.call("GET", "/api/orders/"+tradeNo, "", bearer)
	ret, _ := url.Parse(detail["returnUrl"].(string))
	if status != 200 || ret == nil || !strings.HasPrefix(detail["returnUrl"].(string), "https://shop.example.com/detail-order-sn/DJK20261126A1?") {
		t.Fatalf("returnUrl: %d %v", status, detail)
	}
	if rq := ret.Query(); rq.Get("sign") != epaySign(rq, testAPIKey) || rq.Get("trade_no") != tradeNo || rq.Get("money") != "10.00" {
		t.Fatalf("returnUrl is not signed as a notify: %s", ret)
	}
	if detail["merchantOrderId"] != "epay:DJK20261126A1" {
		t.Fatalf("merchantOrderId: %v", detail["merchantOrderId"])
	}

	// The payment shows its (易支付) callback as sent.
	_, pays := pg.call("GET", "/api/payments?limit=5", "", bearer)
	if p := pays["data"].([]any)[0].(map[string]any); p["callbackStatus"] != "sent" || p["orderId"] != tradeNo {
		t.Fatalf("payment callbackStatus: %v", p)
	}
}

// 独角数卡 sends money as PHP (float), "10" for 10.00, with a GET form to
// submit.php; the notify must carry that same text so bccomp and any string
// comparison pass.
func TestEpaySubmitAgainstBinary(t *testing.T) {
	// The shop runs on this machine: its notify_url host must be allowed.
	pg := startPaygate(t, t.TempDir(), "PAYGATE_MERCHANT_API_KEY="+testAPIKey, "PAYGATE_CALLBACK_ALLOW_HOSTS=127.0.0.1")
	shop := newEpayClient(t, pg.URL, "1000", testAPIKey, func(int) (int, string) { return 200, "success" })

	p := shop.params("20261126DJK0001", "wxpay", "10", "Steam 充值卡", nil)
	resp, err := noRedirects.Get(pg.URL + "/submit.php?" + p.Encode())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusFound || !strings.HasPrefix(loc, pg.URL+"/pay/ORD") {
		t.Fatalf("submit.php GET: %d Location %q", resp.StatusCode, loc)
	}
	tradeNo := strings.TrimPrefix(loc, pg.URL+"/pay/")

	// The same form posted (彩虹易支付 reads $_POST when the query has no pid) → the same order.
	resp, err = noRedirects.PostForm(pg.URL+"/submit.php", p)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != loc {
		t.Fatalf("submit.php POST repeat: %d %q, want %q", resp.StatusCode, resp.Header.Get("Location"), loc)
	}

	// The order is a WeChat order of ¥10.00.
	_, o := pg.call("GET", "/api/order-status?orderId="+tradeNo, "", nil)
	if o["paymentMethod"] != "wechat" || o["displayAmount"] != 10.0 || o["productName"] != "Steam 充值卡" {
		t.Fatalf("order: %v", o)
	}

	// A bad sign: a readable page in Chinese (then English), a 4xx, never a redirect.
	bad := shop.params("20261126DJK0002", "wxpay", "10", "x", nil)
	bad.Set("sign", "deadbeef")
	resp, err = noRedirects.Get(pg.URL + "/submit.php?" + bad.Encode())
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 401 || !strings.Contains(string(page), "签名校验失败") || !strings.Contains(string(page), "Signature check failed") ||
		!strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("submit.php bad sign: %d %s", resp.StatusCode, page)
	}
	// Nothing at all: still a page, 400.
	resp, err = noRedirects.Get(pg.URL + "/submit.php")
	if err != nil {
		t.Fatal(err)
	}
	page, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 400 || !strings.Contains(string(page), "商户ID(pid)不能为空") {
		t.Fatalf("submit.php empty: %d %s", resp.StatusCode, page)
	}

	// Paid via the WeChat notification → notify money "10", exactly as sent.
	hook := pg.webhook("微信支付收款10.00元")
	if hook["orderId"] != tradeNo {
		t.Fatalf("webhook: %v", hook)
	}
	got := shop.waitNotifies(1, 10*time.Second)
	if len(shop.problems) > 0 || got[0].Get("money") != "10" || got[0].Get("type") != "wxpay" || got[0].Get("trade_no") != tradeNo {
		t.Fatalf("notify: %v problems %v", got[0], shop.problems)
	}

	// A repeat of the paid order's form lands on its checkout page, which shows it paid.
	resp, err = noRedirects.Get(pg.URL + "/submit.php?" + p.Encode())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != loc {
		t.Fatalf("submit.php paid repeat: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
}
