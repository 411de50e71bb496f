package store

import (
	"context"
	"testing"
	"time"

	"paygate/app"
	"paygate/app/money"
)

// A person matching a payment later pays the order as of when the money
// arrived, not when they clicked; the audit entry says who, which order,
// what arrived against what was asked and why — once.
func TestConfirmPaysAsOfArrival(t *testing.T) {
	db, clock := openTestDB(t)
	ctx := context.Background()
	o, _, err := db.CreateOrder(ctx, testID("ORD"), app.OrderInput{ProductName: "会员", Method: app.MethodAlipay, Amount: 1000, MerchantOrderID: "SHOP-9"},
		15*time.Minute, slots, policy.Grace)
	if err != nil {
		t.Fatal(err)
	}
	clock.Add(2 * time.Minute)
	arrived := clock.Now()
	res := apply(t, db, app.Notice{Method: app.MethodAlipay, Amount: 999}) // a cent short: no order on that slot
	if res.Matched {
		t.Fatal("a short payment must wait for a person")
	}
	clock.Add(7 * time.Minute)
	p, err := db.ConfirmPayment(ctx, app.Settlement{PaymentID: res.PaymentID, OrderRef: "SHOP-9", Why: "near_amount", Note: "顾客少付一分"}, "boss", 0)
	if err != nil {
		t.Fatal(err)
	}
	if p.OrderID != o.ID || p.Order.ShopNumber() != "SHOP-9" || p.Order.PayAmount != 1000 || p.Order.ProductName != "会员" {
		t.Fatalf("confirmed by the shop's order number: %+v", p)
	}
	got, err := db.Order(ctx, o.ID)
	if err != nil || !got.PaidAt.Equal(arrived) {
		t.Fatalf("paidAt = %s (%v), want when the money arrived, %s", got.PaidAt, err, arrived)
	}
	due, err := db.ClaimDueCallbacks(ctx, 10, time.Minute, nil)
	if err != nil || len(due) != 1 || due[0].Payment.Amount != 999 || due[0].Order.PayAmount != 1000 || !due[0].Order.PaidAt.Equal(arrived) {
		t.Fatalf("callback delivery: %+v %v", due, err)
	}
	log, _, err := db.AuditLog(ctx, app.AuditFilter{Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range log {
		if e.Action == app.AuditPaymentConfirm {
			n++
			f, ok := app.ParseAuditFields(e.Detail)
			if !ok || e.Actor != "boss" || e.Subject != p.ID || f["order"] != o.ID || f["received"] != "9.99" || f["payable"] != "10.00" ||
				f["why"] != "near_amount" || f["note"] != "顾客少付一分" {
				t.Fatalf("audit entry: %+v %v", e, f)
			}
		}
	}
	if n != 1 {
		t.Fatalf("%d confirm entries in the audit log, want 1", n)
	}
	// The 易支付 out_trade_no, as the shop knows it, finds its order too.
	if _, err := db.ConfirmPayment(ctx, app.Settlement{PaymentID: res.PaymentID, OrderRef: "nope"}, "boss", 0); app.ErrorCode(err) != app.ECONFLICT {
		t.Fatalf("confirming a matched payment again: %v", err)
	}
}

func TestRecordPaymentByHand(t *testing.T) {
	db, clock := openTestDB(t)
	ctx := context.Background()
	o := createOrder(t, db, app.MethodWechat, 1880)
	clock.Add(20 * time.Minute) // expired meanwhile
	arrived := clock.Now().Add(-8 * time.Minute)
	p, err := db.RecordPayment(ctx, app.ManualPayment{OrderID: o.ID, Method: app.MethodWechat, Amount: 1880, ReceivedAt: arrived, Note: "手机关机"}, "PAYHAND1", "boss", 0)
	if err != nil {
		t.Fatal(err)
	}
	if !p.RecordedByHand() || p.Status != app.PaymentMatched || p.MatchedBy != "boss" || p.Note != "手机关机" || !p.ReceivedAt.Equal(arrived) {
		t.Fatalf("recorded payment: %+v", p)
	}
	got, _ := db.Order(ctx, o.ID)
	if got.Status != app.OrderSuccess || !got.PaidAt.Equal(arrived) || got.PaymentID != p.ID {
		t.Fatalf("order after 补单: %+v", got)
	}
	if _, err := db.RecordPayment(ctx, app.ManualPayment{OrderID: o.ID, Method: app.MethodWechat, Amount: 1880, ReceivedAt: arrived, Note: "again"}, "PAYHAND2", "boss", 0); app.ErrorCode(err) != app.ECONFLICT {
		t.Fatalf("补单 on a paid order: %v", err)
	}
	closed := createOrder(t, db, app.MethodWechat, 500)
	if _, err := db.CloseOrder(ctx, closed.ID, "boss"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.RecordPayment(ctx, app.ManualPayment{OrderID: closed.ID, Method: app.MethodWechat, Amount: 500, ReceivedAt: clock.Now(), Note: "x"}, "PAYHAND3", "boss", 0); app.ErrorCode(err) != app.ECONFLICT {
		t.Fatalf("补单 on a closed order: %v", err)
	}
	// The 收款播报 leaves money typed in by hand out; the dashboard counts it by method.
	arrivals, err := db.Arrivals(ctx, 0, 10)
	if err != nil || len(arrivals) != 0 {
		t.Fatalf("arrivals: %+v %v", arrivals, err)
	}
	s, err := db.PeriodStats(ctx, time.Date(2026, 11, 26, 0, 0, 0, 0, app.Shanghai), clock.Now().Add(time.Second))
	if err != nil || s.ByMethod[app.MethodWechat] != (app.Takings{Revenue: 1880, Payments: 1}) || s.Revenue != 1880 {
		t.Fatalf("stats by method: %+v %v", s, err)
	}
	log, _, _ := db.AuditLog(ctx, app.AuditFilter{Subject: p.ID, Limit: 10})
	if len(log) != 1 || log[0].Action != app.AuditPaymentRecord || log[0].Actor != "boss" {
		t.Fatalf("audit: %+v", log)
	}
}

// The suggestions' query pins its indexes (a wrong INDEXED BY is an error,
// not a slow scan) and finds waiting orders near the amount by either method
// and orders that expired within a day.
func TestSuggestionOrders(t *testing.T) {
	db, clock := openTestDB(t)
	ctx := context.Background()
	old := createOrder(t, db, app.MethodAlipay, 1000)
	clock.Add(30 * time.Minute)
	if _, err := db.ExpireOrders(ctx); err != nil {
		t.Fatal(err)
	}
	waiting := createOrder(t, db, app.MethodWechat, 1002)
	far := createOrder(t, db, app.MethodAlipay, 2000)
	got, err := db.SuggestionOrders(ctx, 1000, clock.Now(), money.Fen(5))
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]app.OrderStatus{}
	for _, o := range got {
		ids[o.ID] = o.Status
	}
	if ids[old.ID] != app.OrderExpired || ids[waiting.ID] != app.OrderPending || len(ids) != 2 {
		t.Fatalf("suggestion orders %v; want %s expired and %s pending, not %s", ids, old.ID, waiting.ID, far.ID)
	}
}

func TestArrivalsComeInOrderOnce(t *testing.T) {
	db, _ := openTestDB(t)
	ctx := context.Background()
	o := createOrder(t, db, app.MethodAlipay, 1250)
	start, err := db.LastArrival(ctx)
	if err != nil {
		t.Fatal(err)
	}
	apply(t, db, app.Notice{Method: app.MethodAlipay, Amount: 1250})
	apply(t, db, app.Notice{Method: app.MethodWechat, Amount: 300})
	got, err := db.Arrivals(ctx, start, 10)
	if err != nil || len(got) != 2 {
		t.Fatalf("arrivals: %+v %v", got, err)
	}
	if got[0].Amount != 1250 || got[0].Order.ID != o.ID || got[0].Status != app.PaymentMatched || got[1].Method != app.MethodWechat || got[1].Order.ID != "" {
		t.Fatalf("arrivals: %+v", got)
	}
	again, _ := db.Arrivals(ctx, got[1].Seq, 10)
	if len(again) != 0 {
		t.Fatalf("the same payments again: %+v", again)
	}
}
