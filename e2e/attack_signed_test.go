package e2e

// Attacks on signed API requests and on the keyless first setup (issue #10,
// points 1 and 5), each against the real binary.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

// send performs req and returns the status, the decoded answer and its raw text.
func send(t *testing.T, req *http.Request) (int, map[string]any, string) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("%s %s: answer is not JSON (%d): %s", req.Method, req.URL, resp.StatusCode, raw)
	}
	return resp.StatusCode, out, string(raw)
}

func newRequest(t *testing.T, method, url, body string, header map[string]string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	return req
}

// wireText reads a JSON object's fields as text, numbers as written.
func wireText(t *testing.T, body []byte) map[string]string {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var obj map[string]any
	if err := dec.Decode(&obj); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for k, v := range obj {
		switch v := v.(type) {
		case string:
			out[k] = v
		case json.Number:
			out[k] = v.String()
		}
	}
	return out
}

// signedJSON is a JSON body of fields plus timestamp, a fresh nonce and the
// signature of method and path as DESIGN (Merchant API) states it.
func signedJSON(method, path string, fields map[string]string, key string) string {
	f := map[string]string{
		"timestamp": time.Now().In(time.FixedZone("CST", 8*3600)).Format("2006-01-02 15:04:05"),
		"nonce":     "n-" + strconv.FormatInt(time.Now().UnixNano(), 36),
	}
	for k, v := range fields {
		f[k] = v
	}
	f["signature"] = signFields(method, path, f, key)
	b, _ := json.Marshal(f)
	return string(b)
}

// TestCallbackBodyIsNotAnAPIRequest: a callback body, which any merchant log
// holds, must not authorise anything at paygate.
func TestCallbackBodyIsNotAnAPIRequest(t *testing.T) {
	m := newMerchant(t, "", nil)
	pg := startPaygate(t, t.TempDir(), "PAYGATE_MERCHANT_API_KEY="+testAPIKey,
		"PAYGATE_MERCHANT_CALLBACK_URL="+m.srv.URL+"/payment-callback")
	_, deviceKey := pg.createDevice("店里的小米")
	pg.createOrder(`{"productName":"a","amount":1.23,"paymentMethod":"alipay"}`)
	paid := pg.webhook("收到转账1.23元(支付宝)")
	victim := pg.createOrder(`{"productName":"victim","amount":4.56,"paymentMethod":"alipay"}`)

	// Each attack gets a callback never used before: the merchant's log holds many.
	fresh := func() []byte {
		n := len(m.calls())
		if status, out := pg.call("POST", "/api/payments/"+paid["paymentId"].(string)+"/resend-callback", "", bearer); status != 200 {
			t.Fatalf("resend: %d %v", status, out)
		}
		return m.waitCalls(t, n+1, 10*time.Second)[n]
	}
	asQuery := func(body []byte) string {
		q := url.Values{}
		for k, v := range wireText(t, body) {
			q.Set(k, v)
		}
		return q.Encode()
	}
	jsonType := map[string]string{"Content-Type": "application/json"}
	attacks := []struct {
		name   string
		req    func(cb []byte) *http.Request
		status int
	}{
		{"GET /api/devices, callback as body", func(cb []byte) *http.Request {
			return newRequest(t, "GET", pg.URL+"/api/devices", string(cb), jsonType)
		}, 401},
		{"GET /api/devices, callback as query", func(cb []byte) *http.Request {
			return newRequest(t, "GET", pg.URL+"/api/devices?"+asQuery(cb), "", nil)
		}, 401},
		{"GET /api/notifications, callback as query", func(cb []byte) *http.Request {
			return newRequest(t, "GET", pg.URL+"/api/notifications?"+asQuery(cb), "", nil)
		}, 401},
		{"POST /api/orders", func(cb []byte) *http.Request {
			return newRequest(t, "POST", pg.URL+"/api/orders", string(cb), jsonType)
		}, 401},
		{"POST /api/devices", func(cb []byte) *http.Request {
			return newRequest(t, "POST", pg.URL+"/api/devices", string(cb), jsonType)
		}, 401},
		// As it is, the body has no notification text: refused before any key is looked at.
		{"POST /webhook", func(cb []byte) *http.Request {
			return newRequest(t, "POST", pg.URL+"/webhook", string(cb), jsonType)
		}, 400},
		{"POST /webhook, with the victim's payment text added", func(cb []byte) *http.Request {
			withText := bytes.Replace(cb, []byte("{"), []byte(`{"message":"收到转账4.56元(支付宝)",`), 1)
			return newRequest(t, "POST", pg.URL+"/webhook", string(withText), jsonType)
		}, 401},
	}
	for _, a := range attacks {
		cb := fresh()
		status, out, raw := send(t, a.req(cb))
		if status != a.status || out["success"] != false {
			t.Errorf("%s with a genuine callback body: %d %s, want %d", a.name, status, raw, a.status)
		}
		if strings.Contains(raw, deviceKey) || strings.Contains(raw, testAPIKey) {
			t.Errorf("%s with a callback body revealed a key: %s", a.name, raw)
		}
	}

	// Nothing paid the victim's order and no second payment appeared.
	if _, st := pg.call("GET", "/api/order-status?orderId="+victim["orderId"].(string), "", nil); st["status"] != "pending" {
		t.Fatalf("victim order: %v", st)
	}
	if _, list := pg.call("GET", "/api/payments", "", bearer); list["total"] != 1.0 {
		t.Fatalf("payments after the attacks: %v", list)
	}
}

// TestSignedRequestCannotBeReplayedAfterRestart: nonces live in SQLite.
func TestSignedRequestCannotBeReplayedAfterRestart(t *testing.T) {
	pg := startPaygate(t, t.TempDir(), "PAYGATE_MERCHANT_API_KEY="+testAPIKey)
	body := signedJSON("POST", "/api/orders", map[string]string{"productName": "签名商品", "amount": "1", "paymentMethod": "alipay"}, testAPIKey)
	if status, out := pg.call("POST", "/api/orders", body, nil); status != 200 || out["success"] != true {
		t.Fatalf("signed order: %d %v", status, out)
	}
	pg.stop()
	pg.start()
	status, out := pg.call("POST", "/api/orders", body, nil)
	if status != 401 || out["field"] != "nonce" {
		t.Fatalf("signed order replayed after a restart: %d %v, want 401 on nonce", status, out)
	}

	// A signature made for another method or path does not carry over, nor
	// one over the guide's string alone (what a callback carries).
	fields := map[string]string{"productName": "x", "amount": "2", "paymentMethod": "alipay"}
	for _, c := range []struct{ method, path string }{{"GET", "/api/orders"}, {"POST", "/api/orders/"}, {"post", "/api/orders"}, {"POST", "/api/config"}} {
		status, out := pg.call("POST", "/api/orders", signedJSON(c.method, c.path, fields, testAPIKey), nil)
		if status != 401 || out["field"] != "signature" {
			t.Errorf("signed for %s %s, sent to POST /api/orders: %d %v", c.method, c.path, status, out)
		}
	}
	guideOnly := map[string]string{"productName": "x", "amount": "2", "paymentMethod": "alipay",
		"timestamp": strconv.FormatInt(time.Now().Unix(), 10), "nonce": "guide-only-1"}
	guideOnly["signature"] = hmacHex(testAPIKey, guideCanonical(guideOnly, testAPIKey))
	b, _ := json.Marshal(guideOnly)
	if status, out := pg.call("POST", "/api/orders", string(b), nil); status != 401 || out["field"] != "signature" {
		t.Errorf("signed over the guide's string alone: %d %v", status, out)
	}
	// PATH is the path without its query; query parameters are signed fields.
	withLang := map[string]string{"lang": "en"}
	for k, v := range fields {
		withLang[k] = v
	}
	signed := wireText(t, []byte(signedJSON("POST", "/api/orders", withLang, testAPIKey)))
	delete(signed, "lang")
	b, _ = json.Marshal(signed)
	status, out = pg.call("POST", "/api/orders?lang=en", string(b), nil)
	if status != 200 || out["success"] != true {
		t.Fatalf("signed order with its query signed: %d %v", status, out)
	}
	status, out = pg.call("POST", "/api/orders?lang=zh", string(b), nil)
	if status != 401 || out["field"] != "signature" {
		t.Fatalf("signed order with its query changed: %d %v", status, out)
	}
}

// TestSignedNonceCannotBeReSplit: the signed string joins k=v with '&'
// unescaped (the guide's algorithm), so a captured signed order re-cut as
// nonce="<nonce>&notifyUrl=<its notifyUrl>" without notifyUrl signs the same
// string with a nonce never seen: it must not create a second order.
func TestSignedNonceCannotBeReSplit(t *testing.T) {
	pg := startPaygate(t, t.TempDir(), "PAYGATE_MERCHANT_API_KEY="+testAPIKey)
	fields := map[string]string{"productName": "签名商品", "amount": "1", "paymentMethod": "alipay",
		"notifyUrl": "https://shop.example.com/paid?from=paygate&v=2"}
	captured := wireText(t, []byte(signedJSON("POST", "/api/orders", fields, testAPIKey)))
	b, _ := json.Marshal(captured)
	if status, out := pg.call("POST", "/api/orders", string(b), nil); status != 200 || out["success"] != true {
		t.Fatalf("the genuine signed order (a notifyUrl with a query): %d %v", status, out)
	}
	resplit := map[string]string{}
	for k, v := range captured {
		resplit[k] = v
	}
	resplit["nonce"] = captured["nonce"] + "&notifyUrl=" + captured["notifyUrl"]
	delete(resplit, "notifyUrl")
	if guideCanonical(resplit, testAPIKey) != guideCanonical(captured, testAPIKey) {
		t.Fatal("the re-cut request does not sign the same string")
	}
	b, _ = json.Marshal(resplit)
	status, out := pg.call("POST", "/api/orders", string(b), nil)
	if msg, _ := out["error"].(string); status/100 != 4 || out["field"] != "nonce" || !strings.Contains(msg, "64") {
		t.Errorf("the re-cut nonce: %d %v, want 4xx on nonce saying what a nonce may hold", status, out)
	}
	// The same with the query string: a nonce with '&' percent-encoded.
	q := url.Values{}
	for k, v := range resplit {
		q.Set(k, v)
	}
	status, out = pg.call("POST", "/api/orders?"+q.Encode(), "", nil)
	if status/100 != 4 || out["field"] != "nonce" {
		t.Errorf("the re-cut nonce in the query: %d %v", status, out)
	}
}

// TestSecretsOnlyForTheBearerKey: lists never show device keys; creating or
// rotating one answers it once, and only to the Bearer key.
func TestSecretsOnlyForTheBearerKey(t *testing.T) {
	pg := startPaygate(t, t.TempDir(), "PAYGATE_MERCHANT_API_KEY="+testAPIKey)
	id, key := pg.createDevice("店里的小米")
	if len(key) < 16 {
		t.Fatalf("creation must show the new key once: %q", key)
	}
	noKeys := func(how string, status int, out map[string]any, raw string) {
		t.Helper()
		list, _ := out["data"].([]any)
		if status != 200 || len(list) != 1 {
			t.Fatalf("%s: %d %s", how, status, raw)
		}
		if _, has := list[0].(map[string]any)["key"]; has || strings.Contains(raw, key) {
			t.Errorf("%s lists the device key: %s", how, raw)
		}
	}
	status, out, raw := send(t, newRequest(t, "GET", pg.URL+"/api/devices", "", bearer))
	noKeys("GET /api/devices with Bearer", status, out, raw)
	q := url.Values{}
	for k, v := range wireText(t, []byte(signedJSON("GET", "/api/devices", nil, testAPIKey))) {
		q.Set(k, v)
	}
	status, out, raw = send(t, newRequest(t, "GET", pg.URL+"/api/devices?"+q.Encode(), "", nil))
	noKeys("GET /api/devices signed", status, out, raw)

	// A key a phone sent as a body field is not listed either.
	pg.call("POST", "/webhook", `{"message":"你好","key":"`+key+`"}`, nil)
	status, out, raw = send(t, newRequest(t, "GET", pg.URL+"/api/notifications", "", bearer))
	if list, _ := out["data"].([]any); status != 200 || len(list) != 1 || strings.Contains(raw, key) {
		t.Errorf("GET /api/notifications lists a device key: %d %s", status, raw)
	}

	// Correctly signed, but these answer a secret: Bearer only.
	rotate := fmt.Sprintf("/api/devices/%d/rotate-key", int(id))
	for _, c := range []struct{ path, body string }{
		{"/api/devices", signedJSON("POST", "/api/devices", map[string]string{"name": "另一台"}, testAPIKey)},
		{rotate, signedJSON("POST", rotate, nil, testAPIKey)},
		{"/api/config", signedJSON("POST", "/api/config", map[string]string{"apiKey": "attacker_key_123456"}, testAPIKey)},
	} {
		status, out, raw := send(t, newRequest(t, "POST", pg.URL+c.path, c.body, map[string]string{"Content-Type": "application/json", "Accept-Language": "en"}))
		msg, _ := out["error"].(string)
		if (status != 401 && status != 403) || !strings.Contains(msg, "Bearer") || strings.Contains(raw, key) {
			t.Errorf("signed POST %s: %d %s, want 401/403 saying to use the Bearer key", c.path, status, raw)
		}
	}
	// Signed changes that show no secret still work.
	if status, out := pg.call("POST", "/api/config", signedJSON("POST", "/api/config", map[string]string{"name": "小店"}, testAPIKey), nil); status != 200 {
		t.Fatalf("signed config without apiKey: %d %v", status, out)
	}
	// The API key is unchanged and the device still has its one key.
	status, out = pg.call("POST", "/api/config", `{"apiKey":"attacker_key_123456"}`, map[string]string{"Authorization": "Bearer attacker_key_123456"})
	if status != 401 {
		t.Fatalf("the signed request changed the API key: %d %v", status, out)
	}
	if _, list := pg.call("GET", "/api/devices", "", bearer); len(list["data"].([]any)) != 1 {
		t.Fatalf("the signed request added a device: %v", list)
	}

	// With the Bearer key, rotation shows the new key once.
	status, out = pg.call("POST", rotate, "", bearer)
	newKey, _ := out["device"].(map[string]any)["key"].(string)
	if status != 200 || len(newKey) < 16 || newKey == key {
		t.Fatalf("rotate with Bearer: %d %v", status, out)
	}
	if status, out := pg.call("POST", "/api/config", `{"apiKey":"new_key_1234567"}`, bearer); status != 200 {
		t.Fatalf("config apiKey with Bearer: %d %v", status, out)
	}
}

// TestFirstKeyOnlyFromThisMachinesCurl: while no API key exists, only a
// same-machine, non-browser JSON request may set one.
func TestFirstKeyOnlyFromThisMachinesCurl(t *testing.T) {
	pg := startPaygate(t, t.TempDir())
	body := `{"apiKey":"evil_key_1234567","callbackUrl":"https://evil.example/cb"}`
	notSet := func(how string) {
		t.Helper()
		status, out := pg.call("POST", "/api/orders", `{"productName":"a","amount":1,"paymentMethod":"alipay"}`,
			map[string]string{"Authorization": "Bearer evil_key_1234567"})
		if status != 401 || !strings.Contains(out["error"].(string), "PAYGATE_MERCHANT_API_KEY") {
			t.Fatalf("after %s the key was set: %d %v", how, status, out)
		}
	}
	jsonType := map[string]string{"Content-Type": "application/json"}
	with := func(extra map[string]string) map[string]string {
		h := map[string]string{"Content-Type": "application/json"}
		for k, v := range extra {
			h[k] = v
		}
		return h
	}
	cases := []struct {
		name   string
		header map[string]string
		host   string
		status int
	}{
		{"Origin of another site", with(map[string]string{"Origin": "http://evil.example"}), "", 403},
		{"Origin null", with(map[string]string{"Origin": "null"}), "", 403},
		{"Sec-Fetch-Site cross-site", with(map[string]string{"Sec-Fetch-Site": "cross-site"}), "", 403},
		{"Sec-Fetch-Site same-site", with(map[string]string{"Sec-Fetch-Site": "same-site"}), "", 403},
		{"text/plain", map[string]string{"Content-Type": "text/plain"}, "", 415},
		{"a form type", map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, "", 415},
		{"no Content-Type", map[string]string{}, "", 415},
		{"X-Forwarded-For (a proxy on this machine)", with(map[string]string{"X-Forwarded-For": "203.0.113.9"}), "", 401},
		{"X-Real-IP", with(map[string]string{"X-Real-IP": "203.0.113.9"}), "", 401},
		{"Forwarded", with(map[string]string{"Forwarded": "for=203.0.113.9"}), "", 401},
		{"Host of another name (DNS rebinding)", jsonType, "evil.example:3000", 401},
	}
	for _, c := range cases {
		req := newRequest(t, "POST", pg.URL+"/api/config?lang=en", body, c.header)
		if c.host != "" {
			req.Host = c.host
		}
		status, out, raw := send(t, req)
		msg, _ := out["error"].(string)
		if status != c.status || msg == "" || strings.ContainsFunc(msg[:1], func(r rune) bool { return r > 0x2E80 }) {
			t.Errorf("first config with %s: %d %s, want %d with an English message", c.name, status, raw, c.status)
		}
		notSet(c.name)
	}
	// The same in Chinese by default.
	status, out := pg.call("POST", "/api/config", body, map[string]string{"Origin": "http://evil.example"})
	if msg, _ := out["error"].(string); status != 403 || !strings.ContainsFunc(msg, func(r rune) bool { return r > 0x2E80 }) {
		t.Errorf("cross-site first config, Chinese: %d %v", status, out)
	}

	// curl on this machine with JSON still sets the first key, as the guide's setup does.
	status, out = pg.call("POST", "/api/config", `{"apiKey":"`+testAPIKey+`"}`, nil)
	if status != 200 || out["success"] != true {
		t.Fatalf("first config with curl from this machine: %d %v", status, out)
	}
	pg.createOrder(`{"productName":"a","amount":1,"paymentMethod":"alipay"}`)
}

// A web page whose name was re-pointed at 127.0.0.1 (DNS rebinding) reaches
// paygate from this machine but under its own Host: the first-run page must
// ask it for the setup token, as it asks any remote visitor.
func TestSetupPageAsksRebindingHostForToken(t *testing.T) {
	pg := startPaygate(t, t.TempDir())
	get := func(host string) string {
		t.Helper()
		req, _ := http.NewRequest("GET", pg.URL+"/admin/setup", nil)
		if host != "" {
			req.Host = host
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	if page := get(""); strings.Contains(page, `name="token"`) {
		t.Fatal("the first-run page asks this machine's own browser for the setup token")
	}
	if page := get("rebind.example:" + strings.Split(pg.URL, ":")[2]); !strings.Contains(page, `name="token"`) {
		t.Fatal("a page under another host name, reaching paygate from 127.0.0.1, was treated as this machine's browser")
	}
}
