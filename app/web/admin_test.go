package web_test

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/skip2/go-qrcode"

	"paygate/app"
	"paygate/app/callback"
	"paygate/app/gateway"
	"paygate/app/qr/qrtest"
	"paygate/app/store"
	"paygate/app/store/storetest"
	"paygate/app/testclock"
	"paygate/app/web"
)

const (
	adminPassword = "correct-horse-42"
	testKey       = "test_key_123456"
)

// console is a real paygate (store in a temp dir, gateway, echo) behind httptest.
type console struct {
	t    *testing.T
	e    *echo.Echo
	gw   *gateway.Gateway
	srv  *httptest.Server
	http *http.Client
}

func newConsole(t *testing.T, opts web.Options) *console {
	t.Helper()
	c, _ := openConsole(t, opts, testKey, 0, nil)
	return c
}

// openConsole builds a paygate on a new database with apiKey ("": none yet):
// the store on clock (nil: the real time), a gateway allowing linkRate
// payment-link orders a minute per IP (0: no limit), echo behind httptest.
func openConsole(t *testing.T, opts web.Options, apiKey string, linkRate int, clock *testclock.Clock) (*console, *store.DB) {
	t.Helper()
	db := storetest.OpenDir(t, t.TempDir(), clock)
	storetest.Seed(t, db, apiKey, "")
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	d := callback.New(db, callback.Options{Logger: quiet})
	gw := gateway.New(db, d, gateway.Options{Logger: quiet, LinkRateLimit: linkRate, Defaults: app.Tuning{
		OrderLifetime: 15 * time.Minute, MinAmount: 1, MaxAmount: 1000000,
		Slots: app.SlotPolicy{Mode: app.SlotAlternate, MaxOffset: 50},
		Match: app.MatchPolicy{Window: 15 * time.Minute, Grace: 10 * time.Minute, AutoConfirm: app.ConfidenceMedium},
	}})
	opts.Logger = quiet
	e := web.New(gw, opts)
	c := &console{t: t, e: e, gw: gw, srv: httptest.NewServer(e)}
	t.Cleanup(c.srv.Close)
	c.http = c.client()
	return c, db
}

// client is a browser-like client: cookies kept, redirects not followed.
func (c *console) client() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func (c *console) do(cl *http.Client, method, path string, form url.Values, header map[string]string) (*http.Response, string) {
	c.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, c.srv.URL+path, body)
	if err != nil {
		c.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := cl.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

var csrfInput = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// csrf loads a page and returns the token in its forms.
func (c *console) csrf(cl *http.Client, path string) string {
	c.t.Helper()
	_, body := c.do(cl, "GET", path, nil, nil)
	m := csrfInput.FindStringSubmatch(body)
	if m == nil {
		c.t.Fatalf("no CSRF token on %s:\n%.500s", path, body)
	}
	return m[1]
}

// setup creates the admin from "this machine" and leaves cl signed in.
func (c *console) setup(cl *http.Client) {
	c.t.Helper()
	tok := c.csrf(cl, "/admin/setup")
	resp, body := c.do(cl, "POST", "/admin/setup", url.Values{"_csrf": {tok}, "username": {"admin"},
		"password": {adminPassword}, "confirm": {adminPassword}}, nil)
	if resp.StatusCode != http.StatusSeeOther {
		c.t.Fatalf("setup: %d\n%.800s", resp.StatusCode, body)
	}
}

func TestFreshInstanceLeadsToFirstRun(t *testing.T) {
	c := newConsole(t, web.Options{})
	resp, _ := c.do(c.http, "GET", "/", nil, nil)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/admin/setup" {
		t.Fatalf("/ on a fresh instance: %d → %q, want 303 → /admin/setup", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, body := c.do(c.http, "GET", "/admin/setup", nil, nil)
	if resp.StatusCode != 200 || !strings.Contains(body, `id="password" name="password" type="password"`) {
		t.Fatalf("first-run page: %d, password field missing:\n%.800s", resp.StatusCode, body)
	}
	if strings.Contains(body, `name="token"`) {
		t.Fatal("a visitor on this machine should not need the setup token")
	}
	// After setup, / leads to the console (and from there to login).
	c.setup(c.client())
	resp, _ = c.do(c.client(), "GET", "/", nil, nil)
	if resp.Header.Get("Location") != "/admin/" {
		t.Fatalf("/ after setup → %q, want /admin/", resp.Header.Get("Location"))
	}
	resp, _ = c.do(c.client(), "GET", "/admin/", nil, nil)
	if !strings.HasPrefix(resp.Header.Get("Location"), "/admin/login") {
		t.Fatalf("/admin/ anonymous → %q, want the login page", resp.Header.Get("Location"))
	}
}

func TestSetupFromAnotherComputerNeedsToken(t *testing.T) {
	c := newConsole(t, web.Options{})
	remote := map[string]string{"X-Forwarded-For": "203.0.113.7"} // relayed by a proxy: not this machine
	_, page := c.do(c.http, "GET", "/admin/setup", nil, remote)
	if !strings.Contains(page, `name="token"`) {
		t.Fatal("the first-run page should ask a remote visitor for the setup token")
	}
	tok := csrfInput.FindStringSubmatch(page)[1]
	form := url.Values{"_csrf": {tok}, "password": {adminPassword}, "confirm": {adminPassword}}
	tests := []struct {
		name  string
		token string
		want  int
	}{
		{"no token", "", http.StatusForbidden},
		{"wrong token", "guess", http.StatusForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			form.Set("token", tt.token)
			resp, body := c.do(c.http, "POST", "/admin/setup", form, remote)
			if resp.StatusCode != tt.want || !strings.Contains(body, "设置码") {
				t.Fatalf("got %d, want %d with a message about the setup token:\n%.600s", resp.StatusCode, tt.want, body)
			}
		})
	}
	token, need, err := c.gw.SetupToken(context.Background())
	if err != nil || !need {
		t.Fatal(need, err)
	}
	form.Set("token", token)
	if resp, body := c.do(c.http, "POST", "/admin/setup", form, remote); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("with the console's token: %d\n%.600s", resp.StatusCode, body)
	}
}

func TestEveryAdminRouteRefusesAnonymous(t *testing.T) {
	c := newConsole(t, web.Options{})
	c.setup(c.client())
	open := map[string]bool{"/admin/setup": true, "/admin/login": true, "/admin/lang": true}
	n := 0
	for _, r := range c.e.Routes() {
		if !strings.HasPrefix(r.Path, "/admin") || open[r.Path] || (r.Method != "GET" && r.Method != "POST") {
			continue
		}
		path := strings.NewReplacer(":id", "ORD123", ":method", "alipay", "*", "x").Replace(r.Path)
		n++
		t.Run(r.Method+" "+r.Path, func(t *testing.T) {
			cl := c.client()
			// A page: sent to the login form.
			if r.Method == "GET" {
				resp, _ := c.do(cl, "GET", path, nil, nil)
				if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/admin/login") {
					t.Fatalf("page: %d → %q, want 303 to the login page", resp.StatusCode, resp.Header.Get("Location"))
				}
			}
			// htmx and JSON: 401 (htmx is also told where to log in).
			resp, body := c.do(cl, r.Method, path, url.Values{}, map[string]string{"HX-Request": "true"})
			if resp.StatusCode != http.StatusUnauthorized || resp.Header.Get("HX-Redirect") != "/admin/login" {
				t.Fatalf("htmx: %d (HX-Redirect %q), want 401 → /admin/login; %.300s", resp.StatusCode, resp.Header.Get("HX-Redirect"), body)
			}
			resp, _ = c.do(cl, r.Method, path, url.Values{}, map[string]string{"Accept": "application/json"})
			if resp.StatusCode != http.StatusUnauthorized {
				t.Fatalf("JSON: %d, want 401", resp.StatusCode)
			}
		})
	}
	if n < 20 {
		t.Fatalf("only %d admin routes found; the route table changed?", n)
	}
}

func TestStateChangeWithoutCSRFTokenIsRefused(t *testing.T) {
	c := newConsole(t, web.Options{})
	c.setup(c.http)
	token := c.csrf(c.http, "/admin/settings")
	form := url.Values{"name": {"小王水果店"}, "description": {""}}
	tests := []struct {
		name   string
		header map[string]string
		want   int
	}{
		{"no token", nil, http.StatusForbidden},
		{"wrong token", map[string]string{"X-CSRF-Token": "forged"}, http.StatusForbidden},
		{"cross-site browser request", map[string]string{"Sec-Fetch-Site": "cross-site", "X-CSRF-Token": token}, http.StatusForbidden},
		{"right token", map[string]string{"X-CSRF-Token": token}, http.StatusSeeOther},
		{"same-origin browser request", map[string]string{"Sec-Fetch-Site": "same-origin"}, http.StatusSeeOther},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := c.do(c.http, "POST", "/admin/settings/merchant", form, tt.header)
			if resp.StatusCode != tt.want {
				t.Fatalf("got %d, want %d\n%.500s", resp.StatusCode, tt.want, body)
			}
			if tt.want == http.StatusForbidden && !strings.Contains(body, "刷新页面") {
				t.Fatalf("the refusal should say what to do:\n%.500s", body)
			}
		})
	}
	s, _ := c.gw.Settings(context.Background())
	if s.Name != "小王水果店" {
		t.Fatalf("shop name %q after the accepted request", s.Name)
	}
}

// Before login, anyone can fetch a genuine pre-session cookie and token pair,
// and a page on another port of this host or on a sibling subdomain can plant
// the cookie in someone else's browser. So on the open forms the pair counts
// only when the browser does not say the request came from elsewhere:
// Sec-Fetch-Site must be same-origin (no token needed) or absent, and then an
// Origin or Referer must be paygate's own (as a trusted proxy reports it, or
// the public address); a script sending neither keeps working. "none" is a
// POST sent again (a reload), perhaps a sibling site's refused one.
func TestPreSessionFormsRefuseOtherOrigins(t *testing.T) {
	plain := newConsole(t, web.Options{})
	proxied := newConsole(t, web.Options{TrustedProxies: []string{"127.0.0.1", "::1"}})
	published := newConsole(t, web.Options{PublicURL: "https://pay.example.com/"}) // a proxy passing neither Host nor X-Forwarded-Host
	for _, c := range []*console{plain, proxied, published} {
		c.setup(c.client())
	}
	self, _ := url.Parse(plain.srv.URL)
	sibling := "http://" + self.Hostname() + ":1" // another port of the same host
	const public = "https://pay.example.com"
	behindProxy := map[string]string{"X-Forwarded-Proto": "https", "X-Forwarded-Host": "pay.example.com"}
	with := func(h map[string]string, kv ...string) map[string]string {
		out := map[string]string{}
		for k, v := range h {
			out[k] = v
		}
		for i := 0; i+1 < len(kv); i += 2 {
			out[kv[i]] = kv[i+1]
		}
		return out
	}
	tests := []struct {
		name    string
		on      *console // nil: plain
		noToken bool
		header  map[string]string
		want    int
	}{
		{name: "sibling port or subdomain (same-site)", header: with(nil, "Sec-Fetch-Site", "same-site", "Origin", sibling), want: http.StatusForbidden},
		{name: "same-site without an Origin", header: with(nil, "Sec-Fetch-Site", "same-site"), want: http.StatusForbidden},
		{name: "cross-site", header: with(nil, "Sec-Fetch-Site", "cross-site"), want: http.StatusForbidden},
		{name: "a value no browser sends", header: with(nil, "Sec-Fetch-Site", "same-sight"), want: http.StatusForbidden},
		{name: "older browser, sibling Origin", header: with(nil, "Origin", sibling), want: http.StatusForbidden},
		{name: "older browser, sibling Referer", header: with(nil, "Referer", sibling+"/prize"), want: http.StatusForbidden},
		{name: "older browser, sandboxed frame", header: with(nil, "Origin", "null"), want: http.StatusForbidden},
		{name: "older browser, same host over https", header: with(nil, "Origin", "https://"+self.Host), want: http.StatusForbidden},
		{name: "older browser, unparsable Referer", header: with(nil, "Referer", "http://%zz/"), want: http.StatusForbidden},
		{name: "same-origin", noToken: true, header: with(nil, "Sec-Fetch-Site", "same-origin"), want: http.StatusSeeOther},
		{name: "sent again by a reload (none)", header: with(nil, "Sec-Fetch-Site", "none"), want: http.StatusForbidden},
		{name: "older browser, own Origin", header: with(nil, "Origin", plain.srv.URL), want: http.StatusSeeOther},
		{name: "older browser, own Origin in capitals", header: with(nil, "Origin", strings.ToUpper(plain.srv.URL)), want: http.StatusSeeOther},
		{name: "older browser, own page as Referer", header: with(nil, "Referer", plain.srv.URL+"/admin/login?next=%2Fadmin%2F"), want: http.StatusSeeOther},
		{name: "script (no browser headers)", want: http.StatusSeeOther},
		{name: "script without the token", noToken: true, want: http.StatusForbidden},
		{on: proxied, name: "trusted proxy: the public origin", header: with(behindProxy, "Origin", public), want: http.StatusSeeOther},
		{on: proxied, name: "trusted proxy: its default port written out", header: with(behindProxy, "Origin", public+":443"), want: http.StatusSeeOther},
		{on: proxied, name: "trusted proxy: plain http to the public name", header: with(behindProxy, "Origin", "http://pay.example.com"), want: http.StatusForbidden},
		{on: proxied, name: "trusted proxy: a sibling subdomain", header: with(behindProxy, "Origin", "https://evil.example.com"), want: http.StatusForbidden},
		{on: proxied, name: "trusted proxy: same-site", header: with(behindProxy, "Sec-Fetch-Site", "same-site", "Origin", "https://evil.example.com"), want: http.StatusForbidden},
		{name: "untrusted peer's forwarded host is not believed", header: with(behindProxy, "Origin", public), want: http.StatusForbidden},
		{on: published, name: "the public address", header: with(nil, "Origin", public), want: http.StatusSeeOther},
		{on: published, name: "the public address as Referer", header: with(nil, "Referer", public+"/admin/login"), want: http.StatusSeeOther},
		{on: published, name: "a sibling of the public address", header: with(nil, "Origin", "https://shop.example.com"), want: http.StatusForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := plain
			if tt.on != nil {
				c = tt.on
			}
			// A genuine pair, as anyone gets it from the login page.
			fetched := c.client()
			token := c.csrf(fetched, "/admin/login")
			admin, _ := url.Parse(c.srv.URL + "/admin/")
			var cookie string
			for _, ck := range fetched.Jar.Cookies(admin) {
				if ck.Name == "paygate_csrf" {
					cookie = ck.Value
				}
			}
			form := url.Values{"lang": {"en"}, "back": {"/admin/login"}}
			if !tt.noToken {
				form.Set("_csrf", token)
			}
			req, _ := http.NewRequest("POST", c.srv.URL+"/admin/lang", strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.AddCookie(&http.Cookie{Name: "paygate_csrf", Value: cookie})
			for k, v := range tt.header {
				req.Header.Set(k, v)
			}
			resp, err := c.client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.want {
				t.Fatalf("POST /admin/lang: %d, want %d\n%.500s", resp.StatusCode, tt.want, body)
			}
			if tt.want == http.StatusForbidden && !strings.Contains(string(body), "刷新页面") {
				t.Fatalf("the refusal should say what to do:\n%.500s", body)
			}
		})
	}
}

func TestProductNameIsShownAsText(t *testing.T) {
	c := newConsole(t, web.Options{})
	c.setup(c.http)
	const evil = `<script>alert(1)</script>`
	o, _, err := c.gw.CreateOrder(context.Background(), gateway.OrderRequest{
		ProductName: evil, Amount: "1.00", AmountPresent: true, PaymentMethod: "alipay",
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/admin/orders", "/admin/orders/" + o.ID} {
		for _, htmx := range []bool{false, true} {
			h := map[string]string{}
			if htmx {
				h["HX-Request"] = "true"
			}
			resp, body := c.do(c.http, "GET", path, nil, h)
			if resp.StatusCode != 200 {
				t.Fatalf("%s: %d", path, resp.StatusCode)
			}
			if strings.Contains(body, evil) || !strings.Contains(body, "&lt;script&gt;alert(1)&lt;/script&gt;") {
				t.Fatalf("%s (htmx %v): the product name is not escaped:\n%.1500s", path, htmx, body)
			}
		}
	}
}

func TestLoginThrottling(t *testing.T) {
	c := newConsole(t, web.Options{})
	c.setup(c.client())
	cl := c.client()
	token := c.csrf(cl, "/admin/login")
	login := func(pw string) (*http.Response, string) {
		return c.do(cl, "POST", "/admin/login", url.Values{"_csrf": {token}, "username": {"admin"}, "password": {pw}}, nil)
	}
	for i := 1; i <= 5; i++ {
		if resp, body := login("wrong-password"); resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "密码不正确") {
			t.Fatalf("attempt %d: %d, want 401 with a message\n%.400s", i, resp.StatusCode, body)
		}
	}
	for _, pw := range []string{"wrong-password", adminPassword} {
		resp, body := login(pw)
		if resp.StatusCode != http.StatusTooManyRequests || !strings.Contains(body, "分钟后再试") {
			t.Fatalf("after 5 failures (%s): %d, want 429 saying how many minutes to wait\n%.400s", pw, resp.StatusCode, body)
		}
	}
}

func TestSessionCookieAndLogout(t *testing.T) {
	c := newConsole(t, web.Options{TrustedProxies: []string{"127.0.0.1"}})
	c.setup(c.client())
	tests := []struct {
		name       string
		header     map[string]string
		wantSecure bool
	}{
		{"plain http", nil, false},
		{"https through a trusted proxy", map[string]string{"X-Forwarded-Proto": "https", "X-Forwarded-For": "198.51.100.4"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cl := c.client()
			token := c.csrf(cl, "/admin/login")
			resp, _ := c.do(cl, "POST", "/admin/login", url.Values{"_csrf": {token}, "password": {adminPassword}}, tt.header)
			var sess *http.Cookie
			for _, ck := range resp.Cookies() {
				if ck.Name == "paygate_session" {
					sess = ck
				}
			}
			if resp.StatusCode != http.StatusSeeOther || sess == nil {
				t.Fatalf("login: %d, cookie %v", resp.StatusCode, sess)
			}
			if !sess.HttpOnly || sess.SameSite != http.SameSiteLaxMode || sess.Secure != tt.wantSecure || len(sess.Value) < 40 {
				t.Fatalf("session cookie %+v: want HttpOnly, SameSite=Lax, Secure=%v, a long random value", sess, tt.wantSecure)
			}
			if tt.wantSecure {
				return // the jar will not send a Secure cookie over http
			}
			if resp, _ := c.do(cl, "GET", "/admin/", nil, nil); resp.StatusCode != 200 {
				t.Fatalf("signed in: %d", resp.StatusCode)
			}
			token = c.csrf(cl, "/admin/")
			c.do(cl, "POST", "/admin/logout", url.Values{"_csrf": {token}}, nil)
			// The old token no longer works, even if a copy was kept.
			u, _ := url.Parse(c.srv.URL + "/admin/")
			cl.Jar.SetCookies(u, []*http.Cookie{{Name: "paygate_session", Value: sess.Value, Path: "/admin"}})
			if resp, _ := c.do(cl, "GET", "/admin/", nil, nil); resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("after logout the session still works: %d", resp.StatusCode)
			}
		})
	}
}

func TestAdminSecurityHeaders(t *testing.T) {
	c := newConsole(t, web.Options{})
	resp, _ := c.do(c.http, "GET", "/admin/setup", nil, nil)
	csp := resp.Header.Get("Content-Security-Policy")
	for _, want := range []string{"script-src 'self'", "frame-ancestors 'none'", "object-src 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	if strings.Contains(csp, "unsafe-inline") {
		t.Errorf("CSP allows inline code: %q", csp)
	}
	if resp.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Error("X-Content-Type-Options: nosniff missing")
	}
	resp, _ = c.do(c.http, "GET", "/assets/htmx.min.js", nil, nil)
	if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Cache-Control"), "immutable") {
		t.Fatalf("asset: %d %q", resp.StatusCode, resp.Header.Get("Cache-Control"))
	}
}

func TestExportStreamsCSVAndXLSX(t *testing.T) {
	c := newConsole(t, web.Options{})
	c.setup(c.http)
	ctx := context.Background()
	for _, name := range []string{"苹果", "=HYPERLINK(\"x\")"} {
		if _, _, err := c.gw.CreateOrder(ctx, gateway.OrderRequest{ProductName: name, Amount: "12.5", AmountPresent: true, PaymentMethod: "wechat"}); err != nil {
			t.Fatal(err)
		}
	}
	day := app.FormatTime(time.Now())[:10]
	q := "?from=" + day + "&to=" + day
	resp, body := c.do(c.http, "GET", "/admin/export/download"+q+"&what=orders&format=csv", nil, nil)
	if resp.StatusCode != 200 || !strings.HasPrefix(body, "\uFEFF") || !strings.Contains(body, "苹果") || !strings.Contains(body, "12.50") {
		t.Fatalf("CSV: %d %q\n%s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	if !strings.Contains(body, `'=HYPERLINK`) {
		t.Fatalf("a formula-like product name must be defused in CSV:\n%s", body)
	}
	if !strings.Contains(resp.Header.Get("Content-Disposition"), "attachment") {
		t.Fatal("CSV is not a download")
	}
	resp, body = c.do(c.http, "GET", "/admin/export/download"+q+"&what=payments&format=xlsx", nil, nil)
	if resp.StatusCode != 200 || !strings.HasPrefix(body, "PK") {
		t.Fatalf("XLSX: %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	resp, body = c.do(c.http, "GET", "/admin/export/download?from=2026-13-01&to="+day+"&what=orders&format=csv", nil, nil)
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "开始日期") {
		t.Fatalf("bad date: %d\n%.500s", resp.StatusCode, body)
	}
}

func TestPayQRUploadWithoutCodeIsRefusedClearly(t *testing.T) {
	c := newConsole(t, web.Options{})
	c.setup(c.http)
	token := c.csrf(c.http, "/admin/settings")
	var pic bytes.Buffer
	img := image.NewGray(image.Rect(0, 0, 120, 120))
	for i := range img.Pix {
		img.Pix[i] = 0xff
	}
	_ = png.Encode(&pic, img)
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("image", "blank.png")
	fw.Write(pic.Bytes())
	mw.Close()
	req, _ := http.NewRequest("POST", c.srv.URL+"/admin/settings/qr/alipay", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("X-CSRF-Token", token)
	req.Header.Set("HX-Request", "true")
	resp, err := c.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(answer), "没有找到二维码") || resp.Header.Get("HX-Retarget") != "#toast" {
		t.Fatalf("blank picture: %d %q\n%s", resp.StatusCode, resp.Header.Get("HX-Retarget"), answer)
	}

	// A real 收款码 is stored with what it encodes.
	const payload = "wxp://f2f0abcdefghijklmnop"
	code, err := qrcode.Encode(payload, qrcode.Medium, 256)
	if err != nil {
		t.Fatal(err)
	}
	body.Reset()
	mw = multipart.NewWriter(&body)
	fw, _ = mw.CreateFormFile("image", "wechat.png")
	fw.Write(code)
	mw.Close()
	req, _ = http.NewRequest("POST", c.srv.URL+"/admin/settings/qr/wechat", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("X-CSRF-Token", token)
	req.Header.Set("HX-Request", "true")
	resp, err = c.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	answer, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(answer), payload) {
		t.Fatalf("QR upload: %d\n%.800s", resp.StatusCode, answer)
	}
	if resp, img := c.do(c.http, "GET", "/admin/settings/qr/wechat", nil, nil); resp.StatusCode != 200 || !strings.HasPrefix(img, "\x89PNG") {
		t.Fatalf("stored picture: %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
}

// A picture bomb: 70 bytes whose PNG header announces 100000×100000 pixels.
// Decoding it would take 40 GB and kill paygate; both upload forms refuse
// it with a 400 that says what to do, and paygate keeps serving.
func TestPayQRUploadRefusesPictureBomb(t *testing.T) {
	c := newConsole(t, web.Options{})
	c.setup(c.http)
	token := c.csrf(c.http, "/admin/settings")
	tests := []struct {
		name, path string
		fields     map[string]string
	}{
		{"收款码", "/admin/settings/qr/alipay", nil},
		{"fixed-amount 收款码", "/admin/settings/qr/wechat/amounts", map[string]string{"amount": "10.01"}},
	}
	for _, tt := range tests {
		for _, lang := range []string{"zh", "en"} {
			t.Run(tt.name+" "+lang, func(t *testing.T) {
				var body bytes.Buffer
				mw := multipart.NewWriter(&body)
				for k, v := range tt.fields {
					mw.WriteField(k, v)
				}
				fw, _ := mw.CreateFormFile("image", "code.png")
				fw.Write(qrtest.HugePNG(100000, 100000))
				mw.Close()
				req, _ := http.NewRequest("POST", c.srv.URL+tt.path, &body)
				req.Header.Set("Content-Type", mw.FormDataContentType())
				req.Header.Set("X-CSRF-Token", token)
				req.Header.Set("HX-Request", "true")
				req.AddCookie(&http.Cookie{Name: "paygate_lang", Value: lang})
				resp, err := c.http.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				answer, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				want := map[string]string{"zh": "图片太大（100000×100000 像素", "en": "too large (100000×100000 pixels"}[lang]
				say := map[string]string{"zh": "请截取收款码部分后再上传", "en": "crop it to the 收款码"}[lang]
				if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(answer), want) || !strings.Contains(string(answer), say) {
					t.Fatalf("picture bomb: %d\n%.800s", resp.StatusCode, answer)
				}
			})
		}
	}
	if resp, _ := c.do(c.http, "GET", "/admin/settings", nil, nil); resp.StatusCode != http.StatusOK {
		t.Fatalf("after the picture bomb: %d", resp.StatusCode)
	}
}

func TestSendTestCallback(t *testing.T) {
	c := newConsole(t, web.Options{})
	c.setup(c.http)
	var got []byte
	shop := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, _ = io.ReadAll(r.Body)
		io.WriteString(w, `{"success":true}`)
	}))
	defer shop.Close()
	token := c.csrf(c.http, "/admin/settings")
	resp, body := c.do(c.http, "POST", "/admin/settings/callback/test", url.Values{"callbackUrl": {shop.URL}},
		map[string]string{"X-CSRF-Token": token, "HX-Request": "true"})
	if resp.StatusCode != 200 || !strings.Contains(body, "测试成功") || !strings.Contains(string(got), `"signature"`) {
		t.Fatalf("test callback: %d\n%s\nshop got %s", resp.StatusCode, body, got)
	}
}
