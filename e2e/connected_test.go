package e2e

// Getting connected and staying connected (issue #12), against the real
// binary: pairing codes and links built on the computer's LAN address,
// never on loopback; the public address set in the console without a
// restart; the check from outside; the devices' live state; alerts over
// each channel, and a phone going silent and coming back giving exactly one
// alert and one recovery.

import (
	"bufio"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"paygate/app/alert"
	"paygate/app/lan"
	"paygate/app/qr"
	"paygate/app/sign"
)

// lanIP is this machine's first LAN address, as paygate finds it; the test
// is skipped on a machine without one.
func lanIP(t *testing.T) string {
	t.Helper()
	addrs := lan.Addresses()
	if len(addrs) == 0 {
		t.Skip("this machine has no LAN address (only loopback): nothing to pair over")
	}
	return addrs[0].String()
}

// startOnAllInterfaces starts paygate listening on every interface, as a
// double-clicked one does (":3000"); in.URL is its loopback address, the
// one the owner at the computer opens.
func startOnAllInterfaces(t *testing.T, dataDir string, env ...string) *instance {
	t.Helper()
	_, port, _ := net.SplitHostPort(freeAddr(t))
	in := &instance{t: t, URL: "http://127.0.0.1:" + port, dataDir: dataDir, logs: &syncBuffer{}}
	in.env = append([]string{
		"PAYGATE_SERVER_ADDR=0.0.0.0:" + port,
		"PAYGATE_DATA_DIR=" + dataDir,
		"PAYGATE_SERVER_OPEN_BROWSER=false",
	}, env...)
	in.start()
	t.Cleanup(func() {
		in.stop()
		if t.Failed() {
			t.Logf("paygate log:\n%s", in.logs.String())
		}
	})
	return in
}

func (in *instance) port() string {
	u, _ := url.Parse(in.URL)
	return u.Port()
}

// vmqPhone is a phone running the V免签 app, talking to base (host:port, as
// paired) with key.
type vmqPhone struct {
	t         *testing.T
	host, key string
}

func (p vmqPhone) get(path string, q url.Values) (int, string) {
	p.t.Helper()
	resp, err := http.Get("http://" + p.host + path + "?" + q.Encode())
	if err != nil {
		p.t.Fatalf("the phone cannot reach %s: %v", p.host, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// heart sends the app's heartbeat, as 扫码配置 and 检测心跳 do.
func (p vmqPhone) heart() {
	p.t.Helper()
	ts := strconv.FormatInt(time.Now().UnixMilli(), 10)
	if status, body := p.get("/appHeart", url.Values{"t": {ts}, "sign": {md5hex(ts + p.key)}}); status != 200 || !strings.Contains(body, `"code":1`) {
		p.t.Fatalf("appHeart: %d %s", status, body)
	}
}

// push reports a payment: typ 1 = WeChat, 2 = Alipay.
func (p vmqPhone) push(typ, price string) string {
	p.t.Helper()
	ts := strconv.FormatInt(time.Now().UnixMilli(), 10)
	status, body := p.get("/appPush", url.Values{"t": {ts}, "type": {typ}, "price": {price}, "sign": {md5hex(typ + price + ts + p.key)}})
	if status != 200 {
		p.t.Fatalf("appPush: %d %s", status, body)
	}
	return body
}

var pairString = regexp.MustCompile(`<code id="device-\d+-pair">([^<]+)</code>`)

// addDevice adds a phone on the devices page (as the form does) and returns
// the page's answer.
func addDevice(o *owner, name string) string {
	o.t.Helper()
	status, page := consoleCall(o, "POST", "/admin/devices", url.Values{"name": {name}})
	if status != 200 {
		o.t.Fatalf("add device: %d %s", status, page)
	}
	return page
}

// The pairing code, the SmsForwarder address, payment links, payUrl and
// the docs are built on the computer's LAN address when the console is
// opened at localhost: never on loopback, which no phone can open.
func TestPairingUsesTheLANAddressNeverLoopback(t *testing.T) {
	ip := lanIP(t)
	in := startOnAllInterfaces(t, t.TempDir(), "PAYGATE_MERCHANT_API_KEY="+testAPIKey)
	lanHost := net.JoinHostPort(ip, in.port())
	own := newOwner(t, in)

	page := addDevice(own, "店里的小米")
	m := pairString.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no pairing string on the devices page:\n%.3000s", page)
	}
	pair := m[1]
	if !strings.HasPrefix(pair, lanHost+"/") || strings.Contains(pair, "127.0.0.1") || strings.Contains(pair, "localhost") {
		t.Fatalf("pairing string %q, want %s/<key>", pair, lanHost)
	}
	want, _ := qr.SVG(pair)
	loop, _ := qr.SVG("127.0.0.1:" + in.port() + pair[strings.Index(pair, "/"):])
	if !strings.Contains(page, want) || strings.Contains(page, loop) {
		t.Fatal("the pairing QR code does not encode the LAN pairing string")
	}
	if !strings.Contains(page, "http://"+lanHost+"/webhook?src=smsf") {
		t.Fatal("the SmsForwarder address is not on the LAN address")
	}
	// The phone, at that address, pairs.
	key := pair[strings.Index(pair, "/")+1:]
	vmqPhone{t: t, host: lanHost, key: key}.heart()

	// The step-by-step page draws the same code.
	status, guide := consoleCall(own, "GET", "/admin/guide/phone/1?app=vmq", nil)
	if status != 200 || !strings.Contains(guide, `<code id="pair-string">`+pair+`</code>`) || !strings.Contains(guide, want) {
		t.Fatalf("guide page %d:\n%.2000s", status, guide)
	}
	// Payment links, payUrl and the docs.
	order := in.createOrder(`{"productName":"苹果","amount":3,"paymentMethod":"alipay"}`)
	if u := order["payUrl"].(string); !strings.HasPrefix(u, "http://"+lanHost+"/pay/") {
		t.Fatalf("payUrl %s, want it on the LAN address", u)
	}
	if status, _ := consoleCall(own, "POST", "/admin/links", url.Values{"productName": {"曲奇"}, "priceKind": {"fixed"}, "amount": {"9.9"},
		"methods": {"alipay", "wechat"}}); status != 200 {
		t.Fatalf("create link: %d", status)
	}
	_, links := consoleCall(own, "GET", "/admin/links", nil)
	if !strings.Contains(links, "http://"+lanHost+"/l/") || strings.Contains(links, "http://127.0.0.1:"+in.port()+"/l/") {
		t.Fatalf("payment links not on the LAN address:\n%.2000s", links)
	}
	if !strings.Contains(links, `id="links-reach"`) || !strings.Contains(links, "同一个 Wi-Fi") {
		t.Fatal("the links page does not say LAN links work on the same Wi-Fi only")
	}
}

// Listening on this computer only, there is no address a phone can open:
// no pairing code is drawn, and the page says why and what to do.
func TestPairingCodeRefusedOnLoopbackOnly(t *testing.T) {
	in := startPaygate(t, t.TempDir(), "PAYGATE_MERCHANT_API_KEY="+testAPIKey) // 127.0.0.1:port
	own := newOwner(t, in)
	page := addDevice(own, "店里的小米")
	if strings.Contains(page, `class="qr"`) || pairString.MatchString(page) {
		t.Fatalf("a pairing code on a loopback address:\n%.3000s", page)
	}
	if !strings.Contains(page, `id="pair-refused"`) || !strings.Contains(page, "server.addr 改成 :3000") {
		t.Fatalf("the refusal does not say what to do:\n%.3000s", page)
	}
	// Nor a payment link's QR code.
	if status, _ := consoleCall(own, "POST", "/admin/links", url.Values{"productName": {"曲奇"}, "priceKind": {"fixed"}, "amount": {"9.9"},
		"methods": {"alipay"}}); status != 200 {
		t.Fatalf("create link: %d", status)
	}
	_, links := consoleCall(own, "GET", "/admin/links", nil)
	if strings.Contains(links, `class="qr"`) || !strings.Contains(links, "不显示二维码") || !strings.Contains(links, "只有这台电脑能打开") {
		t.Fatalf("a link QR code on loopback:\n%.3000s", links)
	}
}

// The public address is set in the console and used at once by payUrl,
// links and pairing codes; saved, it survives a restart; set by the
// environment it is pinned: read-only in the console, refused there.
func TestPublicAddressFromTheConsole(t *testing.T) {
	dir := t.TempDir()
	in := startPaygate(t, dir, "PAYGATE_MERCHANT_API_KEY="+testAPIKey)
	own := newOwner(t, in)
	status, page := consoleCall(own, "POST", "/admin/settings/address", url.Values{"publicUrl": {"http://localhost:3000"}})
	if status != 400 || !strings.Contains(page, `id="publicUrl-err"`) || !strings.Contains(page, "只有这台电脑自己能打开") {
		t.Fatalf("localhost as the public address: %d\n%.2000s", status, page)
	}
	if status, _ := consoleCall(own, "POST", "/admin/settings/address", url.Values{"publicUrl": {"https://pay.example.com/"}}); status != 200 {
		t.Fatalf("save: %d", status)
	}
	if u := in.createOrder(`{"productName":"苹果","amount":3,"paymentMethod":"alipay"}`)["payUrl"].(string); !strings.HasPrefix(u, "https://pay.example.com/pay/") {
		t.Fatalf("payUrl %s right after saving", u)
	}
	if m := pairString.FindStringSubmatch(addDevice(own, "phone")); m == nil || !strings.HasPrefix(m[1], "pay.example.com/") {
		t.Fatalf("pairing string %v", m)
	}
	in.stop()
	in.start()
	if u := in.createOrder(`{"productName":"苹果","amount":4,"paymentMethod":"alipay"}`)["payUrl"].(string); !strings.HasPrefix(u, "https://pay.example.com/pay/") {
		t.Fatalf("payUrl %s after a restart", u)
	}

	in.stop()
	in.env = append(in.env, "PAYGATE_SERVER_PUBLIC_URL=https://env.example.com")
	in.start()
	_, settings := consoleCall(own, "GET", "/admin/settings", nil)
	if !strings.Contains(settings, `value="https://env.example.com" readonly`) || !strings.Contains(settings, "PAYGATE_SERVER_PUBLIC_URL") {
		t.Fatalf("a pinned address is not shown read-only with its source:\n%.3000s", settings[strings.Index(settings, `id="address"`):])
	}
	status, page = consoleCall(own, "POST", "/admin/settings/address", url.Values{"publicUrl": {"https://other.example.com"}})
	if status != 409 || !strings.Contains(page, "PAYGATE_SERVER_PUBLIC_URL") {
		t.Fatalf("changing a pinned address: %d %s", status, page)
	}
	if u := in.createOrder(`{"productName":"苹果","amount":5,"paymentMethod":"alipay"}`)["payUrl"].(string); !strings.HasPrefix(u, "https://env.example.com/pay/") {
		t.Fatalf("payUrl %s with the address pinned", u)
	}
}

var checkURL = regexp.MustCompile(`<code id="reach-check-url">([^<]+)</code>`)

// "Check from outside": the phone opens a one-time address; the console
// shows it reached, from where.
func TestCheckFromThePhone(t *testing.T) {
	ip := lanIP(t)
	in := startOnAllInterfaces(t, t.TempDir())
	own := newOwner(t, in)
	status, box := consoleCall(own, "POST", "/admin/reach/check", url.Values{})
	m := checkURL.FindStringSubmatch(box)
	if status != 200 || m == nil {
		t.Fatalf("start a check: %d\n%s", status, box)
	}
	if !strings.HasPrefix(m[1], "http://"+net.JoinHostPort(ip, in.port())+"/check/") {
		t.Fatalf("check address %s is not on the LAN address", m[1])
	}
	token := m[1][strings.LastIndex(m[1], "/")+1:]
	if _, st := consoleCall(own, "GET", "/admin/reach/check/"+token, nil); !strings.Contains(st, `data-reached="false"`) {
		t.Fatalf("before the phone opened it: %s", st)
	}
	resp, err := http.Get(m[1])
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), "手机能连上 paygate") {
		t.Fatalf("the phone's page: %d %s", resp.StatusCode, body)
	}
	if _, st := consoleCall(own, "GET", "/admin/reach/check/"+token, nil); !strings.Contains(st, `data-reached="true"`) || !strings.Contains(st, ip) {
		t.Fatalf("after the phone opened it: %s", st)
	}
	resp, err = http.Get(in.URL + "/check/abcdefghijklmnopqrstuvwx")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 404 {
		t.Fatalf("an unknown check address: %d", resp.StatusCode)
	}
}

// The devices page's live part: each device's state, out of band.
func TestDevicesLiveState(t *testing.T) {
	in := startPaygate(t, t.TempDir(), "PAYGATE_MERCHANT_API_KEY="+testAPIKey)
	own := newOwner(t, in)
	addDevice(own, "phone")
	_, page := consoleCall(own, "GET", "/admin/devices", nil)
	if !strings.Contains(page, `hx-get="/admin/devices/live"`) {
		t.Fatal("the devices page does not refresh itself")
	}
	_, live := consoleCall(own, "GET", "/admin/devices/live", nil)
	if !strings.Contains(live, `id="device-1-state" data-online="false" hx-swap-oob="true"`) {
		t.Fatalf("live states: %s", live)
	}
	key := devicesKey(t, own, 1)
	vmqPhone{t: t, host: strings.TrimPrefix(in.URL, "http://"), key: key}.heart()
	if _, live := consoleCall(own, "GET", "/admin/devices/live", nil); !strings.Contains(live, `id="device-1-state" data-online="true"`) {
		t.Fatalf("after a heartbeat: %s", live)
	}
}

// devicesKey reads a device's key from its step-by-step page.
func devicesKey(t *testing.T, o *owner, id int) string {
	t.Helper()
	_, page := consoleCall(o, "GET", "/admin/guide/phone/"+strconv.Itoa(id)+"?app=smsf", nil)
	m := regexp.MustCompile(`<code id="smsf-secret">([^<]+)</code>`).FindStringSubmatch(page)
	if m == nil {
		// On loopback the guide shows no address, but the devices page shows the key.
		_, dev := consoleCall(o, "GET", "/admin/devices/"+strconv.Itoa(id)+"/pair", nil)
		m = regexp.MustCompile(`<span class="mono">([a-z2-7]{24})</span>`).FindStringSubmatch(dev)
		if m == nil {
			t.Fatalf("no key for device %d:\n%s", id, dev)
		}
	}
	return m[1]
}

// alertService is a local server speaking one channel's protocol; it keeps
// what it was sent.
type alertService struct {
	*httptest.Server
	mu   sync.Mutex
	got  []map[string]string // what each request said, decoded
	seen []string            // method, path and query of each
}

func (s *alertService) messages() []map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]map[string]string(nil), s.got...)
}

// newBark is a Bark server: POST /push, JSON device_key, title, body.
func newBark(t *testing.T, key string) *alertService {
	s := &alertService{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var m map[string]any
		_ = json.NewDecoder(r.Body).Decode(&m)
		if r.URL.Path != "/push" || m["device_key"] != key {
			w.WriteHeader(400)
			io.WriteString(w, `{"code":400,"message":"failed to get device token"}`)
			return
		}
		s.mu.Lock()
		s.got = append(s.got, map[string]string{"title": fmt.Sprint(m["title"]), "body": fmt.Sprint(m["body"])})
		s.mu.Unlock()
		io.WriteString(w, `{"code":200,"message":"success","timestamp":1764000000}`)
	}))
	t.Cleanup(s.Close)
	return s
}

// A phone that sends heartbeats goes silent, then comes back: exactly one
// alert and one recovery, over a Bark server, and nothing more while it
// stays online.
func TestPhoneSilentAlertsOnceAndRecoversOnce(t *testing.T) {
	bark := newBark(t, "ynJ5Ft4atkMkWeo2PAvFhF")
	in := startPaygate(t, t.TempDir(), "PAYGATE_MERCHANT_API_KEY="+testAPIKey,
		"PAYGATE_DEVICE_OFFLINE_AFTER=3s", "PAYGATE_ALERTS_SETTLE=1s")
	own := newOwner(t, in)
	if status, page := consoleCall(own, "POST", "/admin/alerts/channels", url.Values{"kind": {"bark"}, "name": {"老板的 iPhone"},
		"bark_url": {bark.URL + "/ynJ5Ft4atkMkWeo2PAvFhF/"}}); status != 200 || !strings.Contains(page, "老板的 iPhone") {
		t.Fatalf("add Bark: %d %.2000s", status, page)
	}
	addDevice(own, "店里的小米")
	phone := vmqPhone{t: t, host: strings.TrimPrefix(in.URL, "http://"), key: devicesKey(t, own, 1)}
	phone.heart()

	waitMessages := func(n int, within time.Duration) []map[string]string {
		t.Helper()
		deadline := time.Now().Add(within)
		for time.Now().Before(deadline) {
			if got := bark.messages(); len(got) >= n {
				return got
			}
			time.Sleep(100 * time.Millisecond)
		}
		t.Fatalf("Bark got %d messages, want %d: %v", len(bark.messages()), n, bark.messages())
		return nil
	}
	// Silent past its 3 s window: one alert, however long it stays silent.
	got := waitMessages(1, 15*time.Second)
	if !strings.Contains(got[0]["title"], "手机失联") || !strings.Contains(got[0]["body"], "店里的小米") {
		t.Fatalf("alert %v", got[0])
	}
	time.Sleep(5 * time.Second)
	if got := bark.messages(); len(got) != 1 {
		t.Fatalf("still silent, %d messages: %v", len(got), got)
	}
	// Back: one recovery once it has lasted the settle time.
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case <-stop:
				return
			case <-time.After(time.Second):
				ts := strconv.FormatInt(time.Now().UnixMilli(), 10)
				resp, err := http.Get("http://" + phone.host + "/appHeart?t=" + ts + "&sign=" + md5hex(ts+phone.key))
				if err == nil {
					resp.Body.Close()
				}
			}
		}
	}()
	defer func() { close(stop); <-done }()
	phone.heart()
	got = waitMessages(2, 15*time.Second)
	if !strings.Contains(got[1]["title"], "已恢复") || !strings.Contains(got[1]["body"], "手机失联") {
		t.Fatalf("recovery %v", got[1])
	}
	time.Sleep(5 * time.Second)
	if got := bark.messages(); len(got) != 2 {
		t.Fatalf("online again, %d messages in all: %v", len(got), got)
	}
	// The console's alerts page logs both as sent.
	_, page := consoleCall(own, "GET", "/admin/alerts", nil)
	if strings.Count(page, `data-status="sent"`) != 2 || !strings.Contains(page, `data-event="open"`) || !strings.Contains(page, `data-event="clear"`) {
		t.Fatalf("alerts log:\n%.3000s", page[strings.Index(page, `id="alert-log"`):])
	}
}

// smtpServer is a tiny SMTP server that accepts one login and keeps each message.
type smtpServer struct {
	addr string
	mu   sync.Mutex
	data []string
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
		switch verb := strings.ToUpper(strings.Fields(line + " x")[0]); verb {
		case "EHLO", "HELO":
			say("250-mail.test")
			say("250 AUTH PLAIN")
		case "AUTH":
			f := strings.Fields(line)
			if raw, _ := base64.StdEncoding.DecodeString(f[len(f)-1]); string(raw) != "\x00shop@example.com\x00auth-code" {
				say("535 authentication failed")
				continue
			}
			say("235 ok")
		case "MAIL", "RCPT":
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
			s.data = append(s.data, b.String())
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

// recorder is a local server answering every request with answer and
// keeping method, path, query and body.
func recorder(t *testing.T, answer string) *alertService {
	s := &alertService{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		s.seen = append(s.seen, r.Method+" "+r.URL.Path+"?"+r.URL.RawQuery)
		s.got = append(s.got, map[string]string{"body": string(b), "type": r.Header.Get("Content-Type")})
		s.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, answer)
	}))
	t.Cleanup(s.Close)
	return s
}

// Every channel is set up and tested from the console against a local
// server speaking its protocol (the services' base addresses pointed at
// them through the configuration).
func TestAlertChannelsTestedFromTheConsole(t *testing.T) {
	bark := newBark(t, "ynJ5Ft4atkMkWeo2PAvFhF")
	serverChan := recorder(t, `{"code":0,"message":"","data":{"pushid":"1","errno":0}}`)
	wecom := recorder(t, `{"errcode":0,"errmsg":"ok"}`)
	ding := recorder(t, `{"errcode":0,"errmsg":"ok"}`)
	telegram := recorder(t, `{"ok":true,"result":{"message_id":1}}`)
	hook := recorder(t, `{"success":true}`)
	mail := newSMTPServer(t)
	in := startPaygate(t, t.TempDir(), "PAYGATE_ALERTS_SERVERCHAN_URL="+serverChan.URL, "PAYGATE_ALERTS_TELEGRAM_URL="+telegram.URL)
	own := newOwner(t, in)

	for i, ch := range []url.Values{
		{"kind": {"bark"}, "bark_url": {bark.URL}, "bark_key": {"ynJ5Ft4atkMkWeo2PAvFhF"}},
		{"kind": {"serverchan"}, "serverchan_key": {"SCT123456TabcdefGHIJ"}},
		{"kind": {"wecom"}, "wecom_url": {wecom.URL + "/cgi-bin/webhook/send?key=693a91f6"}},
		{"kind": {"dingtalk"}, "dingtalk_url": {ding.URL + "/robot/send?access_token=tok"}, "dingtalk_secret": {"SECsecret"}},
		{"kind": {"telegram"}, "telegram_key": {"123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11"}, "telegram_chat": {"-1001234"}},
		{"kind": {"email"}, "email_host": {mail.addr}, "email_username": {"shop@example.com"}, "email_password": {"auth-code"}, "email_to": {"owner@example.com"}},
		{"kind": {"webhook"}, "webhook_url": {hook.URL + "/paygate"}, "webhook_secret": {"whsec_1234"}},
	} {
		if status, page := consoleCall(own, "POST", "/admin/alerts/channels", ch); status != 200 {
			t.Fatalf("add %s: %d %.1500s", ch.Get("kind"), status, page)
		}
		status, card := consoleCall(own, "POST", "/admin/alerts/channels/"+strconv.Itoa(i+1)+"/test", url.Values{})
		if status != 200 || !strings.Contains(card, `data-ok="true"`) {
			t.Fatalf("test %s: %d %s", ch.Get("kind"), status, card)
		}
	}
	if got := bark.messages(); len(got) != 1 || !strings.Contains(got[0]["title"], "测试提醒") {
		t.Errorf("Bark got %v", got)
	}
	if s := serverChan.seen; len(s) != 1 || !strings.HasPrefix(s[0], "POST /SCT123456TabcdefGHIJ.send?") {
		t.Errorf("Server酱 got %v", s)
	} else if f, _ := url.ParseQuery(serverChan.got[0]["body"]); !strings.Contains(f.Get("title"), "测试提醒") {
		t.Errorf("Server酱 form %v", f)
	}
	if s := wecom.seen; len(s) != 1 || s[0] != "POST /cgi-bin/webhook/send?key=693a91f6" || !strings.Contains(wecom.got[0]["body"], `"msgtype":"text"`) {
		t.Errorf("企业微信 got %v %v", s, wecom.got)
	}
	if s := ding.seen; len(s) != 1 {
		t.Errorf("钉钉 got %v", s)
	} else {
		q, _ := url.ParseQuery(strings.SplitN(s[0], "?", 2)[1])
		ts, _ := strconv.ParseInt(q.Get("timestamp"), 10, 64)
		if q.Get("access_token") != "tok" || q.Get("sign") != alert.DingTalkSign("SECsecret", ts) {
			t.Errorf("钉钉 query %v", q)
		}
	}
	if s := telegram.seen; len(s) != 1 || !strings.HasPrefix(s[0], "POST /bot123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11/sendMessage") ||
		!strings.Contains(telegram.got[0]["body"], `"chat_id":"-1001234"`) {
		t.Errorf("Telegram got %v %v", s, telegram.got)
	}
	mail.mu.Lock()
	if len(mail.data) != 1 || !strings.Contains(mail.data[0], "Subject: =?UTF-8?b?") {
		t.Errorf("SMTP got %q", mail.data)
	}
	mail.mu.Unlock()
	var fields map[string]string
	if len(hook.got) != 1 || json.Unmarshal([]byte(hook.got[0]["body"]), &fields) != nil || !sign.Verify(fields, "whsec_1234", fields["signature"]) {
		t.Errorf("webhook got %v", hook.got)
	}

	// A channel whose service refuses says why in the console.
	if status, _ := consoleCall(own, "POST", "/admin/alerts/channels", url.Values{"kind": {"bark"}, "bark_url": {bark.URL},
		"bark_key": {"wrongwrongwrong1"}}); status != 200 {
		t.Fatal("add a Bark channel with a wrong key")
	}
	if _, card := consoleCall(own, "POST", "/admin/alerts/channels/8/test", url.Values{}); !strings.Contains(card, `data-ok="false"`) ||
		!strings.Contains(card, "failed to get device token") {
		t.Fatalf("a refused test: %s", card)
	}
	// A form that misses a field says which, in the form.
	status, form := consoleCall(own, "POST", "/admin/alerts/channels", url.Values{"kind": {"telegram"}, "telegram_key": {"nope"}})
	if status != 400 || !strings.Contains(form, `id="alert-add-err"`) || !strings.Contains(form, "BotFather") {
		t.Fatalf("a bad form: %d %s", status, form)
	}
}
