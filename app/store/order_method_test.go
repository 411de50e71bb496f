package store

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"paygate/app"
	"paygate/app/money"
)

var both = []app.Method{app.MethodAlipay, app.MethodWechat}

// createOpenOrder is an order without a method: its payer picks.
func createOpenOrder(t *testing.T, db *DB, amount money.Fen, merchantID string) app.Order {
	t.Helper()
	o, _, err := db.CreateOrder(context.Background(), testID("ORD"), app.OrderInput{ProductName: "p", Amount: amount, MerchantOrderID: merchantID},
		15*time.Minute, slots, policy.Grace)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func choose(t *testing.T, db *DB, o app.Order, m app.Method) app.Order {
	t.Helper()
	got, err := db.ChooseMethod(context.Background(), o.ID, m, both, slots, policy.Grace, nil)
	if err != nil {
		t.Fatalf("choosing %s for %s: %v", m, o.ID, err)
	}
	return got
}

// sharedSlots lists every (method, amount) that two pending orders hold.
func sharedSlots(t *testing.T, db *DB) []string {
	t.Helper()
	rows, err := db.read.Query(`SELECT method, pay_amount, group_concat(id) FROM orders
		WHERE status = 'pending' AND method <> '' GROUP BY method, pay_amount HAVING count(*) > 1`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var m, ids string
		var a int64
		if err := rows.Scan(&m, &a, &ids); err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprintf("%s %d: %s", m, a, ids))
	}
	return out
}

func TestOrderWithoutMethodHoldsNoSlot(t *testing.T) {
	db, _ := openTestDB(t)
	var open []app.Order
	for range 3 {
		o := createOpenOrder(t, db, 1000, "")
		if o.Method != "" || o.PayAmount != 1000 || o.Status != app.OrderPending {
			t.Fatalf("open order: %+v", o)
		}
		open = append(open, o)
	}
	if got, err := db.Order(context.Background(), open[0].ID); err != nil || got.Method != "" || got.PayAmount != 1000 {
		t.Fatalf("read back: %+v %v", got, err)
	}
	// Orders waiting for their payer's choice hold nothing: a merchant's
	// Alipay order at the same price gets the price itself.
	if o := createOrder(t, db, app.MethodAlipay, 1000); o.PayAmount != 1000 {
		t.Fatalf("an order with a method was pushed to %d by orders without one", o.PayAmount)
	}
	// Choosing takes the next free slot; the three end on three slots.
	var amounts []money.Fen
	for _, o := range open {
		amounts = append(amounts, choose(t, db, o, app.MethodAlipay).PayAmount)
	}
	if amounts[0] != 1001 || amounts[1] != 999 || amounts[2] != 1002 {
		t.Fatalf("chosen amounts %v, want 1001 999 1002", amounts)
	}
	if shared := sharedSlots(t, db); len(shared) > 0 {
		t.Fatalf("slots held twice: %v", shared)
	}
	// A payment before the choice finds nothing; after it, the order.
	late := createOpenOrder(t, db, 2000, "")
	if res := apply(t, db, app.Notice{Amount: 2000}); res.Matched || res.OrderID != "" {
		t.Fatalf("a payment matched an order without a method: %+v", res)
	}
	late = choose(t, db, late, app.MethodWechat)
	if res := apply(t, db, app.Notice{Method: app.MethodWechat, Amount: late.PayAmount}); !res.Matched || res.OrderID != late.ID {
		t.Fatalf("payment after the choice: %+v", res)
	}
}

// Many payers choosing at once on one price: distinct slots, never a duplicate.
func TestConcurrentChoicesGetDistinctSlots(t *testing.T) {
	db, _ := openTestDB(t)
	var open []app.Order
	for range 40 {
		open = append(open, createOpenOrder(t, db, 500, ""))
	}
	var wg sync.WaitGroup
	errs := make(chan error, len(open))
	for i, o := range open {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := db.ChooseMethod(context.Background(), o.ID, both[i%2], both, slots, policy.Grace, nil)
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if shared := sharedSlots(t, db); len(shared) > 0 {
		t.Fatalf("slots held twice: %v", shared)
	}
}

func TestSwitchLeavesTheOldSlotCooling(t *testing.T) {
	db, clock := openTestDB(t)
	ctx := context.Background()
	a := createOrder(t, db, app.MethodAlipay, 1000)
	a = choose(t, db, a, app.MethodWechat)
	if a.Method != app.MethodWechat || a.PayAmount != 1000 {
		t.Fatalf("switched: %+v", a)
	}
	// The Alipay 10.00 slot a left cools: another order does not get it.
	b := createOrder(t, db, app.MethodAlipay, 1000)
	if b.PayAmount == 1000 {
		t.Fatal("the slot a switch left was handed out at once")
	}
	if shared := sharedSlots(t, db); len(shared) > 0 {
		t.Fatalf("slots held twice: %v", shared)
	}
	// Money on the left slot: a's payer may have paid the old way. It waits
	// for a person, with a as the candidate, whatever the threshold.
	res := applyWith(t, db, policy, app.Notice{Method: app.MethodAlipay, Amount: 1000})
	if p, err := db.Payment(ctx, res.PaymentID); err != nil || res.Matched || p.CandidateOrder != a.ID || res.Confidence != app.ConfidenceLow {
		t.Fatalf("payment on the slot a left: %+v (%+v %v), want a low candidate %s", res, p, err, a.ID)
	}
	// After the grace period the slot is free again.
	clock.Add(policy.Grace + time.Second)
	if o := createOrder(t, db, app.MethodAlipay, 1000); o.PayAmount != 1000 {
		t.Fatalf("after the grace period: %d", o.PayAmount)
	}
	if got, _ := db.SlotReleasedBetween(ctx, app.MethodAlipay, 1000, clock.Now().Add(-time.Hour), clock.Now()); !got {
		t.Fatal("the console does not see the slot a left")
	}
}

// A payer who switches back takes their own cooling slot again: flipping
// costs no more than a slot per method, and their payment is theirs.
func TestSwitchingBackReclaimsTheOwnSlot(t *testing.T) {
	db, _ := openTestDB(t)
	a := createOrder(t, db, app.MethodAlipay, 1000)
	for range 3 {
		a = choose(t, db, a, app.MethodWechat)
		a = choose(t, db, a, app.MethodAlipay)
	}
	if a.PayAmount != 1000 {
		t.Fatalf("after flipping back: %d, want its own 1000", a.PayAmount)
	}
	if res := apply(t, db, app.Notice{Method: app.MethodAlipay, Amount: 1000}); !res.Matched || res.OrderID != a.ID || res.Confidence != app.ConfidenceHigh {
		t.Fatalf("payment after flipping: %+v", res)
	}
}

func TestSwitchesAreBounded(t *testing.T) {
	db, _ := openTestDB(t)
	ctx := context.Background()
	a := createOrder(t, db, app.MethodAlipay, 700)
	to := []app.Method{app.MethodWechat, app.MethodAlipay}
	for i := range app.MaxMethodSwitches {
		a = choose(t, db, a, to[i%2])
	}
	_, err := db.ChooseMethod(ctx, a.ID, to[app.MaxMethodSwitches%2], both, slots, policy.Grace, nil)
	if app.ErrorCode(err) != app.ECONFLICT || !strings.Contains(app.ErrorMessage(err, "zh"), "不能再换") {
		t.Fatalf("switch %d: %v, want refused", app.MaxMethodSwitches+1, err)
	}
	// Not offered (no 收款码), expired, paid: refused with a reason.
	b := createOpenOrder(t, db, 800, "")
	if _, err := db.ChooseMethod(ctx, b.ID, app.MethodWechat, []app.Method{app.MethodAlipay}, slots, policy.Grace, nil); app.ErrorCode(err) != app.EINVALID {
		t.Fatalf("a method without 收款码: %v", err)
	}
	b = choose(t, db, b, app.MethodAlipay)
	apply(t, db, app.Notice{Method: app.MethodAlipay, Amount: b.PayAmount})
	if _, err := db.ChooseMethod(ctx, b.ID, app.MethodWechat, both, slots, policy.Grace, nil); app.ErrorCode(err) != app.ECONFLICT {
		t.Fatalf("switching a paid order: %v", err)
	}
}

// An order sent again with its merchant number after it expired is reopened
// within the window: the same id, a fresh lifetime and slot; the slot it had
// still cools for everyone else.
func TestReopenExpiredOrder(t *testing.T) {
	db, clock := openTestDB(t)
	ctx := context.Background()
	in := app.OrderInput{ProductName: "p", Method: app.MethodAlipay, Amount: 1000, MerchantOrderID: "SHOP-1", Reopen: 24 * time.Hour}
	create := func(in app.OrderInput) (app.Order, bool) {
		t.Helper()
		o, created, err := db.CreateOrder(ctx, testID("ORD"), in, 15*time.Minute, slots, policy.Grace)
		if err != nil {
			t.Fatal(err)
		}
		return o, created
	}
	x, _ := create(in)
	clock.Add(16 * time.Minute) // expired, not yet swept
	y := createOrder(t, db, app.MethodAlipay, 1000)
	if y.PayAmount == 1000 {
		t.Fatal("the expired order's slot was handed out at once")
	}

	// Sent again by WeChat: reopened on WeChat; Alipay 10.00 still cools.
	wechat := in
	wechat.Method = app.MethodWechat
	r, created := create(wechat)
	if created || r.ID != x.ID || r.Status != app.OrderPending || r.Method != app.MethodWechat || r.PayAmount != 1000 ||
		!r.ExpiresAt.Equal(clock.Now().Add(15*time.Minute)) || !r.CreatedAt.Equal(clock.Now()) {
		t.Fatalf("reopened: %+v", r)
	}
	if z := createOrder(t, db, app.MethodAlipay, 1000); z.PayAmount == 1000 {
		t.Fatal("the slot the reopened order left was handed out")
	}
	if shared := sharedSlots(t, db); len(shared) > 0 {
		t.Fatalf("slots held twice: %v", shared)
	}
	// Pays like any pending order.
	if res := apply(t, db, app.Notice{Method: app.MethodWechat, Amount: 1000}); !res.Matched || res.OrderID != x.ID {
		t.Fatalf("payment of the reopened order: %+v", res)
	}

	// Past the window: expired, as it was.
	old, _ := create(app.OrderInput{ProductName: "p", Method: app.MethodAlipay, Amount: 3000, MerchantOrderID: "SHOP-2", Reopen: time.Hour})
	clock.Add(15*time.Minute + time.Hour + time.Second)
	if o, _ := create(app.OrderInput{ProductName: "p", Method: app.MethodAlipay, Amount: 3000, MerchantOrderID: "SHOP-2", Reopen: time.Hour}); o.ID != old.ID || o.Status != app.OrderExpired {
		t.Fatalf("past the window: %+v", o)
	}
	// Closed by the shop: never reopened.
	c, _ := create(app.OrderInput{ProductName: "p", Method: app.MethodAlipay, Amount: 4000, MerchantOrderID: "SHOP-3", Reopen: time.Hour})
	if _, err := db.CloseOrder(ctx, c.ID, "test"); err != nil {
		t.Fatal(err)
	}
	clock.Add(time.Hour)
	if o, _ := create(app.OrderInput{ProductName: "p", Method: app.MethodAlipay, Amount: 4000, MerchantOrderID: "SHOP-3", Reopen: time.Hour}); o.Status != app.OrderFailed {
		t.Fatalf("closed order sent again: %+v", o)
	}
	// Reopened on its own old slot when it is free: the order's own release
	// does not cool for it.
	own, _ := create(app.OrderInput{ProductName: "p", Method: app.MethodAlipay, Amount: 5000, MerchantOrderID: "SHOP-4", Reopen: time.Hour})
	clock.Add(16 * time.Minute)
	if o, _ := create(app.OrderInput{ProductName: "p", Method: app.MethodAlipay, Amount: 5000, MerchantOrderID: "SHOP-4", Reopen: time.Hour}); o.ID != own.ID || o.PayAmount != 5000 || o.Status != app.OrderPending {
		t.Fatalf("reopened on its own slot: %+v", o)
	}
}

// A pending order sent again with another method switches; with none it is
// left as its payer chose.
func TestRepeatWithAnotherMethodSwitches(t *testing.T) {
	db, _ := openTestDB(t)
	ctx := context.Background()
	in := app.OrderInput{ProductName: "p", Amount: 600, MerchantOrderID: "SHOP-9"}
	o, _, err := db.CreateOrder(ctx, testID("ORD"), in, 15*time.Minute, slots, policy.Grace)
	if err != nil || o.Method != "" {
		t.Fatalf("%+v %v", o, err)
	}
	choose(t, db, o, app.MethodAlipay)
	again, _, err := db.CreateOrder(ctx, testID("ORD"), in, 15*time.Minute, slots, policy.Grace)
	if err != nil || again.ID != o.ID || again.Method != app.MethodAlipay {
		t.Fatalf("repeat without a method: %+v %v", again, err)
	}
	in.Method = app.MethodWechat
	sw, _, err := db.CreateOrder(ctx, testID("ORD"), in, 15*time.Minute, slots, policy.Grace)
	if err != nil || sw.ID != o.ID || sw.Method != app.MethodWechat {
		t.Fatalf("repeat with another method: %+v %v", sw, err)
	}
	if z := createOrder(t, db, app.MethodAlipay, 600); z.PayAmount == 600 {
		t.Fatal("the slot the switch left was handed out")
	}
}

// An 易支付 order without type: no method until chosen; its type then
// follows the method, and the signed return URL is rebuilt with it.
func TestEpayOrderWithoutType(t *testing.T) {
	db, clock := openTestDB(t)
	ctx := context.Background()
	returned := func(e app.EpayOrder) string { return e.ReturnURL + "?type=" + e.Type }
	req := EpayCreate{
		Order:    app.OrderInput{ProductName: "会员", Amount: 1000, NotifyURL: "https://shop/n", Reopen: 24 * time.Hour},
		Epay:     app.EpayOrder{PID: "1000", OutTradeNo: "V2B1", Name: "会员", Money: "10", NotifyURL: "https://shop/n", ReturnURL: "https://shop/r"},
		Lifetime: 15 * time.Minute, Slots: slots, Cooldown: policy.Grace, ReturnURL: returned,
	}
	o, e, created, err := db.CreateEpayOrder(ctx, testID("ORD"), req)
	if err != nil || !created || o.Method != "" || e.Type != "" || o.ReturnURL != "https://shop/r?type=" {
		t.Fatalf("created: %+v %+v %v %v", o, e, created, err)
	}
	o, err = db.ChooseMethod(ctx, o.ID, app.MethodWechat, both, slots, policy.Grace, returned)
	if err != nil || o.ReturnURL != "https://shop/r?type=wxpay" {
		t.Fatalf("chosen: %+v %v", o, err)
	}
	if _, got, err := db.EpayOrderByTradeNo(ctx, o.ID); err != nil || got.Type != "wxpay" {
		t.Fatalf("epay type after the choice: %+v %v", got, err)
	}
	// The same request again (still no type): the order as the payer left it.
	again, e, created, err := db.CreateEpayOrder(ctx, testID("ORD"), req)
	if err != nil || created || again.ID != o.ID || again.Method != app.MethodWechat || e.Type != "wxpay" {
		t.Fatalf("repeat: %+v %+v %v %v", again, e, created, err)
	}
	// With type=alipay (the payer changed their mind in the shop): switched.
	req.Order.Method, req.Epay.Type = app.MethodAlipay, "alipay"
	sw, e, _, err := db.CreateEpayOrder(ctx, testID("ORD"), req)
	if err != nil || sw.ID != o.ID || sw.Method != app.MethodAlipay || e.Type != "alipay" || sw.ReturnURL != "https://shop/r?type=alipay" {
		t.Fatalf("switched by type: %+v %+v %v", sw, e, err)
	}
	// Expired, then sent again: reopened, the same trade_no.
	clock.Add(20 * time.Minute)
	re, _, _, err := db.CreateEpayOrder(ctx, testID("ORD"), req)
	if err != nil || re.ID != o.ID || re.Status != app.OrderPending || re.Method != app.MethodAlipay {
		t.Fatalf("reopened: %+v %v", re, err)
	}
	if shared := sharedSlots(t, db); len(shared) > 0 {
		t.Fatalf("slots held twice: %v", shared)
	}
}

// Migration 0017 on a database made by the earlier migrations, with orders,
// payments and callbacks in it: the rows stay, the database checks out, and
// orders may then have no method.
func TestMigration0017OnExistingData(t *testing.T) {
	dir := t.TempDir()
	raw, exec := migratedBelow(t, dir, 17)
	addPaidOrder(exec) // ORD1, paid 10.01 by PAY1
	exec(`INSERT INTO callbacks (payment_id, order_id, status, next_attempt_at, created_at, updated_at) VALUES ('PAY1', 'ORD1', 'sent', 0, 0, 0)`)
	exec(`INSERT INTO orders (id, product_name, method, amount, pay_amount, status, created_at, expires_at) VALUES ('ORD2', '梨', 'wechat', 500, 500, 'pending', 1, 99999999999999)`)
	raw.Close()
	db := openChecked(t, dir)
	if o, err := db.Order(context.Background(), "ORD1"); err != nil || o.Status != app.OrderSuccess || o.PayAmount != 1001 || o.PaymentID != "PAY1" {
		t.Fatalf("ORD1 after the migration: %+v %v", o, err)
	}
	// The slot index still holds for orders with a method …
	if o := createOrder(t, db, app.MethodWechat, 500); o.PayAmount == 500 {
		t.Fatal("ORD2's slot was handed out")
	}
	_, err := db.execRaw(`INSERT INTO orders (id, product_name, method, amount, pay_amount, status, created_at, expires_at) VALUES ('ORD3', 'x', 'wechat', 500, 500, 'pending', 1, 2)`)
	if err == nil || !strings.Contains(err.Error(), "UNIQUE") {
		t.Fatalf("a second pending order on wechat 5.00: %v", err)
	}
	// … methods are still only the two (or none), and a chosen method needs an amount.
	if _, err := db.execRaw(`INSERT INTO orders (id, product_name, method, amount, pay_amount, status, created_at, expires_at) VALUES ('ORD4', 'x', 'qqpay', 500, 500, 'pending', 1, 2)`); err == nil {
		t.Fatal("method qqpay accepted")
	}
	if o := createOpenOrder(t, db, 500, ""); o.Method != "" {
		t.Fatalf("open order after the migration: %+v", o)
	}
}

// A person confirming a payment against an order whose payer never picked a
// method: the order takes the payment's, so its callback names one.
func TestConfirmingAnOrderWithoutMethodGivesItThePayments(t *testing.T) {
	db, _ := openTestDB(t)
	ctx := context.Background()
	o := createOpenOrder(t, db, 900, "")
	res := apply(t, db, app.Notice{Method: app.MethodWechat, Amount: 900})
	if res.Matched {
		t.Fatalf("matched an order without a method: %+v", res)
	}
	if _, err := db.ConfirmPayment(ctx, app.Settlement{PaymentID: res.PaymentID, OrderRef: o.ID}, "admin", 0); err != nil {
		t.Fatal(err)
	}
	if got, err := db.Order(ctx, o.ID); err != nil || got.Status != app.OrderSuccess || got.Method != app.MethodWechat {
		t.Fatalf("confirmed: %+v %v", got, err)
	}
}
