package gateway

import (
	"context"
	"testing"
	"time"

	"paygate/app"
	"paygate/app/store/storetest"
)

// The grace period in force — changed at run time on the settings page —
// decides both which amounts are cooling and whether a payment waits, and
// the console's candidate list says why a pending order was not paid.
func TestSlotCooldownFollowsTheGraceSetting(t *testing.T) {
	ctx := context.Background()
	db, clock := storetest.Open(t) // 2026-11-26 10:00 Shanghai
	storetest.Seed(t, db, "cooldown-api-key", "")
	g := New(db, quietNotifier{}, Options{Defaults: app.Tuning{
		OrderLifetime: 15 * time.Minute, MinAmount: 1, MaxAmount: 1_000_000,
		Slots: app.SlotPolicy{Mode: app.SlotAlternate, MaxOffset: 50},
		Match: app.MatchPolicy{Window: 15 * time.Minute, Grace: 10 * time.Minute, AutoConfirm: app.ConfidenceMedium},
	}})
	order := func() app.Order {
		t.Helper()
		o, _, err := g.CreateOrder(ctx, OrderRequest{ProductName: "p", Amount: "10", AmountPresent: true, PaymentMethod: "alipay"})
		if err != nil {
			t.Fatal(err)
		}
		return o
	}
	setGrace := func(d time.Duration) {
		t.Helper()
		tu := g.Tuning()
		tu.Match.Grace = d
		if err := g.updateTuning(ctx, tu); err != nil {
			t.Fatal(err)
		}
	}

	a := order()
	if a.PayAmount != 1000 {
		t.Fatalf("first order on %d, want 1000", a.PayAmount)
	}
	if _, err := g.CloseOrder(ctx, a.ID, "test"); err != nil {
		t.Fatal(err)
	}
	if b := order(); b.PayAmount == 1000 {
		t.Fatal("grace 10m: the amount a closed order released was handed out at once")
	}

	clock.Add(2 * time.Minute)
	if b := order(); b.PayAmount == 1000 {
		t.Fatal("grace 10m: the amount a closed order released 2 minutes ago was handed out")
	}
	setGrace(time.Minute)
	c := order()
	if c.PayAmount != 1000 {
		t.Fatalf("grace lowered to 1m: the amount released 2 minutes ago is free again, got %d", c.PayAmount)
	}

	// Grace raised again: a payment of 10.00 may be the closed order's, so
	// the pending order on 10.00 is not paid automatically.
	setGrace(10 * time.Minute)
	res, err := g.Ingest(ctx, app.RawRequest{
		Endpoint: "/webhook", Method: "POST", RemoteIP: "127.0.0.1", ReceivedAt: clock.Now(),
		Header: map[string]string{"content-type": "application/json", "key": "cooldown-api-key"},
		Body:   []byte(`{"message":"收到转账10.00元(支付宝)"}`),
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Matched || res.Confidence != app.ConfidenceLow {
		t.Fatalf("payment fitting a released holder and a pending order: %+v, want low and unmatched", res)
	}
	if got, _ := g.Order(ctx, c.ID); got.Status != app.OrderPending {
		t.Fatalf("the pending order is %s, want still pending", got.Status)
	}
	p, err := g.Payment(ctx, res.PaymentID)
	if err != nil {
		t.Fatal(err)
	}
	cands, err := g.candidates(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	var found bool
	for _, cand := range cands {
		if cand.Order.ID == c.ID {
			found = true
			if cand.Confidence != app.ConfidenceLow || cand.Why != "previous_holder" {
				t.Fatalf("candidate %s: %s %q, want low previous_holder", c.ID, cand.Confidence, cand.Why)
			}
		}
	}
	if !found {
		t.Fatalf("candidates %+v lack the pending order %s", cands, c.ID)
	}
}
