package gateway

import (
	"testing"
	"time"

	"paygate/app"
)

func TestParsePage(t *testing.T) {
	tests := []struct {
		page, limit    string
		want           app.Page
		field, mention string
	}{
		{"", "", app.Page{Number: 1, Limit: 20}, "", ""},
		{" 3 ", "100", app.Page{Number: 3, Limit: 100}, "", ""},
		{"1000000", "1", app.Page{Number: 1_000_000, Limit: 1}, "", ""},
		{"0", "", app.Page{}, "page", "0"},
		{"-2", "", app.Page{}, "page", "-2"},
		{"1000001", "", app.Page{}, "page", "1000001"},
		{"二", "", app.Page{}, "page", "二"},
		{"1", "0", app.Page{}, "limit", "100"},
		{"1", "101", app.Page{}, "limit", "101"},
		{"1", "1e2", app.Page{}, "limit", "1e2"},
		{"1", "99999999999999999999999999", app.Page{}, "limit", "99999999999999999999"},
	}
	for _, tt := range tests {
		t.Run(tt.page+"/"+tt.limit, func(t *testing.T) {
			p, err := ParsePage(tt.page, tt.limit)
			if tt.field != "" {
				wantErr(t, err, app.EINVALID, tt.field, tt.mention)
				return
			}
			if err != nil || p != tt.want {
				t.Fatalf("%+v %v; want %+v", p, err, tt.want)
			}
		})
	}
}

// A person decides what a waiting payment pays: its candidates say which
// orders it may be, most likely first; confirming pays the order and wakes
// the callback queue; ignoring, resending and the refusals change nothing
// they should not.
func TestPaymentDecisions(t *testing.T) {
	s := newShop(t)
	late := s.order("7", "alipay")
	s.clock.Add(16 * time.Minute) // expired a minute ago: within the grace period
	latePay := s.pay("收到转账7.00元(支付宝)")
	if latePay.Matched {
		t.Fatalf("a payment for an expired order was matched by itself: %+v", latePay)
	}
	a, b := s.order("2", "alipay"), s.order("2", "wechat")
	unknown := s.pay("收到转账2.00元") // which method? two orders could be it
	s.clock.Add(time.Second)
	stray := s.pay("收到转账3.33元(支付宝)")
	paidOrder := s.order("9", "alipay")
	paid := s.pay("收到转账9.00元(支付宝)")
	if !paid.Matched || paid.OrderID != paidOrder.ID {
		t.Fatalf("the plain payment: %+v", paid)
	}

	d, err := s.g.PaymentDetail(s.ctx, latePay.PaymentID)
	if err != nil || len(d.Candidates) != 1 || d.Candidates[0].Order.ID != late.ID || d.Candidates[0].Why != "expired" ||
		d.Candidates[0].Confidence != app.ConfidenceLow || d.Notification.Text != "收到转账7.00元(支付宝)" {
		t.Fatalf("late payment detail: %+v %v", d, err)
	}
	d, err = s.g.PaymentDetail(s.ctx, unknown.PaymentID)
	if err != nil || len(d.Candidates) != 2 || d.Candidates[0].Why != "several" || d.Candidates[1].Why != "several" {
		t.Fatalf("method-unknown payment's candidates: %+v %v", d.Candidates, err)
	}
	waiting, total, err := s.g.Unmatched(s.ctx, app.Page{Number: 1, Limit: 10})
	if err != nil || total != 3 || len(waiting) != 3 || waiting[0].Payment.ID != stray.PaymentID || len(waiting[0].Candidates) != 0 {
		t.Fatalf("unmatched: %d %+v %v", total, waiting, err)
	}

	rings := s.bell.rings()
	p, err := s.g.ConfirmPayment(s.ctx, app.Settlement{PaymentID: " " + latePay.PaymentID + " ", OrderRef: " " + late.ID + " "}, "店主")
	if err != nil || p.Status != app.PaymentMatched || p.OrderID != late.ID || p.MatchedBy != "店主" || s.bell.rings() != rings+1 {
		t.Fatalf("confirm: %+v %v (woken %d)", p, err, s.bell.rings()-rings)
	}
	if o, _ := s.g.Order(s.ctx, late.ID); o.Status != app.OrderSuccess || o.PaymentID != latePay.PaymentID {
		t.Fatalf("the confirmed order: %+v", o)
	}
	if p, err := s.g.ConfirmPayment(s.ctx, app.Settlement{PaymentID: unknown.PaymentID, OrderRef: b.ID}, "店主"); err != nil || p.OrderID != b.ID {
		t.Fatalf("confirm the method-unknown payment: %+v %v", p, err)
	}
	if p, err := s.g.IgnorePayment(s.ctx, stray.PaymentID, "", "店主"); err != nil || p.Status != app.PaymentIgnored {
		t.Fatalf("ignore: %+v %v", p, err)
	}
	rings = s.bell.rings()
	if err := s.g.ResendCallback(s.ctx, paid.PaymentID, "api"); err != nil || s.bell.rings() != rings+1 {
		t.Fatalf("resend: %v", err)
	}

	const nope = "PAY1700000000999"
	refusals := []struct {
		name        string
		do          func() error
		code, field string
		mention     string
	}{
		{"confirm without an order", func() error {
			_, err := s.g.ConfirmPayment(s.ctx, app.Settlement{PaymentID: stray.PaymentID, OrderRef: " "}, "x")
			return err
		}, app.EINVALID, "orderId", ""},
		{"confirm a matched payment", func() error {
			_, err := s.g.ConfirmPayment(s.ctx, app.Settlement{PaymentID: paid.PaymentID, OrderRef: a.ID}, "x")
			return err
		}, app.ECONFLICT, "paymentId", paidOrder.ID},
		{"confirm onto a paid order", func() error {
			_, err := s.g.ConfirmPayment(s.ctx, app.Settlement{PaymentID: stray.PaymentID, OrderRef: paidOrder.ID}, "x")
			return err
		}, app.ECONFLICT, "orderId", paidOrder.ID},
		{"confirm an unknown payment", func() error {
			_, err := s.g.ConfirmPayment(s.ctx, app.Settlement{PaymentID: nope, OrderRef: a.ID}, "x")
			return err
		}, app.ENOTFOUND, "paymentId", nope},
		{"confirm onto an unknown order", func() error {
			_, err := s.g.ConfirmPayment(s.ctx, app.Settlement{PaymentID: stray.PaymentID, OrderRef: "ORDnope"}, "x")
			return err
		}, app.ENOTFOUND, "orderId", "ORDnope"},
		{"ignore an ignored payment", func() error { _, err := s.g.IgnorePayment(s.ctx, stray.PaymentID, "", "x"); return err }, app.ECONFLICT, "paymentId", "已忽略|ignored"},
		{"ignore an unknown payment", func() error { _, err := s.g.IgnorePayment(s.ctx, nope, "", "x"); return err }, app.ENOTFOUND, "paymentId", nope},
		{"resend without an order", func() error { return s.g.ResendCallback(s.ctx, stray.PaymentID, "x") }, app.ECONFLICT, "paymentId", stray.PaymentID},
		{"resend an unknown payment", func() error { return s.g.ResendCallback(s.ctx, nope, "x") }, app.ENOTFOUND, "paymentId", nope},
		{"detail of an unknown payment", func() error { _, err := s.g.PaymentDetail(s.ctx, nope); return err }, app.ENOTFOUND, "paymentId", nope},
	}
	for _, tt := range refusals {
		t.Run(tt.name, func(t *testing.T) {
			rings := s.bell.rings()
			wantErr(t, tt.do(), tt.code, tt.field, tt.mention)
			if s.bell.rings() != rings {
				t.Fatal("a refused request woke the callback queue")
			}
		})
	}
	if o, _ := s.g.Order(s.ctx, a.ID); o.Status != app.OrderPending {
		t.Fatalf("order %s after the refusals: %s", a.ID, o.Status)
	}

	// The record: who did what, in the payment's and the order's timelines.
	d, err = s.g.PaymentDetail(s.ctx, latePay.PaymentID)
	if err != nil || len(d.Candidates) != 0 || len(d.Audit) != 1 || d.Audit[0].Action != app.AuditPaymentConfirm || d.Audit[0].Actor != "店主" {
		t.Fatalf("confirmed payment's detail: %+v %v", d, err)
	}
	tl, err := s.g.OrderTimeline(s.ctx, late.ID)
	if err != nil || tl.Payment == nil || tl.Payment.ID != latePay.PaymentID || len(tl.Audit) != 1 {
		t.Fatalf("timeline: %+v %v", tl, err)
	}
	if tl, err := s.g.OrderTimeline(s.ctx, a.ID); err != nil || tl.Payment != nil || len(tl.Audit) != 0 {
		t.Fatalf("timeline of a pending order: %+v %v", tl, err)
	}
	if _, err := s.g.OrderTimeline(s.ctx, "ORDnope"); app.ErrorCode(err) != app.ENOTFOUND {
		t.Fatalf("timeline of an unknown order: %v", err)
	}
	if attempts, err := s.g.CallbackAttempts(s.ctx, paid.PaymentID); err != nil || len(attempts) != 0 {
		t.Fatalf("attempts: %v %v", attempts, err)
	}
	for status, want := range map[app.PaymentStatus]int{"": 4, app.PaymentMatched: 3, app.PaymentUnmatched: 0, app.PaymentIgnored: 1} {
		if _, total, err := s.g.PaymentsForConsole(s.ctx, status, app.Page{Number: 1, Limit: 2}); err != nil || total != want {
			t.Errorf("payments %q: %d %v, want %d", status, total, err, want)
		}
	}
	audit, total, err := s.g.AuditLog(s.ctx, app.Page{Number: 1, Limit: 10})
	if err != nil || total != 4 || audit[0].Action != app.AuditCallbackResend || audit[0].Actor != "api" {
		t.Fatalf("audit log: %d %+v %v", total, audit, err)
	}
}
