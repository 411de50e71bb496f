package e2e

// The payer's choices against the real binary (issue #14): orders without a
// method (the REST API without paymentMethod, 易支付 without type, as V2Board
// sends it) wait for the payer to pick on the checkout page; a pending order
// switches method; an expired one sent again is reopened with the same
// number. Every test checks that no two pending orders hold one amount slot.
// The pages say what works in WeChat and Alipay, and no page is a dead end.

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// User-Agents of the apps payers open links in, as they send them.
const (
	wechatUA = "Mozilla/5.0 (Linux; Android 13; PJD110 Build/TP1A.220905.001; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/116.0.0.0 Mobile Safari/537.36 XWEB/1160065 MMWEBSDK/20231202 MMWEBID/2247 MicroMessenger/8.0.47.2560(0x28002F30) WeChat/arm64 Weixin NetType/WIFI Language/zh_CN ABI/arm64"
	alipayUA = "Mozilla/5.0 (Linux; U; Android 13; zh-CN; 22081212C Build/TKQ1.220829.002) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/69.0.3497.100 UWS/3.22.2.59 Mobile Safari/537.36 UCBS/3.22.2.59_230817100047 ChannelId(73) NebulaSDK/1.8.100112 Nebula AlipayDefined(nt:WIFI,ws:393|0|2.75) AliApp(AP/10.5.36.8000) AlipayClient/10.5.36.8000 Language/zh-Hans useStatusBar/true isConcaveScreen/true Region/CN"
	qqUA     = "Mozilla/5.0 (Linux; Android 12; V2118A Build/SP1A.210812.003; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/89.0.4389.72 MQQBrowser/6.2 TBS/046317 Mobile Safari/537.36 V1_AND_SQ_8.9.28_3700_YYB_D QQ/8.9.28.10155 NetType/WIFI WebP/0.3.0 AppId/537150269"
	phoneUA  = "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36"
)

// The 收款码 the tests upload.
const (
	alipayCode = "https://qr.alipay.com/fkx17512abcdefghijklmn"
	wechatCode = "wxp://f2f0abcdefghijklmnopqrstuvwxyz0123"
)

// payerClient is a payer's browser over plain HTTP: its own cookies, its
// User-Agent, redirects not followed.
type payerClient struct {
	t  *testing.T
	in *instance
	ua string
	cl *http.Client
}

func newPayerClient(t *testing.T, in *instance, ua string) *payerClient {
	jar, _ := cookiejar.New(nil)
	return &payerClient{t: t, in: in, ua: ua, cl: &http.Client{Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (p *payerClient) do(method, path string, form url.Values) (*http.Response, string) {
	p.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	target := path
	if !strings.HasPrefix(path, "http") {
		target = p.in.URL + path
	}
	req, _ := http.NewRequest(method, target, body)
	req.Header.Set("User-Agent", p.ua)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := p.cl.Do(req)
	if err != nil {
		p.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// page opens a checkout page and returns its HTML, wanting status.
func (p *payerClient) page(path string, status int) string {
	p.t.Helper()
	resp, body := p.do("GET", path, nil)
	if resp.StatusCode != status {
		p.t.Fatalf("GET %s: %d, want %d\n%.1500s", path, resp.StatusCode, status, body)
	}
	return body
}

// choose picks method on order id's checkout page, as tapping its button does.
func (p *payerClient) choose(id, method string) (*http.Response, string) {
	p.t.Helper()
	page := p.page("/pay/"+id, 200)
	m := csrfField.FindStringSubmatch(page)
	if m == nil {
		p.t.Fatalf("no form on the checkout page of %s:\n%.1500s", id, page)
	}
	return p.do("POST", "/pay/"+id+"/method", url.Values{"_csrf": {m[1]}, "method": {method}})
}

// mustChoose picks method and wants the page back with its code.
func (p *payerClient) mustChoose(id, method string) string {
	p.t.Helper()
	resp, body := p.choose(id, method)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/pay/"+id {
		p.t.Fatalf("choosing %s for %s: %d %q\n%.1500s", method, id, resp.StatusCode, resp.Header.Get("Location"), body)
	}
	page := p.page("/pay/"+id, 200)
	if !strings.Contains(page, `data-method="`+method+`"`) || !strings.Contains(page, `<img src="data:image/png`) {
		p.t.Fatalf("after choosing %s the page shows no %s code:\n%.2000s", method, method, page)
	}
	return page
}

// pendingSlots reads orders through the open order-status API and fails
// when two pending ones hold the same (method, amount) slot.
func pendingSlots(t *testing.T, in *instance, ids ...string) map[string]string {
	t.Helper()
	held := map[string]string{} // "alipay 10.01" → order
	for _, id := range ids {
		_, o := in.call("GET", "/api/order-status?orderId="+id, "", nil)
		if o["status"] != "pending" || o["paymentMethod"] == nil {
			continue
		}
		slot := fmt.Sprintf("%s %.2f", o["paymentMethod"], o["amount"])
		if other, ok := held[slot]; ok {
			t.Fatalf("orders %s and %s are both pending on %s", other, id, slot)
		}
		held[slot] = id
	}
	return held
}

func orderOf(t *testing.T, in *instance, id string) map[string]any {
	t.Helper()
	status, o := in.call("GET", "/api/order-status?orderId="+id, "", nil)
	if status != 200 {
		t.Fatalf("order-status %s: %d %v", id, status, o)
	}
	return o
}

func startShopWithCodes(t *testing.T, env ...string) (*instance, *owner) {
	t.Helper()
	in := startPaygate(t, t.TempDir(), append([]string{"PAYGATE_MERCHANT_API_KEY=" + testAPIKey, "PAYGATE_CALLBACK_ALLOW_HOSTS=127.0.0.1"}, env...)...)
	own := newOwner(t, in)
	own.uploadQR("alipay", alipayCode)
	own.uploadQR("wechat", wechatCode)
	return in, own
}

// Must show: the 易支付 flow without type, as V2Board sends it, end to end:
// submit.php → the chooser → the payer picks WeChat → pays → a signed GET
// notify that a client written from the 彩虹易支付 protocol accepts, with
// type=wxpay and the money as sent.
func TestPayerEpayWithoutTypeEndToEnd(t *testing.T) {
	in, _ := startShopWithCodes(t)
	shop := newEpayClient(t, in.URL, "1000", testAPIKey, func(int) (int, string) { return 200, "success" })

	// V2Board: GET submit.php with no type at all (money = total/100).
	p := shop.params("V2B2026112600001", "", "10", "V2Board 月付套餐", nil)
	p.Del("type")
	if p.Get("sign") != epaySign(p, testAPIKey) {
		t.Fatal("the client's sign does not cover the parameters it sends")
	}
	buyer := newPayerClient(t, in, phoneUA)
	resp, body := buyer.do("GET", "/submit.php?"+p.Encode(), nil)
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusFound || !strings.HasPrefix(loc, in.URL+"/pay/ORD") {
		t.Fatalf("submit.php without type: %d %q\n%.800s", resp.StatusCode, loc, body)
	}
	tradeNo := strings.TrimPrefix(loc, in.URL+"/pay/")

	// The order holds no slot yet: an API order at 10.00 by WeChat gets 10.00 itself.
	api := in.createOrder(`{"productName":"先来的微信订单","amount":10,"paymentMethod":"wechat"}`)
	if api["amount"] != 10.0 {
		t.Fatalf("an order without a method pushed the API order to %v", api["amount"])
	}
	if o := orderOf(t, in, tradeNo); o["paymentMethod"] != nil || o["status"] != "pending" || o["amount"] != 10.0 {
		t.Fatalf("epay order before the choice: %v", o)
	}

	// The chooser: both methods, no code yet.
	page := buyer.page(loc, 200)
	for _, want := range []string{`data-method=""`, `value="alipay"`, `value="wechat"`, "选择支付方式", "¥10.00", tradeNo} {
		if !strings.Contains(page, want) {
			t.Fatalf("chooser lacks %q:\n%.2000s", want, page)
		}
	}
	if strings.Contains(page, "data:image/png") {
		t.Fatal("the chooser shows a code before the payer chose")
	}

	// The payer picks WeChat: 10.00 is held by the API order, so 10.01.
	page = buyer.mustChoose(tradeNo, "wechat")
	if !strings.Contains(page, "¥10.01") || strings.Contains(page, "alipays:") {
		t.Fatalf("WeChat checkout:\n%.2000s", page)
	}
	held := pendingSlots(t, in, tradeNo, api["orderId"].(string))
	if held["wechat 10.01"] != tradeNo || held["wechat 10.00"] != api["orderId"] {
		t.Fatalf("slots: %v", held)
	}
	// api.php reports the type the payer chose, as 彩虹易支付's cashier does.
	st := shop.api(url.Values{"act": {"order"}, "pid": {"1000"}, "key": {testAPIKey}, "out_trade_no": {"V2B2026112600001"}})
	if st["type"] != "wxpay" || st["status"] != 0.0 || st["trade_no"] != tradeNo {
		t.Fatalf("api.php after the choice: %v", st)
	}

	// The payer pays 10.01 by WeChat; the phone tells paygate.
	hook := in.webhook("微信支付收款10.01元")
	if hook["orderId"] != tradeNo || hook["matched"] != true {
		t.Fatalf("webhook: %v", hook)
	}
	got := shop.waitNotifies(1, 15*time.Second)
	if len(shop.problems) > 0 {
		t.Fatalf("the shop refused the notify: %v", shop.problems)
	}
	n := got[0]
	for k, want := range map[string]string{"pid": "1000", "trade_no": tradeNo, "out_trade_no": "V2B2026112600001", "type": "wxpay",
		"money": "10", "trade_status": "TRADE_SUCCESS", "sign_type": "MD5"} {
		if n.Get(k) != want {
			t.Errorf("notify %s = %q, want %q", k, n.Get(k), want)
		}
	}
	if shop.paid["V2B2026112600001"] != tradeNo {
		t.Fatalf("the shop did not record the payment: %v", shop.paid)
	}
	// The paid page leads back through the signed return URL, type included.
	_, detail := in.call("GET", "/api/orders/"+tradeNo, "", bearer)
	ret, _ := url.Parse(detail["returnUrl"].(string))
	if rq := ret.Query(); rq.Get("type") != "wxpay" || rq.Get("sign") != epaySign(rq, testAPIKey) {
		t.Fatalf("return URL: %s", ret)
	}
	if page := buyer.page(loc, 200); !strings.Contains(page, `data-status="success"`) || !strings.Contains(page, "复制订单号") {
		t.Fatalf("paid page:\n%.1500s", page)
	}
	// mapi.php without type works the same way (a payurl to the chooser).
	m := shop.params("V2B2026112600002", "", "5", "x", nil)
	m.Del("type")
	out := shop.mapi(m)
	if out["code"] != 1.0 || out["type"] != "" || !strings.HasPrefix(out["payurl"].(string), in.URL+"/pay/") {
		t.Fatalf("mapi.php without type: %v", out)
	}
}

// Must show: switching method and reopening, with no two pending orders on
// one slot at any moment.
func TestPayerSwitchAndReopenKeepSlotsApart(t *testing.T) {
	in, _ := startShopWithCodes(t)
	buyer := newPayerClient(t, in, phoneUA)

	a := in.createOrder(`{"productName":"A","amount":20}`)
	aID := a["orderId"].(string)
	if a["paymentMethod"] != nil || a["amount"] != 20.0 || a["displayAmount"] != 20.0 {
		t.Fatalf("order without a method: %v", a)
	}
	b := in.createOrder(`{"productName":"B","amount":20,"paymentMethod":"alipay"}`)
	if b["amount"] != 20.0 {
		t.Fatalf("B: %v", b)
	}
	buyer.mustChoose(aID, "alipay") // 20.00 is B's: 20.01
	if o := orderOf(t, in, aID); o["amount"] != 20.01 || o["paymentMethod"] != "alipay" {
		t.Fatalf("A after choosing Alipay: %v", o)
	}
	// A's payer switches to WeChat: WeChat 20.00; Alipay 20.01 cools.
	buyer.mustChoose(aID, "wechat")
	if o := orderOf(t, in, aID); o["amount"] != 20.0 || o["paymentMethod"] != "wechat" {
		t.Fatalf("A after switching: %v", o)
	}
	c := in.createOrder(`{"productName":"C","amount":20,"paymentMethod":"alipay"}`)
	if c["amount"] == 20.01 || c["amount"] == 20.0 {
		t.Fatalf("C got %v: the slot A left (or B's) was handed out", c["amount"])
	}
	ids := []string{aID, b["orderId"].(string), c["orderId"].(string)}
	pendingSlots(t, in, ids...)
	// Money on the slot A left: maybe A's payer paying the old code. It pays
	// nobody by itself (C never got that amount) and waits for a person.
	hook := in.webhook("收到转账20.01元(支付宝)")
	if hook["matched"] == true {
		t.Fatalf("a payment on the slot A left paid an order: %v", hook)
	}
	if orderOf(t, in, c["orderId"].(string))["status"] != "pending" {
		t.Fatal("C was paid by A's old amount")
	}
	if _, pay := in.call("GET", "/api/payments/"+hook["paymentId"].(string), "", bearer); pay["payment"].(map[string]any)["candidateOrderId"] != aID {
		t.Fatalf("the waiting payment should name A as its candidate: %v", pay)
	}

	// A merchantOrderId order: switched by the API, then expired and reopened.
	short, _ := startShopWithCodes(t, "PAYGATE_ORDER_LIFETIME=2s")
	d := short.createOrder(`{"productName":"D","amount":30,"paymentMethod":"alipay","merchantOrderId":"SHOP-D"}`)
	dID := d["orderId"].(string)
	sw := short.createOrder(`{"productName":"D","amount":30,"paymentMethod":"wechat","merchantOrderId":"SHOP-D"}`)
	if sw["orderId"] != dID || sw["paymentMethod"] != "wechat" || sw["created"] != false {
		t.Fatalf("API re-send with another method: %v", sw)
	}
	time.Sleep(2500 * time.Millisecond) // D expired
	if o := orderOf(t, short, dID); o["status"] != "expired" {
		t.Fatalf("D: %v", o)
	}
	e := short.createOrder(`{"productName":"E","amount":30,"paymentMethod":"wechat"}`)
	if e["amount"] == 30.0 {
		t.Fatal("the amount D held until it expired was handed out at once")
	}
	re := short.createOrder(`{"productName":"D","amount":30,"paymentMethod":"wechat","merchantOrderId":"SHOP-D"}`)
	if re["orderId"] != dID || re["status"] != "pending" || re["amount"] != 30.0 || re["created"] != false {
		t.Fatalf("D sent again after expiring: %v (want reopened on its own 30.00)", re)
	}
	if exp, _ := time.ParseInLocation("2006-01-02 15:04:05", re["expiresAt"].(string), time.Local); !exp.After(time.Now().Add(-time.Minute)) {
		t.Fatalf("reopened D's expiry %v is not fresh", re["expiresAt"])
	}
	pendingSlots(t, short, dID, e["orderId"].(string))
	if hook := short.webhook("微信支付收款30.00元"); hook["orderId"] != dID || hook["matched"] != true {
		t.Fatalf("paying the reopened D: %v", hook)
	}

	// 易支付: an order re-submitted with the other type switches; expired and
	// re-submitted it is reopened with the same trade_no.
	shop := newEpayClient(t, short.URL, "1000", testAPIKey, func(int) (int, string) { return 200, "success" })
	first := shop.mapi(shop.params("DJK-SW-1", "alipay", "40", "独角数卡商品", nil))
	tradeNo := first["trade_no"].(string)
	switched := shop.mapi(shop.params("DJK-SW-1", "wxpay", "40", "独角数卡商品", nil))
	if switched["code"] != 1.0 || switched["trade_no"] != tradeNo || switched["type"] != "wxpay" {
		t.Fatalf("re-submit with type=wxpay: %v", switched)
	}
	other := short.createOrder(`{"productName":"F","amount":40,"paymentMethod":"alipay"}`)
	if other["amount"] == 40.0 {
		t.Fatal("the Alipay slot the 易支付 order left was handed out")
	}
	pendingSlots(t, short, tradeNo, other["orderId"].(string))
	time.Sleep(2500 * time.Millisecond)
	reopened := shop.mapi(shop.params("DJK-SW-1", "wxpay", "40", "独角数卡商品", nil))
	if reopened["code"] != 1.0 || reopened["trade_no"] != tradeNo {
		t.Fatalf("re-submit of the expired order: %v, want code 1 and trade_no %s", reopened, tradeNo)
	}
	if o := orderOf(t, short, tradeNo); o["status"] != "pending" {
		t.Fatalf("reopened 易支付 order: %v", o)
	}
	pendingSlots(t, short, tradeNo, other["orderId"].(string))
}

// With epay.reopen_within 0 an expired order stays expired, as before.
func TestPayerReopenSwitchedOff(t *testing.T) {
	in, _ := startShopWithCodes(t, "PAYGATE_ORDER_LIFETIME=1s", "PAYGATE_EPAY_REOPEN_WITHIN=0")
	shop := newEpayClient(t, in.URL, "1000", testAPIKey, nil)
	shop.mapi(shop.params("NO-REOPEN", "alipay", "3", "x", nil))
	time.Sleep(1500 * time.Millisecond)
	wantCode(t, "expired re-submit", shop.mapi(shop.params("NO-REOPEN", "alipay", "3", "x", nil)), -1, "已过期")
}

// The chooser's form cannot be sent from another site.
func TestPayerChoiceNeedsTheFormToken(t *testing.T) {
	in, _ := startShopWithCodes(t)
	id := in.createOrder(`{"productName":"x","amount":1}`)["orderId"].(string)
	p := newPayerClient(t, in, phoneUA)
	if resp, body := p.do("POST", "/pay/"+id+"/method", url.Values{"method": {"alipay"}}); resp.StatusCode != 403 || !strings.Contains(body, "刷新") {
		t.Fatalf("choice without the token: %d\n%.600s", resp.StatusCode, body)
	}
	if o := orderOf(t, in, id); o["paymentMethod"] != nil {
		t.Fatalf("a forged choice changed the order: %v", o)
	}
	if resp, _ := p.choose(id, "qqpay"); resp.StatusCode != 400 {
		t.Fatalf("choosing qqpay: %d", resp.StatusCode)
	}
}

var noAlipaysLink = regexp.MustCompile(`(?i)alipays:`)

// What each app's browser gets: WeChat opens on WeChat Pay, Alipay on Alipay;
// an Alipay code inside WeChat (or QQ) has no alipays:// link — WeChat blocks
// it — but saving the code and "open in the browser"; a phone's own browser
// has the link into Alipay and "save the code". Payment links shared in
// WeChat open with WeChat Pay picked.
func TestPayerPagesPerApp(t *testing.T) {
	in, own := startShopWithCodes(t)

	id := in.createOrder(`{"productName":"微信里打开","amount":8}`)["orderId"].(string)
	page := newPayerClient(t, in, wechatUA).page("/pay/"+id, 200)
	if !strings.Contains(page, `data-method="wechat"`) || !strings.Contains(page, "识别图中的二维码") || noAlipaysLink.MatchString(page) {
		t.Fatalf("an order without a method opened in WeChat:\n%.2500s", page)
	}
	id = in.createOrder(`{"productName":"支付宝里打开","amount":8}`)["orderId"].(string)
	page = newPayerClient(t, in, alipayUA).page("/pay/"+id, 200)
	if !strings.Contains(page, `data-method="alipay"`) || !strings.Contains(page, `href="alipays://platformapi/startapp?saId=10000007&amp;qrcode=`) {
		t.Fatalf("an order without a method opened in Alipay:\n%.2500s", page)
	}
	id = in.createOrder(`{"productName":"手机浏览器","amount":8}`)["orderId"].(string)
	if page = newPayerClient(t, in, phoneUA).page("/pay/"+id, 200); !strings.Contains(page, `data-method=""`) {
		t.Fatalf("a phone's browser should get the chooser:\n%.1500s", page)
	}

	alipayOrder := in.createOrder(`{"productName":"商家指定支付宝","amount":9,"paymentMethod":"alipay"}`)["orderId"].(string)
	for _, ua := range []string{wechatUA, qqUA} {
		page = newPayerClient(t, in, ua).page("/pay/"+alipayOrder, 200)
		if noAlipaysLink.MatchString(page) || !strings.Contains(page, `href="#open-browser"`) || !strings.Contains(page, "在浏览器打开") ||
			!strings.Contains(page, "长按上面的二维码保存图片") || !strings.Contains(page, `value="wechat"`) {
			t.Fatalf("an Alipay order inside %.40s…:\n%.3000s", ua, page)
		}
	}
	page = newPayerClient(t, in, phoneUA).page("/pay/"+alipayOrder, 200)
	if !noAlipaysLink.MatchString(page) || !strings.Contains(page, `/pay/`+alipayOrder+`/code.png`) || strings.Contains(page, `id="open-browser"`) {
		t.Fatalf("an Alipay order in a phone's browser:\n%.3000s", page)
	}
	// The saved picture is the code, a PNG to keep.
	resp, png := newPayerClient(t, in, phoneUA).do("GET", "/pay/"+alipayOrder+"/code.png", nil)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/png" || !strings.HasPrefix(png, "\x89PNG") ||
		!strings.Contains(resp.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("code.png: %d %v", resp.StatusCode, resp.Header)
	}

	// A payment link opened in WeChat has WeChat Pay picked; in Alipay, Alipay.
	link := createLinkWith(t, own, url.Values{"productName": {"手工曲奇"}, "priceKind": {"fixed"}, "amount": {"19.9"}, "methods": {"alipay", "wechat"}})
	for ua, want := range map[string]string{wechatUA: "wechat", alipayUA: "alipay"} {
		page = newPayerClient(t, in, ua).page(link, 200)
		if !regexp.MustCompile(`value="` + want + `" required checked`).MatchString(page) {
			t.Fatalf("link in %s: %s not picked:\n%.2500s", want, want, page)
		}
	}
	if page = newPayerClient(t, in, phoneUA).page(link, 200); strings.Contains(page, "checked") {
		t.Fatalf("link in a phone's browser: nothing should be picked for the buyer:\n%.2000s", page)
	}
}

// No dead ends: the shop's contact and the way back on expired, closed and
// error pages; the order number with a copy button; a payer who paid too
// late is told exactly what to send.
func TestPayerNoDeadEnds(t *testing.T) {
	in, own := startShopWithCodes(t, "PAYGATE_ORDER_LIFETIME=1s")
	if resp := own.post("/admin/settings/shop-contact", url.Values{"contactPhone": {"138 0013 8000"}, "contactWechat": {"xiaowang_shop"},
		"contactNote": {"工作日 9:00–18:00 回复"}, "homeUrl": {"https://shop.example.com/"}}, "", nil); resp.StatusCode != 200 {
		t.Fatalf("saving the contact: %d", resp.StatusCode)
	}
	if resp := own.post("/admin/settings/shop-contact", url.Values{"homeUrl": {"javascript:alert(1)"}}, "", nil); resp.StatusCode != 400 {
		t.Fatalf("a javascript: home page was accepted: %d", resp.StatusCode)
	}
	contact := []string{`href="tel:13800138000"`, "138 0013 8000", "xiaowang_shop", "工作日 9:00–18:00 回复", `data-copy="#contact-wechat"`}
	p := newPayerClient(t, in, phoneUA)

	expired := in.createOrder(`{"productName":"过期的","amount":12,"paymentMethod":"alipay","returnUrl":"https://shop.example.com/paid?o=1"}`)
	time.Sleep(1500 * time.Millisecond)
	page := p.page("/pay/"+expired["orderId"].(string), 410)
	for _, want := range append(contact, `id="order-no"`, "复制订单号", "已经付了钱", "¥12.00", "支付宝", "「我的」→「账单」", "复制给商家的话",
		`href="https://shop.example.com/"`) {
		if !strings.Contains(page, want) {
			t.Fatalf("expired page lacks %q:\n%.4000s", want, page)
		}
	}
	if strings.Contains(page, "shop.example.com/paid") {
		t.Fatal("the expired page leads to the shop's return URL, which is for paid orders")
	}

	closed := in.createOrder(`{"productName":"关闭的","amount":13,"paymentMethod":"wechat"}`)
	in.call("POST", "/api/orders/"+closed["orderId"].(string)+"/close", "", bearer)
	page = p.page("/pay/"+closed["orderId"].(string), 410)
	for _, want := range append(contact, "复制订单号", "「我」→「服务」→「钱包」→「账单」") {
		if !strings.Contains(page, want) {
			t.Fatalf("closed page lacks %q:\n%.4000s", want, page)
		}
	}
	page = p.page("/pay/ORD1700000000123456789", 404)
	for _, want := range append(contact, `id="back-to-shop"`) {
		if !strings.Contains(page, want) {
			t.Fatalf("unknown-order page lacks %q:\n%.3000s", want, page)
		}
	}
	// Expired before a method was chosen: nothing was shown to pay.
	never := in.createOrder(`{"productName":"没选","amount":14}`)
	time.Sleep(1500 * time.Millisecond)
	if page = p.page("/pay/"+never["orderId"].(string), 410); !strings.Contains(page, "不会扣你的钱") {
		t.Fatalf("expired unchosen order:\n%.3000s", page)
	}
	// The settings page shows the contact saved.
	resp, err := own.cl.Get(in.URL + "/admin/settings")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(b), `value="xiaowang_shop"`) {
		t.Fatal("the settings page does not show the saved WeChat ID")
	}
}

// The first visit of the chooser and of the WeChat pages stays under 15 kB
// gzipped (the page and its assets), like the pending page's own test.
func TestPayerPagesStayLight(t *testing.T) {
	in, _ := startShopWithCodes(t)
	tr := &http.Transport{DisableCompression: true}
	defer tr.CloseIdleConnections()
	raw := &http.Client{Transport: tr}
	// fetch returns the gzipped size of u and its text.
	fetch := func(u, ua string) (int, string) {
		req, _ := http.NewRequest("GET", u, nil)
		req.Header.Set("Accept-Encoding", "gzip")
		req.Header.Set("User-Agent", ua)
		resp, err := raw.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.Header.Get("Content-Encoding") != "gzip" {
			return len(b), string(b)
		}
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		plain, _ := io.ReadAll(zr)
		return len(b), string(plain)
	}
	for _, tt := range []struct{ name, body, ua string }{
		{"chooser", `{"productName":"苹果","amount":1}`, phoneUA},
		{"WeChat checkout", `{"productName":"苹果","amount":2}`, wechatUA},
		{"Alipay order inside WeChat", `{"productName":"苹果","amount":3,"paymentMethod":"alipay"}`, wechatUA},
	} {
		id := in.createOrder(tt.body)["orderId"].(string)
		total, page := fetch(in.URL+"/pay/"+id, tt.ua)
		assets := regexp.MustCompile(`(?:href|src)="(/assets/[^"]+)"`).FindAllStringSubmatch(page, -1)
		if len(assets) != 3 {
			t.Fatalf("%s loads %v; want the icon, checkout.css and checkout.js", tt.name, assets)
		}
		for _, a := range assets {
			n, _ := fetch(in.URL+strings.ReplaceAll(a[1], "&amp;", "&"), tt.ua)
			total += n
		}
		t.Logf("%s: first visit %d bytes gzipped", tt.name, total)
		if total > 15000 {
			t.Errorf("%s weighs %d bytes gzipped on the first visit; keep it under 15 kB", tt.name, total)
		}
	}
}

// A payment-link order switches only within its link's methods.
func TestPayerLinkOrderSwitchesWithinItsLink(t *testing.T) {
	in, own := startShopWithCodes(t)
	link := createLinkWith(t, own, url.Values{"productName": {"只收支付宝"}, "priceKind": {"fixed"}, "amount": {"6"}, "methods": {"alipay"}})
	v := newLinkVisitor(t, in, "203.0.113.20")
	status, id, _ := v.buy(link, url.Values{})
	if status != http.StatusSeeOther || !strings.HasPrefix(id, "ORD") {
		t.Fatalf("link order: %d %q", status, id)
	}
	p := newPayerClient(t, in, wechatUA)
	page := p.page("/pay/"+id, 200)
	if strings.Contains(page, `value="wechat"`) || !strings.Contains(page, `data-method="alipay"`) {
		t.Fatalf("an Alipay-only link's order offers WeChat:\n%.2500s", page)
	}
	// The page offers no switch; a hand-made one (with this payer's token from
	// another checkout page) is refused.
	other := in.createOrder(`{"productName":"x","amount":7,"paymentMethod":"alipay"}`)["orderId"].(string)
	tok := csrfField.FindStringSubmatch(p.page("/pay/"+other, 200))
	if tok == nil {
		t.Fatal("no form token on a checkout page")
	}
	resp, body := p.do("POST", "/pay/"+id+"/method", url.Values{"_csrf": {tok[1]}, "method": {"wechat"}})
	if resp.StatusCode != 400 || !strings.Contains(body, "没有开通微信支付") {
		t.Fatalf("switching a link order outside its link: %d\n%.800s", resp.StatusCode, body)
	}
}

// A shop's "pay again" button on an order that can no longer be paid
// (expired past epay.reopen_within, closed) leads the payer to its checkout
// page, which says what happened and how to reach the shop — not to a bare
// error.
func TestPayerEpayResubmitOfAnOrderPastReopening(t *testing.T) {
	in, _ := startShopWithCodes(t, "PAYGATE_ORDER_LIFETIME=1s", "PAYGATE_EPAY_REOPEN_WITHIN=0")
	shop := newEpayClient(t, in.URL, "1000", testAPIKey, nil)
	p := shop.params("GONE-1", "alipay", "3", "x", nil)
	buyer := newPayerClient(t, in, phoneUA)
	resp, _ := buyer.do("GET", "/submit.php?"+p.Encode(), nil)
	loc := resp.Header.Get("Location")
	time.Sleep(1500 * time.Millisecond)
	resp, _ = buyer.do("GET", "/submit.php?"+p.Encode(), nil)
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != loc {
		t.Fatalf("re-submit of an expired order: %d %q, want its checkout page %q", resp.StatusCode, resp.Header.Get("Location"), loc)
	}
	if page := buyer.page(loc, 410); !strings.Contains(page, `data-status="expired"`) || !strings.Contains(page, `id="contact"`) {
		t.Fatalf("expired 易支付 order's page:\n%.2000s", page)
	}
}
