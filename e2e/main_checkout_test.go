package e2e

// The payer's side in a real headless Chromium at phone width, against the
// real binary: a checkout page turns paid by itself when the phone's
// notification arrives and goes back to the shop; a countdown runs out into
// the expired page; a payment link leads to checkout; closed, unknown and
// rate-limited pages. With PAYGATE_SCREENS=DIR it saves checkout-*.png.

import (
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/skip2/go-qrcode"
)

// owner is the shop owner's browser session on the console, over plain HTTP.
type owner struct {
	t  *testing.T
	in *instance
	cl *http.Client
}

var csrfField = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// newOwner creates the admin account (from this machine, so no setup token) and signs in.
func newOwner(t *testing.T, in *instance) *owner {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	o := &owner{t: t, in: in, cl: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	tok := o.token("/admin/setup")
	resp := o.post("/admin/setup", url.Values{"_csrf": {tok}, "username": {"admin"}, "password": {"xiaodian-2026"}, "confirm": {"xiaodian-2026"}}, "", nil)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("setup: %d", resp.StatusCode)
	}
	return o
}

func (o *owner) token(path string) string {
	o.t.Helper()
	resp, err := o.cl.Get(o.in.URL + path)
	if err != nil {
		o.t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := csrfField.FindSubmatch(b)
	if m == nil {
		o.t.Fatalf("no CSRF token on %s (%d)", path, resp.StatusCode)
	}
	return string(m[1])
}

// post sends a console form (htmx style when contentType is set by the caller).
func (o *owner) post(path string, form url.Values, contentType string, body io.Reader) *http.Response {
	o.t.Helper()
	if body == nil {
		body = strings.NewReader(form.Encode())
		contentType = "application/x-www-form-urlencoded"
	}
	req, _ := http.NewRequest("POST", o.in.URL+path, body)
	req.Header.Set("Content-Type", contentType)
	if form.Get("_csrf") == "" {
		req.Header.Set("X-CSRF-Token", o.token("/admin/settings"))
		req.Header.Set("HX-Request", "true")
	}
	resp, err := o.cl.Do(req)
	if err != nil {
		o.t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp
}

// uploadQR uploads a 收款码 picture that encodes payload.
func (o *owner) uploadQR(method, payload string) {
	o.t.Helper()
	pic, err := qrcode.Encode(payload, qrcode.Medium, 300)
	if err != nil {
		o.t.Fatal(err)
	}
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		fw, _ := mw.CreateFormFile("image", "code.png")
		fw.Write(pic)
		mw.Close()
		pw.Close()
	}()
	if resp := o.post("/admin/settings/qr/"+method, url.Values{}, mw.FormDataContentType(), pr); resp.StatusCode != 200 {
		o.t.Fatalf("upload %s 收款码: %d", method, resp.StatusCode)
	}
}

// phone is a browser tab at phone width (390 px, 2× screen).
type phone struct {
	t   *testing.T
	ctx context.Context
	dir string // PAYGATE_SCREENS
}

func (p phone) run(what string, actions ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	if err := chromedp.Do(p.ctx, actions...); err != nil {
		html, _ := chromedp.Run(p.ctx, chromedp.OuterHTML(chromedp.CSS("body")))
		p.t.Fatalf("%s: %v\npage: %.3000s", what, err, html)
	}
}

// shot checks nothing sticks out sideways and, with PAYGATE_SCREENS, saves
// the whole page as checkout-NAME.png.
func (p phone) shot(name string) {
	p.t.Helper()
	wide, err := chromedp.Run(p.ctx, chromedp.Evaluate[[]string](overflowJS))
	if err != nil {
		p.t.Fatal(err)
	}
	if len(wide) > 0 {
		p.t.Errorf("%s at 390 px: elements wider than the screen: %v", name, wide)
	}
	if p.dir == "" {
		return
	}
	buf, err := chromedp.Run(p.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		p.t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(p.dir, "checkout-"+name+".png"), buf, 0o644); err != nil {
		p.t.Fatal(err)
	}
}

func (p phone) text(sel string) string {
	p.t.Helper()
	s, err := chromedp.Run(p.ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		p.t.Fatalf("text of %s: %v", sel, err)
	}
	return s
}

func TestBrowserCheckout(t *testing.T) {
	ctx, cancel := newBrowser(t)
	defer cancel()
	ph := phone{t: t, ctx: ctx, dir: os.Getenv("PAYGATE_SCREENS")}
	if ph.dir != "" {
		if err := os.MkdirAll(ph.dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	ph.run("phone width", chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2)))

	// The shop's own "thank you" page, where a paid payer returns to.
	shopPage := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `<!doctype html><meta charset="utf-8"><h1 id="shop-thanks">谢谢惠顾 %s</h1>`, r.URL.Query().Get("o"))
	}))
	defer shopPage.Close()

	in := startPaygate(t, t.TempDir(), "PAYGATE_MERCHANT_API_KEY="+testAPIKey, "PAYGATE_LINKS_RATE_LIMIT=3")
	own := newOwner(t, in)
	own.post("/admin/settings/merchant", url.Values{"name": {"小王水果店"}, "description": {""}}, "", nil)
	own.uploadQR("alipay", "https://qr.alipay.com/fkx17512abcdefghijklmn")

	// Pending: an adjusted amount (12.50 is taken), the code, the countdown.
	in.createOrder(`{"productName":"进口车厘子 500g","amount":12.5,"paymentMethod":"alipay"}`)
	order := in.createOrder(`{"productName":"进口车厘子 500g","amount":12.5,"paymentMethod":"alipay","returnUrl":"` + shopPage.URL + `/thanks?o=A1001"}`)
	if order["amount"].(float64) != 12.51 {
		t.Fatalf("second order pays %v, want 12.51", order["amount"])
	}
	payURL := order["payUrl"].(string)
	if payURL != in.URL+"/pay/"+order["orderId"].(string) {
		t.Fatalf("payUrl %q", payURL)
	}
	ph.run("checkout", chromedp.Navigate(payURL), chromedp.WaitVisible(chromedp.CSS(`#checkout[data-status="pending"] .code img`)))
	if got := ph.text("#amount"); got != "¥12.51" {
		t.Fatalf("amount shown %q", got)
	}
	first := ph.text("#countdown")
	time.Sleep(1200 * time.Millisecond)
	if later := ph.text("#countdown"); later == first || !strings.HasPrefix(later, "14:") {
		t.Fatalf("countdown %q then %q: not running", first, later)
	}
	ph.shot("pending")

	// The phone's notification arrives: the page turns paid by itself, then
	// goes back to the shop.
	in.webhook("收到转账12.51元(支付宝)")
	ph.run("turns paid", chromedp.WaitVisible(chromedp.CSS(`#checkout[data-status="success"]`)))
	if !strings.Contains(ph.text("h1"), "支付成功") {
		t.Fatal("paid page lacks 支付成功")
	}
	ph.shot("paid")
	ph.run("back to the shop", chromedp.WaitVisible(chromedp.ID(`shop-thanks`)))
	if got := ph.text("#shop-thanks"); !strings.Contains(got, "A1001") {
		t.Fatalf("landed on %q", got)
	}

	// No 收款码 uploaded for WeChat: the payer is told, clearly.
	noCode := in.createOrder(`{"productName":"香蕉","amount":3,"paymentMethod":"wechat"}`)
	ph.run("no code", chromedp.Navigate(noCode["payUrl"].(string)), chromedp.WaitVisible(chromedp.CSS(`.noqr`)))
	ph.shot("noqr")

	// Closed by the shop.
	closed := in.createOrder(`{"productName":"榴莲","amount":88,"paymentMethod":"alipay"}`)
	if status, out := in.call("POST", "/api/orders/"+closed["orderId"].(string)+"/close", "", bearer); status != 200 {
		t.Fatalf("close: %d %v", status, out)
	}
	ph.run("closed", chromedp.Navigate(closed["payUrl"].(string)), chromedp.WaitVisible(chromedp.CSS(`#checkout[data-status="failed"]`)))
	ph.shot("closed")

	// Unknown order: a page, not JSON.
	ph.run("unknown", chromedp.Navigate(in.URL+"/pay/ORD1700000000123456789"), chromedp.WaitVisible(chromedp.CSS(`section[data-status="404"]`)))
	ph.shot("unknown")

	// English, with the same switch the console uses.
	en := in.createOrder(`{"productName":"Cherries","amount":20,"paymentMethod":"alipay"}`)
	ph.run("english", chromedp.Navigate(en["payUrl"].(string)), chromedp.WaitVisible(chromedp.CSS(`#checkout .code img`)),
		chromedp.Click(chromedp.CSS(`a.lang`)), chromedp.WaitVisible(chromedp.CSS(`html[lang="en"] #checkout`)))
	ph.shot("pending-en")
	ph.run("back to chinese", chromedp.Click(chromedp.CSS(`a.lang`)), chromedp.WaitVisible(chromedp.CSS(`html[lang="zh-CN"] #checkout`)))

	// A payment link: the buyer picks a method and lands on checkout.
	if resp := own.post("/admin/links", url.Values{"productName": {"手工曲奇一盒"}, "priceKind": {"fixed"}, "amount": {"19.90"},
		"methods": {"alipay", "wechat"}}, "", nil); resp.StatusCode != 200 {
		t.Fatalf("create link: %d", resp.StatusCode)
	}
	resp, err := own.cl.Get(in.URL + "/admin/links")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := regexp.MustCompile(`/l/([a-z0-9]{8})`).FindSubmatch(page)
	if m == nil {
		t.Fatal("no link on the links page")
	}
	linkURL := in.URL + "/l/" + string(m[1])
	ph.run("link", chromedp.Navigate(linkURL), chromedp.WaitVisible(chromedp.CSS(`form.buy`)))
	ph.shot("link")
	// The link offers both methods, but only Alipay has a 收款码: only Alipay is offered.
	ph.run("link order", chromedp.WaitVisible(chromedp.CSS(`form.buy .what .method.alipay`)), chromedp.Click(chromedp.CSS(`form.buy button`)),
		chromedp.WaitVisible(chromedp.CSS(`#checkout[data-status="pending"] .code img`)))
	if got := ph.text(".product"); got != "手工曲奇一盒" {
		t.Fatalf("link checkout for %q", got)
	}

	// A buyer-entered amount outside the range: the form again, saying what to fix.
	if resp := own.post("/admin/links", url.Values{"productName": {"打赏"}, "priceKind": {"buyer"}, "minAmount": {"1"}, "maxAmount": {"200"},
		"methods": {"alipay"}}, "", nil); resp.StatusCode != 200 {
		t.Fatalf("create link: %d", resp.StatusCode)
	}
	resp, _ = own.cl.Get(in.URL + "/admin/links")
	page, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	tip := regexp.MustCompile(`/l/([a-z0-9]{8})`).FindSubmatch(page)[1] // newest first
	ph.run("tip link", chromedp.Navigate(in.URL+"/l/"+string(tip)), chromedp.WaitVisible(chromedp.ID(`amount`)),
		chromedp.SendKeys(chromedp.ID(`amount`), "500"), chromedp.Click(chromedp.CSS(`form.buy button`)),
		chromedp.WaitVisible(chromedp.ID(`form-error`)))
	if got := ph.text("#form-error"); !strings.Contains(got, "不能高于 200.00 元") {
		t.Fatalf("error %q", got)
	}
	ph.shot("link-error")

	// Links are rate limited per IP (3 a minute here): the fourth order waits.
	ph.run("tip link ok", chromedp.Navigate(in.URL+"/l/"+string(tip)), chromedp.WaitVisible(chromedp.ID(`amount`)),
		chromedp.SendKeys(chromedp.ID(`amount`), "6.6"), chromedp.Click(chromedp.CSS(`form.buy button`)),
		chromedp.WaitVisible(chromedp.CSS(`#checkout[data-status="pending"]`)))
	ph.run("tip link again", chromedp.Navigate(in.URL+"/l/"+string(tip)), chromedp.WaitVisible(chromedp.ID(`amount`)),
		chromedp.SendKeys(chromedp.ID(`amount`), "7"), chromedp.Click(chromedp.CSS(`form.buy button`)),
		chromedp.WaitVisible(chromedp.CSS(`#checkout[data-status="pending"]`)))
	ph.run("rate limited", chromedp.Navigate(in.URL+"/l/"+string(tip)), chromedp.WaitVisible(chromedp.ID(`amount`)),
		chromedp.SendKeys(chromedp.ID(`amount`), "8"), chromedp.Click(chromedp.CSS(`form.buy button`)),
		chromedp.WaitVisible(chromedp.CSS(`section[data-status="429"]`)))
	if got := ph.text("section p"); !strings.Contains(got, "秒后再试") {
		t.Fatalf("429 page says %q", got)
	}
	ph.shot("rate-limited")

	// Expiry: a paygate whose orders last 4 s; the countdown runs out and the
	// page turns into the expired one by itself.
	short := startPaygate(t, t.TempDir(), "PAYGATE_MERCHANT_API_KEY="+testAPIKey, "PAYGATE_ORDER_LIFETIME=4s")
	newOwner(t, short).uploadQR("alipay", "https://qr.alipay.com/fkx17512abcdefghijklmn")
	soon := short.createOrder(`{"productName":"进口车厘子 500g","amount":12.5,"paymentMethod":"alipay"}`)
	ph.run("short checkout", chromedp.Navigate(soon["payUrl"].(string)), chromedp.WaitVisible(chromedp.CSS(`#checkout[data-status="pending"]`)))
	ph.run("expires", chromedp.WaitVisible(chromedp.CSS(`#checkout[data-status="expired"]`)))
	ph.shot("expired")
}
