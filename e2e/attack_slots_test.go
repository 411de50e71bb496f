package e2e

// Attacks on amount slots: a payment is matched to an order by its exact
// amount, so an amount handed to a new order while a notification for its
// previous holder can still arrive would let that notification — late, or
// the same one posted again — mark the new order paid without its payer
// paying. Per DESIGN (slot cooldown) a slot released by a paid, expired or
// closed order stays unavailable for match.grace.

import (
	"testing"
	"time"
)

// orderStatus returns the order's status and the payment that paid it.
func (in *instance) orderStatus(orderID string) (status, paymentID string) {
	in.t.Helper()
	code, out := in.call("GET", "/api/order-status?orderId="+orderID, "", nil)
	if code != 200 {
		in.t.Fatalf("order-status %s: %d %v", orderID, code, out)
	}
	status, _ = out["status"].(string)
	paymentID, _ = out["paymentId"].(string)
	return status, paymentID
}

// Order A (10.00) expires, order B asks for 10.00 too: B must get another
// amount, and A's payer paying late must never mark B paid.
func TestAttackLatePaymentAfterExpiryDoesNotPayNextOrder(t *testing.T) {
	pg := startPaygate(t, t.TempDir(), "PAYGATE_MERCHANT_API_KEY="+testAPIKey,
		"PAYGATE_ORDER_LIFETIME=2s", "PAYGATE_MATCH_GRACE=1m")
	a := pg.createOrder(`{"productName":"A","amount":10,"paymentMethod":"alipay"}`)
	if a["amount"] != 10.0 {
		t.Fatalf("order A: %v", a)
	}
	time.Sleep(2500 * time.Millisecond) // A's lifetime is over

	b := pg.createOrder(`{"productName":"B","amount":10,"paymentMethod":"alipay"}`)
	bID := b["orderId"].(string)
	if b["amount"] == 10.0 {
		t.Errorf("order B was given 10.00, the amount order A released moments ago (grace 1m)")
	}

	// A's payer pays the 10.00 A showed them.
	hook := pg.webhook("收到转账10.00元(支付宝)")
	if hook["kind"] != "payment" || hook["matched"] == true || hook["orderId"] != nil {
		t.Errorf("A's late payment: %v, want a payment that waits for a person", hook)
	}
	if status, paid := pg.orderStatus(bID); status == "success" {
		t.Fatalf("order B is paid (payment %s) by order A's late payment: B's payer never paid", paid)
	}
	if status, _ := pg.orderStatus(a["orderId"].(string)); status != "expired" {
		t.Fatalf("order A is %s; a late payment waits for a person, it does not pay by itself", status)
	}
}

// Order X (7.77) is paid, order Y asks for 7.77: Y must get another amount,
// and the same guide-format webhook posted again must pay nothing — X stays
// paid once, Y stays pending.
func TestAttackRepeatedWebhookAfterPaymentDoesNotPayNextOrder(t *testing.T) {
	pg := startPaygate(t, t.TempDir(), "PAYGATE_MERCHANT_API_KEY="+testAPIKey, "PAYGATE_MATCH_GRACE=1m")
	x := pg.createOrder(`{"productName":"X","amount":7.77,"paymentMethod":"alipay"}`)
	xID := x["orderId"].(string)
	first := pg.webhook("收到转账7.77元(支付宝)")
	if first["orderId"] != xID {
		t.Fatalf("X's payment: %v", first)
	}

	y := pg.createOrder(`{"productName":"Y","amount":7.77,"paymentMethod":"alipay"}`)
	yID := y["orderId"].(string)
	if y["amount"] == 7.77 {
		t.Errorf("order Y was given 7.77, the amount paid order X released a moment ago (grace 1m)")
	}

	again := pg.webhook("收到转账7.77元(支付宝)") // the guide's format carries no id: not a duplicate
	if again["kind"] != "payment" || again["matched"] == true || again["orderId"] != nil {
		t.Errorf("repeated webhook: %v, want a payment that waits for a person", again)
	}
	if status, paid := pg.orderStatus(yID); status != "pending" {
		t.Fatalf("order Y is %s (payment %s) after X's webhook was posted again; Y's payer never paid", status, paid)
	}
	if status, paid := pg.orderStatus(xID); status != "success" || paid != first["paymentId"] {
		t.Fatalf("order X: %s paid by %s, want success by %v only", status, paid, first["paymentId"])
	}
	code, list := pg.call("GET", "/api/payments?page=1&limit=10", "", bearer)
	data, _ := list["data"].([]any)
	matched := 0
	for _, p := range data {
		if p.(map[string]any)["status"] == "success" {
			matched++
		}
	}
	if code != 200 || list["total"] != 2.0 || matched != 1 {
		t.Fatalf("payments: %d total %v, %d matched; want 2 recorded, 1 matched: %v", code, list["total"], matched, list)
	}
}
