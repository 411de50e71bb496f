package epay

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"paygate/app"
)

// The worked example of 彩虹易支付 V2 from the research notes for issue 15:
// signed there with Python's cryptography, checked with openssl dgst -verify
// and with the official SDK_2.0 EpayCore class (PHP 8.2), not with this
// package. The key pair is a throwaway made for the example.
const (
	vectorPublicKey  = "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA0m0V+iIko0Zhwb2XG8k+GPT+WXDUk3659abWNjwcmiqxnzckqDi0wFXVHJrxCveNld4vHfWskbcm4nHWpI8/MLTSJ7zfoReMLqtjj98y0q+cp24wGSR4rdpehF0R5U7NBvIknRcy8MT0gimQp6YBGrQc9AEw5zW1GH4FPXlAqkqZmBKWsczPN+a/jdzDf78KpLU8AAZmXRH/EHQrYiKxSb9LbKzIFmvaNHWEHYw4KH+umKN3yZoTWv53ng7QPUZhIEHjzeSCAr+MEYvIWTN9tkAQE8nkd9WyhykT2r1HtKrCapmQ/E7c7+8J7qmleXeQEfG1Ler2vkJDL7M89vyCCQIDAQAB"
	vectorPrivateKey = "MIIEvAIBADANBgkqhkiG9w0BAQEFAASCBKYwggSiAgEAAoIBAQDSbRX6IiSjRmHBvZcbyT4Y9P5ZcNSTfrn1ptY2PByaKrGfNySoOLTAVdUcmvEK942V3i8d9ayRtybicdakjz8wtNInvN+hF4wuq2OP3zLSr5ynbjAZJHit2l6EXRHlTs0G8iSdFzLwxPSCKZCnpgEatBz0ATDnNbUYfgU9eUCqSpmYEpaxzM835r+N3MN/vwqktTwABmZdEf8QdCtiIrFJv0tsrMgWa9o0dYQdjDgof66Yo3fJmhNa/neeDtA9RmEgQePN5IICv4wRi8hZM322QBATyeR31bKHKRPavUe0qsJqmZD8Ttzv7wnuqaV5d5AR8bUt6va+QkMvszz2/IIJAgMBAAECggEAQ17enu+IiGfzy3o+Y4yKX6YsuwkXXkPAGQi547JaO/e4V6/pghxprnyslxR6YRcCEz4IGtD518tqXSyyWoxsYFU8RbHAbYyi+pwv67O7y12jS63JI3ucUZktErbTkHWqyfMDyvHPAuwkFnplUG+jQd/xtyOceyIkYXuThOuJyxszIuP9Jphg1THcYmTaKjM2R6UncM+gvXKvBHpJY7n3P4JQJpWzxATMuuLCndvCMHBA+QybsTT1iHd3zoxwlwwwlxHxGrunCl57LLDiTOHWY+dH/Y6CQOXuGeLwlARjls1HSjPpnxmPM1wQ6QunSMsxXr35qu1gZWxEgAwBxs0/+wKBgQD9R9b3trYr0Bq6sT2X1CM6MHJdvJRR+d3riqSkS8WgGHr//UsfL8jkW0+hfPfwmA61z6G9wsXzfprOA7EzPMqdxlFDlHp39u4el3kXUZYekuhp6csoDoKOPWAdNc7xHpLMPHSna0/8EPWvO60+xUl9hfwYpo1W821nOfcGRAJCmwKBgQDUr3UXdg1g/xhChU+iRax8mEKP6U5ycPwnsDqESYKp65/wFxGkx8+TN0nMPmVkUyh9JwFv35h4+z0WOzEJWx/tWt92qrAdzHppgOFYm8JlsvXNHEgTjK+kFHra+UZCyEbGPoC2T7OglKgbXtAb3BBsQkNo8hWOoOI4SNC+T8YWKwKBgGbQAZ/+SAaS7Da6ecEm+MHHJrWMNjzsi7vwRJL4uxkYtt0xCYx4Tjj8I9/upYrBfr8osIQiC06jJt3Xu9eLpsfS1+vx2qDV2KUMYbgogyKYCcXshG4XLcHlgh15WS6hdX94TvYi5o3wqHpgZBvl48YTXFj5Sshv+gn8Cp09gBlfAoGAMDO3wOJzc8k8sU7PVoKd7fsAEueYbN1oeII7MOIMKACL1fkUeZkDVWURZ6W4iv1BzuN5MualAr5GAPTXTzyExuFyhc13brl6ANFBwThD3ZKqnJrNRwj6gaBWm6wlHVuQlrtxpl/34OvwEYvydG3yluaJqo47DoEt4/20uX0Q8tMCgYAcHgCAkc1aBueUtj95fSqdrz4np/QcWbjqtvOx1I6icloLCEQzXFKkSq5NM+pDgYi6TprkGn6mc3zJsrGq09ikrDQpPgdWEIqQUnjkd0WPFf/j4ksR2ogm+ldzcBjgLTcUEGLCg32WrUXlVIdagNjTlLwXIO6VwxcsP37/JEKnKQ=="
	vectorSign       = "FfBDeAUBOyzrfjfCJ/4Krnn7Mlo3bgVD0r+RjyRpYUQbInCMWSjqt4aTRJLpDWO11hj//YDxq2ITqqgvkTc3b90n00vBK5qJSLIHeYQFGkq4y/UaPH4yhN9CscoajYn/hGO09H3nHIWWoCqPol3FIvNCTkSEuB3IvlXWIrXWuNpcwq4LRihLFCGEkD7F744kKSmEcC6Nv9jjoOVK94wyswwmPJbgM9TqBpcDPjpIRy/SF8GUYr9LNNbcD5Vj2u7YJsnzBA0yhR1F1t5JHn52SK/B7a6wGBJ2K7XQ97pqG3dA8ZdZ0GBxGjcH8ENMhPF+MRZI9TdoiLTLCwliHHAFvQ=="
	vectorString     = "clientip=192.168.1.100&device=pc&method=web&money=1.00&name=VIP会员&notify_url=https://shop.example.com/notify.php&out_trade_no=20240717100000123&pid=1000&return_url=https://shop.example.com/return.php&timestamp=1721206072&type=alipay"
)

// vectorParams is the request of the example as the SDK posts it: param
// empty, sign and sign_type present.
func vectorParams() map[string]string {
	return map[string]string{"pid": "1000", "method": "web", "device": "pc", "type": "alipay", "out_trade_no": "20240717100000123",
		"notify_url": "https://shop.example.com/notify.php", "return_url": "https://shop.example.com/return.php",
		"name": "VIP会员", "money": "1.00", "clientip": "192.168.1.100", "param": "", "timestamp": "1721206072",
		"sign": vectorSign, "sign_type": "RSA"}
}

func TestRSAWorkedExample(t *testing.T) {
	p := vectorParams()
	s := RSASignString(p)
	if s != vectorString {
		t.Fatalf("sign string\n got %s\nwant %s", s, vectorString)
	}
	if sum := sha256.Sum256([]byte(s)); len(s) != 236 || hex.EncodeToString(sum[:]) != "09c331ac489776448e51d497764abab1bb9d7b820e170f2bbd3163db2b84dbf2" {
		t.Fatalf("sign string: %d bytes, sha256 %x", len(s), sum)
	}
	pub, err := ParsePublicKey(vectorPublicKey)
	if err != nil {
		t.Fatal(err)
	}
	if !VerifyRSA(p, pub, vectorSign) {
		t.Fatal("the example's sign does not verify")
	}
	priv, err := ParsePrivateKey(vectorPrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	if got := SignRSA(p, priv); got != vectorSign {
		t.Fatalf("sign\n got %s\nwant %s", got, vectorSign)
	}
	if PublicKeyBase64(&priv.PublicKey) != vectorPublicKey || PrivateKeyBase64(priv) != vectorPrivateKey {
		t.Fatal("the keys do not come back out as they went in (bare base64, SPKI and PKCS#8)")
	}

	// What a form-decoding client or a sloppy one does to the sign.
	for name, s := range map[string]string{
		"+ turned into spaces": strings.ReplaceAll(vectorSign, "+", " "),
		"padding dropped":      strings.TrimRight(vectorSign, "="),
		"wrapped at 64":        vectorSign[:64] + "\n" + vectorSign[64:],
		"surrounding spaces":   " " + vectorSign + " ",
	} {
		if !VerifyRSA(p, pub, s) {
			t.Errorf("%s: refused", name)
		}
	}
	// Anything changed is refused.
	for name, change := range map[string]func(map[string]string){
		"money":           func(p map[string]string) { p["money"] = "0.01" },
		"an added field":  func(p map[string]string) { p["param"] = "x" },
		"the timestamp":   func(p map[string]string) { p["timestamp"] = "1721206073" },
		"the sign":        func(p map[string]string) { p["sign"] = strings.Replace(vectorSign, "F", "G", 1) },
		"the sign empty":  func(p map[string]string) { p["sign"] = "" },
		"the sign no b64": func(p map[string]string) { p["sign"] = "!!!" },
	} {
		q := vectorParams()
		change(q)
		if VerifyRSA(q, pub, q["sign"]) {
			t.Errorf("%s changed: still verifies", name)
		}
	}
	other, _ := NewKeyPair()
	if VerifyRSA(p, &other.PublicKey, vectorSign) || VerifyRSA(p, nil, vectorSign) {
		t.Error("another key verifies")
	}
}

func TestRSASignStringDropsBlankValues(t *testing.T) {
	p := map[string]string{"a": " ", "b": "0", "c": "x y", "d": "\t", "sign": "s", "sign_type": "RSA", "e": " v "}
	if got, want := RSASignString(p), "b=0&c=x y&e= v "; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}

func TestParsePublicKey(t *testing.T) {
	priv, err := ParsePrivateKey(vectorPrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	spki, _ := x509.MarshalPKIXPublicKey(&priv.PublicKey)
	pkcs1 := x509.MarshalPKCS1PublicKey(&priv.PublicKey)
	b64 := base64.StdEncoding.EncodeToString
	wrapped := func(s string) string {
		var b strings.Builder
		for len(s) > 64 {
			b.WriteString(s[:64] + "\r\n")
			s = s[64:]
		}
		return b.String() + s
	}
	for name, text := range map[string]string{
		"bare base64 (SPKI)":          vectorPublicKey,
		"bare base64 wrapped at 64":   wrapped(vectorPublicKey),
		"PEM PUBLIC KEY":              PublicKeyPEM(&priv.PublicKey),
		"PEM RSA PUBLIC KEY (PKCS#1)": string(pem.EncodeToMemory(&pem.Block{Type: "RSA PUBLIC KEY", Bytes: pkcs1})),
		"bare PKCS#1":                 b64(pkcs1),
		"PEM with spaces around":      "\n  " + PublicKeyPEM(&priv.PublicKey) + "  \n",
		"bare base64 without padding": strings.TrimRight(b64(spki), "="),
	} {
		k, err := ParsePublicKey(text)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if !k.Equal(&priv.PublicKey) {
			t.Errorf("%s: another key", name)
		}
	}

	small, _ := rsa.GenerateKey(rand.Reader, 1024)
	smallDER, _ := x509.MarshalPKIXPublicKey(&small.PublicKey)
	ec, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ecDER, _ := x509.MarshalPKIXPublicKey(&ec.PublicKey)
	for name, tt := range map[string]struct{ text, says string }{
		"empty":         {"  ", "不能为空"},
		"1024 bits":     {b64(smallDER), "1024"},
		"EC":            {b64(ecDER), "不是 RSA"},
		"a private key": {"-----BEGIN PRIVATE KEY-----\n" + vectorPrivateKey + "\n-----END PRIVATE KEY-----", "私钥"},
		"not base64":    {"这不是密钥", "无法读取"},
		"truncated":     {vectorPublicKey[:100], "格式不对"},
		"a broken PEM":  {"-----BEGIN PUBLIC KEY-----\nMIIB", "无法读取"},
	} {
		_, err := ParsePublicKey(tt.text)
		if app.ErrorCode(err) != app.EINVALID || app.ErrorField(err) != "epayPublicKey" || !strings.Contains(app.ErrorMessage(err, "zh"), tt.says) {
			t.Errorf("%s: %v, want refused saying %q", name, err, tt.says)
		}
	}
}

// v2Merchant has the example's public key, so requests signed with its
// private key verify.
func v2Merchant(t *testing.T) (Merchant, *rsa.PrivateKey) {
	t.Helper()
	pub, err := ParsePublicKey(vectorPublicKey)
	if err != nil {
		t.Fatal(err)
	}
	priv, err := ParsePrivateKey(vectorPrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	return Merchant{PID: "1000", Key: testKey, PublicKey: pub}, priv
}

func TestV2CreateChecksInApiVerifysOrder(t *testing.T) {
	m, priv := v2Merchant(t)
	now := time.Unix(1721206072, 0)
	sign := func(p map[string]string) map[string]string {
		p["sign"] = SignRSA(p, priv)
		return p
	}
	base := func() map[string]string {
		p := vectorParams()
		delete(p, "sign")
		return p
	}
	tests := []struct {
		name   string
		params map[string]string
		now    time.Time
		code   int
		field  string
		says   string
	}{
		{"the worked example", vectorParams(), now, 0, "", ""},
		{"299 s late", vectorParams(), now.Add(299 * time.Second), 0, "", ""},
		{"301 s late", vectorParams(), now.Add(301 * time.Second), CodeVerify, "timestamp", "相差 301 秒（比 paygate 慢）"},
		{"301 s early", vectorParams(), now.Add(-301 * time.Second), CodeVerify, "timestamp", "时间戳字段不正确，请检查服务器时间：商城服务器的时间与 paygate 相差 301 秒（比 paygate 快）"},
		{"no pid", func() map[string]string { p := vectorParams(); delete(p, "pid"); return p }(), now, CodeNoParams, "pid", "未传入任何参数"},
		{"another pid", func() map[string]string { p := base(); p["pid"] = "1001"; return sign(p) }(), now, CodeVerify, "pid", "1001"},
		{"no timestamp, even with a bad sign", func() map[string]string { p := vectorParams(); delete(p, "timestamp"); return p }(), now, CodeVerify, "timestamp", "时间戳(timestamp)字段不能为空"},
		{"timestamp in ms", func() map[string]string { p := base(); p["timestamp"] = "1721206072000"; return sign(p) }(), now, CodeVerify, "timestamp", "毫秒"},
		{"timestamp not a number", func() map[string]string { p := base(); p["timestamp"] = "2024-07-17"; return sign(p) }(), now, CodeVerify, "timestamp", "秒"},
		{"money changed", func() map[string]string { p := vectorParams(); p["money"] = "0.01"; return p }(), now, CodeVerify, "sign", "RSA签名校验失败"},
		{"no sign", func() map[string]string { p := vectorParams(); delete(p, "sign"); return p }(), now, CodeVerify, "sign", "sign"},
		{"MD5 on V2 too", func() map[string]string {
			p := base()
			p["sign_type"] = "MD5"
			p["sign"] = Sign(p, testKey)
			return p
		}(), now, 0, "", ""},
		{"method jsapi", func() map[string]string { p := base(); p["method"] = "jsapi"; return sign(p) }(), now, CodeFailed, "method", "jump"},
		{"method jump", func() map[string]string { p := base(); p["method"] = "jump"; return sign(p) }(), now, 0, "", ""},
		{"no method", func() map[string]string { p := base(); delete(p, "method"); return sign(p) }(), now, 0, "", ""},
		{"no type: the payer picks on the checkout page", func() map[string]string { p := base(); delete(p, "type"); return sign(p) }(), now, 0, "", ""},
	}
	for _, tt := range tests {
		in, e, err := ReadCreateV2(tt.params, "203.0.113.9").Order(m, tt.now, 1, 1000000)
		if tt.code == 0 {
			if err != nil {
				t.Errorf("%s: %v", tt.name, err)
			} else if e.Protocol != ProtocolV2 || in.Amount != 100 || e.Money != "1.00" {
				t.Errorf("%s: %+v %+v", tt.name, in, e)
			}
			continue
		}
		if Code(err) != tt.code || app.ErrorField(err) != tt.field || !strings.Contains(app.ErrorMessage(err, "zh"), tt.says) {
			t.Errorf("%s: code %d %v, want code %d field %q saying %q", tt.name, Code(err), err, tt.code, tt.field, tt.says)
		}
	}
	// submit.php and mapi.php take an RSA sign too (彩虹易支付's do), without a timestamp.
	p := base()
	delete(p, "timestamp")
	if _, e, err := ReadCreate(sign(p), "").Order(m, now.Add(time.Hour), 1, 1000000); err != nil || e.Protocol != ProtocolV1 {
		t.Errorf("RSA on mapi.php: %v %+v", err, e)
	}
}

func TestV2RequestCheck(t *testing.T) {
	m, priv := v2Merchant(t)
	now := time.Now()
	p := map[string]string{"pid": "1000", "out_trade_no": "A1", "timestamp": strconv.FormatInt(now.Unix(), 10), "sign_type": "RSA"}
	p["sign"] = SignRSA(p, priv)
	r := ReadV2(p)
	if err := r.Check(m, now); err != nil {
		t.Fatal(err)
	}
	if tn, otn, err := r.OrderNumber(); tn != "" || otn != "A1" || err != nil {
		t.Fatalf("order number %q %q %v", tn, otn, err)
	}
	p["out_trade_no"] = "A2"
	if err := ReadV2(p).Check(m, now); Code(err) != CodeVerify {
		t.Fatalf("changed after signing: %v", err)
	}
	if err := ReadV2(map[string]string{}).Check(m, now); Code(err) != CodeNoParams {
		t.Fatalf("empty: %v", err)
	}
	if Code(ErrNoRefund()) != CodeFailed || !strings.Contains(app.ErrorMessage(ErrNoRefund(), "zh"), "不支持自动退款") {
		t.Fatal("refund answer")
	}
	_, err := ReadAPI(map[string]string{"act": "settle"}, "")
	if Code(err) != CodeNoMethod || !strings.Contains(app.ErrorMessage(err, "zh"), "No Act!") {
		t.Fatalf("unknown act: code %d %v", Code(err), err)
	}
}

// verifyResponse checks r as SDK_2.0's verify does: every field received
// but sign and sign_type, as text, under the platform public key, and the
// timestamp within 300 s.
func verifyResponse(t *testing.T, r Response, pub *rsa.PublicKey, now time.Time) {
	t.Helper()
	fields := map[string]string{}
	for k, v := range r {
		switch v := v.(type) {
		case string:
			fields[k] = v
		case int:
			fields[k] = strconv.Itoa(v)
		case int64:
			fields[k] = strconv.FormatInt(v, 10)
		default:
			t.Fatalf("field %s is a %T: only strings and integers may be signed", k, v)
		}
	}
	if !VerifyRSA(fields, pub, fields["sign"]) || fields["sign_type"] != "RSA" {
		t.Fatalf("response does not verify: %v", r)
	}
	ts, _ := strconv.ParseInt(fields["timestamp"], 10, 64)
	if d := now.Unix() - ts; d > 300 || d < -300 {
		t.Fatalf("timestamp %s", fields["timestamp"])
	}
}

func TestV2ResponsesAndNotifyAreSignedWithThePlatformKey(t *testing.T) {
	platform, err := NewKeyPair()
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	created := CreatedResponse("ORD1", "https://pay.example.com/pay/ORD1").Signed(platform, now)
	verifyResponse(t, created, &platform.PublicKey, now)
	if created["code"] != 0 || created["pay_type"] != "jump" || created["pay_info"] != "https://pay.example.com/pay/ORD1" || len(created) != 7 {
		t.Fatalf("created: %v", created)
	}

	paid := app.Order{ID: "ORD1", Status: app.OrderSuccess, CreatedAt: now.Add(-time.Minute), PaidAt: now, PaymentID: "PAY1", ClientIP: "192.0.2.1"}
	e := &app.EpayOrder{OrderID: "ORD1", PID: "1000", OutTradeNo: "A1", Type: "alipay", Name: "VIP会员", Money: "1.00", Protocol: ProtocolV2}
	q := QueryResponse(paid, e, "1000").Signed(platform, now)
	verifyResponse(t, q, &platform.PublicKey, now)
	if q["status"] != 1 || q["pid"] != int64(1000) || q["money"] != "1.00" || q["api_trade_no"] != "PAY1" || q["endtime"] == nil {
		t.Fatalf("query: %v", q)
	}
	if _, has := q["param"]; has {
		t.Fatalf("an empty param is sent: %v", q)
	}
	pending := QueryResponse(app.Order{ID: "ORD2", Status: app.OrderPending, CreatedAt: now, Method: app.MethodWechat, Amount: 990, ProductName: "x"}, nil, "1000").Signed(platform, now)
	verifyResponse(t, pending, &platform.PublicKey, now)
	if pending["status"] != 0 || pending["type"] != "wxpay" || pending["money"] != "9.90" {
		t.Fatalf("pending: %v", pending)
	}
	for _, k := range []string{"endtime", "api_trade_no", "out_trade_no"} {
		if _, has := pending[k]; has {
			t.Errorf("pending answer has an empty %s", k)
		}
	}

	// The notify: every parameter sent is signed (SDK_2.0 verifies all it gets).
	e.Param = "a b+c&d=e"
	n := NotifyParamsV2(*e, "PAY1", platform, now)
	back, err := url.ParseQuery(n.Encode())
	if err != nil {
		t.Fatal(err)
	}
	fields := map[string]string{}
	for k := range back {
		fields[k] = back.Get(k)
	}
	if !VerifyRSA(fields, &platform.PublicKey, fields["sign"]) {
		t.Fatalf("notify does not verify: %v", fields)
	}
	want := map[string]string{"pid": "1000", "trade_no": "ORD1", "out_trade_no": "A1", "type": "alipay", "name": "VIP会员", "money": "1.00",
		"trade_status": "TRADE_SUCCESS", "api_trade_no": "PAY1", "param": "a b+c&d=e", "timestamp": strconv.FormatInt(now.Unix(), 10), "sign_type": "RSA"}
	for k, v := range want {
		if fields[k] != v {
			t.Errorf("notify %s = %q, want %q", k, fields[k], v)
		}
	}
	if len(fields) != len(want)+1 {
		t.Errorf("notify has fields beyond the signed ones: %v", fields)
	}
	later := NotifyParamsV2(*e, "PAY1", platform, now.Add(time.Minute))
	if later.Get("timestamp") == n.Get("timestamp") || later.Get("sign") == n.Get("sign") {
		t.Error("a later attempt is not signed afresh")
	}
}
