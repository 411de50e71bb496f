package alert

import (
	"bufio"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"mime"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"paygate/app"
	"paygate/app/sign"
)

// The test message every channel test sends.
var sample = Render(app.AlertOpened, app.AlertIncident{Kind: app.AlertDeviceSilent, Key: "3",
	Text:     "手机「店里的小米」已经 10 分钟没有心跳了。\nThe phone has sent no heartbeat for 10 min.",
	OpenedAt: time.Date(2026, 11, 26, 14, 2, 11, 0, app.Shanghai)}, Context{Shop: "小王水果店", ConsoleURL: "http://192.168.1.5:3000/admin/"})

// fakeService is an httptest server that records what it was sent and
// answers with answer.
type fakeService struct {
	*httptest.Server
	mu   sync.Mutex
	reqs []recorded
}

type recorded struct {
	Method, Path, Query, ContentType string
	Body                             []byte
}

func newFakeService(t *testing.T, answer func(r recorded) (int, string)) *fakeService {
	t.Helper()
	f := &fakeService{}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rec := recorded{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, ContentType: r.Header.Get("Content-Type"), Body: body}
		f.mu.Lock()
		f.reqs = append(f.reqs, rec)
		f.mu.Unlock()
		status, text := answer(rec)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		io.WriteString(w, text)
	}))
	t.Cleanup(f.Close)
	return f
}

func (f *fakeService) last(t *testing.T) recorded {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.reqs) != 1 {
		t.Fatalf("the service got %d requests, want 1", len(f.reqs))
	}
	return f.reqs[0]
}

func testSender(e Endpoints) *Sender { return NewSender(e, nil, 5*time.Second) }

func decodeJSON(t *testing.T, raw []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("body is not JSON: %v: %s", err, raw)
	}
	return m
}

// Bark (API v2): POST /push with JSON device_key, title, body.
func TestBark(t *testing.T) {
	const key = "ynJ5Ft4atkMkWeo2PAvFhF"
	svc := newFakeService(t, func(r recorded) (int, string) {
		var m map[string]any
		_ = json.Unmarshal(r.Body, &m)
		if r.Path != "/push" || m["device_key"] != key {
			return 400, `{"code":400,"message":"failed to get device token: not found","timestamp":1764000000}`
		}
		return 200, `{"code":200,"message":"success","timestamp":1764000000}`
	})
	ch := app.AlertChannel{Kind: app.ChannelBark, Config: app.AlertChannelConfig{URL: svc.URL, Key: key}}
	if err := testSender(Endpoints{}).Send(context.Background(), ch, sample); err != nil {
		t.Fatal(err)
	}
	r := svc.last(t)
	m := decodeJSON(t, r.Body)
	if r.Method != "POST" || !strings.HasPrefix(r.ContentType, "application/json") || m["title"] != sample.Title || m["body"] != sample.Body ||
		m["group"] != "paygate" || m["level"] != "timeSensitive" {
		t.Fatalf("Bark request %s %s %s: %v", r.Method, r.Path, r.ContentType, m)
	}

	// The default server is the endpoint's, and a wrong key is an error naming Bark's answer.
	def := newFakeService(t, func(recorded) (int, string) { return 200, `{"code":400,"message":"failed to get device token"}` })
	err := testSender(Endpoints{Bark: def.URL}).Send(context.Background(), app.AlertChannel{Kind: app.ChannelBark, Config: app.AlertChannelConfig{Key: "wrong"}}, sample)
	if err == nil || !strings.Contains(err.Error(), "failed to get device token") {
		t.Fatalf("wrong Bark key: %v", err)
	}
}

// Server酱 Turbo: POST https://sctapi.ftqq.com/<SENDKEY>.send, form title and desp.
func TestServerChan(t *testing.T) {
	const key = "SCT123456TabcdefGHIJ"
	svc := newFakeService(t, func(r recorded) (int, string) {
		if r.Path != "/"+key+".send" {
			return 200, `{"code":40001,"message":"bad pushkey","data":null}`
		}
		return 200, `{"code":0,"message":"","data":{"pushid":"1","readkey":"x","error":"SUCCESS","errno":0}}`
	})
	ch := app.AlertChannel{Kind: app.ChannelServerChan, Config: app.AlertChannelConfig{Key: key}}
	if err := testSender(Endpoints{ServerChan: svc.URL}).Send(context.Background(), ch, sample); err != nil {
		t.Fatal(err)
	}
	r := svc.last(t)
	form, err := url.ParseQuery(string(r.Body))
	if err != nil || r.ContentType != "application/x-www-form-urlencoded" || form.Get("title") != sample.Title ||
		!strings.Contains(form.Get("desp"), "店里的小米") {
		t.Fatalf("Server酱 request %s %q: %v %v", r.Path, r.ContentType, form, err)
	}
	if len([]rune(form.Get("title"))) > 32 {
		t.Fatalf("Server酱 titles are at most 32 characters: %q", form.Get("title"))
	}
	ch.Config.Key = "SCTwrong"
	if err := testSender(Endpoints{ServerChan: svc.URL}).Send(context.Background(), ch, sample); err == nil || !strings.Contains(err.Error(), "bad pushkey") {
		t.Fatalf("wrong SendKey: %v", err)
	}
}

// 企业微信 group bot: POST its webhook URL (…/cgi-bin/webhook/send?key=…), JSON msgtype text.
func TestWeCom(t *testing.T) {
	svc := newFakeService(t, func(r recorded) (int, string) {
		q, _ := url.ParseQuery(r.Query)
		if r.Path != "/cgi-bin/webhook/send" || q.Get("key") != "693a91f6-7xxx" {
			return 200, `{"errcode":93000,"errmsg":"invalid webhook url"}`
		}
		return 200, `{"errcode":0,"errmsg":"ok"}`
	})
	ch := app.AlertChannel{Kind: app.ChannelWeCom, Config: app.AlertChannelConfig{URL: svc.URL + "/cgi-bin/webhook/send?key=693a91f6-7xxx"}}
	if err := testSender(Endpoints{}).Send(context.Background(), ch, sample); err != nil {
		t.Fatal(err)
	}
	m := decodeJSON(t, svc.last(t).Body)
	text, _ := m["text"].(map[string]any)
	if m["msgtype"] != "text" || !strings.Contains(text["content"].(string), sample.Title) || !strings.Contains(text["content"].(string), "店里的小米") {
		t.Fatalf("企业微信 body %v", m)
	}
	ch.Config.URL = svc.URL + "/cgi-bin/webhook/send?key=wrong"
	if err := testSender(Endpoints{}).Send(context.Background(), ch, sample); err == nil || !strings.Contains(err.Error(), "93000") {
		t.Fatalf("wrong key: %v", err)
	}
}

// 钉钉 group bot with 加签: …/robot/send?access_token=&timestamp=&sign=, sign =
// urlencode(base64(HmacSHA256(secret, timestamp+"\n"+secret))), checked here
// as DingTalk does, within an hour.
func TestDingTalkSigned(t *testing.T) {
	const secret = "SEC1a2b3c4d5e6f"
	svc := newFakeService(t, func(r recorded) (int, string) {
		q, err := url.ParseQuery(r.Query) // undoes the URL-encoding of sign
		if err != nil || q.Get("access_token") != "tok123" {
			return 200, `{"errcode":300001,"errmsg":"token is not exist"}`
		}
		ts, err := strconv.ParseInt(q.Get("timestamp"), 10, 64)
		if err != nil || time.Since(time.UnixMilli(ts)).Abs() > time.Hour {
			return 200, `{"errcode":310000,"errmsg":"sign not match, more: [timestamp out of range]"}`
		}
		mac := hmac.New(sha256.New, []byte(secret))
		mac.Write([]byte(q.Get("timestamp") + "\n" + secret))
		if q.Get("sign") != base64.StdEncoding.EncodeToString(mac.Sum(nil)) {
			return 200, `{"errcode":310000,"errmsg":"sign not match"}`
		}
		return 200, `{"errcode":0,"errmsg":"ok"}`
	})
	ch := app.AlertChannel{Kind: app.ChannelDingTalk, Config: app.AlertChannelConfig{URL: svc.URL + "/robot/send?access_token=tok123", Secret: secret}}
	if err := testSender(Endpoints{}).Send(context.Background(), ch, sample); err != nil {
		t.Fatal(err)
	}
	r := svc.last(t)
	if !strings.Contains(r.Query, "sign=") || strings.Contains(r.Query, "sign=&") {
		t.Fatalf("query %s", r.Query)
	}
	m := decodeJSON(t, r.Body)
	if m["msgtype"] != "text" || !strings.Contains(m["text"].(map[string]any)["content"].(string), "店里的小米") {
		t.Fatalf("钉钉 body %v", m)
	}
	ch.Config.Secret = "SECwrong"
	if err := testSender(Endpoints{}).Send(context.Background(), ch, sample); err == nil || !strings.Contains(err.Error(), "sign not match") {
		t.Fatalf("wrong secret: %v", err)
	}
}

// The sign matches DingTalk's documented Python: quote_plus(b64encode(hmac(secret, f"{ts}\n{secret}"))).
func TestDingTalkSignKnownAnswer(t *testing.T) {
	mac := hmac.New(sha256.New, []byte("this is secret"))
	mac.Write([]byte("1700000000000\nthis is secret"))
	if got, want := DingTalkSign("this is secret", 1700000000000), base64.StdEncoding.EncodeToString(mac.Sum(nil)); got != want {
		t.Fatalf("sign %s, want %s", got, want)
	}
}

// Telegram Bot API: POST /bot<token>/sendMessage, JSON chat_id and text.
func TestTelegram(t *testing.T) {
	const token = "123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11"
	svc := newFakeService(t, func(r recorded) (int, string) {
		if r.Path != "/bot"+token+"/sendMessage" {
			return 401, `{"ok":false,"error_code":401,"description":"Unauthorized"}`
		}
		return 200, `{"ok":true,"result":{"message_id":7,"chat":{"id":-1001234},"text":"x"}}`
	})
	ch := app.AlertChannel{Kind: app.ChannelTelegram, Config: app.AlertChannelConfig{Key: token, ChatID: "-1001234"}}
	if err := testSender(Endpoints{Telegram: svc.URL}).Send(context.Background(), ch, sample); err != nil {
		t.Fatal(err)
	}
	m := decodeJSON(t, svc.last(t).Body)
	if m["chat_id"] != "-1001234" || !strings.Contains(m["text"].(string), "店里的小米") {
		t.Fatalf("Telegram body %v", m)
	}
	ch.Config.Key = "999:wrong-token-value"
	err := testSender(Endpoints{Telegram: svc.URL}).Send(context.Background(), ch, sample)
	if err == nil || !strings.Contains(err.Error(), "401") || strings.Contains(err.Error(), "wrong-token-value") {
		t.Fatalf("wrong token: %v (the error must not show the token)", err)
	}
}

// The signed webhook verifies with the guide's callback signature, keyed by its secret.
func TestWebhookSigned(t *testing.T) {
	svc := newFakeService(t, func(recorded) (int, string) { return 200, `{"success":true}` })
	ch := app.AlertChannel{Kind: app.ChannelWebhook, Config: app.AlertChannelConfig{URL: svc.URL + "/hook", Secret: "whsec_42"}}
	if err := testSender(Endpoints{}).Send(context.Background(), ch, sample); err != nil {
		t.Fatal(err)
	}
	var fields map[string]string
	if err := json.Unmarshal(svc.last(t).Body, &fields); err != nil {
		t.Fatal(err)
	}
	if !sign.Verify(fields, "whsec_42", fields["signature"]) || fields["event"] != "open" || fields["kind"] != "device_silent" || fields["key"] != "3" {
		t.Fatalf("webhook fields %v", fields)
	}
	if sign.Verify(fields, "other", fields["signature"]) {
		t.Fatal("verified under another secret")
	}
}

// No channel follows a redirect: the message is not carried elsewhere.
func TestNoRedirects(t *testing.T) {
	elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { t.Error("the redirect was followed") }))
	defer elsewhere.Close()
	redirect := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, elsewhere.URL+"/steal", http.StatusFound)
	}))
	defer redirect.Close()
	for _, kind := range []app.AlertChannelKind{app.ChannelWeCom, app.ChannelDingTalk, app.ChannelWebhook, app.ChannelBark} {
		ch := app.AlertChannel{Kind: kind, Config: app.AlertChannelConfig{URL: redirect.URL + "/x?access_token=t", Key: "k", Secret: "s"}}
		err := testSender(Endpoints{}).Send(context.Background(), ch, sample)
		if err == nil || !strings.Contains(err.Error(), "redirect") {
			t.Errorf("%s: %v, want a redirect refusal", kind, err)
		}
	}
}

// smtpServer is a tiny SMTP server: it offers AUTH PLAIN, checks the
// login and keeps the message.
type smtpServer struct {
	addr string
	mu   sync.Mutex
	from string
	to   []string
	data string
	auth string
}

func newSMTPServer(t *testing.T) *smtpServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	s := &smtpServer{addr: ln.Addr().String()}
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go s.serve(conn)
		}
	}()
	return s
}

func (s *smtpServer) serve(conn net.Conn) {
	defer conn.Close()
	r := bufio.NewReader(conn)
	say := func(line string) { io.WriteString(conn, line+"\r\n") }
	say("220 mail.test ESMTP")
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		line = strings.TrimRight(line, "\r\n")
		verb := strings.ToUpper(strings.SplitN(line, " ", 2)[0])
		switch verb {
		case "EHLO", "HELO":
			say("250-mail.test")
			say("250 AUTH PLAIN LOGIN")
		case "AUTH":
			parts := strings.Fields(line)
			raw, _ := base64.StdEncoding.DecodeString(parts[len(parts)-1])
			s.mu.Lock()
			s.auth = string(raw)
			s.mu.Unlock()
			if string(raw) != "\x00shop@example.com\x00app-password" {
				say("535 authentication failed")
				continue
			}
			say("235 ok")
		case "MAIL":
			s.mu.Lock()
			s.from = line
			s.mu.Unlock()
			say("250 ok")
		case "RCPT":
			s.mu.Lock()
			s.to = append(s.to, line)
			s.mu.Unlock()
			say("250 ok")
		case "DATA":
			say("354 go ahead")
			var b strings.Builder
			for {
				l, err := r.ReadString('\n')
				if err != nil || l == ".\r\n" {
					break
				}
				b.WriteString(l)
			}
			s.mu.Lock()
			s.data = b.String()
			s.mu.Unlock()
			say("250 queued")
		case "QUIT":
			say("221 bye")
			return
		default:
			say("502 not implemented")
		}
	}
}

func TestEmail(t *testing.T) {
	srv := newSMTPServer(t)
	ch := app.AlertChannel{Kind: app.ChannelEmail, Config: app.AlertChannelConfig{Host: srv.addr, Username: "shop@example.com",
		Password: "app-password", From: "小王水果店 <shop@example.com>", To: "owner@example.com, 老王 <wang@example.com>"}}
	if err := testSender(Endpoints{}).Send(context.Background(), ch, sample); err != nil {
		t.Fatal(err)
	}
	srv.mu.Lock()
	from, to, data := srv.from, srv.to, srv.data
	srv.mu.Unlock()
	if from != "MAIL FROM:<shop@example.com>" || len(to) != 2 || to[1] != "RCPT TO:<wang@example.com>" {
		t.Fatalf("envelope %q %q", from, to)
	}
	head, body, _ := strings.Cut(data, "\r\n\r\n")
	var subject string
	for _, l := range strings.Split(head, "\r\n") {
		if s, ok := strings.CutPrefix(l, "Subject: "); ok {
			subject, _ = new(mime.WordDecoder).DecodeHeader(s)
		}
	}
	text, err := base64.StdEncoding.DecodeString(strings.ReplaceAll(body, "\r\n", ""))
	if subject != sample.Title || err != nil || string(text) != sample.Body || !strings.Contains(head, "Content-Type: text/plain; charset=UTF-8") {
		t.Fatalf("message: subject %q, body %q (%v)\n%s", subject, text, err, head)
	}

	ch.Config.Password = "wrong"
	if err := testSender(Endpoints{}).Send(context.Background(), ch, sample); err == nil || !strings.Contains(err.Error(), "login refused") {
		t.Fatalf("wrong password: %v", err)
	}
}
