package gateway

import (
	"context"
	"strings"
	"testing"
	"time"

	"paygate/app"
)

func storedWebhook(t *testing.T, g *Gateway, key, body string, at time.Time) int64 {
	t.Helper()
	id, err := g.db.SaveRawNotification(context.Background(), app.RawRequest{
		Endpoint: "/webhook", Method: "POST", RemoteIP: "127.0.0.1",
		Header: map[string]string{"content-type": "application/json", "key": key}, Body: []byte(body), ReceivedAt: at,
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func notificationOutcome(t *testing.T, g *Gateway, id int64) app.Notification {
	t.Helper()
	n, err := g.db.Notification(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// Rows stored but never applied (a crash, a client gone) are applied by
// ApplyPending through the live path: paid, refused, or — when they arrived
// longer ago than the match grace — waiting for a person; never twice.
func TestApplyPending(t *testing.T) {
	ctx := context.Background()
	g := newTestGateway(t)
	now := g.Now()
	fresh, _, err := g.CreateOrder(ctx, OrderRequest{ProductName: "p", Amount: "5.01", AmountPresent: true, PaymentMethod: "alipay"})
	if err != nil {
		t.Fatal(err)
	}
	stale, _, err := g.CreateOrder(ctx, OrderRequest{ProductName: "p", Amount: "5.02", AmountPresent: true, PaymentMethod: "alipay"})
	if err != nil {
		t.Fatal(err)
	}
	paid := storedWebhook(t, g, "fuzz-api-key", `{"message":"收到转账5.01元(支付宝)"}`, now.Add(-time.Minute))
	late := storedWebhook(t, g, "fuzz-api-key", `{"message":"收到转账5.02元(支付宝)"}`, now.Add(-time.Hour))
	refused := storedWebhook(t, g, "wrong", `{"message":"收到转账5.03元(支付宝)"}`, now.Add(-time.Minute))
	young := storedWebhook(t, g, "fuzz-api-key", `{"message":"收到转账5.04元(支付宝)"}`, now)

	if err := g.ApplyPending(ctx, now.Add(-pendingAge)); err != nil {
		t.Fatal(err)
	}
	if n := notificationOutcome(t, g, paid); n.Outcome != app.OutcomePayment {
		t.Errorf("stored payment: %s %s", n.Outcome, n.Reason)
	}
	if o, _ := g.db.Order(ctx, fresh.ID); o.Status != app.OrderSuccess {
		t.Errorf("its order: %s", o.Status)
	}
	if n := notificationOutcome(t, g, late); n.Outcome != app.OutcomePayment {
		t.Errorf("late payment: %s", n.Outcome)
	}
	if o, _ := g.db.Order(ctx, stale.ID); o.Status != app.OrderPending {
		t.Errorf("an hour-old notification paid an order by itself: %s", o.Status)
	}
	if n := notificationOutcome(t, g, refused); n.Outcome != app.OutcomeRefused {
		t.Errorf("wrong key: %s", n.Outcome)
	}
	if n := notificationOutcome(t, g, young); n.Outcome != app.OutcomeReceived {
		t.Errorf("a row a live request may still hold was applied: %s", n.Outcome)
	}

	// Applying a row again (a live request and the sweeper both at it) pays nothing twice.
	raw, _, err := g.db.RawNotification(ctx, paid)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := g.ingestStored(ctx, paid, raw); err != nil {
		t.Fatal(err)
	}
	if _, total, _ := g.db.ListPayments(ctx, app.PaymentFilter{Limit: 10}); total != 2 {
		t.Errorf("%d payments, want 2", total)
	}
}

func TestApplyPendingGivesUpVisibly(t *testing.T) {
	ctx := context.Background()
	g := newTestGateway(t)
	id := storedWebhook(t, g, "fuzz-api-key", `{"message":"收到转账1元"}`, g.Now())
	for i := 1; i <= maxApplyAttempts; i++ {
		gaveUp, err := g.db.NoteApplyFailure(ctx, id, "disk I/O error", maxApplyAttempts)
		if err != nil || gaveUp != (i == maxApplyAttempts) {
			t.Fatalf("try %d: gaveUp %v, err %v", i, gaveUp, err)
		}
	}
	n := notificationOutcome(t, g, id)
	if n.Outcome != app.OutcomeError || !strings.Contains(n.Reason, "disk I/O error") {
		t.Fatalf("after %d failures: %s %q", maxApplyAttempts, n.Outcome, n.Reason)
	}
	if c, err := g.db.CountNotifications(ctx, app.OutcomeError); err != nil || c != 1 {
		t.Fatalf("count of failed notifications: %d %v", c, err)
	}
	d, err := g.Dashboard(ctx)
	if err != nil || d.NotificationsFailing != 1 {
		t.Fatalf("dashboard: %d %v", d.NotificationsFailing, err)
	}
}

func TestWindowText(t *testing.T) {
	tests := []struct {
		d      time.Duration
		zh, en string
	}{
		{15 * time.Minute, "15 分钟", "15 minutes"},
		{time.Hour, "1 小时", "1 hour"},
		{90 * time.Second, "90 秒", "90 seconds"},
		{time.Minute, "1 分钟", "1 minute"},
	}
	for _, tt := range tests {
		if zh, en := windowText(tt.d); zh != tt.zh || en != tt.en {
			t.Errorf("windowText(%v) = %q %q", tt.d, zh, en)
		}
	}
}
