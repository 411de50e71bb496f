package gateway

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"paygate/app"
	"paygate/app/console"
	"paygate/app/sign"
	"paygate/app/store/storetest"
)

func TestCheckAPIKeyAndSignedRequests(t *testing.T) {
	s := newShop(t)
	now := s.clock.Now()
	if err := s.g.CheckAPIKey(s.ctx, shopKey); err != nil {
		t.Fatalf("the key: %v", err)
	}
	wantErr(t, s.g.CheckAPIKey(s.ctx, ""), app.EUNAUTHORIZED, "", "Authorization")
	wantErr(t, s.g.CheckAPIKey(s.ctx, shopKey+"x"), app.EUNAUTHORIZED, "", "API")

	signed := func(method, path string, fields map[string]string) SignedRequest {
		f := map[string]string{}
		for k, v := range fields {
			f[k] = v
		}
		f["signature"] = sign.RequestHMAC(method, path, f, shopKey)
		return SignedRequest{Method: method, Path: path, Fields: f}
	}
	order := func(ts, nonce string) map[string]string {
		f := map[string]string{"productName": "p", "amount": "1", "paymentMethod": "alipay"}
		if ts != "" {
			f["timestamp"] = ts
		}
		if nonce != "" {
			f["nonce"] = nonce
		}
		return f
	}
	unix := func(d time.Duration) string { return fmt.Sprint(now.Add(d).Unix()) }
	moved := signed("POST", "/api/orders", order(unix(0), "n-moved"))
	moved.Path = "/api/payments"
	tampered := signed("POST", "/api/orders", order(unix(0), "n-tampered"))
	tampered.Fields["amount"] = "0.01"
	tests := []struct {
		name           string
		req            SignedRequest
		field, mention string // field "-": accepted
	}{
		{"Unix seconds", signed("POST", "/api/orders", order(unix(0), "n1")), "-", ""},
		{"Unix milliseconds", signed("POST", "/api/orders", order(fmt.Sprint(now.UnixMilli()), "n2")), "-", ""},
		{"Shanghai time 4:59 ago", signed("POST", "/api/orders", order(app.FormatTime(now.Add(-4*time.Minute-59*time.Second)), "n3")), "-", ""},
		{"upper-case hex", func() SignedRequest {
			r := signed("GET", "/api/payments", map[string]string{"timestamp": unix(0), "nonce": "n4"})
			r.Fields["signature"] = strings.ToUpper(r.Fields["signature"])
			return r
		}(), "-", ""},
		{"the nonce again", signed("POST", "/api/orders", order(unix(time.Second), "n1")), "nonce", "nonce"},
		{"no timestamp", signed("POST", "/api/orders", order("", "n5")), "signature", "timestamp"},
		{"no nonce", signed("POST", "/api/orders", order(unix(0), "")), "signature", "nonce"},
		{"a nonce of 64", signed("POST", "/api/orders", order(unix(0), strings.Repeat("n", 64))), "-", ""},
		{"a UUID nonce", signed("POST", "/api/orders", order(unix(0), "0b1d7f62-5c6e-4f0e-9a51-2f9e8c3d4b7a")), "-", ""},
		{"a nonce of 65", signed("POST", "/api/orders", order(unix(0), strings.Repeat("n", 65))), "nonce", "64"},
		{"5:01 old", signed("POST", "/api/orders", order(unix(-5*time.Minute-time.Second), "n6")), "timestamp", "5"},
		{"5:01 ahead", signed("POST", "/api/orders", order(unix(5*time.Minute+time.Second), "n7")), "timestamp", "5"},
		{"a date without a time", signed("POST", "/api/orders", order("2026-11-26", "n8")), "timestamp", "timestamp"},
		{"sent to another path", moved, "signature", "/api/payments"},
		{"a field changed", tampered, "signature", "HMAC-SHA256"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := s.g.CheckSignedRequest(s.ctx, tt.req)
			if tt.field == "-" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			wantErr(t, err, app.EUNAUTHORIZED, tt.field, tt.mention)
		})
	}
	// A nonce refused for its timestamp is not spent.
	if err := s.g.CheckSignedRequest(s.ctx, signed("POST", "/api/orders", order(unix(0), "n6"))); err != nil {
		t.Fatalf("a nonce first sent with a stale timestamp: %v", err)
	}
	// Nonces outlive a restart: a new gateway on the same database refuses n1.
	again := New(s.g.db, s.bell, Options{Defaults: configDefaults})
	wantErr(t, again.CheckSignedRequest(s.ctx, signed("POST", "/api/orders", order(unix(0), "n1"))), app.EUNAUTHORIZED, "nonce", "nonce")

	// Before any key exists, neither works, and both say how to set one.
	db, _ := storetest.Open(t)
	fresh := New(db, s.bell, Options{Defaults: configDefaults})
	if has, err := fresh.HasAPIKey(s.ctx); err != nil || has {
		t.Fatalf("a new paygate has a key: %v %v", has, err)
	}
	wantErr(t, fresh.CheckAPIKey(s.ctx, "anything"), app.EUNAUTHORIZED, "", "PAYGATE_MERCHANT_API_KEY")
	wantErr(t, fresh.CheckSignedRequest(s.ctx, signed("GET", "/api/payments", map[string]string{"timestamp": unix(0), "nonce": "x"})),
		app.EUNAUTHORIZED, "", "PAYGATE_MERCHANT_API_KEY")
}

// The signed string joins k=v with '&' unescaped (the guide's algorithm), so
// one string can be cut into fields in more than one way. A captured signed
// request re-cut so that its nonce (or timestamp) reads differently would pass
// as a new request under the same signature; each such re-cut is refused.
func TestSignedRequestCannotBeReSplit(t *testing.T) {
	s := newShop(t)
	ts := fmt.Sprint(s.clock.Now().Unix())
	later := fmt.Sprint(s.clock.Now().Add(time.Hour).Unix())
	// resplit sends fields under the signature of genuine, which signs the same string.
	resplit := func(genuine, fields map[string]string) SignedRequest {
		if sign.RequestString("POST", "/api/orders", genuine, shopKey) != sign.RequestString("POST", "/api/orders", fields, shopKey) {
			t.Fatalf("not a re-split: %v %v", genuine, fields)
		}
		f := map[string]string{"signature": sign.RequestHMAC("POST", "/api/orders", genuine, shopKey)}
		for k, v := range fields {
			f[k] = v
		}
		return SignedRequest{Method: "POST", Path: "/api/orders", Fields: f}
	}
	genuine := map[string]string{"productName": "p", "amount": "1", "paymentMethod": "alipay",
		"notifyUrl": "https://shop.example.com/paid?a=1&b=2", "timestamp": ts, "nonce": "abc"}
	if err := s.g.CheckSignedRequest(s.ctx, resplit(genuine, genuine)); err != nil {
		t.Fatalf("the genuine request (a notifyUrl with a query): %v", err)
	}
	// A value that carries "&nonce=" (text a shop's customer typed, say) holds a second nonce.
	planted := map[string]string{"productName": "p", "amount": "1", "paymentMethod": "alipay", "timestamp": ts, "nonce": "orig",
		"merchantOrderId": "M1&nonce=fresh1&notifyUrl=https://evil.example/cb?x="}
	planted2 := map[string]string{"productName": "p", "amount": "1", "paymentMethod": "alipay", "timestamp": ts, "nonce": "orig2",
		"merchantOrderId": "M1&nonce=fresh2&notifyUrl=https://evil.example/cb?x="}
	tests := []struct {
		name           string
		req            SignedRequest
		field, mention string
	}{
		{"notifyUrl moved into the nonce", resplit(genuine, map[string]string{"productName": "p", "amount": "1", "paymentMethod": "alipay",
			"timestamp": ts, "nonce": "abc&notifyUrl=https://shop.example.com/paid?a=1&b=2"}), "nonce", "64"},
		{"a nonce with a space", func() SignedRequest {
			f := map[string]string{"productName": "p", "amount": "1", "paymentMethod": "alipay", "timestamp": ts, "nonce": "abc def"}
			return resplit(f, f)
		}(), "nonce", "64"},
		{"the planted request itself", resplit(planted, planted), "merchantOrderId", "&nonce="},
		{"the planted nonce, the real one moved into notifyUrl", resplit(planted, map[string]string{"productName": "p", "amount": "1", "paymentMethod": "alipay",
			"timestamp": ts, "merchantOrderId": "M1", "nonce": "fresh1", "notifyUrl": "https://evil.example/cb?x=&nonce=orig"}), "notifyUrl", "&nonce="},
		{"the real nonce moved into a field's name", resplit(planted2, map[string]string{"productName": "p", "amount": "1", "paymentMethod": "alipay",
			"timestamp": ts, "merchantOrderId": "M1", "nonce": "fresh2", "notifyUrl=https://evil.example/cb?x=&nonce": "orig2"}), "notifyUrl=https://evil.example/cb?x=&nonce", "&"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantErr(t, s.g.CheckSignedRequest(s.ctx, tt.req), app.EUNAUTHORIZED, tt.field, tt.mention)
		})
	}

	// A later timestamp planted in a value: an hour on, when the nonce is
	// forgotten, the request re-cut to carry it would pass again.
	plantedLater := map[string]string{"productName": "p", "amount": "1", "paymentMethod": "alipay", "nonce": "n-t",
		"timestamp": ts, "uid": "u&timestamp=" + later}
	wantErr(t, s.g.CheckSignedRequest(s.ctx, resplit(plantedLater, plantedLater)), app.EUNAUTHORIZED, "uid", "&timestamp=")
	s.clock.Add(time.Hour)
	wantErr(t, s.g.CheckSignedRequest(s.ctx, resplit(plantedLater, map[string]string{"amount": "1", "paymentMethod": "alipay", "nonce": "n-t",
		"productName": "p&timestamp=" + ts + "&uid=u", "timestamp": later})), app.EUNAUTHORIZED, "productName", "&timestamp=")
}

func TestUpdateSettings(t *testing.T) {
	s := newShop(t)
	str := func(v string) *string { return &v }
	tests := []struct {
		name           string
		req            ConfigRequest
		field, mention string
	}{
		{"nothing", ConfigRequest{}, "", "apiKey"},
		{"a key of 7", ConfigRequest{APIKey: str("1234567")}, "apiKey", ""},
		{"a key with a tab", ConfigRequest{APIKey: str("1234\t5678")}, "apiKey", ""},
		{"a key of 129", ConfigRequest{APIKey: str(strings.Repeat("k", 129))}, "apiKey", ""},
		{"a callback URL without a host", ConfigRequest{CallbackURL: str("https://")}, "callbackUrl", ""},
		{"a name of 101", ConfigRequest{Name: str(strings.Repeat("名", 101))}, "name", ""},
		{"a description of 501", ConfigRequest{Description: str(strings.Repeat("述", 501))}, "description", ""},
		{"a pid with a sign", ConfigRequest{EpayPID: str("-1000")}, "epayPid", "-1000"},
		{"an empty pid", ConfigRequest{EpayPID: str(" ")}, "epayPid", ""},
		{"a pid of 19 digits", ConfigRequest{EpayPID: str(strings.Repeat("9", 19))}, "epayPid", ""},
		{"a good name with a bad pid", ConfigRequest{Name: str("不该保存"), EpayPID: str("x")}, "epayPid", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantErr(t, s.g.UpdateSettings(s.ctx, tt.req, "api"), app.EINVALID, tt.field, tt.mention)
		})
	}
	if st, _ := s.g.Settings(s.ctx); st.Name != "" || st.APIKey != shopKey {
		t.Fatalf("a refused change was saved: %+v", st)
	}

	if err := s.g.UpdateSettings(s.ctx, ConfigRequest{APIKey: str(" new-key-123 "), CallbackURL: str(" https://shop.example.com/cb "),
		Name: str(" 小店 "), Description: str(""), EpayPID: str("1001")}, "店主"); err != nil {
		t.Fatal(err)
	}
	st, _ := s.g.Settings(s.ctx)
	if st.APIKey != "new-key-123" || st.CallbackURL != "https://shop.example.com/cb" || st.Name != "小店" || st.PID() != "1001" {
		t.Fatalf("saved: %+v", st)
	}
	wantErr(t, s.g.CheckAPIKey(s.ctx, shopKey), app.EUNAUTHORIZED, "", "API")

	key, err := s.g.RotateAPIKey(s.ctx, "店主")
	if err != nil || !strings.HasPrefix(key, "pk_") || len(key) != 35 || s.g.CheckAPIKey(s.ctx, key) != nil {
		t.Fatalf("rotate: %q %v", key, err)
	}
	// The audit log says what changed and who changed it, never a key.
	audit, _, _ := s.g.AuditLog(s.ctx, app.Page{Number: 1, Limit: 10})
	if len(audit) != 2 || audit[0].Action != app.AuditAPIKeyRotate || audit[0].Detail != "…"+key[len(key)-4:] ||
		audit[1].Action != app.AuditSettings || audit[1].Actor != "店主" ||
		!strings.Contains(audit[1].Detail, "https://shop.example.com/cb") || !strings.Contains(audit[1].Detail, `"epayPid":"1001"`) {
		t.Fatalf("audit: %+v", audit)
	}
	for _, e := range audit {
		if strings.Contains(e.Detail, "new-key-123") || strings.Contains(e.Detail, key) {
			t.Fatalf("the audit log shows a key: %+v", e)
		}
	}
}

func TestSendTestCallback(t *testing.T) {
	s := newShop(t)
	_, err := s.g.SendTestCallback(s.ctx, "", "店主")
	wantErr(t, err, app.EINVALID, "callbackUrl", "https://")
	_, err = s.g.SendTestCallback(s.ctx, "ftp://shop.example.com", "店主")
	wantErr(t, err, app.EINVALID, "callbackUrl", "")

	cb := "https://shop.example.com/cb"
	if err := s.g.UpdateSettings(s.ctx, ConfigRequest{CallbackURL: &cb}, "店主"); err != nil {
		t.Fatal(err)
	}
	a, err := s.g.SendTestCallback(s.ctx, "  ", "店主")
	if err != nil || !a.Acked || a.URL != cb || len(s.bell.tested) != 1 || s.bell.tested[0] != cb+" "+shopKey {
		t.Fatalf("to the saved URL: %+v %v %v", a, err, s.bell.tested)
	}
	s.bell.answer = app.CallbackAttempt{HTTPStatus: 500, Error: "HTTP 500"}
	a, err = s.g.SendTestCallback(s.ctx, "https://shop.example.com/other", "店主")
	if err != nil || a.Acked || a.URL != "https://shop.example.com/other" {
		t.Fatalf("to another URL: %+v %v", a, err)
	}
	audit, _, _ := s.g.AuditLog(s.ctx, app.Page{Number: 1, Limit: 1})
	if len(audit) != 1 || audit[0].Action != app.AuditCallbackTest || !strings.Contains(audit[0].Detail, `"result":"failed"`) || !strings.Contains(audit[0].Detail, "HTTP 500") {
		t.Fatalf("audit: %+v", audit)
	}

	// A queue that cannot send tests says so; a paygate without a key cannot sign.
	plain := New(s.g.db, quietNotifier{}, Options{Defaults: configDefaults})
	_, err = plain.SendTestCallback(s.ctx, cb, "店主")
	wantErr(t, err, app.EUNAVAILABLE, "", "paygate")
	db, _ := storetest.Open(t)
	keyless := New(db, s.bell, Options{Defaults: configDefaults})
	_, err = keyless.SendTestCallback(s.ctx, cb, "店主")
	wantErr(t, err, app.EINVALID, "apiKey", "API")
}

// The rules form: what it reads, and the next order follows what was saved.
func TestTuningFormAndNextOrder(t *testing.T) {
	s := newShop(t)
	good := console.TuningForm{OrderLifetimeMinutes: "5", MatchWindowMinutes: "5", MatchGraceMinutes: "3", MinAmount: "1",
		MaxAmount: "100", SlotMode: "up", SlotMaxOffset: "0.05", AutoConfirm: "high"}
	for _, tt := range []struct {
		name, field, mention string
		edit                 func(*console.TuningForm)
	}{
		{"minutes in words", "orderLifetime", "五", func(f *console.TuningForm) { f.OrderLifetimeMinutes = "五" }},
		{"fractional minutes", "matchWindow", "1.5", func(f *console.TuningForm) { f.MatchWindowMinutes = "1.5" }},
		{"negative grace", "matchGrace", "-1", func(f *console.TuningForm) { f.MatchGraceMinutes = "-1" }},
		{"minutes with a unit", "orderLifetime", "5m", func(f *console.TuningForm) { f.OrderLifetimeMinutes = "5m" }},
		{"a minimum of 0.001", "minAmount", "0.001", func(f *console.TuningForm) { f.MinAmount = "0.001" }},
		{"a maximum in words", "maxAmount", "很多", func(f *console.TuningForm) { f.MaxAmount = "很多" }},
		{"an offset over 100", "slotMaxOffset", "100", func(f *console.TuningForm) { f.SlotMaxOffset = "100.01" }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := good
			tt.edit(&f)
			_, err := s.g.ParseTuningForm(f)
			wantErr(t, err, app.EINVALID, tt.field, tt.mention)
		})
	}
	// The settings page labels these in words; the message lists what is allowed.
	for _, tt := range []struct {
		name, field, mention string
		edit                 func(*console.TuningForm)
	}{
		{"an unknown slot mode", "slotMode", "alternate", func(f *console.TuningForm) { f.SlotMode = "random" }},
		{"an unknown threshold", "autoConfirm", "medium", func(f *console.TuningForm) { f.AutoConfirm = "always" }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := good
			tt.edit(&f)
			rules, err := s.g.ParseTuningForm(f)
			if err == nil {
				err = s.g.UpdateTuning(s.ctx, rules, "店主")
			}
			wantErr(t, err, app.EINVALID, tt.field, tt.mention)
		})
	}
	rules, err := s.g.ParseTuningForm(good)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.g.UpdateTuning(s.ctx, rules, "店主"); err != nil {
		t.Fatal(err)
	}
	_, _, err = s.g.CreateOrder(s.ctx, OrderRequest{ProductName: "p", Amount: "0.99", AmountPresent: true, PaymentMethod: "alipay"})
	wantErr(t, err, app.EINVALID, "amount", "1")
	o := s.order("10", "alipay")
	if !o.ExpiresAt.Equal(s.clock.Now().Add(5 * time.Minute)) {
		t.Fatalf("the new lifetime: expires %v", o.ExpiresAt)
	}
	if next := s.order("10", "alipay"); next.PayAmount.String() != "10.01" {
		t.Fatalf("slot mode up: %s", next.PayAmount)
	}
	audit, _, _ := s.g.AuditLog(s.ctx, app.Page{Number: 1, Limit: 1})
	if len(audit) != 1 || audit[0].Action != app.AuditTuning || audit[0].Actor != "店主" {
		t.Fatalf("audit: %+v", audit)
	}
}
