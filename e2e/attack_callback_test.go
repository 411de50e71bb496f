package e2e

// Attacks on the callback sender, against the real binary: a per-order
// callback URL (notifyUrl, 易支付 notify_url) aimed at this machine or the
// local network (server-side request forgery), and slow shops that would
// hold every callback worker.

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

const internalSecret = "INTERNAL-SECRET-7f3a"

// internalService is a service on this machine that must never be reached
// through paygate: it counts hits and answers with a secret (in a body the
// callback sender would take as an acknowledgement, so nothing hides it).
type internalService struct {
	srv  *httptest.Server
	hits atomic.Int32
	port int
}

func newInternalService(t *testing.T) *internalService {
	t.Helper()
	s := &internalService{}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.hits.Add(1)
		io.WriteString(w, `{"success":true,"secret":"`+internalSecret+`"} success`)
	}))
	t.Cleanup(s.srv.Close)
	s.port = s.srv.Listener.Addr().(*net.TCPAddr).Port
	return s
}

// epayCall posts a signed 易支付 mapi.php request and decodes the answer.
func epayCall(t *testing.T, pg *instance, p url.Values) map[string]any {
	t.Helper()
	p.Set("sign", epaySign(p, testAPIKey))
	p.Set("sign_type", "MD5")
	status, out := pg.post("/mapi.php", "application/x-www-form-urlencoded", p.Encode(), nil)
	if status != 200 {
		t.Fatalf("mapi.php: %d %v", status, out)
	}
	return out
}

func epayParams(outTradeNo, money, notifyURL string) url.Values {
	return url.Values{"pid": {"1000"}, "type": {"alipay"}, "out_trade_no": {outTradeNo}, "notify_url": {notifyURL},
		"return_url": {"https://shop.example.com/return"}, "name": {"会员"}, "money": {money}}
}

// An order whose notifyUrl is an internal address or a localhost name is
// refused when it is created, saying how to allow it; so is an 易支付
// notify_url. Nothing is dialled.
func TestCallbackInternalURLRefusedAtCreation(t *testing.T) {
	svc := newInternalService(t)
	pg := startPaygate(t, t.TempDir(),
		"PAYGATE_MERCHANT_API_KEY="+testAPIKey,
		"PAYGATE_MERCHANT_CALLBACK_URL=https://shop.example.com/paygate/callback")
	for i, target := range []string{
		fmt.Sprintf("http://127.0.0.1:%d/internal", svc.port),
		fmt.Sprintf("http://localhost:%d/internal", svc.port),
		fmt.Sprintf("http://localhost.:%d/internal", svc.port),
		fmt.Sprintf("http://[::1]:%d/internal", svc.port),
		fmt.Sprintf("http://[::ffff:127.0.0.1]:%d/internal", svc.port),
		fmt.Sprintf("http://0.0.0.0:%d/internal", svc.port),
		"http://169.254.169.254/latest/meta-data/iam/security-credentials/",
		"http://10.0.0.1/admin",
		"http://192.168.1.1/",
		"http://100.100.100.200/latest/meta-data/", // Alibaba Cloud's metadata service (CGNAT range)
	} {
		body := fmt.Sprintf(`{"productName":"x","amount":%d.01,"paymentMethod":"alipay","notifyUrl":%q}`, i+1, target)
		status, out := pg.call("POST", "/api/orders", body, bearer)
		msg, _ := out["error"].(string)
		if status != 400 || out["field"] != "notifyUrl" || !strings.Contains(msg, "callback.allow_hosts") {
			t.Errorf("notifyUrl %s: %d %v, want 400 naming notifyUrl and callback.allow_hosts", target, status, out)
		}
	}
	out := epayCall(t, pg, epayParams("SSRF1", "1.00", fmt.Sprintf("http://127.0.0.1:%d/internal", svc.port)))
	if out["code"] != -1.0 || !strings.Contains(fmt.Sprint(out["msg"]), "callback.allow_hosts") {
		t.Errorf("易支付 notify_url at 127.0.0.1: %v, want code -1 naming callback.allow_hosts", out)
	}
	// English too, for the API's other readers.
	status, outEn := pg.call("POST", "/api/orders", fmt.Sprintf(`{"productName":"x","amount":20,"paymentMethod":"alipay","notifyUrl":"http://127.0.0.1:%d/x"}`, svc.port),
		map[string]string{"Authorization": "Bearer " + testAPIKey, "Accept-Language": "en"})
	if status != 400 || !strings.Contains(fmt.Sprint(outEn), "loopback") {
		t.Errorf("English answer: %d %v", status, outEn)
	}
	if n := svc.hits.Load(); n != 0 {
		t.Fatalf("the internal service was called %d times", n)
	}
}

// A callback URL that passed the check at creation but points inside when it
// is dialled — the owner moved the callback URL to another host since, or a
// host name resolves to loopback — is never dialled: the attempt says it was
// blocked, and the internal answer appears in no API or console page.
func TestCallbackInternalAddressBlockedWhenDialled(t *testing.T) {
	svc := newInternalService(t)
	pg := startPaygate(t, t.TempDir(),
		"PAYGATE_MERCHANT_API_KEY="+testAPIKey,
		fmt.Sprintf("PAYGATE_MERCHANT_CALLBACK_URL=http://127.0.0.1:%d/callback", svc.port),
		"PAYGATE_CALLBACK_RETRY_SCHEDULE=0s 1h")
	internal := fmt.Sprintf("http://127.0.0.1:%d/internal", svc.port)
	// Allowed now: the configured callback URL is on 127.0.0.1.
	rest := pg.createOrder(fmt.Sprintf(`{"productName":"x","amount":1.11,"paymentMethod":"alipay","notifyUrl":%q}`, internal))
	epayOrder := epayCall(t, pg, epayParams("SSRF2", "2.22", internal))
	if epayOrder["code"] != 1.0 {
		t.Fatalf("易支付 order on the callback URL's host: %v", epayOrder)
	}
	orders := []string{rest["orderId"].(string), epayOrder["trade_no"].(string)}
	amounts := []string{"1.11", fmt.Sprint(epayOrder["realmoney"])}
	// A host name that resolves to loopback passes the check at creation.
	if host, err := os.Hostname(); err == nil && resolvesOnlyToLoopback(host) {
		o := pg.createOrder(fmt.Sprintf(`{"productName":"x","amount":3.33,"paymentMethod":"alipay","notifyUrl":"http://%s:%d/internal"}`, host, svc.port))
		orders, amounts = append(orders, o["orderId"].(string)), append(amounts, "3.33")
	} else {
		t.Logf("this machine's name %q does not resolve to loopback only: the name case is covered by the unit tests", host)
	}

	// The owner moves the callback URL to the shop's public host.
	if status, out := pg.call("POST", "/api/config", `{"callbackUrl":"https://shop.example.com/paygate/callback"}`, bearer); status != 200 {
		t.Fatalf("config: %d %v", status, out)
	}
	var payments []string
	for _, amount := range amounts {
		hook := pg.webhook("收到转账" + amount + "元(支付宝)")
		payments = append(payments, hook["paymentId"].(string))
	}
	for i, pid := range payments {
		deadline := time.Now().Add(10 * time.Second)
		for {
			_, detail := pg.call("GET", "/api/payments/"+pid, "", bearer)
			attempts, _ := detail["callbackAttempts"].([]any)
			if len(attempts) > 0 {
				a := attempts[0].(map[string]any)
				if !strings.HasPrefix(fmt.Sprint(a["error"]), "blocked: ") || a["bodyExcerpt"] != "" || a["httpStatus"] != 0.0 {
					t.Errorf("order %s: attempt %v, want blocked with no answer", orders[i], a)
				}
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("order %s: no callback attempt", orders[i])
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	if n := svc.hits.Load(); n != 0 {
		t.Fatalf("the internal service was called %d times", n)
	}

	// The secret is nowhere: API answers and console pages.
	pages := []string{}
	for _, pid := range payments {
		pages = append(pages, getText(t, http.DefaultClient, pg.URL+"/api/payments/"+pid, bearer))
	}
	for _, id := range orders {
		pages = append(pages, getText(t, http.DefaultClient, pg.URL+"/api/orders/"+id, bearer))
	}
	pages = append(pages, getText(t, http.DefaultClient, pg.URL+"/api/payments?limit=100", bearer))
	o := newOwner(t, pg)
	console := []string{"/admin/callbacks", "/admin/payments?status=all"}
	for _, pid := range payments {
		console = append(console, "/admin/payments/"+pid)
	}
	for _, id := range orders {
		console = append(console, "/admin/orders/"+id)
	}
	for _, path := range console {
		page := getText(t, o.cl, pg.URL+path, nil)
		if strings.HasPrefix(path, "/admin/orders/") && !strings.Contains(page, "已拦截") {
			t.Errorf("%s does not say the callback was blocked", path)
		}
		pages = append(pages, page)
	}
	for i, p := range pages {
		if strings.Contains(p, internalSecret) {
			t.Fatalf("answer %d shows the internal service's secret:\n%s", i, p)
		}
	}
}

func resolvesOnlyToLoopback(host string) bool {
	addrs, err := net.LookupHost(host)
	if err != nil || len(addrs) == 0 {
		return false
	}
	for _, a := range addrs {
		if ip := net.ParseIP(a); ip == nil || !ip.IsLoopback() {
			return false
		}
	}
	return true
}

func getText(t *testing.T, cl *http.Client, u string, header map[string]string) string {
	t.Helper()
	req, _ := http.NewRequest("GET", u, nil)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := cl.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d %s", u, resp.StatusCode, b)
	}
	return string(b)
}

// callback.allow_hosts lets a shop on this machine be called back, for the
// REST notifyUrl and the 易支付 notify_url alike.
func TestCallbackAllowHostsDelivers(t *testing.T) {
	m := newMerchant(t, "", nil)
	shop := newMerchant(t, "", func(int) (int, string) { return 200, "success" })
	pg := startPaygate(t, t.TempDir(),
		"PAYGATE_MERCHANT_API_KEY="+testAPIKey,
		"PAYGATE_MERCHANT_CALLBACK_URL=https://shop.example.com/paygate/callback",
		"PAYGATE_CALLBACK_ALLOW_HOSTS=127.0.0.1")
	pg.createOrder(fmt.Sprintf(`{"productName":"x","amount":4.44,"paymentMethod":"alipay","notifyUrl":%q}`, m.srv.URL+"/cb"))
	out := epayCall(t, pg, epayParams("ALLOW1", "5.55", shop.srv.URL+"/notify"))
	if out["code"] != 1.0 {
		t.Fatalf("易支付 order: %v", out)
	}
	pg.webhook("收到转账4.44元(支付宝)")
	pg.webhook("收到转账" + fmt.Sprint(out["realmoney"]) + "元(支付宝)")
	m.waitCalls(t, 1, 5*time.Second)
	shop.waitCalls(t, 1, 5*time.Second)
}

// slowShop is a shop's server that takes 30 s to answer; it counts the
// callbacks in flight.
type slowShop struct {
	url               string
	inFlight, maxSeen atomic.Int32
}

func newSlowShop(t *testing.T, ip string, release <-chan struct{}) *slowShop {
	t.Helper()
	ln, err := net.Listen("tcp", ip+":0")
	if err != nil {
		t.Skipf("cannot listen on %s here (%v): the test needs loopback addresses beyond 127.0.0.1", ip, err)
	}
	s := &slowShop{}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := s.inFlight.Add(1)
		defer s.inFlight.Add(-1)
		for m := s.maxSeen.Load(); n > m && !s.maxSeen.CompareAndSwap(m, n); m = s.maxSeen.Load() {
		}
		select {
		case <-time.After(30 * time.Second):
		case <-r.Context().Done():
		case <-release:
		}
		io.WriteString(w, "success")
	}))
	srv.Listener = ln
	srv.Start()
	t.Cleanup(srv.Close)
	s.url = srv.URL
	return s
}

// Slow shops hold at most callback.per_host workers each: with one shop
// sitting on 36 callbacks and eleven more shops on one each, an unrelated
// callback still arrives at once.
func TestCallbackSlowHostsDoNotDelayOthers(t *testing.T) {
	release := make(chan struct{})
	busy := newSlowShop(t, "127.0.0.2", release)
	var others []*slowShop
	for i := 3; i <= 13; i++ {
		others = append(others, newSlowShop(t, "127.0.0."+strconv.Itoa(i), release))
	}
	var mu sync.Mutex
	var arrived time.Time
	m := newMerchant(t, "", func(int) (int, string) {
		mu.Lock()
		arrived = time.Now()
		mu.Unlock()
		return 200, `{"success":true}`
	})
	pg := startPaygate(t, t.TempDir(),
		"PAYGATE_MERCHANT_API_KEY="+testAPIKey,
		"PAYGATE_MERCHANT_CALLBACK_URL="+m.srv.URL+"/cb",
		"PAYGATE_CALLBACK_ALLOW_HOSTS=127.0.0.0/8",
		"PAYGATE_SERVER_RATE_LIMIT=0")
	t.Cleanup(func() { close(release) }) // before paygate stops: its attempts end

	n := 0
	pay := func(notifyURL string) {
		n++
		amount := fmt.Sprintf("%d.%02d", 10+n/100, n%100)
		pg.createOrder(fmt.Sprintf(`{"productName":"x","amount":%s,"paymentMethod":"alipay","notifyUrl":%q}`, amount, notifyURL))
		pg.webhook("收到转账" + amount + "元(支付宝)")
	}
	for range 36 {
		pay(busy.url + "/notify")
	}
	for _, s := range others {
		pay(s.url + "/notify")
	}
	// Wait until every slow shop holds its callbacks.
	deadline := time.Now().Add(10 * time.Second)
	for {
		held := busy.inFlight.Load()
		for _, s := range others {
			held += s.inFlight.Load()
		}
		if held >= 2+int32(len(others)) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("slow shops hold %d callbacks, want %d", held, 2+len(others))
		}
		time.Sleep(20 * time.Millisecond)
	}

	order := pg.createOrder(`{"productName":"无关订单","amount":99.99,"paymentMethod":"alipay"}`)
	paid := time.Now()
	if hook := pg.webhook("收到转账99.99元(支付宝)"); hook["orderId"] != order["orderId"] {
		t.Fatalf("webhook: %v", hook)
	}
	m.waitCalls(t, 1, 6*time.Second)
	mu.Lock()
	late := arrived.Sub(paid)
	mu.Unlock()
	if late > time.Second {
		t.Errorf("the unrelated callback arrived %s after the payment, want under 1s", late)
	}
	if got := busy.maxSeen.Load(); got > 2 {
		t.Errorf("%d callbacks in flight at once to one slow shop, want at most 2 (callback.per_host)", got)
	}
}
