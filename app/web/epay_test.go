package web_test

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"

	"paygate/app/web"
)

// md5Sign is the 易支付 signature, written here from the protocol.
func md5Sign(p url.Values, key string) string {
	var keys []string
	for k := range p {
		if k != "sign" && k != "sign_type" && p.Get(k) != "" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, k+"="+p.Get(k))
	}
	sum := md5.Sum([]byte(strings.Join(parts, "&") + key))
	return hex.EncodeToString(sum[:])
}

func epayForm(fields map[string]string, key string) url.Values {
	p := url.Values{"pid": {"1000"}, "type": {"alipay"}, "notify_url": {"https://shop.example.com/notify"},
		"name": {"商品"}, "money": {"1.00"}}
	for k, v := range fields {
		p.Set(k, v)
	}
	p.Set("sign", md5Sign(p, key))
	p.Set("sign_type", "MD5")
	return p
}

func decodeJSON(t *testing.T, body string) map[string]any {
	t.Helper()
	var out map[string]any
	if err := json.Unmarshal([]byte(body), &out); err != nil {
		t.Fatalf("not JSON: %s", body)
	}
	return out
}

func TestEpayFieldRules(t *testing.T) {
	c := newConsole(t, web.Options{})
	mapi := func(p url.Values) map[string]any {
		t.Helper()
		resp, body := c.do(c.http, "POST", "/mapi.php", p, nil)
		if resp.StatusCode != 200 {
			t.Fatalf("mapi.php: HTTP %d: %s", resp.StatusCode, body)
		}
		return decodeJSON(t, body)
	}
	refused := func(what string, out map[string]any, says ...string) {
		t.Helper()
		msg, _ := out["msg"].(string)
		if out["code"] != -1.0 {
			t.Fatalf("%s: %v, want code -1", what, out)
		}
		for _, s := range says {
			if !strings.Contains(msg, s) {
				t.Fatalf("%s: msg %q does not say %q", what, msg, s)
			}
		}
	}

	// A long name is cut to 127 bytes on a character boundary, as 彩虹易支付 does (here 126: 42 characters of 3 bytes).
	long := strings.Repeat("商品名称很长", 10) // 180 bytes
	out := mapi(epayForm(map[string]string{"out_trade_no": "N1", "name": long}, testKey))
	if out["code"] != 1.0 {
		t.Fatalf("long name: %v", out)
	}
	o, err := c.gw.Order(t.Context(), out["trade_no"].(string))
	if err != nil || len(o.ProductName) != 126 || !strings.HasPrefix(long, o.ProductName) {
		t.Fatalf("product name %q (%v)", o.ProductName, err)
	}
	resp, body := c.do(c.http, "GET", "/api.php?"+url.Values{"act": {"order"}, "pid": {"1000"}, "key": {testKey}, "out_trade_no": {"N1"}}.Encode(), nil, nil)
	if name := decodeJSON(t, body)["name"].(string); resp.StatusCode != 200 || len(name) != 126 || !strings.HasPrefix(long, name) {
		t.Fatalf("stored name %q (%d bytes)", name, len(name))
	}

	// wechat and WXPAY mean WeChat Pay; an uppercase sign is accepted.
	p := epayForm(map[string]string{"out_trade_no": "N2", "type": "WXPAY"}, testKey)
	p.Set("sign", strings.ToUpper(p.Get("sign")))
	if out := mapi(p); out["code"] != 1.0 || out["type"] != "WXPAY" {
		t.Fatalf("WXPAY, uppercase sign: %v", out)
	}
	if out := mapi(epayForm(map[string]string{"out_trade_no": "N3", "type": "wechat"}, testKey)); out["code"] != 1.0 {
		t.Fatalf("wechat: %v", out)
	}

	rsa := epayForm(map[string]string{"out_trade_no": "N4"}, testKey)
	rsa.Set("sign_type", "RSA")
	refused("sign_type RSA without a merchant public key", mapi(rsa), "RSA签名校验失败", "商户公钥")
	refused("control characters", mapi(epayForm(map[string]string{"out_trade_no": "N5", "name": "a\nb"}, testKey)), "name")
	refused("no name", mapi(epayForm(map[string]string{"out_trade_no": "N5", "name": ""}, testKey)), "name")
	if out := mapi(epayForm(map[string]string{"out_trade_no": "N6", "type": ""}, testKey)); out["code"] != 1.0 || out["type"] != "" {
		t.Fatalf("no type (the payer chooses on the checkout page): %v", out)
	}
	refused("money 0", mapi(epayForm(map[string]string{"out_trade_no": "N5", "money": "0"}, testKey)), "money")
	refused("money -1", mapi(epayForm(map[string]string{"out_trade_no": "N5", "money": "-1"}, testKey)), "money")
	refused("money 1e3", mapi(epayForm(map[string]string{"out_trade_no": "N5", "money": "1e3"}, testKey)), "money")
	refused("notify_url ftp", mapi(epayForm(map[string]string{"out_trade_no": "N5", "notify_url": "ftp://x"}, testKey)), "notify_url", "http")
	refused("return_url", mapi(epayForm(map[string]string{"out_trade_no": "N5", "return_url": "javascript:alert(1)"}, testKey)), "return_url")
	refused("out_trade_no", mapi(epayForm(map[string]string{"out_trade_no": strings.Repeat("9", 129)}, testKey)), "out_trade_no")
	refused("no sign", mapi(url.Values{"pid": {"1000"}, "type": {"alipay"}}), "sign")
	refused("no pid", mapi(url.Values{}), "pid", "1000")
	// A changed name, notify_url or param of an existing out_trade_no is refused too, naming the field.
	refused("changed name", mapi(epayForm(map[string]string{"out_trade_no": "N2", "type": "WXPAY", "name": "别的"}, testKey)), "name", "更换订单号")
	// Another type is the payer changing their mind: the pending order switches to it.
	if out := mapi(epayForm(map[string]string{"out_trade_no": "N2", "type": "alipay"}, testKey)); out["code"] != 1.0 || out["type"] != "alipay" {
		t.Fatalf("changed type: %v, want the same order switched to alipay", out)
	}

	// A form that cannot be parsed: code -1, never a 500.
	resp, body = c.do(c.http, "POST", "/mapi.php", nil, map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
	if resp.StatusCode != 200 || decodeJSON(t, body)["code"] != -1.0 {
		t.Fatalf("empty body: %d %s", resp.StatusCode, body)
	}
	req, _ := http.NewRequest("POST", c.srv.URL+"/mapi.php", strings.NewReader("%zz=%"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r2, err := c.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	r2.Body.Close()
	if r2.StatusCode != 200 {
		t.Fatalf("bad form: HTTP %d", r2.StatusCode)
	}

	// multipart/form-data and JSON bodies work as well as forms.
	var mp bytes.Buffer
	w := multipart.NewWriter(&mp)
	for k, v := range epayForm(map[string]string{"out_trade_no": "N6"}, testKey) {
		_ = w.WriteField(k, v[0])
	}
	w.Close()
	req, _ = http.NewRequest("POST", c.srv.URL+"/mapi.php", &mp)
	req.Header.Set("Content-Type", w.FormDataContentType())
	r3, err := c.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var mout map[string]any
	_ = json.NewDecoder(r3.Body).Decode(&mout)
	r3.Body.Close()
	if mout["code"] != 1.0 {
		t.Fatalf("multipart: %v", mout)
	}
	jf := map[string]string{}
	for k, v := range epayForm(map[string]string{"out_trade_no": "N7"}, testKey) {
		jf[k] = v[0]
	}
	jb, _ := json.Marshal(jf)
	req, _ = http.NewRequest("POST", c.srv.URL+"/mapi.php", bytes.NewReader(jb))
	req.Header.Set("Content-Type", "application/json")
	r4, err := c.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var jout map[string]any
	_ = json.NewDecoder(r4.Body).Decode(&jout)
	r4.Body.Close()
	if jout["code"] != 1.0 {
		t.Fatalf("JSON body: %v", jout)
	}

	// The REST API may not use the epay: namespace.
	req, _ = http.NewRequest("POST", c.srv.URL+"/api/orders",
		strings.NewReader(`{"productName":"x","amount":1,"paymentMethod":"alipay","merchantOrderId":"epay:N1"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+testKey)
	r5, err := c.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var rout map[string]any
	_ = json.NewDecoder(r5.Body).Decode(&rout)
	r5.Body.Close()
	if r5.StatusCode != 400 || rout["field"] != "merchantOrderId" || !strings.Contains(rout["error"].(string), "epay:") {
		t.Fatalf("REST epay: merchantOrderId: %d %v", r5.StatusCode, rout)
	}
}

func TestEpayPIDSetting(t *testing.T) {
	c := newConsole(t, web.Options{PublicURL: "https://pay.example.com"})
	cl := c.client()
	c.setup(cl)

	// The settings page shows pid 1000, the key masked, the endpoints on the public URL.
	_, page := c.do(cl, "GET", "/admin/settings", nil, nil)
	for _, want := range []string{`id="epay"`, `value="1000"`, "https://pay.example.com/submit.php", "https://pay.example.com/mapi.php",
		"https://pay.example.com/api.php", "test••••••••••••3456"} {
		if !strings.Contains(page, want) {
			t.Fatalf("settings page lacks %q", want)
		}
	}
	if strings.Count(page, testKey) != 0 {
		t.Fatalf("the settings page shows the API key before Reveal")
	}

	tok := c.csrf(cl, "/admin/settings")
	resp, body := c.do(cl, "POST", "/admin/settings/epay", url.Values{"_csrf": {tok}, "epayPid": {"12a"}}, map[string]string{"HX-Request": "true"})
	if resp.StatusCode != 400 || !strings.Contains(body, "epayPid") {
		t.Fatalf("bad pid: %d %s", resp.StatusCode, body)
	}
	resp, body = c.do(cl, "POST", "/admin/settings/epay", url.Values{"_csrf": {tok}, "epayPid": {"20261126"}}, map[string]string{"HX-Request": "true"})
	if resp.StatusCode != 200 || !strings.Contains(body, `value="20261126"`) || !strings.Contains(body, "商户ID已保存") {
		t.Fatalf("save pid: %d %s", resp.StatusCode, body)
	}

	// The old pid is refused, naming the new one; the new one works.
	p := epayForm(map[string]string{"out_trade_no": "P1"}, testKey)
	_, body = c.do(c.http, "POST", "/mapi.php", p, nil)
	if out := decodeJSON(t, body); out["code"] != -1.0 || !strings.Contains(out["msg"].(string), "20261126") {
		t.Fatalf("old pid: %v", out)
	}
	p = epayForm(map[string]string{"out_trade_no": "P1", "pid": "20261126"}, testKey)
	_, body = c.do(c.http, "POST", "/mapi.php", p, nil)
	if out := decodeJSON(t, body); out["code"] != 1.0 || !strings.HasPrefix(out["payurl"].(string), "https://pay.example.com/pay/ORD") {
		t.Fatalf("new pid: %v", out)
	}

	// /api/config can set it too, with the same rule.
	req, _ := http.NewRequest("POST", c.srv.URL+"/api/config", strings.NewReader(`{"epayPid":"1000"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+testKey)
	r, err := c.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	if r.StatusCode != 200 {
		t.Fatalf("/api/config epayPid: %d", r.StatusCode)
	}
	if st, _ := c.gw.Settings(t.Context()); st.PID() != "1000" {
		t.Fatalf("pid after /api/config: %q", st.PID())
	}
}

func TestDocsPage(t *testing.T) {
	c := newConsole(t, web.Options{})
	cl := c.client()

	// Public, with this instance's address, the pid, snippets, and never the key.
	resp, page := c.do(cl, "GET", "/docs", nil, nil)
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("/docs: %d", resp.StatusCode)
	}
	host := strings.TrimPrefix(c.srv.URL, "http://")
	for _, want := range []string{"接口文档", c.srv.URL + "/api/orders", c.srv.URL + "/webhook?src=smsf", host + "/设备密钥",
		c.srv.URL + "/submit.php", "pid=1000", "YOUR_API_KEY", "paygateVerify", "paygate_verify", "hash_equals",
		"examples/node/verify.js", "slots_exhausted", "TRADE_SUCCESS", `href="/admin/settings#api-key"`} {
		if !strings.Contains(page, want) {
			t.Errorf("/docs lacks %q", want)
		}
	}
	if strings.Contains(page, testKey) {
		t.Fatal("/docs shows the API key")
	}
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") {
		t.Fatalf("/docs CSP: %q", csp)
	}
	if strings.Contains(page, "<script>") {
		t.Fatal("/docs has inline script")
	}

	// The console's language switch works from /docs and comes back to it in English.
	m := csrfInput.FindStringSubmatch(page)
	if m == nil {
		t.Fatal("/docs has no language switch token")
	}
	resp, _ = c.do(cl, "POST", "/admin/lang", url.Values{"_csrf": {m[1]}, "lang": {"en"}, "back": {"/docs"}}, nil)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/docs" {
		t.Fatalf("language switch: %d → %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	_, page = c.do(cl, "GET", "/docs", nil, nil)
	if !strings.Contains(page, "paygate API reference") || !strings.Contains(page, "Error codes") || !strings.Contains(page, `lang="en"`) {
		t.Fatal("/docs is not in English after the switch")
	}
}
