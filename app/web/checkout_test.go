package web_test

// The payer's side: checkout pages in every state, the live status, the
// return to the shop, payment links with their rate limit and CSRF, and the
// fixed-amount 收款码. A real store in t.TempDir(), real HTTP.

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/skip2/go-qrcode"

	"paygate/app"
	"paygate/app/gateway"
	"paygate/app/qr"
	"paygate/app/testclock"
	"paygate/app/web"
)

// newShop is newConsole with a settable clock, starting now, and a
// payment-link rate limit.
func newShop(t *testing.T, opts web.Options, linkRate int) (*console, *testclock.Clock) {
	t.Helper()
	clk := testclock.New(time.Now())
	c, _ := openConsole(t, opts, testKey, linkRate, clk)
	return c, clk
}

// apiOrder creates an order through POST /api/orders and returns its answer.
func (c *console) apiOrder(body string, header map[string]string) map[string]any {
	c.t.Helper()
	h := map[string]string{"Authorization": "Bearer " + testKey, "Content-Type": "application/json"}
	for k, v := range header {
		h[k] = v
	}
	req, _ := http.NewRequest("POST", c.srv.URL+"/api/orders", strings.NewReader(body))
	for k, v := range h {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != 200 {
		c.t.Fatalf("create order %s: %d %v %v", body, resp.StatusCode, out, err)
	}
	return out
}

func (c *console) webhook(message string) {
	c.t.Helper()
	b, _ := json.Marshal(map[string]string{"message": message})
	req, _ := http.NewRequest("POST", c.srv.URL+"/webhook", bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("key", testKey)
	r, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	out, _ := io.ReadAll(r.Body)
	r.Body.Close()
	if r.StatusCode != 200 || !strings.Contains(string(out), `"kind":"payment"`) {
		c.t.Fatalf("webhook %q: %d %s", message, r.StatusCode, out)
	}
}

// uploadQR uploads a 收款码 picture encoding payload through the console;
// amount "" is the method's general code, else a fixed-amount code.
func (c *console) uploadQR(cl *http.Client, method, amount, payload string) {
	c.t.Helper()
	pic, err := qrcode.Encode(payload, qrcode.Medium, 256)
	if err != nil {
		c.t.Fatal(err)
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	if amount != "" {
		mw.WriteField("amount", amount)
	}
	fw, _ := mw.CreateFormFile("image", "code.png")
	fw.Write(pic)
	mw.Close()
	path := "/admin/settings/qr/" + method
	if amount != "" {
		path += "/amounts"
	}
	req, _ := http.NewRequest("POST", c.srv.URL+path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("X-CSRF-Token", c.csrf(cl, "/admin/settings"))
	req.Header.Set("HX-Request", "true")
	resp, err := cl.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	out, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(out), payload) {
		c.t.Fatalf("upload %s %s: %d\n%.600s", method, amount, resp.StatusCode, out)
	}
}

var qrImage = regexp.MustCompile(`<img src="data:image/png;base64,([^"]+)"`)

// shownCode decodes the QR code a checkout page shows.
func shownCode(t *testing.T, page string) string {
	t.Helper()
	m := qrImage.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no QR picture on the page:\n%.1500s", page)
	}
	pic, err := base64.StdEncoding.DecodeString(m[1])
	if err != nil {
		t.Fatal(err)
	}
	payload, _, err := qr.Decode(pic)
	if err != nil {
		t.Fatalf("the QR picture does not read: %v", err)
	}
	return payload
}

func TestPayURLIsAbsolute(t *testing.T) {
	tests := []struct {
		name    string
		opts    web.Options
		header  map[string]string
		want    string // prefix; "" = the test server's own address
		wantNot string
	}{
		{name: "public_url wins", opts: web.Options{PublicURL: "https://pay.example.com"},
			header: map[string]string{"X-Forwarded-Host": "evil.example"}, want: "https://pay.example.com/pay/ORD"},
		{name: "request host", want: ""},
		{name: "forwarded headers from an untrusted peer are ignored",
			header: map[string]string{"X-Forwarded-Proto": "https", "X-Forwarded-Host": "evil.example"}, want: "", wantNot: "evil"},
		{name: "trusted proxy's forwarded host and scheme", opts: web.Options{TrustedProxies: []string{"127.0.0.1", "::1"}},
			header: map[string]string{"X-Forwarded-Proto": "https", "X-Forwarded-Host": "shop.example.com"}, want: "https://shop.example.com/pay/ORD"},
		{name: "trusted proxy with a malformed host falls back to the request's",
			opts:   web.Options{TrustedProxies: []string{"127.0.0.1", "::1"}},
			header: map[string]string{"X-Forwarded-Host": "evil.example/path?x"}, want: "", wantNot: "evil"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _ := newShop(t, tt.opts, 0)
			out := c.apiOrder(`{"productName":"苹果","amount":1,"paymentMethod":"alipay"}`, tt.header)
			got, _ := out["payUrl"].(string)
			want := tt.want
			if want == "" {
				want = c.srv.URL + "/pay/ORD"
			}
			if !strings.HasPrefix(got, want) || !strings.HasSuffix(got, "/pay/"+out["orderId"].(string)) {
				t.Fatalf("payUrl = %q, want %s…%s", got, want, out["orderId"])
			}
			if tt.wantNot != "" && strings.Contains(got, tt.wantNot) {
				t.Fatalf("payUrl %q believes a forged header", got)
			}
			u, err := url.Parse(got)
			if err != nil || !u.IsAbs() {
				t.Fatalf("payUrl %q is not absolute", got)
			}
		})
	}
}

func TestCheckoutStates(t *testing.T) {
	c, clk := newShop(t, web.Options{}, 0)
	c.setup(c.http)
	c.uploadQR(c.http, "alipay", "", "https://qr.alipay.com/fkx0general")
	ctx := context.Background()
	order := func(amount, method, returnURL string) app.Order {
		o, _, err := c.gw.CreateOrder(ctx, gateway.OrderRequest{ProductName: "手工曲奇", Amount: amount, AmountPresent: true,
			PaymentMethod: method, ReturnURL: returnURL})
		if err != nil {
			t.Fatal(err)
		}
		return o
	}
	pending := order("10.00", "alipay", "")
	adjusted := order("10.00", "alipay", "") // 10.01: the slot 10.00 is taken
	noCode := order("3.00", "wechat", "")
	paid := order("20.00", "alipay", "https://shop.example.com/thanks?o=1")
	c.webhook("收到转账20.00元(支付宝)")
	closed := order("30.00", "alipay", "")
	if _, err := c.gw.CloseOrder(ctx, closed.ID, "test"); err != nil {
		t.Fatal(err)
	}
	expiring := order("40.00", "alipay", "")
	// The pending page's code is the uploaded 收款码, redrawn.
	_, body := c.do(c.client(), "GET", "/pay/"+adjusted.ID, nil, nil)
	if got := shownCode(t, body); got != "https://qr.alipay.com/fkx0general" {
		t.Fatalf("checkout shows %q", got)
	}

	tests := []struct {
		name   string
		id     string
		before func()
		status int
		want   []string
		not    []string
	}{
		{"pending", pending.ID, nil, 200, []string{`data-status="pending"`, "¥10.00", "请务必支付 ¥10.00，不要多付或少付，否则无法自动到账", "手工曲奇",
			`id="countdown"`, "/pay/" + pending.ID + "/status", "15:00", "支付宝", "alipays://platformapi/startapp?saId=10000007&amp;qrcode=https%3A%2F%2Fqr.alipay.com%2Ffkx0general"},
			[]string{"http-equiv=\"refresh\" content=\"3"}},
		{"adjusted amount", adjusted.ID, nil, 200, []string{"¥10.01", "请务必支付 ¥10.01", "订单金额 ¥10.00；为了认出你的付款，请多付 0.01 元"}, nil},
		{"no 收款码 for the method", noCode.ID, nil, 200, []string{"商家尚未设置收款码", "请联系商家", "¥3.00"}, []string{"data:image/png"}},
		{"paid", paid.ID, nil, 200, []string{`data-status="success"`, "支付成功", "¥20.00", `content="3;url=/pay/` + paid.ID + `/return"`, "返回商家"}, []string{"data:image/png"}},
		{"closed", closed.ID, nil, 410, []string{`data-status="failed"`, "订单已关闭", "请不要付款"}, []string{"data:image/png"}},
		{"expired", expiring.ID, func() { clk.Add(16 * time.Minute) }, 410, []string{`data-status="expired"`, "订单已过期", "请不要再按这笔订单付款", expiring.ID}, []string{"data:image/png"}},
		{"unknown", "ORD17000000000000000000", nil, 404, []string{"找不到这笔订单", "<!doctype html>"}, []string{`"success":false`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.before != nil {
				tt.before()
			}
			resp, body := c.do(c.client(), "GET", "/pay/"+tt.id, nil, nil)
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d\n%.1500s", resp.StatusCode, tt.status, body)
			}
			if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
				t.Fatalf("Content-Type %q, want a page", ct)
			}
			low := strings.ToLower(body)
			for _, w := range tt.want {
				if !strings.Contains(body, w) && !strings.Contains(low, strings.ToLower(w)) {
					t.Errorf("page lacks %q", w)
				}
			}
			for _, n := range tt.not {
				if strings.Contains(body, n) {
					t.Errorf("page has %q", n)
				}
			}
			if t.Failed() {
				t.Logf("page:\n%s", body)
			}
		})
	}

	// English through the same cookie as the console.
	en := c.client()
	resp, body := c.do(en, "GET", "/pay/"+paid.ID+"?lang=en", nil, nil)
	if resp.StatusCode != 200 || !strings.Contains(body, "Payment received") || !strings.Contains(body, `lang="en"`) {
		t.Fatalf("English paid page: %d\n%.800s", resp.StatusCode, body)
	}
	if _, body := c.do(en, "GET", "/pay/"+closed.ID, nil, nil); !strings.Contains(body, "This order is closed") {
		t.Fatalf("the language choice did not stick:\n%.800s", body)
	}
}

func TestCheckoutShowsTheUploadedCodeAndFixedAmountOnes(t *testing.T) {
	c, _ := newShop(t, web.Options{}, 0)
	c.setup(c.http)
	const general, fixed = "https://qr.alipay.com/fkx0general", "https://qr.alipay.com/fkx1fixed1001"
	c.uploadQR(c.http, "alipay", "", general)
	c.uploadQR(c.http, "alipay", "10.01", fixed)
	c.uploadQR(c.http, "wechat", "10.01", "wxp://f2f0fixedwechat") // another method's fixed code never shows for alipay
	first := c.apiOrder(`{"productName":"曲奇","amount":10,"paymentMethod":"alipay"}`, nil)
	second := c.apiOrder(`{"productName":"曲奇","amount":10,"paymentMethod":"alipay"}`, nil)
	if second["amount"].(float64) != 10.01 {
		t.Fatalf("second order pays %v, want 10.01", second["amount"])
	}
	tests := []struct {
		name, id, want, step string
	}{
		{"10.00 has no fixed code: the general one", first["orderId"].(string), general, "输入金额"},
		{"10.01 equals a fixed code: that one", second["orderId"].(string), fixed, "金额已经设置好"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, body := c.do(c.client(), "GET", "/pay/"+tt.id, nil, nil)
			if got := shownCode(t, body); got != tt.want {
				t.Fatalf("checkout shows %q, want %q", got, tt.want)
			}
			if !strings.Contains(body, tt.step) {
				t.Fatalf("instructions lack %q", tt.step)
			}
		})
	}
	// Deleting the fixed code brings the general one back.
	tok := c.csrf(c.http, "/admin/settings")
	if resp, body := c.do(c.http, "POST", "/admin/settings/qr/alipay/10.01/delete", url.Values{}, map[string]string{"X-CSRF-Token": tok, "HX-Request": "true"}); resp.StatusCode != 200 {
		t.Fatalf("delete fixed code: %d %.300s", resp.StatusCode, body)
	}
	_, body := c.do(c.client(), "GET", "/pay/"+second["orderId"].(string), nil, nil)
	if got := shownCode(t, body); got != general {
		t.Fatalf("after deleting the fixed code the page shows %q", got)
	}
}

func TestFixedAmountCodeNeedsAnAmount(t *testing.T) {
	c, _ := newShop(t, web.Options{}, 0)
	c.setup(c.http)
	pic, _ := qrcode.Encode("https://qr.alipay.com/x", qrcode.Medium, 256)
	for _, tt := range []struct{ amount, want string }{
		{"", "请填写这张固定金额收款码的金额"},
		{"10.001", "最多两位小数"},
		{"abc", "必须是以元为单位的数字"},
	} {
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		mw.WriteField("amount", tt.amount)
		fw, _ := mw.CreateFormFile("image", "code.png")
		fw.Write(pic)
		mw.Close()
		req, _ := http.NewRequest("POST", c.srv.URL+"/admin/settings/qr/alipay/amounts", &body)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.Header.Set("X-CSRF-Token", c.csrf(c.http, "/admin/settings"))
		req.Header.Set("HX-Request", "true")
		resp, err := c.http.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		out, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 400 || !strings.Contains(string(out), tt.want) {
			t.Errorf("amount %q: %d, want 400 saying %q\n%.400s", tt.amount, resp.StatusCode, tt.want, out)
		}
	}
}

func TestLiveStatusFlipsToPaidAfterWebhook(t *testing.T) {
	c, _ := newShop(t, web.Options{}, 0)
	o := c.apiOrder(`{"productName":"苹果","amount":12.5,"paymentMethod":"alipay","returnUrl":"https://shop.example.com/done"}`, nil)
	id := o["orderId"].(string)
	status := func() (int, string) {
		resp, body := c.do(c.client(), "GET", "/pay/"+id+"/status", nil, nil)
		return resp.StatusCode, body
	}
	if code, body := status(); code != 200 || !strings.Contains(body, `data-status="pending"`) || strings.Contains(body, "<html") {
		t.Fatalf("pending status partial: %d\n%s", code, body)
	}
	// Before payment /return goes back to the checkout page, never to the shop.
	resp, _ := c.do(c.client(), "GET", "/pay/"+id+"/return", nil, nil)
	if resp.StatusCode != 303 || resp.Header.Get("Location") != "/pay/"+id {
		t.Fatalf("return before paying: %d → %q, want 303 → /pay/%s", resp.StatusCode, resp.Header.Get("Location"), id)
	}
	c.webhook("收到转账12.50元(支付宝)")
	if code, body := status(); code != 200 || !strings.Contains(body, `data-status="success"`) {
		t.Fatalf("status partial after the webhook: %d\n%s", code, body)
	}
	resp, _ = c.do(c.client(), "GET", "/pay/"+id+"/return", nil, nil)
	if resp.StatusCode != 303 || resp.Header.Get("Location") != "https://shop.example.com/done" {
		t.Fatalf("return after paying: %d → %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if resp.Header.Get("Vary") == "" || !strings.Contains(resp.Header.Get("Cache-Control"), "no-store") {
		// the redirect itself is not cached either
		t.Logf("headers: %v", resp.Header)
	}
}

func TestReturnOnlyWhenPaidAndGiven(t *testing.T) {
	c, _ := newShop(t, web.Options{}, 0)
	noReturn := c.apiOrder(`{"productName":"苹果","amount":1,"paymentMethod":"alipay"}`, nil)["orderId"].(string)
	c.webhook("收到转账1.00元(支付宝)")
	resp, body := c.do(c.client(), "GET", "/pay/"+noReturn, nil, nil)
	if resp.StatusCode != 200 || strings.Contains(body, `http-equiv="refresh"`) || !strings.Contains(body, "可以关闭本页") {
		t.Fatalf("paid without returnUrl: %d\n%.1200s", resp.StatusCode, body)
	}
	resp, _ = c.do(c.client(), "GET", "/pay/"+noReturn+"/return", nil, nil)
	if resp.Header.Get("Location") != "/pay/"+noReturn {
		t.Fatalf("return without returnUrl → %q", resp.Header.Get("Location"))
	}
	// A javascript: returnUrl never gets that far: it is refused at creation.
	req, _ := http.NewRequest("POST", c.srv.URL+"/api/orders", strings.NewReader(`{"productName":"x","amount":1,"paymentMethod":"wechat","returnUrl":"javascript:alert(1)"}`))
	req.Header.Set("Authorization", "Bearer "+testKey)
	req.Header.Set("Content-Type", "application/json")
	r, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	if r.StatusCode != 400 {
		t.Fatalf("javascript: returnUrl: %d, want 400", r.StatusCode)
	}
}

// link creates a payment link through the console and returns its code.
func (c *console) link(form url.Values) string {
	c.t.Helper()
	tok := c.csrf(c.http, "/admin/links")
	resp, body := c.do(c.http, "POST", "/admin/links", form, map[string]string{"X-CSRF-Token": tok, "HX-Request": "true"})
	if resp.StatusCode != 200 {
		c.t.Fatalf("create link %v: %d\n%.800s", form, resp.StatusCode, body)
	}
	m := regexp.MustCompile(`/l/([a-z0-9]+)`).FindStringSubmatch(body)
	if m == nil {
		c.t.Fatalf("no link on the page:\n%.1500s", body)
	}
	return m[1]
}

var linkForm = regexp.MustCompile(`name="_csrf" value="([^"]*)"[\s\S]*?name="nonce" value="([^"]*)"`)

// buy opens a payment link as a buyer and submits its form with fields.
func (c *console) buy(cl *http.Client, code string, fields url.Values) (*http.Response, string) {
	c.t.Helper()
	resp, page := c.do(cl, "GET", "/l/"+code, nil, nil)
	if resp.StatusCode != 200 {
		c.t.Fatalf("open link: %d\n%.800s", resp.StatusCode, page)
	}
	m := linkForm.FindStringSubmatch(page)
	if m == nil {
		c.t.Fatalf("no form on the link page:\n%.1500s", page)
	}
	form := url.Values{"_csrf": {m[1]}, "nonce": {m[2]}}
	for k, v := range fields {
		form[k] = v
	}
	return c.do(cl, "POST", "/l/"+code, form, nil)
}

func TestPaymentLinkFlow(t *testing.T) {
	c, _ := newShop(t, web.Options{}, 0)
	c.setup(c.http)
	c.uploadQR(c.http, "wechat", "", "wxp://f2f0shopcode")
	fixed := c.link(url.Values{"productName": {"手工曲奇一盒"}, "priceKind": {"fixed"}, "amount": {"19.90"}, "methods": {"alipay", "wechat"}})
	tip := c.link(url.Values{"productName": {"打赏"}, "priceKind": {"buyer"}, "minAmount": {"1"}, "maxAmount": {"200"}, "methods": {"wechat"}})

	// The console lists both with their address; on this loopback-only
	// address no QR code is drawn, and the page says why.
	_, page := c.do(c.http, "GET", "/admin/links", nil, nil)
	for _, want := range []string{c.srv.URL + "/l/" + fixed, c.srv.URL + "/l/" + tip, "不显示二维码", "¥19.90", "顾客填写 ¥1.00 – ¥200.00", "只有这台电脑能打开"} {
		if !strings.Contains(page, want) {
			t.Errorf("links page lacks %q", want)
		}
	}

	tests := []struct {
		name    string
		code    string
		fields  url.Values
		status  int
		product string
		amount  string
		method  string
		want    string // on an error page
	}{
		{name: "fixed price, buyer picks WeChat", code: fixed, fields: url.Values{"method": {"wechat"}}, status: 303, product: "手工曲奇一盒", amount: "¥19.90", method: "微信支付"},
		{name: "buyer amount", code: tip, fields: url.Values{"amount": {"8.8"}}, status: 303, product: "打赏", amount: "¥8.80", method: "微信支付"},
		{name: "buyer amount with ¥", code: tip, fields: url.Values{"amount": {"￥12"}}, status: 303, product: "打赏", amount: "¥12.00"},
		{name: "amount above the range", code: tip, fields: url.Values{"amount": {"500"}}, status: 400, want: "金额不能高于 200.00 元（你输入的是 500）"},
		{name: "amount below the range", code: tip, fields: url.Values{"amount": {"0.5"}}, status: 400, want: "金额不能低于 1.00 元"},
		{name: "amount not a number", code: tip, fields: url.Values{"amount": {"八块"}}, status: 400, want: "不是有效的金额"},
		{name: "three decimals", code: tip, fields: url.Values{"amount": {"1.005"}}, status: 400, want: "最多两位小数"},
		{name: "no method chosen", code: fixed, fields: url.Values{}, status: 400, want: "请选择支付方式"},
		{name: "a method the link does not offer", code: tip, fields: url.Values{"amount": {"5"}, "method": {"alipay"}}, status: 303, product: "打赏", method: "微信支付"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			buyer := c.client()
			resp, body := c.buy(buyer, tt.code, tt.fields)
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d\n%.1500s", resp.StatusCode, tt.status, body)
			}
			if tt.status != 303 {
				if !strings.Contains(body, tt.want) || !strings.Contains(body, `role="alert"`) || !strings.Contains(body, `<form class="buy"`) {
					t.Fatalf("the form is not shown again with %q:\n%.2000s", tt.want, body)
				}
				return
			}
			loc := resp.Header.Get("Location")
			if !strings.HasPrefix(loc, "/pay/ORD") {
				t.Fatalf("→ %q, want the checkout page", loc)
			}
			resp, body = c.do(buyer, "GET", loc, nil, nil)
			if resp.StatusCode != 200 || !strings.Contains(body, tt.product) || !strings.Contains(body, tt.amount) || !strings.Contains(body, tt.method) {
				t.Fatalf("checkout after the link: %d, want %s %s %s\n%.2000s", resp.StatusCode, tt.product, tt.amount, tt.method, body)
			}
			o, err := c.gw.Order(context.Background(), strings.TrimPrefix(loc, "/pay/"))
			if err != nil || o.Attach != "link:"+tt.code {
				t.Fatalf("order %+v, %v: want attach link:%s", o, err, tt.code)
			}
		})
	}

	// The same form sent twice (a double tap) gives one order.
	buyer := c.client()
	resp, page2 := c.do(buyer, "GET", "/l/"+fixed, nil, nil)
	m := linkForm.FindStringSubmatch(page2)
	if resp.StatusCode != 200 || m == nil {
		t.Fatalf("open link: %d", resp.StatusCode)
	}
	form := url.Values{"_csrf": {m[1]}, "nonce": {m[2]}, "method": {"alipay"}}
	r1, _ := c.do(buyer, "POST", "/l/"+fixed, form, nil)
	r2, _ := c.do(buyer, "POST", "/l/"+fixed, form, nil)
	if r1.Header.Get("Location") == "" || r1.Header.Get("Location") != r2.Header.Get("Location") {
		t.Fatalf("double submit: %q then %q, want the same order", r1.Header.Get("Location"), r2.Header.Get("Location"))
	}

	// Without the form's token (a forged cross-site post from an old browser): refused, as a page.
	resp, body := c.do(c.client(), "POST", "/l/"+fixed, url.Values{"method": {"alipay"}}, nil)
	if resp.StatusCode != 403 || !strings.Contains(body, "请刷新页面后重新下单") {
		t.Fatalf("no CSRF token: %d\n%.800s", resp.StatusCode, body)
	}
	resp, _ = c.do(c.client(), "POST", "/l/"+fixed, url.Values{"method": {"alipay"}}, map[string]string{"Sec-Fetch-Site": "cross-site"})
	if resp.StatusCode != 403 {
		t.Fatalf("cross-site post: %d, want 403", resp.StatusCode)
	}

	// The console shows what each link brought in; a link turned off says so.
	_, page = c.do(c.http, "GET", "/admin/links", nil, nil)
	if !strings.Contains(page, "3 笔订单，0 笔已付") {
		t.Errorf("links page lacks the order count of the tip link:\n%.3000s", page)
	}
	id := regexp.MustCompile(`id="link-(\d+)"[\s\S]*?` + tip).FindStringSubmatch(page)
	if id == nil {
		t.Fatal("no card for the tip link")
	}
	tok := c.csrf(c.http, "/admin/links")
	if resp, body := c.do(c.http, "POST", "/admin/links/"+id[1]+"/disable", url.Values{}, map[string]string{"X-CSRF-Token": tok, "HX-Request": "true"}); resp.StatusCode != 200 || !strings.Contains(body, "已停用") {
		t.Fatalf("disable: %d\n%.600s", resp.StatusCode, body)
	}
	resp, body = c.do(c.client(), "GET", "/l/"+tip, nil, nil)
	if resp.StatusCode != 410 || !strings.Contains(body, "收款链接已停用") || strings.Contains(body, `<form class="buy"`) {
		t.Fatalf("disabled link: %d\n%.800s", resp.StatusCode, body)
	}
	if resp, body := c.do(c.http, "POST", "/admin/links/"+id[1]+"/delete", url.Values{}, map[string]string{"X-CSRF-Token": tok, "HX-Request": "true"}); resp.StatusCode != 200 {
		t.Fatalf("delete: %d\n%.600s", resp.StatusCode, body)
	}
	resp, body = c.do(c.client(), "GET", "/l/"+tip, nil, nil)
	if resp.StatusCode != 404 || !strings.Contains(body, "收款链接 "+tip+" 不存在") || !strings.Contains(strings.ToLower(body), "<!doctype html>") {
		t.Fatalf("deleted link: %d\n%.800s", resp.StatusCode, body)
	}
	// Its orders stay.
	_, page = c.do(c.http, "GET", "/admin/orders", nil, nil)
	if !strings.Contains(page, "打赏") {
		t.Error("the deleted link's orders are gone from the order list")
	}
}

// The payer's forms (choosing the method, ordering through a payment link)
// are open like the login form, their token bound to a visitor cookie anyone
// can fetch: a sibling port or subdomain that plants the cookie and posts the
// token is refused, the page's own form is not.
func TestPayerFormsRefuseSiblingSites(t *testing.T) {
	c, _ := newShop(t, web.Options{}, 0)
	c.setup(c.http)
	c.uploadQR(c.http, "alipay", "", "https://qr.alipay.com/fkx0general")
	c.uploadQR(c.http, "wechat", "", "wxp://f2f0shopcode") // two methods: the checkout asks which
	code := c.link(url.Values{"productName": {"手工曲奇一盒"}, "priceKind": {"fixed"}, "amount": {"19.90"}, "methods": {"alipay"}})
	self, _ := url.Parse(c.srv.URL)
	sibling := "http://" + self.Hostname() + ":1"
	forms := []struct {
		name, page, post, cookie, refusal string
		fields                            url.Values
	}{
		{"payment link", "/l/" + code, "/l/" + code, "paygate_lcsrf", "重新下单", url.Values{"method": {"alipay"}}},
		{"checkout method", "", "", "paygate_pcsrf", "刷新付款页后再选择支付方式", url.Values{"method": {"alipay"}}},
	}
	browsers := []struct {
		name   string
		header map[string]string
		want   int
	}{
		{"sibling (same-site)", map[string]string{"Sec-Fetch-Site": "same-site", "Origin": sibling}, http.StatusForbidden},
		{"older browser, sibling Origin", map[string]string{"Origin": sibling}, http.StatusForbidden},
		{"older browser, own Origin", map[string]string{"Origin": c.srv.URL}, http.StatusSeeOther},
		{"same-origin", map[string]string{"Sec-Fetch-Site": "same-origin"}, http.StatusSeeOther},
	}
	for _, f := range forms {
		for _, b := range browsers {
			t.Run(f.name+", "+b.name, func(t *testing.T) {
				page, post := f.page, f.post
				if page == "" { // a fresh order without a method
					id := c.apiOrder(`{"productName":"苹果","amount":1}`, nil)["orderId"].(string)
					page, post = "/pay/"+id, "/pay/"+id+"/method"
				}
				// A genuine pair, fetched by whoever wants one.
				fetched := c.client()
				_, body := c.do(fetched, "GET", page, nil, nil)
				m := csrfInput.FindStringSubmatch(body)
				if m == nil {
					t.Fatalf("no form token on %s:\n%.800s", page, body)
				}
				// Under no-referrer an older browser's own form would say Origin: null.
				if !strings.Contains(body, `<meta name="referrer" content="same-origin">`) {
					t.Fatalf("%s: the page's referrer policy must be same-origin:\n%.600s", page, body)
				}
				form := url.Values{"_csrf": {m[1]}}
				if n := regexp.MustCompile(`name="nonce" value="([^"]*)"`).FindStringSubmatch(body); n != nil {
					form.Set("nonce", n[1])
				}
				for k, v := range f.fields {
					form[k] = v
				}
				u, _ := url.Parse(c.srv.URL + page)
				var cookie string
				for _, ck := range fetched.Jar.Cookies(u) {
					if ck.Name == f.cookie {
						cookie = ck.Value
					}
				}
				req, _ := http.NewRequest("POST", c.srv.URL+post, strings.NewReader(form.Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				req.AddCookie(&http.Cookie{Name: f.cookie, Value: cookie})
				for k, v := range b.header {
					req.Header.Set(k, v)
				}
				resp, err := c.client().Do(req)
				if err != nil {
					t.Fatal(err)
				}
				answer, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != b.want {
					t.Fatalf("POST %s: %d, want %d\n%.800s", post, resp.StatusCode, b.want, answer)
				}
				if b.want == http.StatusForbidden && !strings.Contains(string(answer), f.refusal) {
					t.Fatalf("the refusal should say what to do (%q):\n%.800s", f.refusal, answer)
				}
			})
		}
	}
}

func TestLinkFormErrorsInTheConsole(t *testing.T) {
	c, _ := newShop(t, web.Options{}, 0)
	c.setup(c.http)
	for _, tt := range []struct {
		form url.Values
		want string
	}{
		{url.Values{"productName": {""}, "priceKind": {"fixed"}, "amount": {"1"}, "methods": {"alipay"}}, "请填写商品名称"},
		{url.Values{"productName": {"x"}, "priceKind": {"fixed"}, "amount": {""}, "methods": {"alipay"}}, "缺少金额"},
		{url.Values{"productName": {"x"}, "priceKind": {"buyer"}, "minAmount": {"50"}, "maxAmount": {"10"}, "methods": {"alipay"}}, "最高金额不能小于最低金额"},
		{url.Values{"productName": {"x"}, "priceKind": {"fixed"}, "amount": {"1"}}, "请至少选择一种支付方式"},
	} {
		tok := c.csrf(c.http, "/admin/links")
		resp, body := c.do(c.http, "POST", "/admin/links", tt.form, map[string]string{"X-CSRF-Token": tok, "HX-Request": "true"})
		if resp.StatusCode != 400 || !strings.Contains(body, tt.want) || resp.Header.Get("HX-Retarget") != "#toast" {
			t.Errorf("%v: %d %q, want 400 toast %q\n%.400s", tt.form, resp.StatusCode, resp.Header.Get("HX-Retarget"), tt.want, body)
		}
	}
}

func TestLinkOrdersAreRateLimitedPerIP(t *testing.T) {
	c, _ := newShop(t, web.Options{}, 2)
	c.setup(c.http)
	code := c.link(url.Values{"productName": {"曲奇"}, "priceKind": {"fixed"}, "amount": {"5"}, "methods": {"alipay"}})
	for i := 0; i < 2; i++ {
		if resp, body := c.buy(c.client(), code, nil); resp.StatusCode != 303 {
			t.Fatalf("order %d: %d\n%.600s", i+1, resp.StatusCode, body)
		}
	}
	resp, body := c.buy(c.client(), code, nil)
	if resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("third order in a minute: %d, want 429\n%.800s", resp.StatusCode, body)
	}
	if ra := resp.Header.Get("Retry-After"); ra == "" || ra == "0" {
		t.Errorf("Retry-After = %q", ra)
	}
	for _, want := range []string{"操作太频繁", "每分钟最多创建 2 个订单", "秒后再试", "<!doctype html>"} {
		if !strings.Contains(strings.ToLower(body), strings.ToLower(want)) {
			t.Errorf("429 page lacks %q:\n%.1200s", want, body)
		}
	}
	// The API is not affected: it has its key.
	c.apiOrder(`{"productName":"曲奇","amount":5,"paymentMethod":"alipay"}`, nil)
}

func TestCheckoutPagesAreLightAndGzipped(t *testing.T) {
	c, _ := newShop(t, web.Options{}, 0)
	c.setup(c.http)
	c.uploadQR(c.http, "alipay", "", "https://qr.alipay.com/fkx0general")
	id := c.apiOrder(`{"productName":"苹果","amount":1,"paymentMethod":"alipay"}`, nil)["orderId"].(string)
	tr := &http.Transport{DisableCompression: true}
	defer tr.CloseIdleConnections()
	raw := &http.Client{Transport: tr}
	size := func(path string, gz bool) int {
		req, _ := http.NewRequest("GET", c.srv.URL+path, nil)
		if gz {
			req.Header.Set("Accept-Encoding", "gzip")
		}
		resp, err := raw.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d", path, resp.StatusCode)
		}
		if gz && len(b) > 600 && resp.Header.Get("Content-Encoding") != "gzip" {
			t.Errorf("%s is not gzipped", path)
		}
		return len(b)
	}
	_, page := c.do(c.client(), "GET", "/pay/"+id, nil, nil)
	var assets []string
	for _, m := range regexp.MustCompile(`(?:href|src)="(/assets/[^"]+)"`).FindAllStringSubmatch(page, -1) {
		assets = append(assets, strings.ReplaceAll(m[1], "&amp;", "&"))
	}
	if len(assets) != 3 || strings.Contains(page, "htmx") {
		t.Fatalf("checkout loads %v; want the icon, checkout.css and checkout.js, no htmx", assets)
	}
	total, totalGz := size("/pay/"+id, false), size("/pay/"+id, true)
	for _, a := range assets {
		total += size(a, false)
		totalGz += size(a, true)
	}
	t.Logf("checkout page weight: %d bytes, %d gzipped (page + %v)", total, totalGz, assets)
	if totalGz > 15000 {
		t.Errorf("checkout weighs %d bytes gzipped; keep it under 15 kB", totalGz)
	}
}
