package e2e

// Attacks on the forwarder endpoints (issue #10, points 2 and 4): a captured
// SmsForwarder request replayed with other text, forwarders that hang up
// before the answer, and clients hanging up in the middle of other clients'
// writes.

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"mime/multipart"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"paygate/app"
	"paygate/app/store"
)

// smsForwarderForm is SmsForwarder's default form for one WeChat payment.
func smsForwarderForm(text, secret string, ts int64) url.Values {
	return url.Values{
		"from":      {"com.tencent.mm"},
		"content":   {"com.tencent.mm\n" + text + "\n微信支付\nUID：10234\n" + time.UnixMilli(ts).Format("2006-01-02 15:04:05") + "\n店里的小米"},
		"timestamp": {strconv.FormatInt(ts, 10)},
		"sign":      {smsForwarderSign(secret, ts)},
	}
}

func TestSignedTimestampIsSingleUse(t *testing.T) {
	pg := startPaygate(t, t.TempDir(), "PAYGATE_MERCHANT_API_KEY="+testAPIKey)
	_, deviceKey := pg.createDevice("店里的小米")
	paid := pg.createOrder(`{"productName":"a","amount":7.31,"paymentMethod":"wechat"}`)
	victim := pg.createOrder(`{"productName":"b","amount":8.88,"paymentMethod":"wechat"}`)
	const form = "application/x-www-form-urlencoded"
	ts := time.Now().UnixMilli()

	// A request with a wrong sign does not use up the timestamp.
	forged := smsForwarderForm("微信支付收款7.31元", "not-the-key", ts)
	if status, out := pg.post("/webhook", form, forged.Encode(), nil); status != 401 {
		t.Fatalf("wrong sign: %d %v", status, out)
	}

	genuine := smsForwarderForm("微信支付收款7.31元", deviceKey, ts)
	status, first := pg.post("/webhook", form, genuine.Encode(), nil)
	if status != 200 || first["kind"] != "payment" || first["orderId"] != paid["orderId"] {
		t.Fatalf("genuine request: %d %v", status, first)
	}

	// SmsForwarder resends a failed request as it was: the same answer's ids.
	status, again := pg.post("/webhook", form, genuine.Encode(), nil)
	if status != 200 || again["kind"] != "duplicate" || again["paymentId"] != first["paymentId"] || again["orderId"] != first["orderId"] {
		t.Fatalf("genuine resend: %d %v, want duplicate of %v", status, again, first["paymentId"])
	}

	// The captured timestamp and sign with another text, with or without an id.
	replay := smsForwarderForm("微信支付收款8.88元", deviceKey, ts)
	withID := smsForwarderForm("微信支付收款8.88元", deviceKey, ts)
	withID.Set("id", "fresh-notification-1")
	jsonReplay, _ := json.Marshal(map[string]string{"from": "com.tencent.mm", "title": "微信支付", "org_content": "微信支付收款8.88元",
		"timestamp": strconv.FormatInt(ts, 10), "sign": smsForwarderSign(deviceKey, ts), "msgId": "fresh-2"})
	for how, send := range map[string]func() (int, map[string]any){
		"other text":         func() (int, map[string]any) { return pg.post("/webhook", form, replay.Encode(), nil) },
		"other text with id": func() (int, map[string]any) { return pg.post("/webhook", form, withID.Encode(), nil) },
		"as JSON with msgId": func() (int, map[string]any) {
			return pg.post("/webhook", "application/json", string(jsonReplay), nil)
		},
		"in the query": func() (int, map[string]any) {
			return pg.call("GET", "/webhook?"+withID.Encode(), "", nil)
		},
	} {
		status, out := send()
		if status != 200 || out["kind"] != "duplicate" || out["paymentId"] != nil || out["orderId"] != nil {
			t.Errorf("replay (%s): %d %v, want a duplicate that names no payment", how, status, out)
		}
	}
	if _, list := pg.call("GET", "/api/payments", "", bearer); list["total"] != 1.0 {
		t.Fatalf("payments after replays: %v", list)
	}
	if _, st := pg.call("GET", "/api/order-status?orderId="+victim["orderId"].(string), "", nil); st["status"] != "pending" {
		t.Fatalf("the victim order was paid by a replay: %v", st)
	}
	_, dups := pg.call("GET", "/api/notifications?outcome=duplicate", "", bearer)
	if dups["total"] != 5.0 {
		t.Fatalf("replays are not all kept as duplicates: %v", dups)
	}

	// Outside the window (default 15 minutes): refused, saying the window and the fix.
	old := time.Now().Add(-20 * time.Minute).UnixMilli()
	status, out := pg.post("/webhook", form, smsForwarderForm("微信支付收款8.88元", deviceKey, old).Encode(), map[string]string{"Accept-Language": "en"})
	if msg, _ := out["error"].(string); status != 401 || out["field"] != "timestamp" || !strings.Contains(msg, "15 minutes") || !strings.Contains(msg, "clock") {
		t.Fatalf("20-minute-old sign: %d %v", status, out)
	}
	oldT := strconv.FormatInt(old, 10)
	status, vmq := vmqCall(pg, "/appPush", url.Values{"t": {oldT}, "type": {"1"}, "price": {"8.88"}, "sign": {md5hex("1" + "8.88" + oldT + deviceKey)}})
	if msg, _ := vmq["msg"].(string); status != 200 || vmq["code"] != -1.0 || !strings.Contains(msg, "15 分钟") {
		t.Fatalf("20-minute-old V免签 push: %d %v", status, vmq)
	}

	// A sign sent in the query is never shown back.
	_, list := pg.call("GET", "/api/notifications?limit=50", "", bearer)
	raw, _ := json.Marshal(list)
	signValue := withID.Get("sign")
	for _, s := range []string{signValue, url.QueryEscape(signValue), deviceKey} {
		if strings.Contains(string(raw), s) {
			t.Fatalf("the notification list shows a secret %q: %s", s, raw)
		}
	}
	pg.stop()
	if strings.Contains(pg.logs.String(), url.QueryEscape(signValue)) || strings.Contains(pg.logs.String(), signValue) {
		t.Fatalf("a sign appears in the log:\n%s", pg.logs.String())
	}
}

// The V免签 sign md5(type+price+t+key) has no separators: a captured push of
// 30 at t, re-sent as price=3 and t=0<t>, has the same valid sign. Neither
// that nor a second push with the same t may pay anything.
func TestVmqPushCannotBeReSplit(t *testing.T) {
	pg := startPaygate(t, t.TempDir(), "PAYGATE_MERCHANT_API_KEY="+testAPIKey)
	_, key := pg.createDevice("V免签手机")
	paid := pg.createOrder(`{"productName":"a","amount":30,"paymentMethod":"wechat"}`)
	victim := pg.createOrder(`{"productName":"b","amount":3,"paymentMethod":"wechat"}`)
	ts := strconv.FormatInt(time.Now().UnixMilli(), 10)
	sign := md5hex("1" + "30" + ts + key)
	if status, out := vmqCall(pg, "/appPush", url.Values{"t": {ts}, "type": {"1"}, "price": {"30"}, "sign": {sign}}); status != 200 || out["code"] != 1.0 {
		t.Fatalf("genuine push: %d %v", status, out)
	}
	if _, st := pg.call("GET", "/api/order-status?orderId="+paid["orderId"].(string), "", nil); st["status"] != "success" {
		t.Fatalf("the genuine push did not pay: %v", st)
	}
	for _, attack := range []struct{ name, price, t, sign string }{
		{"the captured sign, digits moved from price to t", "3", "0" + ts, sign},
		{"the same t with another price", "3", ts, md5hex("1" + "3" + ts + key)},
	} {
		status, out := vmqCall(pg, "/appPush", url.Values{"t": {attack.t}, "type": {"1"}, "price": {attack.price}, "sign": {attack.sign}})
		if status != 200 {
			t.Errorf("%s: HTTP %d %v, want 200 as vmqphp answers", attack.name, status, out)
		}
		t.Logf("%s: %v", attack.name, out)
	}
	if _, st := pg.call("GET", "/api/order-status?orderId="+victim["orderId"].(string), "", nil); st["status"] != "pending" {
		t.Fatalf("the victim order was paid by a re-split push: %v", st)
	}
	if _, list := pg.call("GET", "/api/payments", "", bearer); list["total"] != 1.0 {
		t.Fatalf("payments after the attacks: %v, want the genuine one", list["total"])
	}
}

// A forwarder posting multipart/form-data (curl -F, some automation apps):
// its fields count as a form's do. Before, the whole MIME body was the
// message and the id was lost, so a resend of the same notification was a
// second payment.
func TestMultipartWebhookResendIsADuplicate(t *testing.T) {
	pg := startPaygate(t, t.TempDir(), "PAYGATE_MERCHANT_API_KEY="+testAPIKey)
	_, deviceKey := pg.createDevice("自动化手机")
	cases := []struct {
		name   string
		amount string
		fields [][2]string
		file   bool
		header map[string]string
	}{
		{"the key in the header", "5", [][2]string{{"title", "支付宝"}, {"message", "收到转账5.00元(支付宝)"}, {"id", "mp-1"}}, false,
			map[string]string{"key": deviceKey}},
		{"the key as a field, with a picture attached", "6", [][2]string{{"title", "支付宝"}, {"message", "收到转账6.00元(支付宝)"}, {"id", "mp-2"}, {"key", deviceKey}}, true, nil},
	}
	for _, c := range cases {
		order := pg.createOrder(`{"productName":"a","amount":` + c.amount + `,"paymentMethod":"alipay"}`)
		var body bytes.Buffer
		w := multipart.NewWriter(&body)
		for _, f := range c.fields {
			w.WriteField(f[0], f[1])
		}
		if c.file {
			fw, _ := w.CreateFormFile("screenshot", "s.png")
			fw.Write([]byte("\x89PNG\r\n\x1a\n\x00\x00"))
		}
		w.Close()
		status, first := pg.post("/webhook", w.FormDataContentType(), body.String(), c.header)
		if status != 200 || first["kind"] != "payment" || first["orderId"] != order["orderId"] {
			t.Fatalf("%s: %d %v", c.name, status, first)
		}
		status, again := pg.post("/webhook", w.FormDataContentType(), body.String(), c.header)
		if status != 200 || again["kind"] != "duplicate" || again["paymentId"] != first["paymentId"] {
			t.Fatalf("%s, sent again: %d %v, want a duplicate of %v", c.name, status, again, first["paymentId"])
		}
	}
	if _, list := pg.call("GET", "/api/payments", "", bearer); list["total"] != 2.0 {
		t.Fatalf("payments: %v, want 2", list["total"])
	}
	_, list := pg.call("GET", "/api/notifications?limit=10", "", bearer)
	if raw, _ := json.Marshal(list); strings.Contains(string(raw), deviceKey) {
		t.Fatalf("the notification list shows the device key sent as a multipart field: %s", raw)
	}
}

// hangUp sends one HTTP request on a raw connection and closes it at once,
// without reading the answer: a forwarder that gave up.
func hangUp(t *testing.T, base, method, path string, header map[string]string, body string) {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s %s HTTP/1.1\r\nHost: %s\r\nContent-Length: %d\r\n", method, path, strings.TrimPrefix(base, "http://"), len(body))
	for k, v := range header {
		fmt.Fprintf(&b, "%s: %s\r\n", k, v)
	}
	b.WriteString("\r\n" + body)
	if _, err := conn.Write(b.Bytes()); err != nil {
		t.Fatal(err)
	}
	conn.Close()
}

func waitOrdersPaid(t *testing.T, pg *instance, ids []string, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		unpaid := []string{}
		for _, id := range ids {
			if _, st := pg.call("GET", "/api/order-status?orderId="+id, "", nil); st["status"] != "success" {
				unpaid = append(unpaid, id)
			}
		}
		if len(unpaid) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d orders never paid: %v", len(unpaid), len(ids), unpaid)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func TestHungUpWebhooksStillPay(t *testing.T) {
	pg := startPaygate(t, t.TempDir(), "PAYGATE_MERCHANT_API_KEY="+testAPIKey, "PAYGATE_SERVER_RATE_LIMIT=0")
	var ids []string
	for i := 1; i <= 20; i++ {
		o := pg.createOrder(fmt.Sprintf(`{"productName":"hang-up","amount":21.%02d,"paymentMethod":"alipay"}`, i))
		ids = append(ids, o["orderId"].(string))
	}
	for i := 1; i <= 20; i++ {
		body := fmt.Sprintf(`{"message":"收到转账21.%02d元(支付宝)"}`, i)
		hangUp(t, pg.URL, "POST", "/webhook", map[string]string{"Content-Type": "application/json", "key": testAPIKey}, body)
	}
	waitOrdersPaid(t, pg, ids, 10*time.Second)
	if _, list := pg.call("GET", "/api/payments", "", bearer); list["total"] != 20.0 {
		t.Fatalf("payments: %v", list["total"])
	}
	_, waiting := pg.call("GET", "/api/notifications?outcome=received", "", bearer)
	if waiting["total"] != 0.0 {
		t.Fatalf("notifications left unapplied: %v", waiting)
	}
}

// A notification stored just before a crash (raw row kept, never applied) is
// applied when paygate starts again.
func TestStoredNotificationAppliedAtStart(t *testing.T) {
	dir := t.TempDir()
	pg := startPaygate(t, dir, "PAYGATE_MERCHANT_API_KEY="+testAPIKey)
	order := pg.createOrder(`{"productName":"crash","amount":31.07,"paymentMethod":"alipay"}`)
	pg.stop()

	db, err := store.Open(context.Background(), dir, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = db.SaveRawNotification(context.Background(), app.RawRequest{
		Endpoint: "/webhook", Method: "POST", RemoteIP: "127.0.0.1",
		Header: map[string]string{"content-type": "application/json", "key": testAPIKey},
		Body:   []byte(`{"message":"收到转账31.07元(支付宝)"}`), ReceivedAt: time.Now(),
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}

	pg.start()
	// Applied before serving: paid at the first look.
	if _, st := pg.call("GET", "/api/order-status?orderId="+order["orderId"].(string), "", nil); st["status"] != "success" {
		t.Fatalf("stored notification not applied at start: %v", st)
	}
	if _, list := pg.call("GET", "/api/payments", "", bearer); list["total"] != 1.0 {
		t.Fatalf("payments: %v", list["total"])
	}
}

// Clients that hang up in the middle of their request must not harm the
// writes of others that share the commit: no innocent 5xx, every answered
// order on disk, no order on disk that was answered with an error.
func TestHangUpsDoNotCorruptOtherWrites(t *testing.T) {
	dir := t.TempDir()
	pg := startPaygate(t, dir, "PAYGATE_MERCHANT_API_KEY="+testAPIKey, "PAYGATE_SERVER_RATE_LIMIT=0")
	const normal, rude = 32, 48
	duration := 8 * time.Second
	stop := time.Now().Add(duration)
	var seq atomic.Int64
	newBody := func() (string, string) {
		id := fmt.Sprintf("mix-%d", seq.Add(1))
		method := []string{"alipay", "wechat"}[rand.IntN(2)]
		return id, fmt.Sprintf(`{"productName":"mix","amount":%d.%02d,"paymentMethod":"%s","merchantOrderId":"%s"}`,
			1+rand.IntN(400), rand.IntN(100), method, id)
	}
	type answer struct {
		merchantID, orderID string
		status              int
	}
	var mu sync.Mutex
	var answers []answer
	var rudeSent atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < normal+rude; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			client := &http.Client{Timeout: 20 * time.Second}
			for time.Now().Before(stop) {
				mid, body := newBody()
				if w >= normal {
					client.Timeout = time.Duration(2+rand.IntN(59)) * time.Millisecond
				}
				req, _ := http.NewRequest("POST", pg.URL+"/api/orders", strings.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Authorization", "Bearer "+testAPIKey)
				resp, err := client.Do(req)
				if w >= normal {
					rudeSent.Add(1)
					if err == nil {
						resp.Body.Close()
					}
					continue
				}
				if err != nil {
					t.Errorf("normal client: %v", err)
					return
				}
				var out struct {
					OrderID string `json:"orderId"`
				}
				json.NewDecoder(resp.Body).Decode(&out)
				resp.Body.Close()
				mu.Lock()
				answers = append(answers, answer{mid, out.OrderID, resp.StatusCode})
				mu.Unlock()
			}
		}(w)
	}
	wg.Wait()

	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "paygate.db")+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var ok, failed, failedCommitted, okMissing int
	for _, a := range answers {
		var id string
		err := db.QueryRow(`SELECT id FROM orders WHERE merchant_order_id = ?`, a.merchantID).Scan(&id)
		onDisk := err == nil
		switch {
		case a.status == 200:
			ok++
			if !onDisk || id != a.orderID {
				okMissing++
			}
		case a.status >= 500:
			failed++
			if onDisk {
				failedCommitted++
			}
		}
	}
	t.Logf("%d normal requests (%d ok), %d hung up", len(answers), ok, rudeSent.Load())
	if ok == 0 || rudeSent.Load() == 0 {
		t.Fatal("the load did not run")
	}
	if failed > 0 || okMissing > 0 || failedCommitted > 0 {
		t.Fatalf("%d innocent 5xx (%d of them committed), %d answered orders not on disk", failed, failedCommitted, okMissing)
	}
}
