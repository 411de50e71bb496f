package gateway

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"paygate/app"
	"paygate/app/forward"
	"paygate/app/store/storetest"
	"paygate/app/testclock"
)

// The gateway as a shop uses it: a real database on a settable clock, the
// config defaults, the merchant API key shopKey, and a doorbell that counts
// how often the callback queue was woken.

const shopKey = "shop-api-key-123"

// doorbell is the callback queue's Notifier: it counts wakes, and sends test
// callbacks by answering what tested says.
type doorbell struct {
	mu     sync.Mutex
	wakes  int
	tested []string // URLs asked for a test callback
	answer app.CallbackAttempt
}

func (d *doorbell) Wake()                     { d.mu.Lock(); d.wakes++; d.mu.Unlock() }
func (d *doorbell) FirstDelay() time.Duration { return 0 }
func (d *doorbell) rings() int                { d.mu.Lock(); defer d.mu.Unlock(); return d.wakes }
func (d *doorbell) SendTest(_ context.Context, url, apiKey string) app.CallbackAttempt {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.tested = append(d.tested, url+" "+apiKey)
	a := d.answer
	a.URL = url
	return a
}

type shop struct {
	t     *testing.T
	ctx   context.Context
	g     *Gateway
	clock *testclock.Clock
	bell  *doorbell
}

// newShop is a gateway on a new database at storetest.Start; change adjusts its options.
func newShop(t *testing.T, change ...func(*Options)) *shop {
	t.Helper()
	db, clock := storetest.Open(t)
	storetest.Seed(t, db, shopKey, "")
	bell := &doorbell{answer: app.CallbackAttempt{HTTPStatus: 200, Acked: true}}
	opts := Options{Defaults: configDefaults, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	for _, c := range change {
		c(&opts)
	}
	g := New(db, bell, opts)
	if err := g.LoadTuning(context.Background()); err != nil {
		t.Fatal(err)
	}
	return &shop{t: t, ctx: context.Background(), g: g, clock: clock, bell: bell}
}

// order creates an order of amount yuan by method.
func (s *shop) order(amount, method string) app.Order {
	s.t.Helper()
	o, created, err := s.g.CreateOrder(s.ctx, OrderRequest{ProductName: "手工曲奇", Amount: amount, AmountPresent: true, PaymentMethod: method})
	if err != nil || !created {
		s.t.Fatalf("order %s %s: %v (created %v)", amount, method, err, created)
	}
	return o
}

// webhook is a forwarder's POST /webhook of fields as JSON with the key header (none when "").
func (s *shop) webhook(key string, fields map[string]string) (app.IngestResult, error) {
	b, _ := json.Marshal(fields)
	h := map[string]string{"content-type": "application/json"}
	if key != "" {
		h["key"] = key
	}
	return s.g.Ingest(s.ctx, app.RawRequest{Endpoint: "/webhook", Method: "POST", RemoteIP: "203.0.113.5",
		Header: h, Body: b, ReceivedAt: s.clock.Now()})
}

// pay is the phone telling of message with the API key; it must be a payment.
func (s *shop) pay(message string) app.IngestResult {
	s.t.Helper()
	res, err := s.webhook(shopKey, map[string]string{"message": message})
	if err != nil || res.Kind != app.OutcomePayment {
		s.t.Fatalf("webhook %q: %+v %v", message, res, err)
	}
	return res
}

// vmq is a V免签 request to endpoint with query.
func (s *shop) vmq(endpoint, query string) app.RawRequest {
	return app.RawRequest{Endpoint: endpoint, Method: "GET", RemoteIP: "203.0.113.6", Query: query, ReceivedAt: s.clock.Now()}
}

// vmqPush is /appPush of price by type (1 WeChat, 2 Alipay) signed with key at t.
func vmqPush(typ, price, key string, t time.Time) string {
	ts := strconv.FormatInt(t.UnixMilli(), 10)
	return "t=" + ts + "&type=" + typ + "&price=" + price + "&sign=" + forward.Md5Hex(typ+price+ts+key)
}

// vmqHeart is /appHeart or /getState signed with key at t.
func vmqHeart(key string, t time.Time) string {
	ts := strconv.FormatInt(t.UnixMilli(), 10)
	return "t=" + ts + "&sign=" + forward.Md5Hex(ts+key)
}

// smsForwarderSign is SmsForwarder's sign: base64(HmacSHA256(secret, ts + "\n" + secret)).
func smsForwarderSign(secret, ts string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(ts + "\n" + secret))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// wantErr checks an error's code and field, and that both messages name
// mention (the field when ""; "zh|en" when the languages say it differently).
func wantErr(t *testing.T, err error, code, field, mention string) {
	t.Helper()
	if app.ErrorCode(err) != code || app.ErrorField(err) != field {
		t.Fatalf("error %v: code %q field %q; want %q %q", err, app.ErrorCode(err), app.ErrorField(err), code, field)
	}
	if mention == "" {
		mention = field
	}
	zh, en, split := strings.Cut(mention, "|")
	if !split {
		en = zh
	}
	for lang, name := range map[string]string{"zh": zh, "en": en} {
		if msg := app.ErrorMessage(err, lang); msg == "" || !strings.Contains(msg, name) {
			t.Fatalf("%s message %q does not name %q", lang, msg, name)
		}
	}
	if app.ErrorMessage(err, "zh") == app.ErrorMessage(err, "en") {
		t.Fatalf("the same message in both languages: %q", app.ErrorMessage(err, "en"))
	}
}
