package e2e

// 彩虹易支付 V2 (RSA) and api.php, driven as the clients that speak them do,
// from the protocol (彩虹易支付's server code and docs, its official SDK_2.0
// EpayCore, popdo/go-epay), not from paygate's code: the shop's own RSA
// signer and verifier, with keys made here, a notify receiver that checks
// what SDK_2.0's verify() checks, and Go structs typed as go-epay's.

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"html"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// v2Content is 彩虹易支付's getSignContent: every field but sign and
// sign_type, none whose value is empty after trim, sorted by name, k=v
// joined with &, values raw.
func v2Content(fields map[string]string) string {
	var keys []string
	for k, v := range fields {
		if k == "sign" || k == "sign_type" || strings.TrimSpace(v) == "" {
			continue
		}
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + fields[k]
	}
	return strings.Join(parts, "&")
}

// v2Sign is SDK_2.0's rsaPrivateSign: openssl_sign(SHA256), base64.
func v2Sign(fields map[string]string, key *rsa.PrivateKey) string {
	sum := sha256.Sum256([]byte(v2Content(fields)))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:])
	if err != nil {
		panic(err)
	}
	return base64.StdEncoding.EncodeToString(sig)
}

// sdkPublicKey is what SDK_2.0 does with platform_public_key: wrap the
// bare base64 it is given in a PEM header at 64 columns, then read it.
func sdkPublicKey(t *testing.T, bare string) *rsa.PublicKey {
	t.Helper()
	var wrapped strings.Builder
	for s := bare; len(s) > 0; {
		n := min(64, len(s))
		wrapped.WriteString(s[:n] + "\n")
		s = s[n:]
	}
	block, _ := pem.Decode([]byte("-----BEGIN PUBLIC KEY-----\n" + wrapped.String() + "-----END PUBLIC KEY-----"))
	if block == nil {
		t.Fatalf("the platform public key %q is not one line of base64 (SDK_2.0 cannot wrap it)", bare)
	}
	k, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		t.Fatalf("platform public key: %v", err)
	}
	return k.(*rsa.PublicKey)
}

// sdkVerify is SDK_2.0's verify($arr): the sign over every field received,
// and the timestamp within 300 s.
func sdkVerify(fields map[string]string, pub *rsa.PublicKey) string {
	sig, err := base64.StdEncoding.DecodeString(fields["sign"])
	if err != nil {
		return "sign is not base64"
	}
	sum := sha256.Sum256([]byte(v2Content(fields)))
	if rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], sig) != nil {
		return "bad sign over " + v2Content(fields)
	}
	ts, err := strconv.ParseInt(fields["timestamp"], 10, 64)
	if err != nil || time.Now().Unix()-ts > 300 || ts-time.Now().Unix() > 300 {
		return "timestamp " + fields["timestamp"] + " is not within 300 s"
	}
	return ""
}

// v2Shop is a shop with the SDK_2.0 configuration: apiurl, pid, the
// platform public key (pasted from paygate's settings page) and its own
// merchant private key (made here).
type v2Shop struct {
	t        *testing.T
	base     string
	pid      string
	key      *rsa.PrivateKey
	platform *rsa.PublicKey
	notify   *httptest.Server

	mu       sync.Mutex
	notifies []url.Values
	problems []string
	answers  []string // the body answered to the n-th notify; "success" after the list
}

func newV2Shop(t *testing.T, base string) *v2Shop {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	s := &v2Shop{t: t, base: base, pid: "1000", key: key}
	s.notify = httptest.NewServer(http.HandlerFunc(s.handleNotify))
	t.Cleanup(s.notify.Close)
	return s
}

// handleNotify is the shop's notify_url.php: verify($_GET), then trade_status.
func (s *v2Shop) handleNotify(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	fields := map[string]string{}
	for k := range q {
		fields[k] = q.Get(k)
	}
	s.mu.Lock()
	s.notifies = append(s.notifies, q)
	n := len(s.notifies)
	problem := ""
	switch {
	case r.Method != http.MethodGet:
		problem = "notify is a " + r.Method
	case s.platform == nil:
		problem = "no platform key configured"
	case fields["trade_status"] != "TRADE_SUCCESS":
		problem = "trade_status " + fields["trade_status"]
	default:
		problem = sdkVerify(fields, s.platform)
	}
	answer := "success"
	if n <= len(s.answers) {
		answer = s.answers[n-1]
	}
	if problem != "" {
		s.problems = append(s.problems, problem)
		answer = "fail"
	}
	s.mu.Unlock()
	io.WriteString(w, answer)
}

func (s *v2Shop) received() ([]url.Values, []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]url.Values(nil), s.notifies...), append([]string(nil), s.problems...)
}

// signed is a request as SDK_2.0 builds it: the fields, timestamp (now
// unless given), sign, sign_type=RSA.
func (s *v2Shop) signed(fields map[string]string) url.Values {
	p := map[string]string{"pid": s.pid, "timestamp": strconv.FormatInt(time.Now().Unix(), 10)}
	for k, v := range fields {
		p[k] = v
	}
	p["sign"] = v2Sign(p, s.key)
	p["sign_type"] = "RSA"
	out := url.Values{}
	for k, v := range p {
		out.Set(k, v)
	}
	return out
}

func (s *v2Shop) order(outTradeNo, money string, extra map[string]string) map[string]string {
	f := map[string]string{"type": "alipay", "out_trade_no": outTradeNo, "notify_url": s.notify.URL + "/notify_url.php",
		"return_url": "https://shop.example.com/return_url.php", "name": "VIP会员", "money": money, "clientip": "192.168.1.100",
		"method": "web", "device": "pc"}
	for k, v := range extra {
		f[k] = v
	}
	return f
}

// post is SDK_2.0's execute(): a form POST to apiurl + api/pay/<func>, the
// JSON answer decoded with numbers kept as their text.
func (s *v2Shop) post(path string, form url.Values) (int, map[string]any) {
	s.t.Helper()
	resp, err := http.PostForm(s.base+path, form)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var out map[string]any
	if err := dec.Decode(&out); err != nil {
		s.t.Fatalf("%s: not JSON (%d): %s", path, resp.StatusCode, raw)
	}
	return resp.StatusCode, out
}

// verified checks a code-0 answer as SDK_2.0 does (code == 0, then
// verify over every field) and that its types are the ones Go clients
// (popdo/go-epay) unmarshal into: code and status numbers, the rest strings.
func (s *v2Shop) verified(what string, out map[string]any) map[string]string {
	s.t.Helper()
	fields := map[string]string{}
	for k, v := range out {
		switch v := v.(type) {
		case string:
			fields[k] = v
		case json.Number:
			if k != "code" && k != "status" && k != "pid" {
				s.t.Fatalf("%s: %s is a JSON number (%s); only code, status and pid are: %v", what, k, v, out)
			}
			fields[k] = v.String()
		default:
			s.t.Fatalf("%s: %s is %T: a signed answer holds only strings and integers: %v", what, k, v, out)
		}
	}
	if c, ok := out["code"].(json.Number); !ok || c.String() != "0" {
		s.t.Fatalf("%s: code %v, want the JSON number 0: %v", what, out["code"], out)
	}
	if problem := sdkVerify(fields, s.platform); problem != "" || fields["sign_type"] != "RSA" {
		s.t.Fatalf("%s: %s (sign_type %q): %v", what, problem, fields["sign_type"], out)
	}
	return fields
}

func wantV2Error(t *testing.T, what string, status int, out map[string]any, code string, msgHas ...string) {
	t.Helper()
	if status != 200 {
		t.Fatalf("%s: HTTP %d, want 200 as 彩虹易支付 answers every call: %v", what, status, out)
	}
	c, ok := out["code"].(json.Number)
	if !ok || c.String() != code {
		t.Fatalf("%s: code %v, want %s: %v", what, out["code"], code, out)
	}
	if _, signed := out["sign"]; signed {
		t.Fatalf("%s: an error is signed: %v", what, out)
	}
	msg, _ := out["msg"].(string)
	for _, s := range msgHas {
		if !strings.Contains(msg, s) {
			t.Fatalf("%s: msg %q does not say %q", what, msg, s)
		}
	}
}

var platformKeyOnPage = regexp.MustCompile(`<code id="epay-platform-public-key">([^<]+)</code>`)

func TestEpayV2ClientAgainstBinary(t *testing.T) {
	pg := startPaygate(t, t.TempDir(), "PAYGATE_MERCHANT_API_KEY="+testAPIKey,
		"PAYGATE_CALLBACK_ALLOW_HOSTS=127.0.0.1", "PAYGATE_CALLBACK_RETRY_SCHEDULE=0s 1s 1s 1s 1s")
	shop := newV2Shop(t, pg.URL+"/")
	shop.answers = []string{"fail"} // the first notify is refused: the retry must be signed afresh
	create := func(f map[string]string) (int, map[string]any) { return shop.post("api/pay/create", shop.signed(f)) }

	// Before the merchant public key is entered, an RSA request is refused, saying where to enter it.
	status, out := create(shop.order("V2-0", "1.00", nil))
	wantV2Error(t, "create without a merchant public key", status, out, "-3", "RSA签名校验失败", "商户公钥")

	// The owner: the platform public key from 设置, one line, into the shop;
	// the shop's public key (PEM, as openssl writes it) into 设置.
	o := newOwner(t, pg)
	_, page := consoleCall(o, "GET", "/admin/settings", nil)
	m := platformKeyOnPage.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("the settings page shows no platform public key:\n%.3000s", page)
	}
	shop.platform = sdkPublicKey(t, html.UnescapeString(m[1]))
	spki, _ := x509.MarshalPKIXPublicKey(&shop.key.PublicKey)
	pubPEM := string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: spki}))
	if st, body := consoleCall(o, "POST", "/admin/settings/epay-v2/merchant-key", url.Values{"epayPublicKey": {pubPEM}}); st != 200 || !strings.Contains(body, "商户公钥已保存") {
		t.Fatalf("saving the merchant public key: %d %.1500s", st, body)
	}
	small, _ := rsa.GenerateKey(rand.Reader, 1024)
	smallDER, _ := x509.MarshalPKIXPublicKey(&small.PublicKey)
	if st, body := consoleCall(o, "POST", "/admin/settings/epay-v2/merchant-key", url.Values{"epayPublicKey": {base64.StdEncoding.EncodeToString(smallDER)}}); st == 200 || !strings.Contains(body, "1024") {
		t.Fatalf("a 1024-bit key was accepted: %d %.1500s", st, body)
	}

	// create: code 0, pay_type jump, pay_info the checkout page; signed.
	status, out = create(shop.order("V2-1", "1.00", map[string]string{"param": "a b+c&d=e"}))
	if status != 200 {
		t.Fatalf("create: %d %v", status, out)
	}
	created := shop.verified("create", out)
	tradeNo := created["trade_no"]
	if created["pay_type"] != "jump" || created["pay_info"] != pg.URL+"/pay/"+tradeNo || tradeNo == "" {
		t.Fatalf("create: %v", created)
	}
	// popdo/go-epay's ApiCreateOrderRes: Code int, the rest strings.
	var goepayCreate struct {
		Code      int    `json:"code"`
		PayType   string `json:"pay_type"`
		PayInfo   string `json:"pay_info"`
		Timestamp string `json:"timestamp"`
		Sign      string `json:"sign"`
		SignType  string `json:"sign_type"`
	}
	raw, _ := json.Marshal(out)
	if err := json.Unmarshal(raw, &goepayCreate); err != nil || goepayCreate.Code != 0 || goepayCreate.PayType != "jump" {
		t.Fatalf("go-epay's create answer type: %v %+v", err, goepayCreate)
	}

	// A repeat gives the same order; the clock, the sign and the method are checked.
	_, again := create(shop.order("V2-1", "1.00", map[string]string{"param": "a b+c&d=e"}))
	if shop.verified("repeat", again)["trade_no"] != tradeNo {
		t.Fatalf("repeat: %v", again)
	}
	late := shop.order("V2-2", "2.00", map[string]string{"timestamp": strconv.FormatInt(time.Now().Unix()-301, 10)})
	status, out = create(late)
	wantV2Error(t, "a timestamp 301 s old", status, out, "-3", "时间戳字段不正确，请检查服务器时间", "相差 30")
	tampered := shop.signed(shop.order("V2-2", "2.00", nil))
	tampered.Set("money", "0.01")
	status, out = shop.post("api/pay/create", tampered)
	wantV2Error(t, "money changed after signing", status, out, "-3", "RSA签名校验失败")
	status, out = create(shop.order("V2-2", "2.00", map[string]string{"method": "jsapi"}))
	wantV2Error(t, "method jsapi", status, out, "-1", "jump")
	status, out = shop.post("api/pay/create", url.Values{})
	wantV2Error(t, "no parameters", status, out, "-4", "未传入任何参数")
	resp, err := http.Get(pg.URL + "/api/pay/create?" + shop.signed(shop.order("V2-2", "2.00", nil)).Encode())
	if err != nil {
		t.Fatal(err)
	}
	var viaGet map[string]any
	json.NewDecoder(resp.Body).Decode(&viaGet)
	resp.Body.Close()
	if viaGet["code"] != -4.0 {
		t.Fatalf("create with the parameters in the query (彩虹易支付 reads only the POST body): %v", viaGet)
	}
	status, out = shop.post("api/pay/nosuch", shop.signed(nil))
	wantV2Error(t, "an unknown method", status, out, "-5", "接口方法不存在")
	status, out = shop.post("api/pay/refund", shop.signed(map[string]string{"trade_no": tradeNo, "money": "1.00"}))
	wantV2Error(t, "refund", status, out, "-1", "不支持自动退款")
	status, out = shop.post("api/pay/close", shop.signed(map[string]string{"trade_no": tradeNo}))
	wantV2Error(t, "close", status, out, "-1", "不支持")

	// query: unpaid, status the number 0.
	_, out = shop.post("api/pay/query", shop.signed(map[string]string{"out_trade_no": "V2-1"}))
	q := shop.verified("query unpaid", out)
	if q["status"] != "0" || q["trade_no"] != tradeNo || q["money"] != "1.00" || q["pid"] != "1000" || q["param"] != "a b+c&d=e" {
		t.Fatalf("query unpaid: %v", out)
	}
	if _, has := out["endtime"]; has {
		t.Fatalf("an unpaid order has an endtime: %v", out)
	}
	status, out = shop.post("api/pay/query", shop.signed(map[string]string{"out_trade_no": "NOPE"}))
	wantV2Error(t, "query an unknown order", status, out, "-1", "订单号不存在")

	// submit: the browser form, as SDK_2.0's pagePay builds it → the checkout page.
	sub := shop.signed(shop.order("V2-3", "3.00", nil))
	resp, err = noRedirects.Get(pg.URL + "/api/pay/submit?" + sub.Encode())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusFound || !strings.Contains(loc, "/pay/ORD") {
		t.Fatalf("submit: %d %q", resp.StatusCode, loc)
	}
	sub.Set("money", "0.03")
	resp, err = noRedirects.Get(pg.URL + "/api/pay/submit?" + sub.Encode())
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode == http.StatusFound || !strings.Contains(string(body), "RSA签名校验失败") {
		t.Fatalf("submit with a bad sign: %d %.500s", resp.StatusCode, body)
	}

	// The payer pays; the notify is a GET signed with the platform key, signed
	// again (fresh timestamp) for the retry after the shop's "fail".
	if hook := pg.webhook("收到转账1.00元(支付宝)"); hook["orderId"] != tradeNo {
		t.Fatalf("webhook: %v", hook)
	}
	deadline := time.Now().Add(15 * time.Second)
	var got []url.Values
	var problems []string
	for time.Now().Before(deadline) {
		if got, problems = shop.received(); len(got) >= 2 {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(1500 * time.Millisecond) // an acknowledged notify is not sent again
	if got, problems = shop.received(); len(got) != 2 || len(problems) != 0 {
		t.Fatalf("notifies: %d %v, problems %v", len(got), got, problems)
	}
	if got[0].Get("timestamp") == got[1].Get("timestamp") || got[0].Get("sign") == got[1].Get("sign") {
		t.Fatalf("the retry carries the first attempt's timestamp and sign: %v", got)
	}
	n := got[1]
	for k, want := range map[string]string{"pid": "1000", "trade_no": tradeNo, "out_trade_no": "V2-1", "type": "alipay", "name": "VIP会员",
		"money": "1.00", "trade_status": "TRADE_SUCCESS", "param": "a b+c&d=e", "sign_type": "RSA"} {
		if n.Get(k) != want {
			t.Errorf("notify %s = %q, want %q", k, n.Get(k), want)
		}
	}

	// query: paid, verified; the shapes popdo/go-epay's ApiOrderQueryRes reads.
	_, out = shop.post("api/pay/query", shop.signed(map[string]string{"trade_no": tradeNo}))
	q = shop.verified("query paid", out)
	if q["status"] != "1" || q["endtime"] == "" || q["api_trade_no"] == "" || q["out_trade_no"] != "V2-1" {
		t.Fatalf("query paid: %v", out)
	}
	var goepayQuery struct {
		Code       int
		Status     int
		Money      string
		AddTime    string `json:"addtime"`
		EndTime    string `json:"endtime"`
		Name       string
		Param      string
		ApiTradeNo string `json:"api_trade_no"`
		ClientIP   string `json:"clientip"`
		Timestamp  string
	}
	raw, _ = json.Marshal(out)
	if err := json.Unmarshal(raw, &goepayQuery); err != nil || goepayQuery.Status != 1 || goepayQuery.Money != "1.00" {
		t.Fatalf("go-epay's query answer type: %v %+v", err, goepayQuery)
	}

	// The return: the same parameters, signed when the payer is sent back.
	resp, err = noRedirects.Get(pg.URL + "/pay/" + tradeNo + "/return")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	ret, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || resp.StatusCode != http.StatusSeeOther || ret.Host != "shop.example.com" || ret.Path != "/return_url.php" {
		t.Fatalf("return: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	rf := map[string]string{}
	for k := range ret.Query() {
		rf[k] = ret.Query().Get(k)
	}
	if problem := sdkVerify(rf, shop.platform); problem != "" || rf["trade_no"] != tradeNo || rf["trade_status"] != "TRADE_SUCCESS" {
		t.Fatalf("return parameters: %s %v", problem, rf)
	}

	// api.php knows the V2 order too.
	shopV1 := newEpayClient(t, pg.URL, "1000", testAPIKey, func(int) (int, string) { return 200, "success" })
	st := shopV1.api(url.Values{"act": {"order"}, "pid": {"1000"}, "key": {testAPIKey}, "out_trade_no": {"V2-1"}})
	if st["status"] != 1.0 || st["trade_no"] != tradeNo {
		t.Fatalf("api.php for the V2 order: %v", st)
	}

	// A new platform key: the old one no longer verifies what paygate signs.
	if st, _ := consoleCall(o, "POST", "/admin/settings/epay-v2/platform-key/rotate", url.Values{}); st != 200 {
		t.Fatalf("rotate platform key: %d", st)
	}
	_, out = shop.post("api/pay/query", shop.signed(map[string]string{"trade_no": tradeNo}))
	fields := map[string]string{}
	for k, v := range out {
		fields[k] = strings.Trim(strings.TrimSpace(jsonText(v)), `"`)
	}
	if sdkVerify(fields, shop.platform) == "" {
		t.Fatal("an answer after the platform key was replaced verifies with the old key")
	}
}

func jsonText(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// api.php as the clients that call it read it: popdo/go-epay's
// V1QueryOrder (code and status JSON numbers), SDK 1.0's queryOrder
// (status == 1), and act=query's counts as 彩虹易支付 makes them.
func TestEpayAPIPHPAsClientsReadIt(t *testing.T) {
	pg := startPaygate(t, t.TempDir(), "PAYGATE_MERCHANT_API_KEY="+testAPIKey, "PAYGATE_CALLBACK_ALLOW_HOSTS=127.0.0.1")
	shop := newEpayClient(t, pg.URL, "1000", testAPIKey, func(int) (int, string) { return 200, "success" })
	paid := shop.mapi(shop.params("API-1", "alipay", "10", "商品", nil))
	wantCode(t, "mapi.php", paid, 1)
	unpaid := shop.mapi(shop.params("API-2", "wxpay", "20.00", "商品", nil))
	wantCode(t, "mapi.php", unpaid, 1)
	shop.mapi(shop.params("API-3", "alipay", "30.00", "商品", map[string]string{"param": "p"}))
	pg.webhook("收到转账10.00元(支付宝)")

	get := func(q url.Values) (map[string]json.RawMessage, []byte) {
		t.Helper()
		resp, err := http.Get(pg.URL + "/api.php?" + q.Encode())
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		var out map[string]json.RawMessage
		if resp.StatusCode != 200 || json.Unmarshal(raw, &out) != nil {
			t.Fatalf("api.php %v: %d %s", q, resp.StatusCode, raw)
		}
		return out, raw
	}
	order := func(outTradeNo string) url.Values {
		return url.Values{"act": {"order"}, "pid": {"1000"}, "key": {testAPIKey}, "out_trade_no": {outTradeNo}}
	}

	// popdo/go-epay's ApiOrderQueryRes.
	type apiOrderQueryRes struct {
		Code       int    `json:"code"`
		Msg        string `json:"msg"`
		TradeNo    string `json:"trade_no"`
		OutTradeNo string `json:"out_trade_no"`
		ApiTradeNo string `json:"api_trade_no"`
		Type       string `json:"type"`
		AddTime    string `json:"addtime"`
		EndTime    string `json:"endtime"`
		Name       string `json:"name"`
		Money      string `json:"money"`
		Status     int    `json:"status"`
		Param      string `json:"param"`
		Buyer      string `json:"buyer"`
	}
	out, raw := get(order("API-1"))
	var res apiOrderQueryRes
	if err := json.Unmarshal(raw, &res); err != nil || res.Code != 1 || res.Status != 1 || res.Money != "10" || res.EndTime == "" || res.ApiTradeNo == "" {
		t.Fatalf("go-epay V1QueryOrder, paid: %v %+v %s", err, res, raw)
	}
	for _, k := range []string{"pid", "code", "status"} {
		if _, err := strconv.Atoi(string(out[k])); err != nil {
			t.Errorf("%s is %s, want a JSON number", k, out[k])
		}
	}
	for k, want := range map[string]string{"payurl": "null", "bill_trade_no": "null", "buyer": "null", "param": "null"} {
		if string(out[k]) != want {
			t.Errorf("paid order: %s = %s, want %s", k, out[k], want)
		}
	}
	out, raw = get(order("API-2"))
	res = apiOrderQueryRes{}
	if err := json.Unmarshal(raw, &res); err != nil || res.Status != 0 || res.EndTime != "" {
		t.Fatalf("go-epay V1QueryOrder, unpaid: %v %+v", err, res)
	}
	if string(out["endtime"]) != "null" || string(out["api_trade_no"]) != "null" || string(out["payurl"]) != strconv.Quote(unpaid["payurl"].(string)) {
		t.Fatalf("unpaid order: endtime %s api_trade_no %s payurl %s (mapi.php said %v)", out["endtime"], out["api_trade_no"], out["payurl"], unpaid["payurl"])
	}
	if out, _ := get(order("API-3")); string(out["param"]) != `"p"` {
		t.Fatalf("param: %s", out["param"])
	}

	// act=query: orders counts every order; orders_today the ones paid today; money what they brought in.
	info, _ := get(url.Values{"act": {"query"}, "pid": {"1000"}, "key": {testAPIKey}})
	for k, want := range map[string]string{"code": "1", "pid": "1000", "active": "1", "orders": "3", "orders_today": "1",
		"orders_lastday": "0", "order_today": "1", "order_lastday": "0", "money": `"10.00"`} {
		if string(info[k]) != want {
			t.Errorf("act=query %s = %s, want %s", k, info[k], want)
		}
	}

	// act=refund is refused, in the protocol's shape; an unknown act is 彩虹易支付's -5 "No Act!".
	refund, _ := get(url.Values{"act": {"refund"}, "pid": {"1000"}, "key": {testAPIKey}, "out_trade_no": {"API-1"}, "money": {"10"}})
	if string(refund["code"]) != "-1" || !strings.Contains(string(refund["msg"]), "不支持自动退款") {
		t.Fatalf("act=refund: %s %s", refund["code"], refund["msg"])
	}
	noAct, _ := get(url.Values{"act": {"settle"}, "pid": {"1000"}, "key": {testAPIKey}})
	if string(noAct["code"]) != "-5" || !strings.Contains(string(noAct["msg"]), "No Act!") {
		t.Fatalf("unknown act: %s %s", noAct["code"], noAct["msg"])
	}
}

// xboardSign is V2Board's and Xboard's app/Payments/EPay.php: ksort, then
// md5(stripslashes(urldecode(http_build_query($params))) . key) over every
// parameter but sign and sign_type — empty ones not skipped, so a notify
// with an empty parameter would fail it.
func xboardSign(params url.Values, key string) string {
	var keys []string
	for k := range params {
		if k != "sign" && k != "sign_type" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + strings.ReplaceAll(params.Get(k), `\`, "")
	}
	return md5hex(strings.Join(parts, "&") + key)
}

// Xboard with its optional TYPE filled in: the GET to submit.php it sends
// the payer's browser to, money as PHP writes total_amount/100, and its
// notify check, which answers "success" only when it passes.
func TestXboardEpayClient(t *testing.T) {
	pg := startPaygate(t, t.TempDir(), "PAYGATE_MERCHANT_API_KEY="+testAPIKey, "PAYGATE_CALLBACK_ALLOW_HOSTS=127.0.0.1")
	var mu sync.Mutex
	var verdicts []string
	shop := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		ok := q.Get("sign") == xboardSign(q, testAPIKey) && q.Get("out_trade_no") == "2026112610000001" && q.Get("money") == "10"
		mu.Lock()
		verdicts = append(verdicts, strconv.FormatBool(ok)+" "+r.URL.RawQuery)
		mu.Unlock()
		if !ok {
			io.WriteString(w, "fail")
			return
		}
		io.WriteString(w, "success")
	}))
	defer shop.Close()

	params := url.Values{"money": {"10"}, "name": {"2026112610000001"}, "notify_url": {shop.URL + "/api/v1/guest/payment/notify/EPay/abc"},
		"return_url": {"https://xboard.example.com/#/order/2026112610000001"}, "out_trade_no": {"2026112610000001"}, "pid": {"1000"}, "type": {"alipay"}}
	params.Set("sign", xboardSign(params, testAPIKey))
	params.Set("sign_type", "MD5")
	resp, err := noRedirects.Get(pg.URL + "/submit.php?" + params.Encode())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusFound || !strings.Contains(loc, "/pay/ORD") {
		t.Fatalf("submit.php: %d %q", resp.StatusCode, loc)
	}
	pg.webhook("收到转账10.00元(支付宝)")
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		mu.Lock()
		n := len(verdicts)
		mu.Unlock()
		if n > 0 {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(verdicts) != 1 || !strings.HasPrefix(verdicts[0], "true ") {
		t.Fatalf("Xboard's notify check: %v", verdicts)
	}
}

// compatibilityHeading starts README's compatibility page (its text is in
// the report of issue 15; the lead adds it).
const compatibilityHeading = "\n## Compatibility"

// README's compatibility page is kept true: every test it cites exists,
// and every address it names is one paygate answers (not a missing route).
func TestReadmeCompatibilityPageIsTrue(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	i := strings.Index(string(readme), compatibilityHeading)
	if i < 0 {
		t.Skip("README has no " + strings.TrimSpace(compatibilityHeading) + " section yet")
	}
	page := string(readme)[i+1:]
	if j := strings.Index(page, "\n## "); j >= 0 {
		page = page[:j]
	}

	var sources strings.Builder
	err = filepath.WalkDir("..", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "node_modules" || d.Name() == ".git" || d.Name() == "data") {
			return filepath.SkipDir
		}
		if strings.HasSuffix(p, "_test.go") {
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			sources.Write(b)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	tests := regexp.MustCompile("`(Test[A-Za-z0-9_]+)`").FindAllStringSubmatch(page, -1)
	if len(tests) < 5 {
		t.Fatalf("the compatibility page cites %d tests: each client names the test that drives paygate as it does", len(tests))
	}
	for _, m := range tests {
		if !strings.Contains(sources.String(), "func "+m[1]+"(") {
			t.Errorf("the compatibility page cites %s, which no test file defines", m[1])
		}
	}

	pg := startPaygate(t, t.TempDir(), "PAYGATE_MERCHANT_API_KEY="+testAPIKey)
	seen := map[string]bool{}
	for _, m := range regexp.MustCompile("`(?:GET |POST |GET\\|POST )?(/[A-Za-z0-9_./-]*)`").FindAllStringSubmatch(page, -1) {
		path := m[1]
		if seen[path] || path == "/" {
			continue
		}
		seen[path] = true
		resp, err := http.Get(pg.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if strings.Contains(string(body), "没有这个地址") {
			t.Errorf("the compatibility page names %s, which paygate does not serve (%d)", path, resp.StatusCode)
		}
	}
	if len(seen) < 5 {
		t.Fatalf("the compatibility page names only %d addresses", len(seen))
	}
}
