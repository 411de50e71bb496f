package store

import (
	"context"
	"strings"
	"testing"
	"time"

	"paygate/app"
	"paygate/app/money"
	"paygate/app/testclock"
)

// release frees an order's slot the way the named event does.
func release(t *testing.T, db *DB, clock *testclock.Clock, o app.Order, how string) {
	t.Helper()
	switch how {
	case "paid":
		if res := apply(t, db, app.Notice{Method: o.Method, Amount: o.PayAmount}); !res.Matched || res.OrderID != o.ID {
			t.Fatalf("paying %s: %+v", o.ID, res)
		}
	case "expired":
		clock.Add(o.ExpiresAt.Sub(clock.Now()) + time.Second)
	case "closed":
		if _, err := db.CloseOrder(context.Background(), o.ID, "test"); err != nil {
			t.Fatal(err)
		}
	default:
		t.Fatalf("unknown release %q", how)
	}
}

func createOrderCooling(t *testing.T, db *DB, method app.Method, amount money.Fen, cooldown time.Duration) app.Order {
	t.Helper()
	o, _, err := db.CreateOrder(context.Background(), testID("ORD"), app.OrderInput{ProductName: "p", Method: method, Amount: amount},
		15*time.Minute, slots, cooldown)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func TestReleasedSlotCoolsForGrace(t *testing.T) {
	for _, how := range []string{"paid", "expired", "closed"} {
		t.Run(how, func(t *testing.T) {
			db, clock := openTestDB(t)
			first := createOrder(t, db, app.MethodAlipay, 1000)
			release(t, db, clock, first, how)

			second := createOrder(t, db, app.MethodAlipay, 1000)
			if second.PayAmount == 1000 {
				t.Fatalf("the slot a %s order released was handed out again at once", how)
			}
			if other := createOrder(t, db, app.MethodWechat, 1000); other.PayAmount != 1000 {
				t.Fatalf("the other method's slot is not cooling, got %d", other.PayAmount)
			}

			clock.Add(policy.Grace - time.Second)
			if o := createOrder(t, db, app.MethodAlipay, 1000); o.PayAmount == 1000 {
				t.Fatal("handed out a second before the grace period ended")
			}
			clock.Add(2 * time.Second)
			if o := createOrder(t, db, app.MethodAlipay, 1000); o.PayAmount != 1000 {
				t.Fatalf("after the grace period the released slot is free again, got %d", o.PayAmount)
			}
		})
	}
}

// The cooldown in force when an order is created counts, so a grace period
// changed on the settings page applies to the next order.
func TestCooldownIsTheOneGiven(t *testing.T) {
	db, clock := openTestDB(t)
	first := createOrder(t, db, app.MethodAlipay, 300)
	release(t, db, clock, first, "closed")
	clock.Add(2 * time.Minute)
	if o := createOrderCooling(t, db, app.MethodAlipay, 300, 5*time.Minute); o.PayAmount == 300 {
		t.Fatal("cooldown 5m: a slot closed 2 minutes ago was handed out")
	}
	if o := createOrderCooling(t, db, app.MethodAlipay, 300, time.Minute); o.PayAmount != 300 {
		t.Fatalf("cooldown 1m: a slot closed 2 minutes ago is free, got %d", o.PayAmount)
	}
}

func TestSlotsExhaustedSaysWhy(t *testing.T) {
	db, _ := openTestDB(t)
	ctx := context.Background()
	narrow := app.SlotPolicy{Mode: app.SlotAlternate, MaxOffset: 2}
	var orders []app.Order
	for range 5 {
		o, _, err := db.CreateOrder(ctx, testID("ORD"), app.OrderInput{ProductName: "p", Method: app.MethodAlipay, Amount: 100}, time.Minute, narrow, policy.Grace)
		if err != nil {
			t.Fatal(err)
		}
		orders = append(orders, o)
	}
	for _, o := range orders[:3] {
		if _, err := db.CloseOrder(ctx, o.ID, "test"); err != nil {
			t.Fatal(err)
		}
	}
	_, _, err := db.CreateOrder(ctx, testID("ORD"), app.OrderInput{ProductName: "p", Method: app.MethodAlipay, Amount: 100}, time.Minute, narrow, policy.Grace)
	if app.ErrorCode(err) != app.ESLOTSFULL {
		t.Fatalf("err = %v, want %s", err, app.ESLOTSFULL)
	}
	for _, want := range []string{"2 held by unpaid orders", "3 released within the last 10 minutes"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message %q does not say %q", err.Error(), want)
		}
	}
	if zh := app.ErrorMessage(err, "zh"); !strings.Contains(zh, "10 分钟") {
		t.Errorf("Chinese message %q does not name the 10 minutes", zh)
	}
}

// applyWith is apply with another match policy.
func applyWith(t *testing.T, db *DB, p app.MatchPolicy, n app.Notice) app.IngestResult {
	t.Helper()
	ctx := context.Background()
	id, err := db.SaveRawNotification(ctx, app.RawRequest{Endpoint: "/webhook", Method: "POST", ReceivedAt: db.Now()})
	if err != nil {
		t.Fatal(err)
	}
	n.Kind = app.OutcomePayment
	res, err := db.ApplyNotice(ctx, id, n, ApplyOptions{Policy: p, NewPaymentID: testID("PAY")})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// A payment that fits both an earlier holder released within grace and a
// pending order on the same slot waits for a person, whatever the threshold.
// The new order gets the slot only because the cooldown was shorter when it
// was created (grace raised since) or because the payment names no method.
func TestPaymentFittingCoolingHolderAndNewOrderWaits(t *testing.T) {
	lowest := policy
	lowest.AutoConfirm = app.ConfidenceLow
	tests := []struct {
		name        string
		setup       func(t *testing.T, db *DB, clock *testclock.Clock) (previous, next app.Order)
		notice      app.Notice
		policy      app.MatchPolicy
		wantConf    app.Confidence
		wantMatched bool
	}{
		{
			name: "late payment of an expired order",
			setup: func(t *testing.T, db *DB, clock *testclock.Clock) (app.Order, app.Order) {
				a := createOrder(t, db, app.MethodAlipay, 1000)
				release(t, db, clock, a, "expired")
				return a, createOrderCooling(t, db, app.MethodAlipay, 1000, 0)
			},
			notice:   app.Notice{Method: app.MethodAlipay, Amount: 1000},
			policy:   policy,
			wantConf: app.ConfidenceLow,
		},
		{
			name: "repeated notification of a paid order",
			setup: func(t *testing.T, db *DB, clock *testclock.Clock) (app.Order, app.Order) {
				x := createOrder(t, db, app.MethodAlipay, 777)
				release(t, db, clock, x, "paid")
				return x, createOrderCooling(t, db, app.MethodAlipay, 777, 0)
			},
			notice:   app.Notice{Method: app.MethodAlipay, Amount: 777},
			policy:   policy,
			wantConf: app.ConfidenceLow,
		},
		{
			name: "payment of a closed order",
			setup: func(t *testing.T, db *DB, clock *testclock.Clock) (app.Order, app.Order) {
				c := createOrder(t, db, app.MethodWechat, 500)
				release(t, db, clock, c, "closed")
				return c, createOrderCooling(t, db, app.MethodWechat, 500, 0)
			},
			notice:   app.Notice{Method: app.MethodWechat, Amount: 500},
			policy:   policy,
			wantConf: app.ConfidenceLow,
		},
		{
			name: "auto-confirm threshold low still waits",
			setup: func(t *testing.T, db *DB, clock *testclock.Clock) (app.Order, app.Order) {
				a := createOrder(t, db, app.MethodAlipay, 1000)
				release(t, db, clock, a, "expired")
				return a, createOrderCooling(t, db, app.MethodAlipay, 1000, 0)
			},
			notice:   app.Notice{Method: app.MethodAlipay, Amount: 1000},
			policy:   lowest,
			wantConf: app.ConfidenceLow,
		},
		{
			name: "method unknown: alipay holder expired, wechat order pending",
			setup: func(t *testing.T, db *DB, clock *testclock.Clock) (app.Order, app.Order) {
				a := createOrder(t, db, app.MethodAlipay, 1000)
				release(t, db, clock, a, "expired")
				return a, createOrder(t, db, app.MethodWechat, 1000)
			},
			notice:   app.Notice{Amount: 1000},
			policy:   policy,
			wantConf: app.ConfidenceLow,
		},
		{
			name: "method unknown: wechat order pending, alipay order created after it and paid",
			setup: func(t *testing.T, db *DB, clock *testclock.Clock) (app.Order, app.Order) {
				w := createOrder(t, db, app.MethodWechat, 1000)
				clock.Add(time.Minute)
				a := createOrder(t, db, app.MethodAlipay, 1000)
				release(t, db, clock, a, "paid")
				return a, w
			},
			notice:   app.Notice{Amount: 1000},
			policy:   policy,
			wantConf: app.ConfidenceLow,
		},
		{
			name: "method known: the other method's release does not count",
			setup: func(t *testing.T, db *DB, clock *testclock.Clock) (app.Order, app.Order) {
				w := createOrder(t, db, app.MethodWechat, 1000)
				release(t, db, clock, w, "closed")
				return app.Order{}, createOrder(t, db, app.MethodAlipay, 1000)
			},
			notice:      app.Notice{Method: app.MethodAlipay, Amount: 1000},
			policy:      policy,
			wantConf:    app.ConfidenceHigh,
			wantMatched: true,
		},
		{
			name: "released before the grace period: high again",
			setup: func(t *testing.T, db *DB, clock *testclock.Clock) (app.Order, app.Order) {
				a := createOrder(t, db, app.MethodAlipay, 1000)
				release(t, db, clock, a, "expired")
				clock.Add(policy.Grace + time.Second)
				return app.Order{}, createOrder(t, db, app.MethodAlipay, 1000)
			},
			notice:      app.Notice{Method: app.MethodAlipay, Amount: 1000},
			policy:      policy,
			wantConf:    app.ConfidenceHigh,
			wantMatched: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db, clock := openTestDB(t)
			ctx := context.Background()
			previous, next := tt.setup(t, db, clock)
			if next.PayAmount != tt.notice.Amount {
				t.Fatalf("setup: the new order is on %d, want %d", next.PayAmount, tt.notice.Amount)
			}
			var prevBefore app.Order
			if previous.ID != "" {
				prevBefore, _ = db.Order(ctx, previous.ID)
			}
			res := applyWith(t, db, tt.policy, tt.notice)
			if res.Confidence != tt.wantConf || res.Matched != tt.wantMatched {
				t.Fatalf("confidence %q matched %v, want %q %v", res.Confidence, res.Matched, tt.wantConf, tt.wantMatched)
			}
			got, err := db.Order(ctx, next.ID)
			if err != nil {
				t.Fatal(err)
			}
			if tt.wantMatched {
				if got.Status != app.OrderSuccess || res.OrderID != next.ID {
					t.Fatalf("new order %s, payment for %q; want it paid", got.Status, res.OrderID)
				}
				return
			}
			if got.Status != app.OrderPending {
				t.Fatalf("new order is %s, want still pending", got.Status)
			}
			p, err := db.Payment(ctx, res.PaymentID)
			if err != nil {
				t.Fatal(err)
			}
			if p.Status != app.PaymentUnmatched || p.CandidateOrder != next.ID {
				t.Fatalf("payment %s candidate %q, want unmatched with the pending %s offered", p.Status, p.CandidateOrder, next.ID)
			}
			if prevAfter, _ := db.Order(ctx, previous.ID); prevAfter.Status != prevBefore.Status || prevAfter.PaymentID != prevBefore.PaymentID {
				t.Fatalf("earlier holder changed: %s %s → %s %s", prevBefore.Status, prevBefore.PaymentID, prevAfter.Status, prevAfter.PaymentID)
			}
		})
	}
}

// A late or repeated notification with no new order on the slot: an expired
// holder is offered to a person, a paid one is left alone.
func TestLateNotificationWithoutNewOrder(t *testing.T) {
	for _, tt := range []struct {
		how           string
		wantCandidate bool
	}{{"expired", true}, {"paid", false}, {"closed", false}} {
		t.Run(tt.how, func(t *testing.T) {
			db, clock := openTestDB(t)
			ctx := context.Background()
			first := createOrder(t, db, app.MethodAlipay, 1000)
			release(t, db, clock, first, tt.how)
			if next := createOrder(t, db, app.MethodAlipay, 1000); next.PayAmount == 1000 {
				t.Fatal("the released slot was handed out again")
			}
			res := apply(t, db, app.Notice{Method: app.MethodAlipay, Amount: 1000})
			if res.Matched {
				t.Fatalf("late notification paid an order: %+v", res)
			}
			p, err := db.Payment(ctx, res.PaymentID)
			if err != nil {
				t.Fatal(err)
			}
			if got := p.CandidateOrder == first.ID; got != tt.wantCandidate {
				t.Fatalf("candidate %q, want the %s order offered: %v", p.CandidateOrder, tt.how, tt.wantCandidate)
			}
			if o, _ := db.Order(ctx, first.ID); tt.how == "paid" && o.PaymentID == res.PaymentID {
				t.Fatal("the paid order took the repeated payment")
			}
		})
	}
}

func TestSlotReleasedBetween(t *testing.T) {
	db, clock := openTestDB(t)
	ctx := context.Background()
	start := clock.Now()
	o := createOrder(t, db, app.MethodWechat, 420)
	release(t, db, clock, o, "closed")
	closedAt := clock.Now()
	clock.Add(time.Minute)
	for _, tt := range []struct {
		method   app.Method
		from, to time.Time
		want     bool
	}{
		{app.MethodWechat, start, closedAt, true},
		{"", start, closedAt, true},
		{app.MethodAlipay, start, closedAt, false},
		{app.MethodWechat, closedAt.Add(time.Millisecond), clock.Now(), false},
		{app.MethodWechat, start, closedAt.Add(-time.Millisecond), false},
	} {
		got, err := db.SlotReleasedBetween(ctx, tt.method, 420, tt.from, tt.to)
		if err != nil || got != tt.want {
			t.Errorf("%q %s..%s: %v %v, want %v", tt.method, tt.from.Format(time.TimeOnly), tt.to.Format(time.TimeOnly), got, err, tt.want)
		}
	}
}

// The slot queries run in the single writer for every order and payment:
// each must seek (method, pay_amount, release time), never scan orders.
func TestSlotQueriesUseTheirIndexes(t *testing.T) {
	db, _ := openTestDB(t)
	const seek = "SEARCH orders USING INDEX orders_released_slot (method=? AND pay_amount=? AND <expr>"
	const releasesSeek = "INDEX slot_releases_slot (method=? AND pay_amount=? AND released_at"
	for _, tt := range []struct {
		name  string
		query string
		args  []any
		want  []string
	}{
		{"cooling", slotReleasedSinceQuery, []any{"alipay", 1, 0, "", "alipay", 1, 0, ""},
			[]string{seek + ">?)", releasesSeek + ">?)"}},
		{"slot free", slotFreeQuery, []any{"alipay", 1, 0, ""},
			[]string{"SEARCH orders USING COVERING INDEX orders_slot (method=? AND pay_amount=?)", seek + ">?)", releasesSeek + ">?)"}},
		{"released within grace", releasedWithinGraceQuery, []any{"alipay", "wechat", 1, 0, "alipay", "wechat", 1, 0, 0, "alipay", "wechat", 1, 0},
			[]string{seek + ">?)", "SEARCH orders USING INDEX orders_slot (method=? AND pay_amount=?)", releasesSeek + ">?)"}},
		{"console: released between", slotReleasedBetweenQuery, []any{"alipay", "wechat", 1, 0, 0, "alipay", "wechat", 1, 0, 0},
			[]string{seek + ">? AND <expr><?)", releasesSeek + ">? AND released_at<?)"}},
	} {
		plan := queryPlan(t, db, tt.query, tt.args...)
		joined := strings.Join(plan, "; ")
		t.Logf("%s: %s", tt.name, joined)
		for _, w := range tt.want {
			if !strings.Contains(joined, w) {
				t.Errorf("%s: plan %q lacks %q", tt.name, joined, w)
			}
		}
		if strings.Contains(joined, "SCAN orders") || strings.Contains(joined, "SCAN slot_releases") || strings.Contains(joined, "SCAN r") {
			t.Errorf("%s: plan %q scans orders", tt.name, joined)
		}
	}
}
