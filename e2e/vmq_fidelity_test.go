package e2e

// The V免签 app's calls answered as vmqphp answers them. The expected
// answers are vmqphp's own literals (szvone/vmqphp V1.13 @ d5c8c3f,
// application/index/controller/Index.php: json(getReturn(code, msg, data)),
// ThinkPHP's JSON_UNESCAPED_UNICODE; V1.8's clock check for
// 客户端时间错误), compared field by field; the calls are the ones the
// apps make: szvone/vmqApk v1.8.1 (/appHeart, /appPush, t in ms) and its
// fork hulisang/vmqApk V2.1 (/api/monitor/heart, /api/monitor/push, a push
// re-sent with &force_push=true on any non-2xx).

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// vmqphp's answers, as its code writes them.
const (
	vmqphpOK       = `{"code":1,"msg":"成功","data":null}`
	vmqphpBadSign  = `{"code":-1,"msg":"签名校验不通过","data":null}`
	vmqphpBadClock = `{"code":-1,"msg":"客户端时间错误","data":null}` // V1.8.x
	vmqphpState    = `{"code":1,"msg":"成功","data":{"lastheart":"1547613873","lastpay":"1547394640","jkstate":"1"}}`
	vmqphpNewState = `{"code":1,"msg":"成功","data":{"lastheart":"0","lastpay":"0","jkstate":"-1"}}` // vmq.sql's values
)

// vmqRaw makes one V免签 call as the apps do (GET, parameters in the query)
// and returns the status, the Content-Type and the body as sent.
func vmqRaw(t *testing.T, base, path string, q url.Values) (int, string, []byte) {
	t.Helper()
	resp, err := http.Get(base + path + "?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Content-Type"), body
}

// decodeOrdered reads a JSON object keeping its keys' order and numbers as text.
func decodeOrdered(t *testing.T, raw []byte) ([]string, map[string]any) {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var keys []string
	fields := map[string]any{}
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("not a JSON object: %s", raw)
	}
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			t.Fatalf("%s: %v", raw, err)
		}
		var v any
		if err := dec.Decode(&v); err != nil {
			t.Fatalf("%s: %v", raw, err)
		}
		keys = append(keys, k.(string))
		fields[k.(string)] = v
	}
	return keys, fields
}

// sameAsVmqphp compares paygate's answer with vmqphp's field by field: the
// keys in the same order (code, msg, data), code the same JSON number, msg
// the same text — or, where paygate adds how to fix it, vmqphp's text then
// "：" — and data the same shape: null where vmqphp's is null, the same keys
// with values of the same form (strings of digits) where it is an object.
func sameAsVmqphp(t *testing.T, what string, got []byte, vmqphp string, msgMayContinue bool) map[string]any {
	t.Helper()
	gotKeys, g := decodeOrdered(t, got)
	wantKeys, w := decodeOrdered(t, []byte(vmqphp))
	if strings.Join(gotKeys, ",") != strings.Join(wantKeys, ",") {
		t.Errorf("%s: keys %v, vmqphp's %v: %s", what, gotKeys, wantKeys, got)
	}
	if g["code"] != w["code"] {
		t.Errorf("%s: code %v, vmqphp's %v", what, g["code"], w["code"])
	}
	msg, _ := g["msg"].(string)
	if want := w["msg"].(string); msg != want && !(msgMayContinue && strings.HasPrefix(msg, want+"：")) {
		t.Errorf("%s: msg %q, vmqphp's %q", what, msg, want)
	}
	switch wd := w["data"].(type) {
	case nil:
		if g["data"] != nil {
			t.Errorf("%s: data %v, vmqphp's null", what, g["data"])
		}
	case map[string]any:
		gd, ok := g["data"].(map[string]any)
		if !ok {
			t.Fatalf("%s: data %v, vmqphp's an object", what, g["data"])
		}
		digits := regexp.MustCompile(`^-?[0-9]+$`)
		for k, wv := range wd {
			gv, isString := gd[k].(string)
			if !isString || !digits.MatchString(gv) {
				t.Errorf("%s: data.%s = %#v, vmqphp's is a string of digits like %q", what, k, gd[k], wv)
			}
			if wv == "0" || wv == "-1" {
				if gv != wv {
					t.Errorf("%s: data.%s = %q, vmqphp's %q", what, k, gv, wv)
				}
			}
		}
		return gd
	}
	return nil
}

func TestVmqAnswersAsVmqphp(t *testing.T) {
	pg := startPaygate(t, t.TempDir(), "PAYGATE_MERCHANT_API_KEY="+testAPIKey)
	_, key := pg.createDevice("V免签手机")
	ms := func() string { return strconv.FormatInt(time.Now().UnixMilli(), 10) }
	call := func(what, path string, q url.Values, vmqphp string, msgMayContinue bool) map[string]any {
		t.Helper()
		status, ctype, body := vmqRaw(t, pg.URL, path, q)
		if status != 200 || !strings.HasPrefix(ctype, "application/json") {
			t.Fatalf("%s: HTTP %d %q, want 200 application/json as vmqphp: %s", what, status, ctype, body)
		}
		return sameAsVmqphp(t, what, body, vmqphp, msgMayContinue)
	}

	// A device never heard from: getState as vmq.sql's fresh values, t in seconds as vmqphp's API document sends it.
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	call("getState before any heartbeat", "/getState", url.Values{"t": {ts}, "sign": {md5hex(ts + key)}}, vmqphpNewState, false)

	// Heartbeats at both apps' paths.
	for _, path := range []string{"/appHeart", "/api/monitor/heart"} {
		t0 := ms()
		call("heart "+path, path, url.Values{"t": {t0}, "sign": {md5hex(t0 + key)}}, vmqphpOK, false)
		t1 := ms()
		call("heart with a bad sign "+path, path, url.Values{"t": {t1}, "sign": {md5hex(t1 + "wrong")}}, vmqphpBadSign, true)
	}
	// The fork's 检测心跳 button: getInt("code") in {200,0,1} → "心跳返回：" + getString("msg").
	t0 := ms()
	_, _, body := vmqRaw(t, pg.URL, "/api/monitor/heart", url.Values{"t": {t0}, "sign": {md5hex(t0 + key)}})
	var check struct {
		Code int    `json:"code"`
		Msg  string `json:"msg"`
	}
	if err := json.Unmarshal(body, &check); err != nil || (check.Code != 200 && check.Code != 0 && check.Code != 1) || check.Msg == "" {
		t.Fatalf("the fork's heartbeat check would say 心跳错误: %v %s", err, body)
	}

	// Pushes: a payment, an amount no order waits for, a repeat, the fork's path and retry.
	order := pg.createOrder(`{"productName":"十元","amount":10,"paymentMethod":"wechat"}`)
	t1 := ms()
	push := url.Values{"t": {t1}, "type": {"1"}, "price": {"10.0"}, "sign": {md5hex("1" + "10.0" + t1 + key)}}
	call("push paying an order", "/appPush", push, vmqphpOK, false)
	push.Set("force_push", "true")
	call("the fork's retry of the same push", "/api/monitor/push", push, vmqphpOK, false)
	t2 := ms()
	call("push with no order (vmqphp: 无订单转账, still 成功)", "/api/monitor/push",
		url.Values{"t": {t2}, "type": {"2"}, "price": {"0.77"}, "sign": {md5hex("2" + "0.77" + t2 + key)}}, vmqphpOK, false)
	if _, st := pg.call("GET", "/api/order-status?orderId="+order["orderId"].(string), "", nil); st["status"] != "success" {
		t.Fatalf("the push did not pay the order: %v", st)
	}
	_, list := pg.call("GET", "/api/payments", "", bearer)
	if list["total"] != 2.0 {
		t.Fatalf("payments: %v, want the order's and the unmatched 0.77, the retry not counted", list["total"])
	}

	// Refusals: HTTP 200 and code -1 (the fork re-sends five times on anything else).
	t3 := ms()
	call("push with a bad sign", "/appPush", url.Values{"t": {t3}, "type": {"1"}, "price": {"1.0"}, "sign": {md5hex("1" + "1.0" + t3 + "wrong")}}, vmqphpBadSign, true)
	old := strconv.FormatInt(time.Now().Add(-20*time.Minute).UnixMilli(), 10)
	call("heart from a phone 20 minutes slow", "/appHeart", url.Values{"t": {old}, "sign": {md5hex(old + key)}}, vmqphpBadClock, true)
	status, _, body := vmqRaw(t, pg.URL, "/api/monitor/push", url.Values{"t": {old}, "type": {"1"}, "price": {"1.0"}, "sign": {md5hex("1" + "1.0" + old + key)}})
	sameAsVmqphp(t, "push from a phone 20 minutes slow", body, vmqphpBadClock, true)
	if status != 200 || !strings.Contains(string(body), "相差 1200 秒") || !strings.Contains(string(body), "设为自动") {
		t.Fatalf("the clock message says by how much and what to do: %d %s", status, body)
	}
	// Without the key, a stale request learns nothing of the clock: the sign is checked first.
	status, _, body = vmqRaw(t, pg.URL, "/appHeart", url.Values{"t": {old}, "sign": {md5hex(old + "wrong")}})
	sameAsVmqphp(t, "a stale heart with a bad sign", body, vmqphpBadSign, true)
	t4 := ms()
	status, _, body = vmqRaw(t, pg.URL, "/appPush", url.Values{"t": {t4}, "type": {"1"}, "price": {"-1"}, "sign": {md5hex("1" + "-1" + t4 + key)}})
	if _, f := decodeOrdered(t, body); status != 200 || f["code"] != json.Number("-1") || f["data"] != nil {
		t.Fatalf("a bad price: %d %s", status, body)
	}

	// getState after: seconds, not milliseconds, as strings; jkstate (vmqphp) and state (its document).
	t5 := ms()
	data := call("getState", "/getState", url.Values{"t": {t5}, "sign": {md5hex(t5 + key)}}, vmqphpState, false)
	now := time.Now().Unix()
	for _, k := range []string{"lastheart", "lastpay"} {
		sec, _ := strconv.ParseInt(data[k].(string), 10, 64)
		if sec > now+1 || sec < now-60 {
			t.Errorf("getState %s = %v, want Unix seconds near %d", k, data[k], now)
		}
	}
	if data["jkstate"] != "1" || data["state"] != "1" {
		t.Errorf("getState: %v, want jkstate and state 1 (online)", data)
	}
}

// A 企业微信 对外收款 receipt forwarded by SmsForwarder is a WeChat payment;
// a 企业微信 chat about money is not a payment.
func TestWeworkReceiptIsWechat(t *testing.T) {
	pg := startPaygate(t, t.TempDir(), "PAYGATE_MERCHANT_API_KEY="+testAPIKey)
	order := pg.createOrder(`{"productName":"企业微信","amount":12.34,"paymentMethod":"wechat"}`)
	hook := func(title, text, id string) map[string]any {
		t.Helper()
		body, _ := json.Marshal(map[string]string{"from": "com.tencent.wework", "title": title, "content": text, "id": id})
		status, out := pg.call("POST", "/webhook", string(body), map[string]string{"key": testAPIKey})
		if status != 200 {
			t.Fatalf("webhook: %d %v", status, out)
		}
		return out
	}
	if out := hook("张三", "微信支付收款12.34元，麻烦确认", "w1"); out["kind"] != "ignored" {
		t.Fatalf("a 企业微信 chat: %v", out)
	}
	if out := hook("对外收款", "成功收款 12.34元", "w2"); out["kind"] != "payment" || out["paymentMethod"] != "wechat" || out["orderId"] != order["orderId"] {
		t.Fatalf("a 企业微信 对外收款 receipt: %v", out)
	}
}
