package e2e

// Attacks on the admin login and on the console's CSRF protection, against
// the real binary (issue #11, points 1 and 8). Different client addresses are
// simulated with X-Forwarded-For from 127.0.0.1, listed in trusted_proxies.

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
)

const ownerPassword = "xiaodian-2026" // what newOwner sets

// loginFrom posts the login form as a browser at ip would (same-origin, so
// no CSRF token is needed); cl keeps that browser's cookies (nil: none).
func loginFrom(t *testing.T, in *instance, cl *http.Client, ip, password string) (int, string) {
	t.Helper()
	resp, body := loginWith(t, in, cl, ip, password, nil)
	return resp.StatusCode, body
}

func loginWith(t *testing.T, in *instance, cl *http.Client, ip, password string, header map[string]string) (*http.Response, string) {
	t.Helper()
	if cl == nil {
		cl = browserClient()
	}
	form := url.Values{"username": {"admin"}, "password": {password}}
	req, _ := http.NewRequest("POST", in.URL+"/admin/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	if ip != "" {
		req.Header.Set("X-Forwarded-For", ip)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := cl.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// browserClient keeps cookies and does not follow redirects.
func browserClient() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// signedIn reports whether cl's session opens the console.
func signedIn(t *testing.T, in *instance, cl *http.Client) bool {
	t.Helper()
	resp, err := cl.Get(in.URL + "/admin/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

func logOut(t *testing.T, in *instance, cl *http.Client) {
	t.Helper()
	req, _ := http.NewRequest("POST", in.URL+"/admin/logout", nil)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	resp, err := cl.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if signedIn(t, in, cl) {
		t.Fatal("still signed in after logout")
	}
}

// 40 wrong passwords sent at once, each from its own address: every try must
// be counted before bcrypt runs, so at most 5 (the per-account limit for
// strangers) are checked and the rest are refused unchecked.
func TestAttackParallelWrongPasswordsAreCountedBeforeChecking(t *testing.T) {
	in := startPaygate(t, t.TempDir(), "PAYGATE_MERCHANT_API_KEY="+testAPIKey, "PAYGATE_SERVER_TRUSTED_PROXIES=127.0.0.1")
	newOwner(t, in)

	const tries = 40
	var (
		wg     sync.WaitGroup
		mu     sync.Mutex
		counts = map[int]int{}
		start  = make(chan struct{})
	)
	for i := range tries {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			status, body := loginFrom(t, in, nil, "203.0.113."+strconv.Itoa(i+1), "wrong-password-"+strconv.Itoa(i))
			if status == http.StatusTooManyRequests && !strings.Contains(body, "分钟后再试") {
				t.Errorf("a refusal must say how long to wait:\n%.600s", body)
			}
			mu.Lock()
			counts[status]++
			mu.Unlock()
		}()
	}
	close(start)
	wg.Wait()

	checked, refused := counts[http.StatusUnauthorized], counts[http.StatusTooManyRequests]
	t.Logf("40 parallel wrong passwords: %d checked (401 wrong password), %d refused unchecked (429)", checked, refused)
	if checked+refused != tries {
		t.Fatalf("unexpected answers: %v", counts)
	}
	if checked < 1 || checked > 5 {
		t.Fatalf("%d wrong passwords were checked with bcrypt; the limit is 5", checked)
	}
	if logged := strings.Count(in.logs.String(), "failed admin login"); logged > 5 {
		t.Fatalf("the log shows %d checked failures; the limit is 5", logged)
	}
	// The right password from yet another stranger address is refused too:
	// the account is locked for clients paygate does not know.
	if status, body := loginFrom(t, in, nil, "203.0.113.99", ownerPassword); status != http.StatusTooManyRequests {
		t.Fatalf("the 41st try (right password, unknown client): %d, want 429\n%.600s", status, body)
	}
}

// A stranger keeps the account locked by failing from many addresses; the
// owner's own browser (it has signed in before) and the owner's own address
// still get in with the right password.
func TestAttackStrangerCannotLockOutOwnersBrowser(t *testing.T) {
	in := startPaygate(t, t.TempDir(), "PAYGATE_MERCHANT_API_KEY="+testAPIKey, "PAYGATE_SERVER_TRUSTED_PROXIES=127.0.0.1")
	owner := newOwner(t, in) // signed in from 127.0.0.1 by the first-run form
	logOut(t, in, owner.cl)

	locked := 0
	for i := range 30 {
		status, _ := loginFrom(t, in, nil, "203.0.113."+strconv.Itoa(i+1), "guess-"+strconv.Itoa(i))
		if status == http.StatusTooManyRequests {
			locked++
		}
	}
	if locked == 0 {
		t.Fatal("30 wrong passwords from strangers never locked the account")
	}
	if status, _ := loginFrom(t, in, nil, "203.0.113.200", ownerPassword); status != http.StatusTooManyRequests {
		t.Fatalf("right password from an unknown client while locked: %d, want 429", status)
	}

	// The owner's browser, now on another network (a new address).
	if status, body := loginFrom(t, in, owner.cl, "198.51.100.8", ownerPassword); status != http.StatusSeeOther || !signedIn(t, in, owner.cl) {
		t.Fatalf("the owner's known browser was locked out by a stranger: %d\n%.600s", status, body)
	}
	// A fresh browser at the owner's known address (the one the account was made from).
	fresh := browserClient()
	if status, body := loginFrom(t, in, fresh, "", ownerPassword); status != http.StatusSeeOther || !signedIn(t, in, fresh) {
		t.Fatalf("a browser at the owner's address was locked out by a stranger: %d\n%.600s", status, body)
	}

	// The known-device cookie is kept like the session cookie: out of reach
	// of scripts, not sent by other sites' forms, HTTPS-only under TLS, and
	// it lasts long after the session.
	for _, https := range []bool{false, true} {
		header := map[string]string{}
		if https {
			header["X-Forwarded-Proto"] = "https" // from the trusted proxy
		}
		resp, _ := loginWith(t, in, browserClient(), "", ownerPassword, header)
		var device *http.Cookie
		for _, ck := range resp.Cookies() {
			if ck.Name == "paygate_device" {
				device = ck
			}
		}
		if resp.StatusCode != http.StatusSeeOther || device == nil {
			t.Fatalf("login (https %v): %d, known-device cookie %v", https, resp.StatusCode, device)
		}
		if !device.HttpOnly || device.SameSite != http.SameSiteLaxMode || device.Secure != https || device.MaxAge < 300*24*3600 || device.Path != "/admin" {
			t.Fatalf("known-device cookie %+v: want HttpOnly, SameSite=Lax, Secure=%v, Path=/admin, lasting about a year", device, https)
		}
	}

	// The known browser is no free pass for guessing: it has its own limit.
	logOut(t, in, owner.cl)
	last := 0
	for i := range 6 {
		last, _ = loginFrom(t, in, owner.cl, "198.51.100.8", "not-it-"+strconv.Itoa(i))
	}
	if last != http.StatusTooManyRequests {
		t.Fatalf("the 6th wrong password from the known browser: %d, want 429", last)
	}
}

var setupTokenLine = regexp.MustCompile(`setup_token=(\S+)`)

// After `paygate reset-admin`, a stranger hammering the login cannot stop
// the owner from making the account again, locally or with the setup token.
func TestAttackLoginLockoutDoesNotBlockSetup(t *testing.T) {
	in := startPaygate(t, t.TempDir(), "PAYGATE_MERCHANT_API_KEY="+testAPIKey, "PAYGATE_SERVER_TRUSTED_PROXIES=127.0.0.1")
	newOwner(t, in)

	for round, remote := range []bool{false, true} {
		in.stop()
		reset := exec.Command(binPath, "reset-admin")
		reset.Dir = t.TempDir()
		reset.Env = append(reset.Environ(), in.env...)
		if out, err := reset.CombinedOutput(); err != nil {
			t.Fatalf("reset-admin: %v\n%s", err, out)
		}
		in.start()

		locked := false
		for i := range 30 {
			status, _ := loginFrom(t, in, nil, "203.0.113."+strconv.Itoa(i+1), "guess")
			locked = locked || status == http.StatusTooManyRequests
		}
		if !locked {
			t.Fatalf("round %d: 30 failed logins never locked the account name", round)
		}

		cl := browserClient()
		form := url.Values{"username": {"admin"}, "password": {ownerPassword}, "confirm": {ownerPassword}}
		req, _ := http.NewRequest("POST", in.URL+"/admin/setup", nil)
		if remote {
			tokens := setupTokenLine.FindAllStringSubmatch(in.logs.String(), -1)
			if len(tokens) == 0 {
				t.Fatal("no setup token on the console")
			}
			form.Set("token", tokens[len(tokens)-1][1])
			req.Header.Set("X-Forwarded-For", "198.51.100.9")
		}
		req.Body = io.NopCloser(strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		resp, err := cl.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther || !signedIn(t, in, cl) {
			t.Fatalf("round %d (remote %v): setup after a lockout: %d, not signed in\n%.600s", round, remote, resp.StatusCode, body)
		}
	}
}

// A CSRF token must be bound to the session: a cookie and token pair made up
// by another site (a sibling subdomain or port can set cookies for this host),
// or one the attacker fetched for its own visit, is refused; a same-site
// request needs a valid token like any other.
func TestAttackForgedCSRFIsRefused(t *testing.T) {
	in := startPaygate(t, t.TempDir(), "PAYGATE_MERCHANT_API_KEY="+testAPIKey)
	shopOwner := newOwner(t, in)
	admin, _ := url.Parse(in.URL + "/admin/")
	var session string
	for _, ck := range shopOwner.cl.Jar.Cookies(admin) {
		if ck.Name == "paygate_session" {
			session = ck.Value
		}
	}
	if session == "" {
		t.Fatal("no session cookie after setup")
	}
	pageToken := shopOwner.token("/admin/settings")

	// The attacker's own visit to the login page: a genuine pre-session pair.
	visitor := browserClient()
	visitorToken := (&owner{t: t, in: in, cl: visitor}).token("/admin/login")
	var visitorCookie string
	for _, ck := range visitor.Jar.Cookies(admin) {
		if ck.Name == "paygate_csrf" {
			visitorCookie = ck.Value
		}
	}
	if visitorCookie == "" {
		t.Fatal("the login page set no CSRF cookie")
	}

	send := func(path string, form url.Values, cookies map[string]string, header map[string]string) int {
		t.Helper()
		req, _ := http.NewRequest("POST", in.URL+path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		for name, value := range cookies {
			req.AddCookie(&http.Cookie{Name: name, Value: value})
		}
		for k, v := range header {
			req.Header.Set(k, v)
		}
		noRedirects := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		resp, err := noRedirects.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	const forged = "tossed-by-a-sibling-site-0123456789abcdef"
	shop := url.Values{"name": {"小王水果店"}, "description": {""}}
	tests := []struct {
		name    string
		cookies map[string]string
		header  map[string]string
		want    int
	}{
		{"tossed cookie and matching token", map[string]string{"paygate_session": session, "paygate_csrf": forged},
			map[string]string{"X-CSRF-Token": forged}, http.StatusForbidden},
		{"tossed pair, same-site", map[string]string{"paygate_session": session, "paygate_csrf": forged},
			map[string]string{"X-CSRF-Token": forged, "Sec-Fetch-Site": "same-site"}, http.StatusForbidden},
		{"the attacker's own pre-session pair", map[string]string{"paygate_session": session, "paygate_csrf": visitorCookie},
			map[string]string{"X-CSRF-Token": visitorToken, "Sec-Fetch-Site": "same-site"}, http.StatusForbidden},
		{"same-site without a token", map[string]string{"paygate_session": session},
			map[string]string{"Sec-Fetch-Site": "same-site"}, http.StatusForbidden},
		{"the page's own token", map[string]string{"paygate_session": session},
			map[string]string{"X-CSRF-Token": pageToken}, http.StatusOK},
		{"the page's own token, same-site", map[string]string{"paygate_session": session},
			map[string]string{"X-CSRF-Token": pageToken, "Sec-Fetch-Site": "same-site"}, http.StatusOK},
		{"same-origin", map[string]string{"paygate_session": session},
			map[string]string{"Sec-Fetch-Site": "same-origin"}, http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.header["HX-Request"] = "true"
			if got := send("/admin/settings/merchant", shop, tt.cookies, tt.header); got != tt.want {
				t.Fatalf("POST /admin/settings/merchant: %d, want %d", got, tt.want)
			}
		})
	}

	// The login form has no session yet: its token is bound to its own
	// pre-session cookie, and a made-up pair is refused before the password
	// is looked at (here the right one, which would sign the browser in).
	login := url.Values{"username": {"admin"}, "password": {ownerPassword}}
	for _, site := range []string{"", "same-site"} {
		form := url.Values{"_csrf": {forged}}
		for k, v := range login {
			form[k] = v
		}
		header := map[string]string{}
		if site != "" {
			header["Sec-Fetch-Site"] = site
		}
		if got := send("/admin/login", form, map[string]string{"paygate_csrf": forged}, header); got != http.StatusForbidden {
			t.Fatalf("login with a made-up cookie and token (Sec-Fetch-Site %q): %d, want 403", site, got)
		}
	}
	form := url.Values{"_csrf": {visitorToken}}
	for k, v := range login {
		form[k] = v
	}
	if got := send("/admin/login", form, map[string]string{"paygate_csrf": visitorCookie}, nil); got != http.StatusSeeOther {
		t.Fatalf("login with the login page's own cookie and token: %d, want 303", got)
	}
}

// Before login the form token is bound to the browser's pre-session cookie,
// and anyone can fetch a genuine cookie and token pair for themselves. A page
// on another port of this host, or on a sibling subdomain, can plant that
// cookie in the owner's browser (cookies are not kept apart by port) and post
// the token: the browser calls that request same-site. It must be refused
// like a cross-site one, and so must an older browser's request that sends
// no Sec-Fetch-Site but names another origin.
type siblingAttack struct {
	in       *instance
	browsers []struct {
		name   string
		header map[string]string
	}
}

func newSiblingAttack(t *testing.T) *siblingAttack {
	in := startPaygate(t, t.TempDir(), "PAYGATE_MERCHANT_API_KEY="+testAPIKey)
	self, _ := url.Parse(in.URL)
	port, _ := strconv.Atoi(self.Port())
	sibling := "http://" + self.Hostname() + ":" + strconv.Itoa(port+1) // the attacker's page on another port
	a := &siblingAttack{in: in}
	a.browsers = []struct {
		name   string
		header map[string]string
	}{
		{"sibling port", map[string]string{"Sec-Fetch-Site": "same-site", "Origin": sibling}},
		{"sibling subdomain", map[string]string{"Sec-Fetch-Site": "same-site", "Origin": "http://evil." + self.Hostname() + ".nip.io"}},
		{"refused post re-sent by a reload", map[string]string{"Sec-Fetch-Site": "none", "Origin": sibling}},
		{"older browser, sibling origin", map[string]string{"Origin": sibling}},
		{"older browser, sibling page as Referer", map[string]string{"Referer": sibling + "/free-prize"}},
		{"older browser, sandboxed frame", map[string]string{"Origin": "null"}},
	}
	return a
}

// pair is a genuine pre-session cookie and token, fetched by the attacker from path.
func (a *siblingAttack) pair(t *testing.T, path string) (cookie, token string) {
	t.Helper()
	cl := browserClient()
	token = (&owner{t: t, in: a.in, cl: cl}).token(path)
	admin, _ := url.Parse(a.in.URL + "/admin/")
	for _, ck := range cl.Jar.Cookies(admin) {
		if ck.Name == "paygate_csrf" {
			cookie = ck.Value
		}
	}
	if cookie == "" {
		t.Fatalf("%s set no pre-session cookie", path)
	}
	return cookie, token
}

// fromOwnersBrowser posts form as the owner's browser at 127.0.0.1 does,
// with its cookies (the planted one among them) and the browser's headers.
func (a *siblingAttack) fromOwnersBrowser(t *testing.T, path string, form url.Values, cookies, header map[string]string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("POST", a.in.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for name, value := range cookies {
		req.AddCookie(&http.Cookie{Name: name, Value: value})
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := browserClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// On a fresh install the attacker's password must not become the admin's:
// the owner's browser is on "this computer", so no setup token is asked.
func TestAttackPlantedPreSessionCookieCannotCreateTheAdmin(t *testing.T) {
	a := newSiblingAttack(t)
	needsSetup := func(t *testing.T) bool {
		t.Helper()
		resp, err := browserClient().Get(a.in.URL + "/admin/setup")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	}
	const attackerPassword = "attacker-chose-this-1"
	for _, b := range a.browsers {
		ok := t.Run(b.name, func(t *testing.T) {
			cookie, token := a.pair(t, "/admin/setup")
			form := url.Values{"_csrf": {token}, "username": {"admin"}, "password": {attackerPassword}, "confirm": {attackerPassword}}
			status, body := a.fromOwnersBrowser(t, "/admin/setup", form, map[string]string{"paygate_csrf": cookie}, b.header)
			if !needsSetup(t) {
				t.Fatalf("the attacker's request created the admin account (%d)", status)
			}
			if status != http.StatusForbidden || !strings.Contains(body, "刷新页面") {
				t.Fatalf("first-run form with a planted pre-session pair: %d, want 403 saying to reload\n%.600s", status, body)
			}
		})
		if !ok {
			t.FailNow() // the account may exist now: the other cases would prove nothing
		}
	}
	newOwner(t, a.in) // the owner's own first-run form (same-origin) still works
}

// Wrong passwords posted from the owner's own browser (its known-device
// cookie and address go along) must not use up the owner's login tries.
func TestAttackPlantedPreSessionCookieCannotBurnOwnersLogins(t *testing.T) {
	a := newSiblingAttack(t)
	shopOwner := newOwner(t, a.in)
	logOut(t, a.in, shopOwner.cl)
	admin, _ := url.Parse(a.in.URL + "/admin/")
	var device string
	for _, ck := range shopOwner.cl.Jar.Cookies(admin) {
		if ck.Name == "paygate_device" {
			device = ck.Value
		}
	}
	if device == "" {
		t.Fatal("no known-device cookie after setup")
	}
	for _, b := range a.browsers {
		t.Run(b.name, func(t *testing.T) {
			cookie, token := a.pair(t, "/admin/login")
			for i := range 6 {
				form := url.Values{"_csrf": {token}, "username": {"admin"}, "password": {"wrong-" + strconv.Itoa(i)}}
				status, body := a.fromOwnersBrowser(t, "/admin/login", form, map[string]string{"paygate_csrf": cookie, "paygate_device": device}, b.header)
				if status != http.StatusForbidden {
					t.Fatalf("wrong password %d with a planted pre-session pair: %d, want 403 before the password is looked at\n%.600s", i+1, status, body)
				}
			}
		})
	}
	if n := strings.Count(a.in.logs.String(), "failed admin login"); n > 0 {
		t.Errorf("%d of the attacker's tries were checked as passwords", n)
	}
	if status, body := loginFrom(t, a.in, shopOwner.cl, "", ownerPassword); status != http.StatusSeeOther || !signedIn(t, a.in, shopOwner.cl) {
		t.Fatalf("the owner's own login after the attack: %d, want 303\n%.600s", status, body)
	}
}
