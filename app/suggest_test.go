package app

import (
	"slices"
	"testing"
	"time"

	"paygate/app/money"
)

func TestSuggest(t *testing.T) {
	at := time.Date(2026, 11, 26, 12, 0, 0, 0, Shanghai)
	order := func(id string, m Method, asked, pay money.Fen, created time.Duration, st OrderStatus) Order {
		c := at.Add(created)
		return Order{ID: id, Method: m, Amount: asked, PayAmount: pay, Status: st, CreatedAt: c, ExpiresAt: c.Add(15 * time.Minute)}
	}
	facts := SuggestFacts{Grace: 10 * time.Minute}
	type want struct {
		id   string
		why  string
		conf Confidence
		diff money.Fen
		late time.Duration
	}
	tests := []struct {
		name   string
		pay    Payment
		orders []Order
		facts  SuggestFacts
		want   []want // in this order
	}{
		{
			name: "the issue's payer: ¥10.00 paid, the order asks ¥10.01 (asked ¥10.00)",
			pay:  Payment{Method: MethodAlipay, Amount: 1000, ReceivedAt: at},
			orders: []Order{
				order("near", MethodAlipay, 999, 999, -5*time.Minute, OrderPending),
				order("listed", MethodAlipay, 1000, 1001, -5*time.Minute, OrderPending),
			},
			want: []want{
				{"listed", "listed_price", ConfidenceLow, -1, 0},
				{"near", "near_amount", ConfidenceLow, 1, 0},
			},
		},
		{
			name: "¥18.80 by WeChat against a pending Alipay ¥18.80 order",
			pay:  Payment{Method: MethodWechat, Amount: 1880, ReceivedAt: at},
			orders: []Order{
				order("alipay", MethodAlipay, 1880, 1880, -3*time.Minute, OrderPending),
			},
			want: []want{{"alipay", "other_method", ConfidenceLow, 0, 0}},
		},
		{
			name: "exact slot first, then the usual mistakes",
			pay:  Payment{Method: MethodAlipay, Amount: 500, ReceivedAt: at},
			orders: []Order{
				order("other", MethodWechat, 500, 500, -2*time.Minute, OrderPending),
				order("exact", MethodAlipay, 500, 500, -2*time.Minute, OrderPending),
				order("cent", MethodAlipay, 501, 501, -1*time.Minute, OrderPending),
			},
			want: []want{
				{"exact", "pending", ConfidenceHigh, 0, 0},
				{"other", "other_method", ConfidenceLow, 0, 0},
				{"cent", "near_amount", ConfidenceLow, -1, 0},
			},
		},
		{
			name: "paid after the order expired: within grace, then long after",
			pay:  Payment{Method: MethodAlipay, Amount: 300, ReceivedAt: at},
			orders: []Order{
				order("old", MethodAlipay, 300, 300, -3*time.Hour, OrderExpired),
				order("just", MethodAlipay, 300, 300, -20*time.Minute, OrderExpired),
			},
			want: []want{
				{"just", "expired", ConfidenceLow, 0, 5 * time.Minute},
				{"old", "late", ConfidenceLow, 0, 3*time.Hour - 15*time.Minute},
			},
		},
		{
			name: "several waiting on the slot, and an earlier holder released",
			pay:  Payment{Amount: 700, ReceivedAt: at},
			orders: []Order{
				order("a", MethodAlipay, 700, 700, -4*time.Minute, OrderPending),
				order("b", MethodWechat, 700, 700, -2*time.Minute, OrderPending),
			},
			facts: SuggestFacts{Grace: 10 * time.Minute, Released: true},
			want: []want{
				{"b", "previous_holder", ConfidenceLow, 0, 0},
				{"a", "previous_holder", ConfidenceLow, 0, 0},
			},
		},
		{
			name: "not suggested: closed, paid, made after the money came, expired more than a day before",
			pay:  Payment{Method: MethodAlipay, Amount: 900, ReceivedAt: at},
			orders: []Order{
				order("closed", MethodAlipay, 900, 900, -2*time.Minute, OrderFailed),
				order("paid", MethodAlipay, 900, 900, -2*time.Minute, OrderSuccess),
				order("after", MethodAlipay, 900, 900, 5*time.Minute, OrderPending),
				order("ancient", MethodAlipay, 900, 900, -30*time.Hour, OrderExpired),
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := tt.facts
			if f.Grace == 0 {
				f = facts
			}
			got := Suggest(tt.pay, tt.orders, f)
			var ids []string
			for _, c := range got {
				ids = append(ids, c.Order.ID)
			}
			var wantIDs []string
			for _, w := range tt.want {
				wantIDs = append(wantIDs, w.id)
			}
			if !slices.Equal(ids, wantIDs) {
				t.Fatalf("suggested %v, want %v", ids, wantIDs)
			}
			for i, w := range tt.want {
				c := got[i]
				if c.Why != w.why || c.Confidence != w.conf || c.Diff != w.diff || c.Late != w.late {
					t.Errorf("%s: why %q conf %q diff %d late %s; want %q %q %d %s", w.id, c.Why, c.Confidence, c.Diff, c.Late, w.why, w.conf, w.diff, w.late)
				}
			}
		})
	}
}

func TestRankPaymentsFor(t *testing.T) {
	at := time.Date(2026, 11, 26, 12, 0, 0, 0, Shanghai)
	o := Order{ID: "O", Method: MethodAlipay, Amount: 1000, PayAmount: 1001, Status: OrderPending, CreatedAt: at, ExpiresAt: at.Add(15 * time.Minute)}
	pay := func(id string, m Method, amount money.Fen, after time.Duration) Payment {
		return Payment{ID: id, Method: m, Amount: amount, Status: PaymentUnmatched, ReceivedAt: at.Add(after)}
	}
	got := RankPaymentsFor(o, []Payment{
		pay("wechat", MethodWechat, 1001, 2*time.Minute),
		pay("listed", MethodAlipay, 1000, 3*time.Minute),
		pay("exact", MethodAlipay, 1001, 4*time.Minute),
		pay("late", MethodAlipay, 1001, 40*time.Minute),
		{ID: "done", Amount: 1001, Status: PaymentMatched, ReceivedAt: at},
	}, 10*time.Minute)
	var ids []string
	for _, f := range got {
		ids = append(ids, f.Payment.ID)
	}
	if want := []string{"exact", "wechat", "listed", "late"}; !slices.Equal(ids, want) {
		t.Fatalf("ranked %v, want %v", ids, want)
	}
	if got[2].Fit.Diff != -1 || !got[1].Fit.OtherMethod || got[3].Fit.Late != 25*time.Minute {
		t.Fatalf("fits: %+v", got)
	}
}
