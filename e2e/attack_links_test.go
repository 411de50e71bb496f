package e2e

// Issue #11.3: jamming a fixed-price payment link. Every pending order holds
// one payable amount near its price (101 with the default ±0.50), and a
// payment link is open to anyone: one anonymous IP that keeps ordering could
// hold every amount of the link's price, and then the merchant's own API
// orders at that price get slots_exhausted. The limits: a visitor who orders
// again gets their open order back (or it is replaced), one network (IP) may
// hold links.max_pending_per_ip open link orders and a link
// links.max_pending_per_link, and link orders take at most half of a
// price's amounts, so an API order at that price always finds one.

import (
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// linkVisitor is one browser (or script) on the payment links of a paygate.
type linkVisitor struct {
	t  *testing.T
	in *instance
	cl *http.Client
	ip string // sent as X-Forwarded-For, for a paygate that trusts 127.0.0.1 as its proxy
}

// newLinkVisitor is a browser that keeps its cookies; fresh: it drops them
// before every order (a new cookie jar each time), as a script can.
func newLinkVisitor(t *testing.T, in *instance, ip string) *linkVisitor {
	jar, _ := cookiejar.New(nil)
	return &linkVisitor{t: t, in: in, ip: ip,
		cl: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (v *linkVisitor) do(method, path string, form url.Values, header map[string]string) (*http.Response, string) {
	v.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, _ := http.NewRequest(method, v.in.URL+path, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if v.ip != "" {
		req.Header.Set("X-Forwarded-For", v.ip)
	}
	for k, val := range header {
		req.Header.Set(k, val)
	}
	resp, err := v.cl.Do(req)
	if err != nil {
		v.t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, string(b)
}

var linkFormFields = regexp.MustCompile(`name="_csrf" value="([^"]*)"[\s\S]*?name="nonce" value="([^"]*)"`)

// buy opens the link's form (a fresh one-time value each time, as a reload
// gives) and sends it with fields; it returns the status, the order the
// answer leads to ("" when none) and the page.
func (v *linkVisitor) buy(link string, fields url.Values) (int, string, string) {
	v.t.Helper()
	resp, page := v.do("GET", link, nil, nil)
	m := linkFormFields.FindStringSubmatch(page)
	if resp.StatusCode != 200 || m == nil {
		v.t.Fatalf("open %s: %d\n%.600s", link, resp.StatusCode, page)
	}
	form := url.Values{"_csrf": {m[1]}, "nonce": {m[2]}}
	for k, val := range fields {
		form[k] = val
	}
	resp, page = v.do("POST", link, form, nil)
	return resp.StatusCode, strings.TrimPrefix(resp.Header.Get("Location"), "/pay/"), page
}

// dropCookies forgets every cookie, as a script that never keeps them.
func (v *linkVisitor) dropCookies() {
	jar, _ := cookiejar.New(nil)
	v.cl.Jar = jar
}

// pendingOf counts the orders among ids still pending.
func pendingOf(in *instance, ids map[string]bool) int {
	n := 0
	for id := range ids {
		if st, _ := in.orderStatus(id); st == "pending" {
			n++
		}
	}
	return n
}

// refusedClearly checks a refusal page: a 429 with Retry-After whose text
// says what happened and what to do, in Chinese.
func refusedClearly(t *testing.T, what string, status int, page string, pieces ...string) {
	t.Helper()
	if status != http.StatusTooManyRequests {
		t.Fatalf("%s: %d, want 429\n%.1500s", what, status, page)
	}
	if !strings.Contains(strings.ToLower(page), "<!doctype html>") {
		t.Errorf("%s: the refusal is not a page:\n%.600s", what, page)
	}
	for _, p := range pieces {
		if !strings.Contains(page, p) {
			t.Errorf("%s: the page lacks %q:\n%.2500s", what, p, page)
		}
	}
}

// createLinkWith makes a payment link from form and returns its path /l/<code>.
func createLinkWith(t *testing.T, own *owner, form url.Values) string {
	t.Helper()
	if resp := own.post("/admin/links", form, "", nil); resp.StatusCode != 200 {
		t.Fatalf("create link %v: %d", form, resp.StatusCode)
	}
	resp, err := own.cl.Get(own.in.URL + "/admin/links")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := regexp.MustCompile(`/l/([a-z0-9]{8})`).FindSubmatch(page) // newest first
	if m == nil {
		t.Fatal("no link on the links page")
	}
	return "/l/" + string(m[1])
}

// One IP hammering a fixed-price link, with the per-minute limit off so it
// does not hide the problem: dropping cookies (a new visitor every time) it
// holds at most 3 pending orders, and the merchant's API order at the same
// price and method still gets an amount.
func TestAttackOneIPCannotJamAFixedPriceLink(t *testing.T) {
	pg := startPaygate(t, t.TempDir(), "PAYGATE_MERCHANT_API_KEY="+testAPIKey, "PAYGATE_LINKS_RATE_LIMIT=0", "PAYGATE_SERVER_RATE_LIMIT=1000")
	link := createLink(t, newOwner(t, pg)) // ¥9.90, Alipay

	attacker := newLinkVisitor(t, pg, "")
	got := map[string]bool{}
	refused := 0
	for i := 0; i < 110; i++ {
		attacker.dropCookies()
		status, id, page := attacker.buy(link, nil)
		switch {
		case status == http.StatusSeeOther && id != "":
			got[id] = true
		case status == http.StatusTooManyRequests:
			if refused++; refused == 1 {
				refusedClearly(t, "a fourth order from one network", status, page, "3 笔未付款", "分钟后再试", "付款页面")
			}
		default:
			t.Fatalf("order %d: %d\n%.800s", i+1, status, page)
		}
	}
	// A script that sends no cookie at all, and says it is the page itself.
	script := newLinkVisitor(t, pg, "")
	script.cl.Jar = nil
	for i := 0; i < 10; i++ {
		resp, page := script.do("POST", link, url.Values{"nonce": {fmt.Sprint("script-", i)}}, map[string]string{"Sec-Fetch-Site": "same-origin"})
		if resp.StatusCode == http.StatusSeeOther {
			got[strings.TrimPrefix(resp.Header.Get("Location"), "/pay/")] = true
			continue
		}
		refusedClearly(t, "a cookie-less order", resp.StatusCode, page)
		if resp.Header.Get("Retry-After") == "" {
			t.Errorf("no Retry-After on the refusal")
		}
	}
	if n := pendingOf(pg, got); n > 3 {
		t.Errorf("one IP holds %d pending orders on the link (of %d made), want at most 3", n, len(got))
	}
	t.Logf("one IP: %d orders made, %d refused", len(got), refused)

	// The merchant's own API order at the link's price and method gets an amount.
	status, out := pg.call("POST", "/api/orders", `{"productName":"曲奇（店内）","amount":9.9,"paymentMethod":"alipay"}`, bearer)
	if status != 200 {
		t.Fatalf("the merchant's API order at ¥9.90 after the attack: %d %v", status, out)
	}
}

// The same, with the default per-minute limit: the cap on open orders is
// reached before the per-minute limit, and says so.
func TestAttackLinkCapWithDefaultRateLimit(t *testing.T) {
	pg := startPaygate(t, t.TempDir(), "PAYGATE_MERCHANT_API_KEY="+testAPIKey)
	link := createLink(t, newOwner(t, pg))
	attacker := newLinkVisitor(t, pg, "")
	got := map[string]bool{}
	for i := 0; i < 12; i++ {
		attacker.dropCookies()
		status, id, page := attacker.buy(link, nil)
		switch {
		case status == http.StatusSeeOther:
			got[id] = true
		case i == 3:
			refusedClearly(t, "the fourth order", status, page, "3 笔未付款")
		case status != http.StatusTooManyRequests:
			t.Fatalf("order %d: %d\n%.800s", i+1, status, page)
		}
	}
	if n := pendingOf(pg, got); n != 3 {
		t.Errorf("%d pending orders from one IP, want 3", n)
	}
	pg.createOrder(`{"productName":"曲奇（店内）","amount":9.9,"paymentMethod":"alipay"}`)
}

// A payer who reloads the link and orders again gets their open order back
// (the same checkout page, the same amount to pay), never a growing pile.
// Choosing the other method replaces the open order: the old checkout page
// says it was replaced and leads to the new one. Changing back and forth is
// bounded too, since each replaced order's amount cools for match.grace.
func TestAttackLinkVisitorReloadGetsTheSameOrder(t *testing.T) {
	pg := startPaygate(t, t.TempDir(), "PAYGATE_MERCHANT_API_KEY="+testAPIKey, "PAYGATE_LINKS_RATE_LIMIT=0", "PAYGATE_SERVER_RATE_LIMIT=1000")
	link := createLinkWith(t, newOwner(t, pg), url.Values{"productName": {"手工曲奇一盒"}, "priceKind": {"fixed"}, "amount": {"19.90"},
		"methods": {"alipay", "wechat"}})
	payer := newLinkVisitor(t, pg, "")
	status, first, page := payer.buy(link, url.Values{"method": {"alipay"}})
	if status != http.StatusSeeOther || first == "" {
		t.Fatalf("first order: %d\n%.800s", status, page)
	}
	for i := 0; i < 8; i++ {
		status, id, page := payer.buy(link, url.Values{"method": {"alipay"}})
		if status != http.StatusSeeOther || id != first {
			t.Fatalf("reload %d: %d → %q, want the open order %s\n%.800s", i+1, status, id, first, page)
		}
	}
	resp, page := payer.do("GET", "/pay/"+first, nil, nil)
	if resp.StatusCode != 200 || !strings.Contains(page, "¥19.90") || !strings.Contains(page, `data-status="pending"`) {
		t.Fatalf("the open order's checkout: %d\n%.1200s", resp.StatusCode, page)
	}

	// The other method: a new order; the first is closed and points to it.
	status, second, page := payer.buy(link, url.Values{"method": {"wechat"}})
	if status != http.StatusSeeOther || second == "" || second == first {
		t.Fatalf("order with WeChat: %d → %q\n%.800s", status, second, page)
	}
	if st, _ := pg.orderStatus(first); st != "failed" {
		t.Errorf("the replaced order is %s, want failed (closed)", st)
	}
	resp, page = payer.do("GET", "/pay/"+first, nil, nil)
	if resp.StatusCode != http.StatusGone || !strings.Contains(page, "/pay/"+second) || !strings.Contains(page, "不要") {
		t.Errorf("the replaced order's checkout: %d, want a closed page leading to %s\n%.2000s", resp.StatusCode, second, page)
	}

	// Back and forth: every change ties up one more amount while it cools,
	// so the third one is refused; the page leads to the open order.
	status, third, _ := payer.buy(link, url.Values{"method": {"alipay"}})
	if status != http.StatusSeeOther {
		t.Fatalf("third order: %d", status)
	}
	status, _, page = payer.buy(link, url.Values{"method": {"wechat"}})
	refusedClearly(t, "a fourth change", status, page, "/pay/"+third, "分钟后再试")
	if st, _ := pg.orderStatus(third); st != "pending" {
		t.Errorf("the open order is %s after the refused change, want pending", st)
	}
	// Asking for the open order itself still works.
	if status, id, _ := payer.buy(link, url.Values{"method": {"alipay"}}); status != http.StatusSeeOther || id != third {
		t.Errorf("ordering the open order again: %d → %q, want %s", status, id, third)
	}
	pg.createOrder(`{"productName":"曲奇（店内）","amount":19.9,"paymentMethod":"wechat"}`)
}

// Many IPs (behind the trusted proxy): a link holds at most 20 open orders,
// and with that limit off, link orders still take at most half of a price's
// amounts — the merchant's API orders get the rest.
func TestAttackManyIPsCannotStarveAPIOrders(t *testing.T) {
	pg := startPaygate(t, t.TempDir(), "PAYGATE_MERCHANT_API_KEY="+testAPIKey, "PAYGATE_LINKS_RATE_LIMIT=0", "PAYGATE_SERVER_RATE_LIMIT=1000",
		"PAYGATE_SERVER_TRUSTED_PROXIES=127.0.0.1")
	link := createLink(t, newOwner(t, pg))
	got := 0
	for i := 0; i < 30; i++ {
		v := newLinkVisitor(t, pg, "203.0.113."+strconv.Itoa(i+1))
		status, _, page := v.buy(link, nil)
		switch {
		case status == http.StatusSeeOther:
			got++
		case got == 20 && status == http.StatusTooManyRequests:
			if got == 20 && i == 20 {
				refusedClearly(t, "the 21st order on the link", status, page, "20 笔订单在等待付款", "分钟后再试")
			}
		default:
			t.Fatalf("order from IP %d: %d (after %d orders)\n%.800s", i+1, status, got, page)
		}
	}
	if got != 20 {
		t.Errorf("%d open orders on one link, want 20", got)
	}
	pg.createOrder(`{"productName":"曲奇（店内）","amount":9.9,"paymentMethod":"alipay"}`)

	// No per-link limit: the link's orders stop at half of the 101 amounts.
	open := startPaygate(t, t.TempDir(), "PAYGATE_MERCHANT_API_KEY="+testAPIKey, "PAYGATE_LINKS_RATE_LIMIT=0", "PAYGATE_SERVER_RATE_LIMIT=1000",
		"PAYGATE_SERVER_TRUSTED_PROXIES=127.0.0.1", "PAYGATE_LINKS_MAX_PENDING_PER_LINK=0")
	link = createLink(t, newOwner(t, open))
	got = 0
	for i := 0; i < 60; i++ {
		v := newLinkVisitor(t, open, "198.51.100."+strconv.Itoa(i+1))
		status, _, page := v.buy(link, nil)
		switch status {
		case http.StatusSeeOther:
			got++
		case http.StatusConflict:
			if !strings.Contains(page, "分钟") {
				t.Errorf("slots full on the link: the page does not say when to try again:\n%.1500s", page)
			}
		default:
			t.Fatalf("order from IP %d: %d\n%.800s", i+1, status, page)
		}
	}
	if got != 50 {
		t.Errorf("link orders took %d of the 101 amounts of ¥9.90, want 50", got)
	}
	for i := 0; i < 51; i++ {
		status, out := open.call("POST", "/api/orders", `{"productName":"曲奇（店内）","amount":9.9,"paymentMethod":"alipay"}`, bearer)
		if status != 200 {
			t.Fatalf("API order %d at ¥9.90 while links hold their half: %d %v", i+1, status, out)
		}
	}
}

// The payer's side of the limits in a real browser at 390 px: ordering the
// same again lands on the open order, choosing the other method replaces it
// (the old page leads to the new one), and too many changes give a page that
// leads back to the open order. With PAYGATE_SCREENS=DIR it saves
// checkout-link-replaced.png, checkout-link-open-orders.png (and -en).
func TestBrowserLinkLimitPages(t *testing.T) {
	ctx, cancel := newBrowser(t)
	defer cancel()
	ph := phone{t: t, ctx: ctx, dir: os.Getenv("PAYGATE_SCREENS")}
	if ph.dir != "" {
		if err := os.MkdirAll(ph.dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	ph.run("phone width", chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2)))

	in := startPaygate(t, t.TempDir(), "PAYGATE_MERCHANT_API_KEY="+testAPIKey, "PAYGATE_LINKS_RATE_LIMIT=0")
	own := newOwner(t, in)
	own.post("/admin/settings/merchant", url.Values{"name": {"小王水果店"}, "description": {""}}, "", nil)
	own.uploadQR("alipay", "https://qr.alipay.com/fkx17512abcdefghijklmn")
	own.uploadQR("wechat", "wxp://f2f0shopcode")
	link := in.URL + createLinkWith(t, own, url.Values{"productName": {"手工曲奇一盒"}, "priceKind": {"fixed"}, "amount": {"19.90"},
		"methods": {"alipay", "wechat"}})

	order := func(what, method string) string {
		t.Helper()
		ph.run(what, chromedp.Navigate(link), chromedp.WaitVisible(chromedp.CSS(`form.buy`)),
			chromedp.Click(chromedp.CSS(`.pick.`+method)), chromedp.Click(chromedp.CSS(`form.buy button`)),
			chromedp.WaitVisible(chromedp.CSS(`#checkout[data-status="pending"]`)))
		loc, err := chromedp.Run(ctx, chromedp.Location())
		if err != nil {
			t.Fatal(err)
		}
		return loc
	}
	first := order("order with Alipay", "alipay")
	if again := order("the same again", "alipay"); again != first {
		t.Fatalf("ordering the same again: %s, want the open order %s", again, first)
	}
	second := order("order with WeChat instead", "wechat")
	if second == first {
		t.Fatal("choosing WeChat gave the Alipay order")
	}
	ph.run("the replaced order", chromedp.Navigate(first), chromedp.WaitVisible(chromedp.CSS(`#checkout[data-status="failed"] #replaced-by`)))
	if got := ph.text("#checkout"); !strings.Contains(got, "被新订单代替") {
		t.Fatalf("replaced page says %q", got)
	}
	ph.shot("link-replaced")
	ph.run("to the new order", chromedp.Click(chromedp.ID(`replaced-by`)), chromedp.WaitVisible(chromedp.CSS(`#checkout[data-status="pending"]`)))

	third := order("back to Alipay", "alipay")
	ph.run("one change too many", chromedp.Navigate(link), chromedp.WaitVisible(chromedp.CSS(`form.buy`)),
		chromedp.Click(chromedp.CSS(`.pick.wechat`)), chromedp.Click(chromedp.CSS(`form.buy button`)),
		chromedp.WaitVisible(chromedp.CSS(`section[data-status="429"] #open-order`)))
	if got := ph.text("section"); !strings.Contains(got, "你还有未付款的订单") || !strings.Contains(got, "分钟后再试") {
		t.Fatalf("refusal page says %q", got)
	}
	ph.shot("link-open-orders")
	ph.run("english", chromedp.Click(chromedp.CSS(`a.lang`)), chromedp.WaitVisible(chromedp.CSS(`html[lang="en"]`)))
	ph.run("refused in english", chromedp.Navigate(link), chromedp.WaitVisible(chromedp.CSS(`form.buy`)),
		chromedp.Click(chromedp.CSS(`.pick.wechat`)), chromedp.Click(chromedp.CSS(`form.buy button`)),
		chromedp.WaitVisible(chromedp.CSS(`section[data-status="429"] #open-order`)))
	if got := ph.text("section"); !strings.Contains(got, "You have unpaid orders") || !strings.Contains(got, "Pay my open order") {
		t.Fatalf("English refusal page says %q", got)
	}
	ph.shot("link-open-orders-en")
	ph.run("to the open order", chromedp.Click(chromedp.ID(`open-order`)), chromedp.WaitVisible(chromedp.CSS(`#checkout[data-status="pending"]`)))
	if loc, _ := chromedp.Run(ctx, chromedp.Location()); loc != third {
		t.Fatalf("the refusal led to %s, want the open order %s", loc, third)
	}
}
