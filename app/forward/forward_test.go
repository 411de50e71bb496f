package forward

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"paygate/app"
)

func TestSmsForwarderSignVectors(t *testing.T) {
	// Computed independently (Python hmac/base64/quote_plus, the app's URLEncoder).
	tests := []struct {
		secret, ts, b64, app, onWire string
	}{
		{"this is secret", "1700000000000", "sSFWELbV2YwjdDQhWZwTcWlX5BWUx5J6TPpsZmuPii0=",
			"sSFWELbV2YwjdDQhWZwTcWlX5BWUx5J6TPpsZmuPii0%3D", "sSFWELbV2YwjdDQhWZwTcWlX5BWUx5J6TPpsZmuPii0%253D"},
		{"this is secret", "1700000000001", "aOZ0Y/R7BCg4xs87AcG5MYf26YmwfVRTLD0z3X+p/mM=",
			"aOZ0Y%2FR7BCg4xs87AcG5MYf26YmwfVRTLD0z3X%2Bp%2FmM%3D", "aOZ0Y%252FR7BCg4xs87AcG5MYf26YmwfVRTLD0z3X%252Bp%252FmM%253D"},
	}
	for _, tt := range tests {
		if got := smsForwarderSign(tt.secret, tt.ts); got != tt.b64 {
			t.Fatalf("sign(%s) = %s, want %s", tt.ts, got, tt.b64)
		}
		// What a server sees after its one ordinary decode, for each way the sign travels.
		formDecoded, _ := url.QueryUnescape(tt.onWire)
		seen := map[string]string{
			"JSON body (encoded once)":               tt.app,
			"form body (double, decoded once)":       formDecoded,
			"GET without template (raw, + as space)": strings.ReplaceAll(tt.b64, "+", " "),
			"raw base64":                             tt.b64,
		}
		for how, s := range seen {
			if !VerifySmsForwarder(tt.secret, tt.ts, s) {
				t.Errorf("%s: %q not accepted", how, s)
			}
		}
		if VerifySmsForwarder("other secret", tt.ts, tt.app) {
			t.Error("accepted with the wrong secret")
		}
	}
}

func TestVmqSigns(t *testing.T) {
	// Values from the V免签 servers' formulas, computed independently.
	push := VmqRequest{T: "1700000000000", Type: "2", Price: "0.01", Sign: "69a79b4e0b12dc16f3621e11cf35fe2f"}
	if !push.VerifyPush("admin") {
		t.Error("push sign rejected")
	}
	heart := VmqRequest{T: "1700000000000", Sign: "7296be8825f0ddfe4fecf2946b89163b"}
	if !heart.VerifyHeart("admin") {
		t.Error("heart sign rejected")
	}
	if push.VerifyPush("admin2") {
		t.Error("push sign accepted with the wrong key")
	}
}

func TestVmqPushAmount(t *testing.T) {
	tests := []struct {
		price string
		want  int64
		ok    bool
	}{
		{"10.0", 1000, true}, {"0.01", 1, true}, {"1234.5", 123450, true}, {"1.0E7", 1000000000, true},
		{"0", 0, false}, {"-1.0", 0, false}, {"abc", 0, false}, {"NaN", 0, false}, {"", 0, false},
	}
	for _, tt := range tests {
		got, err := VmqRequest{Price: tt.price}.PushAmount()
		if (err == nil) != tt.ok || int64(got) != tt.want {
			t.Errorf("PushAmount(%q) = %d, %v", tt.price, got, err)
		}
	}
}

func TestDecodeWebhook(t *testing.T) {
	tests := []struct {
		name        string
		contentType string
		query, body string
		header      map[string]string
		want        Message
		wantErr     string
	}{
		{
			name: "guide JSON", contentType: "application/json",
			body:   `{"message":"收到转账0.01元(支付宝)"}`,
			header: map[string]string{"key": "k"},
			want:   Message{Via: "webhook", Key: "k", Text: "收到转账0.01元(支付宝)"},
		},
		{
			name: "SmsForwarder default form", contentType: "application/x-www-form-urlencoded",
			body: "from=com.tencent.mm&content=" + url.QueryEscape("com.tencent.mm\n微信支付收款0.01元\n微信支付\nUID：1\n2026-11-26 10:00:00") +
				"&timestamp=1700000000000&sign=abc%253D",
			want: Message{Via: "smsforwarder", Package: "com.tencent.mm", Text: "com.tencent.mm\n微信支付收款0.01元\n微信支付\nUID：1\n2026-11-26 10:00:00",
				Timestamp: "1700000000000", Sign: "abc%3D", SenderID: "1700000000000"},
		},
		{
			name: "SmsForwarder JSON template", contentType: "application/json; charset=utf-8",
			body:   `{"from":"com.eg.android.AlipayGphone","title":"你已成功收款0.01元","org_content":"已转入余额","content":"rendered…","timestamp":"1700000000000"}`,
			header: map[string]string{"key": "k"},
			want: Message{Via: "smsforwarder", Key: "k", Package: "com.eg.android.AlipayGphone", Title: "你已成功收款0.01元",
				Text: "已转入余额", Timestamp: "1700000000000", SenderID: "1700000000000"},
		},
		{
			name:  "GET query template",
			query: "from=com.tencent.mm&title=" + url.QueryEscape("微信支付") + "&org_content=" + url.QueryEscape("微信支付收款1.00元") + "&key=k",
			want:  Message{Via: "smsforwarder", Key: "k", Package: "com.tencent.mm", Title: "微信支付", Text: "微信支付收款1.00元"},
		},
		{
			name:  "GET template without secret keeps placeholders",
			query: "from=com.tencent.mm&org_content=" + url.QueryEscape("微信支付收款1.00元") + "&timestamp=[timestamp]&sign=[sign]&key=k",
			want:  Message{Via: "smsforwarder", Key: "k", Package: "com.tencent.mm", Text: "微信支付收款1.00元"},
		},
		{
			name: "JSON rendered into form content", contentType: "application/x-www-form-urlencoded",
			body:   "from=com.tencent.mm&content=" + url.QueryEscape(`{"title":"微信支付","text":"微信支付收款2.00元"}`),
			header: map[string]string{"key": "k"},
			want:   Message{Via: "webhook", Key: "k", Package: "com.tencent.mm", Title: "微信支付", Text: "微信支付收款2.00元"},
		},
		{
			name: "DingTalk-style nested", contentType: "application/json",
			body:   `{"msgtype":"text","text":{"content":"收到转账1元"},"id":"n1"}`,
			header: map[string]string{"authorization": "Bearer k"},
			want:   Message{Via: "webhook", Key: "k", Text: "收到转账1元", SenderID: "n1"},
		},
		{name: "JSON sent by curl -d (labelled as a form)", contentType: "application/x-www-form-urlencoded",
			body: `{"message":"收到转账1元"}`, header: map[string]string{"key": "k"},
			want: Message{Via: "webhook", Key: "k", Text: "收到转账1元"}},
		{name: "plain text body", contentType: "text/plain", body: "收到转账1元", header: map[string]string{"key": "k"},
			want: Message{Via: "webhook", Key: "k", Text: "收到转账1元"}},
		{name: "multipart form (curl -F)", contentType: "multipart/form-data; boundary=XyZ",
			body: multipartBody("XyZ", "message", "收到转账5.00元(支付宝)", "id", "mp-1", "key", "k", "title", "支付宝"),
			want: Message{Via: "webhook", Key: "k", Title: "支付宝", Text: "收到转账5.00元(支付宝)", SenderID: "mp-1"}},
		{name: "multipart SmsForwarder fields, a file skipped, the first of a repeated field", contentType: "multipart/form-data; boundary=b1",
			query: "id=from-query&from=com.tencent.mm",
			body: "--b1\r\nContent-Disposition: form-data; name=\"content\"\r\n\r\n微信支付收款2.00元\r\n" +
				"--b1\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"a.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n\xff\xd8\xff\x00\r\n" +
				"--b1\r\nContent-Disposition: form-data; name=\"id\"\r\n\r\nfrom-body\r\n" +
				"--b1\r\nContent-Disposition: form-data; name=\"id\"\r\n\r\nsecond\r\n" +
				"--b1\r\nContent-Disposition: form-data; name=\"timestamp\"\r\n\r\n1700000000000\r\n" +
				"--b1\r\nContent-Disposition: form-data; name=\"sign\"\r\n\r\nabc%3D\r\n--b1--\r\n",
			want: Message{Via: "smsforwarder", Package: "com.tencent.mm", Text: "微信支付收款2.00元", SenderID: "from-body", Timestamp: "1700000000000", Sign: "abc%3D"}},
		{name: "multipart without a boundary", contentType: "multipart/form-data", body: multipartBody("XyZ", "message", "收到转账1元"), wantErr: "multipart"},
		{name: "multipart cut short", contentType: "multipart/form-data; boundary=XyZ",
			body: "--XyZ\r\nContent-Disposition: form-data; name=\"message\"\r\n\r\n收到转账1元", wantErr: "multipart"},
		{name: "multipart field in GBK", contentType: "multipart/form-data; boundary=XyZ", body: multipartBody("XyZ", "message", "\xca\xd5\xb5\xbd1\xd4\xaa"), wantErr: "UTF-8"},
		{name: "no text", contentType: "application/json", body: `{"title":""}`, wantErr: "message"},
		{name: "broken JSON", contentType: "application/json", body: `{"message":`, wantErr: "JSON"},
		{name: "GBK bytes", contentType: "text/plain", body: "\xca\xd5\xb5\xbd1\xd4\xaa", wantErr: "UTF-8"},
		{name: "binary junk", body: "\x00\x01\xff\xfe", wantErr: "UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := map[string]string{"content-type": tt.contentType}
			for k, v := range tt.header {
				h[k] = v
			}
			got, err := DecodeWebhook(app.RawRequest{Header: h, Query: tt.query, Body: []byte(tt.body), ReceivedAt: time.Now()})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(app.ErrorMessage(err, "en"), tt.wantErr) {
					t.Fatalf("err = %v, want one mentioning %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Fatalf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

// multipartBody is a multipart/form-data body of the name, value pairs, as curl -F sends it.
func multipartBody(boundary string, kv ...string) string {
	var b strings.Builder
	for i := 0; i+1 < len(kv); i += 2 {
		b.WriteString("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + kv[i] + "\"\r\n\r\n" + kv[i+1] + "\r\n")
	}
	b.WriteString("--" + boundary + "--\r\n")
	return b.String()
}

func FuzzDecodeWebhook(f *testing.F) {
	f.Add("application/json", "", `{"message":"收到转账0.01元(支付宝)"}`)
	f.Add("application/x-www-form-urlencoded", "", "from=com.tencent.mm&content=a%0Ab&timestamp=1&sign=x%253D")
	f.Add("", "from=a&content=b", "")
	f.Add("text/plain", "", "\xff\xfe")
	f.Add("application/json", "", `{"text":{"content":{"deep":1}},"content":"{\"a\":1}"}`)
	f.Add("multipart/form-data; boundary=XyZ", "", multipartBody("XyZ", "message", "收到转账1元", "id", "n1"))
	f.Fuzz(func(t *testing.T, contentType, query, body string) {
		m, err := DecodeWebhook(app.RawRequest{Header: map[string]string{"content-type": contentType}, Query: query, Body: []byte(body)})
		if err == nil && m.Text == "" && m.Title == "" {
			t.Fatalf("no error but no text: %+v", m)
		}
		if err != nil && app.ErrorCode(err) != app.EINVALID {
			t.Fatalf("error is not a client error: %v", err)
		}
	})
}
