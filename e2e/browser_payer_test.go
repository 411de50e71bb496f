package e2e

// The payer's choices in a real headless Chromium at phone width (390 px),
// with the User-Agents of a phone's browser, WeChat, Alipay and QQ: the
// chooser, switching, what each app's browser shows (never an alipays://
// link inside WeChat), 易支付 without type to the shop's signed notify, and
// the pages that used to be dead ends. With PAYGATE_SCREENS=DIR every state
// looked at is saved as checkout-*.png.

import (
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// as makes the tab send ua from now on, as the app's browser does.
func (p phone) as(ua string) {
	p.t.Helper()
	if _, err := chromedp.Call(p.ctx, emulation.SetUserAgentOverride, emulation.SetUserAgentOverrideParams{UserAgent: ua}); err != nil {
		p.t.Fatal(err)
	}
}

// noAlipaysLink fails when anything on the page links into the Alipay app.
func (p phone) noAlipaysLink(where string) {
	p.t.Helper()
	html, err := chromedp.Run(p.ctx, chromedp.Evaluate[string](`document.documentElement.outerHTML`))
	if err != nil {
		p.t.Fatal(err)
	}
	if strings.Contains(strings.ToLower(html), "alipays:") {
		p.t.Fatalf("%s: the page links into Alipay (alipays://), which WeChat blocks:\n%.3000s", where, html)
	}
}

func (p phone) attr(sel, name string) string {
	p.t.Helper()
	v, err := chromedp.Run(p.ctx, chromedp.Evaluate[string](`(document.querySelector(`+jsString(sel)+`)||{getAttribute(){return ""}}).getAttribute(`+jsString(name)+`)||""`))
	if err != nil {
		p.t.Fatal(err)
	}
	return v
}

func jsString(s string) string { return "'" + strings.ReplaceAll(s, "'", `\'`) + "'" }

func TestBrowserPayer(t *testing.T) {
	ctx, cancel := newBrowser(t)
	defer cancel()
	ph := phone{t: t, ctx: ctx, dir: os.Getenv("PAYGATE_SCREENS")}
	if ph.dir != "" {
		if err := os.MkdirAll(ph.dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	ph.run("phone width", chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2)))

	in, own := startShopWithCodes(t)
	own.post("/admin/settings/merchant", url.Values{"name": {"小王水果店"}, "description": {""}}, "", nil)
	own.post("/admin/settings/shop-contact", url.Values{"contactPhone": {"138 0013 8000"}, "contactWechat": {"xiaowang_shop"},
		"contactNote": {"工作日 9:00–18:00 回复"}, "homeUrl": {"https://shop.example.com/"}}, "", nil)

	// A phone's own browser: the chooser, then WeChat, then a switch to Alipay.
	ph.as(phoneUA)
	o := in.createOrder(`{"productName":"进口车厘子 500g","amount":25}`)
	id := o["orderId"].(string)
	ph.run("chooser", chromedp.Navigate(o["payUrl"].(string)), chromedp.WaitVisible(chromedp.CSS(`#checkout[data-method=""] form.choose`)))
	if got := ph.text("#amount"); got != "¥25.00" {
		t.Fatalf("chooser amount %q", got)
	}
	ph.shot("choose")
	ph.run("pick WeChat", chromedp.Click(chromedp.CSS(`form.choose button.wechat`)),
		chromedp.WaitVisible(chromedp.CSS(`#checkout[data-method="wechat"] .code img`)))
	ph.shot("chosen-wechat")
	ph.run("switch to Alipay", chromedp.Click(chromedp.CSS(`form.switch button.alipay`)),
		chromedp.WaitVisible(chromedp.CSS(`#checkout[data-method="alipay"] .code img`)), chromedp.WaitVisible(chromedp.ID(`open-alipay`)))
	if href := ph.attr("#open-alipay", "href"); !strings.HasPrefix(href, "alipays://platformapi/startapp?saId=10000007&qrcode=") {
		t.Fatalf("phone browser, Alipay: link %q", href)
	}
	if ph.attr("#save-code", "href") != "/pay/"+id+"/code.png" {
		t.Fatal("phone browser: no way to save the code")
	}
	ph.shot("switched-alipay")
	if s := pendingSlots(t, in, id); s["alipay 25.00"] != id {
		t.Fatalf("after the switch: %v", s)
	}
	// Paid by the switched method: the page turns paid by itself.
	in.webhook("收到转账25.00元(支付宝)")
	ph.run("paid", chromedp.WaitVisible(chromedp.CSS(`#checkout[data-status="success"]`)))

	// Inside WeChat: an order without a method opens on WeChat Pay at once;
	// long-press is the way; nothing links into Alipay.
	ph.as(wechatUA)
	w := in.createOrder(`{"productName":"会员月卡","amount":30}`)
	ph.run("WeChat", chromedp.Navigate(w["payUrl"].(string)), chromedp.WaitVisible(chromedp.CSS(`#checkout[data-method="wechat"] .code img`)))
	if step := ph.text(".steps li"); !strings.Contains(step, "长按上面的二维码") {
		t.Fatalf("WeChat: first step %q", step)
	}
	ph.noAlipaysLink("WeChat, WeChat Pay")
	ph.shot("wechat")
	// An Alipay order (the shop chose) inside WeChat: save the code or open
	// the page in the browser — never a link WeChat blocks.
	a := in.createOrder(`{"productName":"会员月卡","amount":31,"paymentMethod":"alipay"}`)
	ph.run("Alipay order in WeChat", chromedp.Navigate(a["payUrl"].(string)),
		chromedp.WaitVisible(chromedp.CSS(`#checkout[data-method="alipay"] .code img`)), chromedp.WaitVisible(chromedp.ID(`open-in-browser`)))
	ph.noAlipaysLink("WeChat, an Alipay order")
	ph.shot("wechat-alipay-order")
	ph.run("open in browser", chromedp.Click(chromedp.ID(`open-in-browser`)), chromedp.WaitVisible(chromedp.ID(`open-browser`)))
	if got := ph.text("#open-browser"); !strings.Contains(got, "在浏览器打开") {
		t.Fatalf("overlay says %q", got)
	}
	ph.shot("wechat-open-in-browser")
	ph.run("close overlay", chromedp.Click(chromedp.CSS(`#open-browser .btn`)), chromedp.WaitNotVisible(chromedp.ID(`open-browser`)))
	// A payment link shared in WeChat: WeChat Pay is picked.
	link := createLinkWith(t, own, url.Values{"productName": {"手工曲奇一盒"}, "priceKind": {"fixed"}, "amount": {"19.9"}, "methods": {"alipay", "wechat"}})
	ph.run("link in WeChat", chromedp.Navigate(in.URL+link), chromedp.WaitVisible(chromedp.CSS(`form.buy`)))
	if checked, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector('input[value="wechat"]').checked`)); err != nil || !checked {
		t.Fatalf("link in WeChat: WeChat Pay not picked (%v)", err)
	}
	ph.shot("link-wechat")
	ph.run("link order in WeChat", chromedp.Click(chromedp.CSS(`form.buy button`)),
		chromedp.WaitVisible(chromedp.CSS(`#checkout[data-method="wechat"] .code img`)))
	ph.noAlipaysLink("WeChat, a payment link's order")

	// Inside Alipay: Alipay at once, with the button into the app.
	ph.as(alipayUA)
	al := in.createOrder(`{"productName":"会员月卡","amount":32}`)
	ph.run("Alipay", chromedp.Navigate(al["payUrl"].(string)), chromedp.WaitVisible(chromedp.CSS(`#checkout[data-method="alipay"] .code img`)),
		chromedp.WaitVisible(chromedp.ID(`open-alipay`)))
	if href := ph.attr("#open-alipay", "href"); !strings.HasPrefix(href, "alipays://") {
		t.Fatalf("Alipay: the button goes to %q", href)
	}
	ph.shot("alipay")
	// Inside QQ: neither app opens from here.
	ph.as(qqUA)
	ph.run("QQ", chromedp.Navigate(a["payUrl"].(string)), chromedp.WaitVisible(chromedp.ID(`open-in-browser`)))
	ph.noAlipaysLink("QQ, an Alipay order")
	ph.shot("qq")

	// 易支付 without type, as V2Board sends it, in the browser: submit.php →
	// the chooser → Alipay → paid → the shop's notify, signed and accepted.
	ph.as(phoneUA)
	shop := newEpayClient(t, in.URL, "1000", testAPIKey, func(int) (int, string) { return 200, "success" })
	p := shop.params("V2B-BROWSER-1", "", "12.5", "V2Board 季付", nil)
	p.Del("type")
	ph.run("submit.php", chromedp.Navigate(in.URL+"/submit.php?"+p.Encode()), chromedp.WaitVisible(chromedp.CSS(`form.choose`)))
	ph.shot("epay-choose")
	ph.run("epay pick Alipay", chromedp.Click(chromedp.CSS(`form.choose button.alipay`)),
		chromedp.WaitVisible(chromedp.CSS(`#checkout[data-method="alipay"] .code img`)))
	amount := strings.TrimPrefix(ph.text("#amount"), "¥")
	in.webhook("收到转账" + amount + "元(支付宝)")
	ph.run("epay paid", chromedp.WaitVisible(chromedp.CSS(`#checkout[data-status="success"]`)))
	got := shop.waitNotifies(1, 15*time.Second)
	if len(shop.problems) > 0 || got[0].Get("type") != "alipay" || got[0].Get("money") != "12.5" || shop.paid["V2B-BROWSER-1"] == "" {
		t.Fatalf("notify %v, the shop's checks: %v", got[0], shop.problems)
	}

	// English.
	en := in.createOrder(`{"productName":"Cherries","amount":20}`)
	ph.run("english", chromedp.Navigate(en["payUrl"].(string)+"?lang=en"), chromedp.WaitVisible(chromedp.CSS(`html[lang="en"] form.choose`)))
	ph.shot("choose-en")
	ph.run("back to chinese", chromedp.Navigate(en["payUrl"].(string)+"?lang=zh"), chromedp.WaitVisible(chromedp.CSS(`html[lang="zh-CN"] form.choose`)))

	// No dead ends: expired (paid too late), closed and unknown orders say
	// how to reach the shop, with the order number to copy.
	short, shortOwner := startShopWithCodes(t, "PAYGATE_ORDER_LIFETIME=3s")
	shortOwner.post("/admin/settings/shop-contact", url.Values{"contactPhone": {"138 0013 8000"}, "contactWechat": {"xiaowang_shop"},
		"contactNote": {"工作日 9:00–18:00 回复"}, "homeUrl": {"https://shop.example.com/"}}, "", nil)
	late := short.createOrder(`{"productName":"进口车厘子 500g","amount":25,"paymentMethod":"wechat"}`)
	ph.run("expires", chromedp.Navigate(late["payUrl"].(string)), chromedp.WaitVisible(chromedp.CSS(`#checkout[data-status="expired"]`)))
	ph.run("copy the order number", chromedp.Click(chromedp.CSS(`.order-no button`)))
	time.Sleep(200 * time.Millisecond)
	if got := ph.text(".order-no button"); got != "已复制" {
		t.Fatalf("copy button says %q after a tap", got)
	}
	for _, sel := range []string{"#contact-phone", "#contact-wechat", "#paid-late", "#back-to-shop", "#late-msg"} {
		ph.run("expired page: "+sel, chromedp.WaitVisible(chromedp.CSS(sel)))
	}
	if msg := ph.text("#late-msg"); !strings.Contains(msg, late["orderId"].(string)) || !strings.Contains(msg, "¥25.00") {
		t.Fatalf("message for the shop: %q", msg)
	}
	ph.shot("expired-contact")
	closed := short.createOrder(`{"productName":"榴莲","amount":88,"paymentMethod":"alipay"}`)
	short.call("POST", "/api/orders/"+closed["orderId"].(string)+"/close", "", bearer)
	ph.run("closed", chromedp.Navigate(closed["payUrl"].(string)), chromedp.WaitVisible(chromedp.CSS(`#checkout[data-status="failed"] #contact`)))
	ph.shot("closed-contact")
	ph.run("unknown", chromedp.Navigate(short.URL+"/pay/ORD1700000000123456789"), chromedp.WaitVisible(chromedp.CSS(`section[data-status="404"] #contact`)))
	ph.shot("unknown-contact")

	// A shop with no 收款码 at all: the chooser says so and how to reach the shop.
	bare := startPaygate(t, t.TempDir(), "PAYGATE_MERCHANT_API_KEY="+testAPIKey)
	newOwner(t, bare).post("/admin/settings/shop-contact", url.Values{"contactPhone": {"138 0013 8000"}}, "", nil)
	none := bare.createOrder(`{"productName":"香蕉","amount":3}`)
	ph.run("no codes", chromedp.Navigate(none["payUrl"].(string)), chromedp.WaitVisible(chromedp.CSS(`.noqr`)), chromedp.WaitVisible(chromedp.ID(`contact-phone`)))
	ph.shot("choose-noqr")
}
