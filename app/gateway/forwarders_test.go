package gateway

import (
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"paygate/app"
	"paygate/app/forward"
	"paygate/app/store/storetest"
)

// What a phone's forwarder sends to /webhook: paid, waiting, ignored,
// duplicate or refused, with the stored request's outcome saying the same,
// and the phone it came from known.
func TestWebhookOutcomes(t *testing.T) {
	s := newShop(t)
	phone, err := s.g.CreateDevice(s.ctx, "店里的旧手机", "admin")
	if err != nil {
		t.Fatal(err)
	}
	order := s.order("1", "alipay")
	tests := []struct {
		name        string
		key         string
		fields      map[string]string
		raw         []byte // sent instead of fields when set
		kind        app.NotificationOutcome
		matched     bool
		code, field string
		stored      app.NotificationOutcome
		device      int64 // the phone the stored request is credited to; -1: the API-key phone
	}{
		{name: "paid with the API key", key: shopKey, fields: map[string]string{"message": "收到转账1.00元(支付宝)", "id": "n1"},
			kind: app.OutcomePayment, matched: true, stored: app.OutcomePayment, device: -1},
		{name: "the same notification again", key: shopKey, fields: map[string]string{"message": "收到转账1.00元(支付宝)", "id": "n1"},
			kind: app.OutcomeDuplicate, stored: app.OutcomeDuplicate, device: -1},
		{name: "no order waits for a person, from the phone's own key", key: phone.Key, fields: map[string]string{"message": "收到转账2.00元(支付宝)", "id": "n1"},
			kind: app.OutcomePayment, stored: app.OutcomePayment, device: phone.ID},
		{name: "a recap is not a payment", key: phone.Key, fields: map[string]string{"message": "上一笔播报：你已成功收款999.00元"},
			kind: app.OutcomeIgnored, stored: app.OutcomeIgnored, device: phone.ID},
		{name: "an expense is not a payment", key: phone.Key, fields: map[string]string{"title": "交易提醒", "message": "你有一笔30.26元的支出，去领0.5元水燃费红包。", "package": "com.eg.android.AlipayGphone"},
			kind: app.OutcomeIgnored, stored: app.OutcomeIgnored, device: phone.ID},
		{name: "the key as a field", fields: map[string]string{"key": phone.Key, "message": "收到转账3.00元（微信）"},
			kind: app.OutcomePayment, stored: app.OutcomePayment, device: phone.ID},
		{name: "a wrong key", key: "guess-123", fields: map[string]string{"message": "收到转账1.00元(支付宝)"},
			code: app.EUNAUTHORIZED, field: "key", stored: app.OutcomeRefused},
		{name: "no key", fields: map[string]string{"message": "收到转账1.00元(支付宝)"},
			code: app.EUNAUTHORIZED, field: "key", stored: app.OutcomeRefused},
		{name: "unreadable, from the phone", key: phone.Key, raw: []byte(`{"message":`),
			code: app.EINVALID, stored: app.OutcomeInvalid, device: phone.ID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rings := s.bell.rings()
			var res app.IngestResult
			var err error
			if tt.raw != nil {
				res, err = s.g.Ingest(s.ctx, app.RawRequest{Endpoint: "/webhook", Method: "POST", RemoteIP: "203.0.113.5",
					Header: map[string]string{"content-type": "application/json", "key": tt.key}, Body: tt.raw, ReceivedAt: s.clock.Now()})
			} else {
				res, err = s.webhook(tt.key, tt.fields)
			}
			if tt.code != "" {
				if app.ErrorCode(err) != tt.code || (tt.field != "" && app.ErrorField(err) != tt.field) {
					t.Fatalf("%+v %v; want %s %s", res, err, tt.code, tt.field)
				}
			} else if err != nil || res.Kind != tt.kind || res.Matched != tt.matched {
				t.Fatalf("%+v %v; want %s matched %v", res, err, tt.kind, tt.matched)
			}
			n := notificationOutcome(t, s.g, res.NotificationID)
			if n.Outcome != tt.stored {
				t.Fatalf("stored as %s (%s), want %s", n.Outcome, n.Reason, tt.stored)
			}
			want := tt.device
			if want == -1 {
				d, err := s.g.db.APIKeyDevice(s.ctx, apiKeyDeviceName)
				if err != nil || !d.UsesAPIKey {
					t.Fatalf("the API-key phone: %+v %v", d, err)
				}
				want = d.ID
			}
			if n.DeviceID != want {
				t.Fatalf("credited to device %d, want %d", n.DeviceID, want)
			}
			if woke := s.bell.rings() - rings; woke != map[bool]int{true: 1, false: 0}[tt.matched] {
				t.Fatalf("the callback queue was woken %d times", woke)
			}
		})
	}
	if o, _ := s.g.Order(s.ctx, order.ID); o.Status != app.OrderSuccess {
		t.Fatalf("the order: %s", o.Status)
	}
	if _, total, _ := s.g.Payments(s.ctx, "", app.Page{Number: 1, Limit: 10}); total != 3 {
		t.Fatalf("%d payments, want 3 (the duplicate and the refused ones make none)", total)
	}
	// The phone is online, seen from its address.
	d, err := s.g.Device(s.ctx, phone.ID)
	if err != nil || !d.Online || d.LastIP != "203.0.113.5" || !d.LastSeenAt.Equal(s.clock.Now()) {
		t.Fatalf("the phone: %+v %v", d, err)
	}
	s.clock.Add(10*time.Minute + time.Second)
	if d, _ := s.g.Device(s.ctx, phone.ID); d.Online {
		t.Fatal("a phone unheard for 10 minutes is still online")
	}
	_, err = s.g.Device(s.ctx, 999)
	wantErr(t, err, app.ENOTFOUND, "deviceId", "#999")
}

// SmsForwarder signs its timestamp with the channel's secret (a device key
// or the API key); each signed timestamp pays once, within the window.
func TestSmsForwarderSignature(t *testing.T) {
	s := newShop(t)
	phone, err := s.g.CreateDevice(s.ctx, "SmsForwarder", "admin")
	if err != nil {
		t.Fatal(err)
	}
	s.order("6", "alipay")
	form := func(secret, text string, at time.Time) app.RawRequest {
		ts := strconv.FormatInt(at.UnixMilli(), 10)
		body := url.Values{"from": {"com.eg.android.AlipayGphone"}, "content": {text}, "timestamp": {ts},
			"sign": {url.QueryEscape(smsForwarderSign(secret, ts))}}
		return app.RawRequest{Endpoint: "/webhook", Method: "POST", RemoteIP: "203.0.113.8",
			Header: map[string]string{"content-type": "application/x-www-form-urlencoded"}, Body: []byte(body.Encode()), ReceivedAt: s.clock.Now()}
	}
	now := s.clock.Now()
	first := form(phone.Key, "支付宝到账6.00元", now.Add(-time.Minute))
	tests := []struct {
		name        string
		raw         app.RawRequest
		kind        app.NotificationOutcome
		matched     bool
		code, field string
	}{
		{"signed with the phone's key", first, app.OutcomePayment, true, "", ""},
		{"the same timestamp with other text", form(phone.Key, "支付宝到账7.00元", now.Add(-time.Minute)), app.OutcomeDuplicate, false, "", ""},
		{"signed with the API key", form(shopKey, "支付宝到账8.00元", now), app.OutcomePayment, false, "", ""},
		{"signed with a stranger's secret", form("not-the-secret", "支付宝到账9.00元", now), "", false, app.EUNAUTHORIZED, "sign"},
		{"sixteen minutes old", form(phone.Key, "支付宝到账9.00元", now.Add(-16*time.Minute)), "", false, app.EUNAUTHORIZED, "timestamp"},
		{"sixteen minutes ahead", form(phone.Key, "支付宝到账9.00元", now.Add(16*time.Minute)), "", false, app.EUNAUTHORIZED, "timestamp"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := s.g.Ingest(s.ctx, tt.raw)
			if tt.code != "" {
				wantErr(t, err, tt.code, tt.field, "")
				if tt.field == "timestamp" && !strings.Contains(app.ErrorMessage(err, "zh"), "15 分钟") {
					t.Fatalf("the message does not say the window: %s", app.ErrorMessage(err, "zh"))
				}
				return
			}
			if err != nil || res.Kind != tt.kind || res.Matched != tt.matched {
				t.Fatalf("%+v %v", res, err)
			}
		})
	}
	if n, _ := s.g.db.Notification(s.ctx, 1); n.DeviceID != phone.ID {
		t.Fatalf("the first signed request is credited to device %d, want %d", n.DeviceID, phone.ID)
	}
}

// The owner can stop taking the API key from phones: then a phone using
// it is refused, saying to use its device key, and the device key goes on.
func TestAPIKeySwitchedOffForPhones(t *testing.T) {
	s := newShop(t)
	phone, err := s.g.CreateDevice(s.ctx, "手机", "admin")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.g.SetAPIKeyForwarding(s.ctx, "off", "admin"); err != nil {
		t.Fatal(err)
	}
	_, err = s.webhook(shopKey, map[string]string{"message": "收到转账1.00元(支付宝)"})
	wantErr(t, err, app.EUNAUTHORIZED, "key", "API")
	_, err = s.g.VmqPush(s.ctx, s.vmq("/appPush", vmqPush("2", "1.00", shopKey, s.clock.Now())))
	wantErr(t, err, app.EUNAUTHORIZED, "key", "API")
	if res, err := s.webhook(phone.Key, map[string]string{"message": "收到转账1.00元(支付宝)"}); err != nil || res.Kind != app.OutcomePayment {
		t.Fatalf("the device key: %+v %v", res, err)
	}
	err = s.g.SetAPIKeyForwarding(s.ctx, "maybe", "admin")
	wantErr(t, err, app.EINVALID, "accept", "on")
	if err := s.g.SetAPIKeyForwarding(s.ctx, "on", "admin"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.webhook(shopKey, map[string]string{"message": "收到转账1.00元(支付宝)"}); err != nil {
		t.Fatalf("switched on again: %v", err)
	}
}

// A paygate with no API key and no phone says so to a forwarder.
func TestWebhookBeforeAnyKey(t *testing.T) {
	db, clock := storetest.Open(t)
	g := New(db, &doorbell{}, Options{Defaults: configDefaults})
	_, err := g.Ingest(t.Context(), app.RawRequest{Endpoint: "/webhook", Method: "POST", Body: []byte(`{"message":"收到转账1元"}`),
		Header: map[string]string{"content-type": "application/json"}, ReceivedAt: clock.Now()})
	wantErr(t, err, app.EUNAUTHORIZED, "", "PAYGATE_MERCHANT_API_KEY")
}

// vmqMention is what a refusal tells the V免签 app's user: the sign and the
// clock in words; other errors name the parameter.
func vmqMention(code, field string) string {
	if code != app.EUNAUTHORIZED {
		return field
	}
	return map[string]string{"sign": "签名|Signature", "t": "15 分钟|15 minutes"}[field]
}

// The V免签 app: pushes signed md5(type+price+t+key), heartbeats md5(t+key).
func TestVmqPushHeartAndState(t *testing.T) {
	s := newShop(t)
	phone, err := s.g.CreateDevice(s.ctx, "V免签", "admin")
	if err != nil {
		t.Fatal(err)
	}
	order := s.order("10", "wechat")
	now := s.clock.Now()

	// Never heard: state -1.
	st, err := s.g.VmqStatus(s.ctx, s.vmq("/getState", vmqHeart(phone.Key, now)))
	if err != nil || st.State != "-1" || !st.LastHeart.IsZero() || !st.LastPay.IsZero() {
		t.Fatalf("state before anything: %+v %v", st, err)
	}

	pushes := []struct {
		name        string
		query       string
		kind        app.NotificationOutcome
		matched     bool
		method      app.Method
		amount      string
		code, field string
		stored      app.NotificationOutcome
	}{
		{"WeChat 10.0 pays the order", vmqPush("1", "10.0", phone.Key, now), app.OutcomePayment, true, app.MethodWechat, "10", "", "", app.OutcomePayment},
		{"the same push again", vmqPush("1", "10.0", phone.Key, now), app.OutcomeDuplicate, false, "", "", "", "", app.OutcomeDuplicate},
		{"Alipay in Java's exponent form", vmqPush("2", "1.0E1", phone.Key, now.Add(time.Second)), app.OutcomePayment, false, app.MethodAlipay, "10", "", "", app.OutcomePayment},
		{"with the API key", vmqPush("2", "0.01", shopKey, now.Add(2*time.Second)), app.OutcomePayment, false, app.MethodAlipay, "0.01", "", "", app.OutcomePayment},
		{"an unknown type", vmqPush("3", "1.00", phone.Key, now), "", false, "", "", app.EINVALID, "type", app.OutcomeInvalid},
		{"a price that is no amount", vmqPush("2", "abc", phone.Key, now), "", false, "", "", app.EINVALID, "price", app.OutcomeInvalid},
		{"a price of 0", vmqPush("2", "0", phone.Key, now), "", false, "", "", app.EINVALID, "price", app.OutcomeInvalid},
		{"a wrong sign", vmqPush("2", "1.00", "wrong-key", now), "", false, "", "", app.EUNAUTHORIZED, "sign", app.OutcomeRefused},
		{"a clock 16 minutes off", vmqPush("2", "1.00", phone.Key, now.Add(-16*time.Minute)), "", false, "", "", app.EUNAUTHORIZED, "t", app.OutcomeRefused},
		{"no sign", "t=" + strconv.FormatInt(now.UnixMilli(), 10) + "&type=2&price=1", "", false, "", "", app.EINVALID, "sign", app.OutcomeInvalid},
	}
	for _, tt := range pushes {
		t.Run(tt.name, func(t *testing.T) {
			res, err := s.g.VmqPush(s.ctx, s.vmq("/appPush", tt.query))
			if tt.code != "" {
				wantErr(t, err, tt.code, tt.field, vmqMention(tt.code, tt.field))
			} else if err != nil || res.Kind != tt.kind || res.Matched != tt.matched ||
				(tt.method != "" && (res.Method != tt.method || res.Amount.String() != tt.amount)) {
				t.Fatalf("%+v %v", res, err)
			}
			if n := notificationOutcome(t, s.g, res.NotificationID); n.Outcome != tt.stored {
				t.Fatalf("stored as %s (%s), want %s", n.Outcome, n.Reason, tt.stored)
			}
		})
	}
	if o, _ := s.g.Order(s.ctx, order.ID); o.Status != app.OrderSuccess {
		t.Fatalf("the order: %s", o.Status)
	}

	// Heartbeats mark the phone online without filling the notification log;
	// refused ones are kept for review.
	_, before, _ := s.g.Notifications(s.ctx, app.NotificationFilter{Limit: 1})
	s.clock.Add(time.Minute)
	d, err := s.g.VmqHeart(s.ctx, s.vmq("/appHeart", vmqHeart(phone.Key, s.clock.Now())))
	if err != nil || d.ID != phone.ID || !d.LastHeartbeatAt.Equal(s.clock.Now()) {
		t.Fatalf("heartbeat: %+v %v", d, err)
	}
	_, after, _ := s.g.Notifications(s.ctx, app.NotificationFilter{Limit: 1})
	if after != before {
		t.Fatalf("a good heartbeat was stored: %d → %d", before, after)
	}
	for _, bad := range []struct {
		query       string
		code, field string
		stored      app.NotificationOutcome
	}{
		{vmqHeart("wrong-key", s.clock.Now()), app.EUNAUTHORIZED, "sign", app.OutcomeRefused},
		{"t=&sign=", app.EINVALID, "sign", app.OutcomeInvalid},
	} {
		_, err := s.g.VmqHeart(s.ctx, s.vmq("/appHeart", bad.query))
		wantErr(t, err, bad.code, bad.field, vmqMention(bad.code, bad.field))
		list, _, _ := s.g.Notifications(s.ctx, app.NotificationFilter{Limit: 1})
		if len(list) == 0 || list[0].Endpoint != "/appHeart" || list[0].Outcome != bad.stored {
			t.Fatalf("refused heartbeat %q stored as %+v", bad.query, list)
		}
	}

	st, err = s.g.VmqStatus(s.ctx, s.vmq("/getState", vmqHeart(phone.Key, s.clock.Now())))
	if err != nil || st.State != "1" || !st.LastHeart.Equal(s.clock.Now()) || !st.LastPay.Equal(now) {
		t.Fatalf("state while online: %+v %v (last pay want %v)", st, err, now)
	}
	s.clock.Add(11 * time.Minute)
	if st, err = s.g.VmqStatus(s.ctx, s.vmq("/getState", vmqHeart(phone.Key, s.clock.Now()))); err != nil || st.State != "0" {
		t.Fatalf("state after 11 quiet minutes: %+v %v", st, err)
	}
	_, err = s.g.VmqStatus(s.ctx, s.vmq("/getState", vmqHeart("wrong-key", s.clock.Now())))
	wantErr(t, err, app.EUNAUTHORIZED, "sign", vmqMention(app.EUNAUTHORIZED, "sign"))
	_, err = s.g.VmqStatus(s.ctx, s.vmq("/getState", "sign=x"))
	wantErr(t, err, app.EINVALID, "sign", "")
}

// The V免签 sign md5(type+price+t+key) has no separators, so digits can move
// between price and t: a captured push of 30 at t re-sent as price=3 and
// t=0<t> carries a valid sign. Only canonical t (digits, no leading zero, no
// sign) is taken, and each t is used once per device, whatever the rest.
func TestVmqPushSignCannotBeReSplit(t *testing.T) {
	s := newShop(t)
	phone, err := s.g.CreateDevice(s.ctx, "V免签", "admin")
	if err != nil {
		t.Fatal(err)
	}
	paid := s.order("30", "wechat")
	victim := s.order("3", "wechat")
	decimals := s.order("10", "alipay")
	now := s.clock.Now()
	t1 := strconv.FormatInt(now.UnixMilli(), 10)
	t2 := strconv.FormatInt(now.Add(time.Second).UnixMilli(), 10)
	push := func(typ, price, ts, signed string) string {
		return "t=" + url.QueryEscape(ts) + "&type=" + typ + "&price=" + price + "&sign=" + forward.Md5Hex(signed+phone.Key)
	}
	tests := []struct {
		name        string
		query       string
		kind        app.NotificationOutcome
		code, field string
		stored      app.NotificationOutcome
	}{
		{"the genuine push of 30", push("1", "30", t1, "1"+"30"+t1), app.OutcomePayment, "", "", app.OutcomePayment},
		{"re-split: price 3 and t with a leading zero", push("1", "3", "0"+t1, "1"+"30"+t1), "", app.EINVALID, "t", app.OutcomeInvalid},
		{"a genuine push of 10.00", push("2", "10.00", t2, "2"+"10.00"+t2), app.OutcomePayment, "", "", app.OutcomePayment},
		{"re-split: price 10.0 and t with a leading zero", push("2", "10.0", "0"+t2, "2"+"10.00"+t2), "", app.EINVALID, "t", app.OutcomeInvalid},
		{"t with a plus sign", push("1", "3", "+"+t1, "1"+"3"+"+"+t1), "", app.EINVALID, "t", app.OutcomeInvalid},
		{"t with a space inside", push("1", "3", t1[:5]+" "+t1[5:], "1"+"3"+t1[:5]+" "+t1[5:]), "", app.EINVALID, "t", app.OutcomeInvalid},
		{"t in full-width digits", push("1", "3", "１"+t1[1:], "1"+"3"+"１"+t1[1:]), "", app.EINVALID, "t", app.OutcomeInvalid},
		{"the same t again with another price", push("1", "3", t1, "1"+"3"+t1), app.OutcomeDuplicate, "", "", app.OutcomeDuplicate},
		{"the same t again as the other method", push("2", "3", t1, "2"+"3"+t1), app.OutcomeDuplicate, "", "", app.OutcomeDuplicate},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := s.g.VmqPush(s.ctx, s.vmq("/appPush", tt.query))
			if tt.code != "" {
				wantErr(t, err, tt.code, tt.field, "t")
				if msg := app.ErrorMessage(err, "zh"); !strings.Contains(msg, "0 开头") {
					t.Fatalf("the refusal does not say what a t must look like: %s", msg)
				}
			} else if err != nil || res.Kind != tt.kind {
				t.Fatalf("%+v %v; want %s", res, err, tt.kind)
			}
			if n := notificationOutcome(t, s.g, res.NotificationID); n.Outcome != tt.stored {
				t.Fatalf("stored as %s (%s), want %s", n.Outcome, n.Reason, tt.stored)
			}
		})
	}
	for _, o := range []struct {
		order app.Order
		want  app.OrderStatus
	}{{paid, app.OrderSuccess}, {decimals, app.OrderSuccess}, {victim, app.OrderPending}} {
		if got, _ := s.g.Order(s.ctx, o.order.ID); got.Status != o.want {
			t.Errorf("order of %s: %s, want %s", o.order.Amount, got.Status, o.want)
		}
	}
	if _, total, _ := s.g.Payments(s.ctx, "", app.Page{Number: 1, Limit: 10}); total != 2 {
		t.Fatalf("%d payments, want 2: the genuine pushes only", total)
	}
	// Another phone has its own t: the same millisecond is no duplicate there.
	other, err := s.g.CreateDevice(s.ctx, "另一台 V免签", "admin")
	if err != nil {
		t.Fatal(err)
	}
	if res, err := s.g.VmqPush(s.ctx, s.vmq("/appPush", "t="+t1+"&type=1&price=3&sign="+forward.Md5Hex("1"+"3"+t1+other.Key))); err != nil || res.Kind != app.OutcomePayment || !res.Matched {
		t.Fatalf("another phone's push at the same t: %+v %v", res, err)
	}
}

// Stored requests never applied (the process died, the client went away)
// are applied later through the same path, heartbeats included.
func TestApplyPendingStoredVmq(t *testing.T) {
	s := newShop(t)
	order := s.order("4", "alipay")
	at := s.clock.Now()
	save := func(endpoint, query string) int64 {
		id, err := s.g.db.SaveRawNotification(s.ctx, app.RawRequest{Endpoint: endpoint, Method: "GET", RemoteIP: "203.0.113.6", Query: query, ReceivedAt: at})
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	push := save("/appPush", vmqPush("2", "4.00", shopKey, at))
	heart := save("/appHeart", vmqHeart(shopKey, at))
	badHeart := save("/appHeart", vmqHeart("wrong", at))
	s.clock.Add(time.Minute)
	if err := s.g.ApplyPending(s.ctx, s.clock.Now().Add(-pendingAge)); err != nil {
		t.Fatal(err)
	}
	for id, want := range map[int64]app.NotificationOutcome{push: app.OutcomePayment, heart: app.OutcomeIgnored, badHeart: app.OutcomeRefused} {
		if n := notificationOutcome(t, s.g, id); n.Outcome != want {
			t.Errorf("stored %s: %s (%s), want %s", n.Endpoint, n.Outcome, n.Reason, want)
		}
	}
	if o, _ := s.g.Order(s.ctx, order.ID); o.Status != app.OrderSuccess {
		t.Fatalf("the stored push did not pay its order: %s", o.Status)
	}
}

// Re-parsing stored requests that made no payment never records one twice
// and never pays an order by itself.
func TestReparse(t *testing.T) {
	s := newShop(t)
	order := s.order("5", "alipay")
	paid := s.pay("收到转账5.00元(支付宝)")
	s.webhook(shopKey, map[string]string{"message": "上一笔播报：你已成功收款999.00元"})
	s.webhook(shopKey, map[string]string{"message": "您有一条新的系统消息，请注意查收"})
	s.webhook("wrong", map[string]string{"message": "收到转账5.00元(支付宝)"}) // refused: not re-parsed
	s.g.VmqPush(s.ctx, s.vmq("/appPush", vmqPush("7", "1.00", shopKey, s.clock.Now())))
	rep, err := s.g.Reparse(s.ctx, s.clock.Now().Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if rep != (ReparseReport{Checked: 3, Ignored: 2, Failed: 1}) {
		t.Fatalf("report %+v", rep)
	}
	if rep, _ := s.g.Reparse(s.ctx, s.clock.Now().Add(time.Hour)); rep.Checked != 0 {
		t.Fatalf("requests older than since were re-parsed: %+v", rep)
	}
	list, total, _ := s.g.Payments(s.ctx, "", app.Page{Number: 1, Limit: 10})
	if total != 1 || list[0].ID != paid.PaymentID || list[0].OrderID != order.ID {
		t.Fatalf("payments after re-parse: %d %+v", total, list)
	}
}
