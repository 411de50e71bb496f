package gateway

import (
	"net/url"
	"strconv"
	"testing"
	"time"

	"paygate/app"
)

// A signed SmsForwarder push is accepted for the whole signing window (15
// minutes), longer than a slot cools after its order ends (10 minutes). One
// held back that long — the phone offline, or somebody on the path — used to
// pay the new order that got the amount meanwhile: money seen before that
// order existed. Now it waits for a person.
func TestHeldBackSignedPushDoesNotPayANewerOrder(t *testing.T) {
	s := newShop(t)
	phone, err := s.g.CreateDevice(s.ctx, "SmsForwarder", "admin")
	if err != nil {
		t.Fatal(err)
	}
	push := func(text string, seen time.Time) (app.IngestResult, error) {
		ts := strconv.FormatInt(seen.UnixMilli(), 10)
		body := url.Values{"from": {"com.tencent.mm"}, "content": {text}, "timestamp": {ts},
			"sign": {url.QueryEscape(smsForwarderSign(phone.Key, ts))}}
		return s.g.Ingest(s.ctx, app.RawRequest{Endpoint: "/webhook", Method: "POST", RemoteIP: "203.0.113.8",
			Header: map[string]string{"content-type": "application/x-www-form-urlencoded"}, Body: []byte(body.Encode()), ReceivedAt: s.clock.Now()})
	}
	first := s.order("6", "wechat")
	s.clock.Add(first.ExpiresAt.Sub(s.clock.Now()) - 30*time.Second)
	seen := s.clock.Now() // the first order's payer pays at the last moment; the push is held back
	tuning := s.g.Tuning()
	s.clock.Add(30*time.Second + tuning.Match.Grace + time.Second)
	next := s.order("6", "wechat")
	if next.PayAmount != first.PayAmount {
		t.Fatalf("the cooled amount was not handed out again: %v, %v", first.PayAmount, next.PayAmount)
	}
	s.clock.Add(time.Second)

	res, err := push("微信支付收款6.00元(朋友到店)", seen)
	if err != nil {
		t.Fatalf("a push within the signing window was refused: %v", err)
	}
	if res.Kind != app.OutcomePayment || res.Matched {
		t.Fatalf("held-back push: %+v, want a payment waiting for a person", res)
	}
	if o, _ := s.g.Order(s.ctx, next.ID); o.Status != app.OrderPending {
		t.Fatalf("the newer order was paid by money seen before it existed: %s", o.Status)
	}

	// The newer order's own payment, seen after it was created, pays it.
	res, err = push("微信支付收款6.00元(朋友到店)", s.clock.Now())
	if err != nil || !res.Matched || res.OrderID != next.ID {
		t.Fatalf("the newer order's own push: %+v %v", res, err)
	}
}

// The same for V免签: its t is when the phone saw the payment.
func TestHeldBackVmqPushDoesNotPayANewerOrder(t *testing.T) {
	s := newShop(t)
	next := s.order("7", "alipay")
	heldBack := s.clock.Now().Add(-s.g.Tuning().Match.Grace - 2*time.Minute) // inside the 15-minute window
	res, err := s.g.VmqPush(s.ctx, s.vmq("/appPush", vmqPush("2", "7.00", shopKey, heldBack)))
	if err != nil || res.Kind != app.OutcomePayment || res.Matched {
		t.Fatalf("held-back push: %+v %v, want a payment waiting for a person", res, err)
	}
	res, err = s.g.VmqPush(s.ctx, s.vmq("/appPush", vmqPush("2", "7.00", shopKey, s.clock.Now())))
	if err != nil || !res.Matched || res.OrderID != next.ID {
		t.Fatalf("the order's own push: %+v %v", res, err)
	}
}
