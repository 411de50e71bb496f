package e2e

// Forwarders against the real binary: every corpus notification through
// SmsForwarder's JSON template and its default signed form, the V免签 app's
// calls, duplicates, refused keys and bad bodies.

import (
	"bufio"
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

type corpusLine struct {
	ID      string `json:"id"`
	Package string `json:"package"`
	Title   string `json:"title"`
	Text    string `json:"text"`
	Expect  struct {
		Kind          string  `json:"kind"`
		Amount        string  `json:"amount"`
		PaymentMethod string  `json:"paymentMethod"`
		CustomerType  *string `json:"customerType"`
	} `json:"expect"`
}

func readCorpus(t *testing.T) []corpusLine {
	t.Helper()
	f, err := os.Open("../app/parse/testdata/notifications.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var lines []corpusLine
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var l corpusLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatal(err)
		}
		lines = append(lines, l)
	}
	return lines
}

// renderSmsForwarder renders a notification with SmsForwarder's default app
// template: package, text, title, UID, receive time, device name.
func renderSmsForwarder(l corpusLine, at time.Time) string {
	return strings.TrimSpace(l.Package + "\n" + l.Text + "\n" + l.Title + "\nUID：10234\n" +
		at.In(time.FixedZone("CST", 8*3600)).Format("2006-01-02 15:04:05") + "\n店里的小米")
}

func smsForwarderSign(secret string, ts int64) string {
	m := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(m, "%d\n%s", ts, secret)
	// The app URL-encodes the base64 once; the form encoding adds a second layer.
	return url.QueryEscape(base64.StdEncoding.EncodeToString(m.Sum(nil)))
}

// post sends a raw body and decodes the JSON answer.
func (in *instance) post(path, contentType, body string, header map[string]string) (int, map[string]any) {
	in.t.Helper()
	h := map[string]string{"Content-Type": contentType}
	for k, v := range header {
		h[k] = v
	}
	req, _ := http.NewRequest("POST", in.URL+path, strings.NewReader(body))
	for k, v := range h {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		in.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		in.t.Fatalf("POST %s: answer is not JSON (%d)", path, resp.StatusCode)
	}
	return resp.StatusCode, out
}

func (in *instance) createDevice(name string) (id float64, key string) {
	in.t.Helper()
	status, out := in.call("POST", "/api/devices", `{"name":"`+name+`"}`, bearer)
	if status != 200 {
		in.t.Fatalf("create device: %d %v", status, out)
	}
	d := out["device"].(map[string]any)
	return d["id"].(float64), d["key"].(string)
}

func checkAnswer(t *testing.T, how string, l corpusLine, status int, out map[string]any) {
	t.Helper()
	if status != 200 || out["kind"] != l.Expect.Kind {
		t.Errorf("%s %s: %d kind %v, want %s (%v)", l.ID, how, status, out["kind"], l.Expect.Kind, out)
		return
	}
	if l.Expect.Kind != "payment" {
		return
	}
	want, _ := strconv.ParseFloat(l.Expect.Amount, 64)
	if out["amount"] != want || out["paymentMethod"] != l.Expect.PaymentMethod {
		t.Errorf("%s %s: amount %v method %v, want %v %s", l.ID, how, out["amount"], out["paymentMethod"], want, l.Expect.PaymentMethod)
	}
	wantCT := ""
	if l.Expect.CustomerType != nil {
		wantCT = *l.Expect.CustomerType
	}
	if got, _ := out["customerType"].(string); got != wantCT {
		t.Errorf("%s %s: customerType %q, want %q", l.ID, how, got, wantCT)
	}
}

func TestCorpusThroughSmsForwarderFormats(t *testing.T) {
	pg := startPaygate(t, t.TempDir(), "PAYGATE_MERCHANT_API_KEY="+testAPIKey)
	_, deviceKey := pg.createDevice("店里的小米")
	ts := time.Now().UnixMilli()
	for _, l := range readCorpus(t) {
		// 1. A JSON template with the device key in the key header.
		ts++
		body, _ := json.Marshal(map[string]string{
			"from": l.Package, "title": l.Title, "org_content": l.Text,
			"content": renderSmsForwarder(l, time.Now()), "timestamp": strconv.FormatInt(ts, 10),
		})
		status, out := pg.post("/webhook", "application/json; charset=utf-8", string(body), map[string]string{"key": deviceKey})
		checkAnswer(t, "JSON template", l, status, out)

		// 2. The default form: from, rendered content, timestamp, double-encoded sign.
		ts++
		form := url.Values{
			"from":      {l.Package},
			"content":   {renderSmsForwarder(l, time.Now())},
			"timestamp": {strconv.FormatInt(ts, 10)},
			"sign":      {smsForwarderSign(deviceKey, ts)},
		}
		status, out = pg.post("/webhook", "application/x-www-form-urlencoded", form.Encode(), nil)
		checkAnswer(t, "default form", l, status, out)
	}

	// The device is online and its notifications are listed under it.
	_, devices := pg.call("GET", "/api/devices", "", bearer)
	for _, d := range devices["data"].([]any) {
		d := d.(map[string]any)
		if d["name"] == "店里的小米" && (d["online"] != true || d["via"] != "smsforwarder") {
			t.Errorf("device after traffic: %v", d)
		}
	}
}

func TestSmsForwarderTestButtonGets200(t *testing.T) {
	pg := startPaygate(t, t.TempDir(), "PAYGATE_MERCHANT_API_KEY="+testAPIKey)
	ts := time.Now().UnixMilli()
	content := "19999999999\n【测试通道】恭喜您，该发送通道测试成功，请继续添加转发规则！\nSIM1_测试运营商_18888888888\nSubId：0\n" +
		time.Now().Format("2006-01-02 15:04:05")
	form := url.Values{"from": {"19999999999"}, "content": {content}, "timestamp": {strconv.FormatInt(ts, 10)}, "sign": {smsForwarderSign(testAPIKey, ts)}}
	status, out := pg.post("/webhook", "application/x-www-form-urlencoded", form.Encode(), nil)
	if status != 200 || out["kind"] != "ignored" {
		t.Fatalf("test button: %d %v", status, out)
	}
}

func vmqCall(pg *instance, path string, q url.Values) (int, map[string]any) {
	pg.t.Helper()
	resp, err := http.Get(pg.URL + path + "?" + q.Encode())
	if err != nil {
		pg.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

func md5hex(s string) string { h := md5.Sum([]byte(s)); return hex.EncodeToString(h[:]) }

func TestVmqApp(t *testing.T) {
	pg := startPaygate(t, t.TempDir(), "PAYGATE_MERCHANT_API_KEY="+testAPIKey)
	deviceID, key := pg.createDevice("V免签手机")

	// Heartbeat, as the app sends it every 30 s.
	t0 := strconv.FormatInt(time.Now().UnixMilli(), 10)
	status, out := vmqCall(pg, "/appHeart", url.Values{"t": {t0}, "sign": {md5hex(t0 + key)}})
	if status != 200 || out["code"] != 1.0 {
		t.Fatalf("appHeart: %d %v", status, out)
	}

	// A WeChat payment of 10 yuan, price as Java's Double.toString writes it.
	order := pg.createOrder(`{"productName":"十元","amount":10,"paymentMethod":"wechat"}`)
	t1 := strconv.FormatInt(time.Now().UnixMilli(), 10)
	push := url.Values{"t": {t1}, "type": {"1"}, "price": {"10.0"}, "sign": {md5hex("1" + "10.0" + t1 + key)}}
	status, out = vmqCall(pg, "/appPush", push)
	if status != 200 || out["code"] != 1.0 || out["msg"] != "成功" || out["data"] != nil {
		t.Fatalf("appPush: %d %v", status, out)
	}
	if _, st := pg.call("GET", "/api/order-status?orderId="+order["orderId"].(string), "", nil); st["status"] != "success" {
		t.Fatalf("the pushed payment did not pay the order: %v", st)
	}
	// The app repeats a push it thinks failed, with force_push=true: a duplicate, not a second payment.
	push.Set("force_push", "true")
	status, out = vmqCall(pg, "/appPush", push)
	if status != 200 || out["code"] != 1.0 || out["msg"] != "成功" {
		t.Fatalf("repeated appPush: %d %v", status, out)
	}

	// A wrong sign is refused (HTTP 200, code -1, as vmqphp) and records no payment.
	t2 := strconv.FormatInt(time.Now().UnixMilli()+1, 10)
	status, out = vmqCall(pg, "/appPush", url.Values{"t": {t2}, "type": {"2"}, "price": {"5.0"}, "sign": {md5hex("2" + "5.0" + t2 + "wrong")}})
	if status != 200 || out["code"] != -1.0 || !strings.Contains(out["msg"].(string), "签名") {
		t.Fatalf("wrong sign: %d %v", status, out)
	}
	_, list := pg.call("GET", "/api/payments", "", bearer)
	if list["total"] != 1.0 {
		t.Fatalf("payments after wrong sign: %v", list)
	}
	if p := list["data"].([]any)[0].(map[string]any); p["amount"] != 10.0 || p["paymentMethod"] != "wechat" {
		t.Fatalf("payment: %v", p)
	}

	// getState, as merchants call it.
	status, out = vmqCall(pg, "/getState", url.Values{"t": {t2}, "sign": {md5hex(t2 + key)}})
	if st, _ := out["data"].(map[string]any); status != 200 || st["state"] != "1" || st["lastheart"] == "" || st["lastpay"] == "" {
		t.Fatalf("getState: %d %v", status, out)
	}
	// The merchant API key pairs too (a one-phone shop needs one secret).
	status, out = vmqCall(pg, "/appHeart", url.Values{"t": {t2}, "sign": {md5hex(t2 + testAPIKey)}})
	if status != 200 || out["code"] != 1.0 {
		t.Fatalf("appHeart with API key: %d %v", status, out)
	}
	// The refused push is kept for review.
	_, refused := pg.call("GET", "/api/notifications?outcome=refused", "", bearer)
	if refused["total"] != 1.0 {
		t.Fatalf("refused notifications: %v", refused)
	}
	_ = deviceID
}

func TestDuplicatesAndRefusals(t *testing.T) {
	pg := startPaygate(t, t.TempDir(), "PAYGATE_MERCHANT_API_KEY="+testAPIKey)
	body := `{"message":"你已成功收款3.00元","id":"notif-42"}`
	kinds := []any{}
	for i := 0; i < 3; i++ {
		_, out := pg.call("POST", "/webhook", body, map[string]string{"key": testAPIKey})
		kinds = append(kinds, out["kind"])
	}
	if fmt.Sprint(kinds) != "[payment duplicate duplicate]" {
		t.Fatalf("answers: %v", kinds)
	}

	// Wrong or missing key: 401, no payment, raw request kept.
	for _, h := range []map[string]string{{"key": "wrong-key"}, nil} {
		status, out := pg.call("POST", "/webhook", `{"message":"你已成功收款4.00元"}`, h)
		if status != 401 || out["code"] != "unauthorized" {
			t.Fatalf("key %v: %d %v", h, status, out)
		}
	}
	_, list := pg.call("GET", "/api/payments", "", bearer)
	if list["total"] != 1.0 {
		t.Fatalf("payments: %v", list)
	}
	_, refused := pg.call("GET", "/api/notifications?outcome=refused", "", bearer)
	data, _ := refused["data"].([]any)
	if refused["total"] != 2.0 || !strings.Contains(data[0].(map[string]any)["body"].(string), "4.00") {
		t.Fatalf("refused requests not kept: %v", refused)
	}
	if h := data[1].(map[string]any)["headers"].(map[string]any); h["key"] != "***" {
		t.Fatalf("a stored key is shown: %v", h)
	}

	// Bad bodies: 4xx with a message, never 5xx.
	bad := []struct {
		name, contentType, body string
		want                    int
	}{
		{"oversized", "application/json", `{"message":"` + strings.Repeat("收", 30000) + `"}`, 413},
		{"binary junk", "application/octet-stream", "\x00\x01\x02\xff\xfe\xfd", 400},
		{"GBK", "text/plain; charset=gbk", "\xca\xd5\xb5\xbd\xd7\xaa\xd5\xcb1\xd4\xaa", 400},
		{"no fields", "application/json", `{"foo":"bar"}`, 400},
		{"empty", "application/json", ``, 400},
	}
	for _, b := range bad {
		status, out := pg.post("/webhook", b.contentType, b.body, map[string]string{"key": testAPIKey})
		if status != b.want || out["error"] == "" {
			t.Errorf("%s: %d %v, want %d with a message", b.name, status, out, b.want)
		}
	}
}

func TestReparseNeverRecordsTwice(t *testing.T) {
	pg := startPaygate(t, t.TempDir(), "PAYGATE_MERCHANT_API_KEY="+testAPIKey)
	pg.webhook("你已成功收款6.00元")
	pg.webhook("你有一条新消息")
	status, out := pg.call("POST", "/api/notifications/reparse", `{}`, bearer)
	rep, _ := out["report"].(map[string]any)
	if status != 200 || rep["checked"] != 1.0 || rep["payments"] != 0.0 {
		t.Fatalf("reparse: %d %v", status, out)
	}
	_, list := pg.call("GET", "/api/payments", "", bearer)
	if list["total"] != 1.0 {
		t.Fatalf("payments after reparse: %v", list)
	}
}
