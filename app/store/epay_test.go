package store

import (
	"context"
	"strings"
	"testing"
	"time"

	"paygate/app"
	"paygate/app/money"
)

func epayCreate(outTradeNo, money string, amount money.Fen) EpayCreate {
	return EpayCreate{
		Order: app.OrderInput{ProductName: "会员", Method: app.MethodAlipay, Amount: amount, NotifyURL: "https://shop/n"},
		Epay: app.EpayOrder{PID: "1000", OutTradeNo: outTradeNo, Type: "alipay", Name: "会员", Money: money,
			NotifyURL: "https://shop/n", ReturnURL: "https://shop/r"},
		Lifetime: 15 * time.Minute, Slots: slots,
		ReturnURL: func(e app.EpayOrder) string { return e.ReturnURL + "?trade_no=" + e.OrderID },
	}
}

func TestEpayOrderIsIdempotentAndRefusesChanges(t *testing.T) {
	db, clock := openTestDB(t)
	ctx := context.Background()
	o, e, created, err := db.CreateEpayOrder(ctx, testID("ORD"), epayCreate("T1", "10", 1000))
	if err != nil || !created {
		t.Fatal(created, err)
	}
	if o.MerchantOrderID != "epay:T1" || e.OrderID != o.ID || o.ReturnURL != "https://shop/r?trade_no="+o.ID || e.Money != "10" {
		t.Fatalf("order %+v epay %+v", o, e)
	}
	// The same request: the same order. "10.00" is the same money as "10"; the first text is kept.
	again, e2, created, err := db.CreateEpayOrder(ctx, testID("ORD"), epayCreate("T1", "10.00", 1000))
	if err != nil || created || again.ID != o.ID || e2.Money != "10" {
		t.Fatalf("repeat: %s created=%v %v money %q", again.ID, created, err, e2.Money)
	}
	// Changed money: a conflict naming both amounts.
	_, _, _, err = db.CreateEpayOrder(ctx, testID("ORD"), epayCreate("T1", "12", 1200))
	if app.ErrorCode(err) != app.ECONFLICT || app.ErrorField(err) != "money" ||
		!strings.Contains(app.ErrorMessage(err, "zh"), `"10"`) || !strings.Contains(app.ErrorMessage(err, "zh"), `"12"`) {
		t.Fatalf("changed money: %v", err)
	}
	c := epayCreate("T1", "10", 1000)
	c.Epay.Param = "x"
	if _, _, _, err := db.CreateEpayOrder(ctx, testID("ORD"), c); app.ErrorField(err) != "param" {
		t.Fatalf("changed param: %v", err)
	}
	// Expired: reported as such, not renewed.
	clock.Add(16 * time.Minute)
	late, _, created, err := db.CreateEpayOrder(ctx, testID("ORD"), epayCreate("T1", "10", 1000))
	if err != nil || created || late.Status != app.OrderExpired {
		t.Fatalf("expired repeat: %s created=%v %v", late.Status, created, err)
	}
	// Lookups by both numbers.
	byOut, eo, err := db.EpayOrderByOutTradeNo(ctx, "T1")
	if err != nil || byOut.ID != o.ID || eo.OutTradeNo != "T1" {
		t.Fatalf("by out_trade_no: %v", err)
	}
	if _, _, err := db.EpayOrderByOutTradeNo(ctx, "T2"); app.ErrorCode(err) != app.ENOTFOUND {
		t.Fatalf("unknown out_trade_no: %v", err)
	}
	rest := createOrder(t, db, app.MethodWechat, 100)
	if _, ep, err := db.EpayOrderByTradeNo(ctx, rest.ID); err != nil || ep != nil {
		t.Fatalf("REST order by trade_no: %v %v", ep, err)
	}
}

// A paid epay order queues one callback, of kind epay, with what the client
// sent; resending works on it as on a merchant callback.
func TestEpayOrderGetsAnEpayCallback(t *testing.T) {
	db, clock := openTestDB(t)
	ctx := context.Background()
	o, _, _, err := db.CreateEpayOrder(ctx, testID("ORD"), epayCreate("T9", "1.00", 100))
	if err != nil {
		t.Fatal(err)
	}
	createOrder(t, db, app.MethodWechat, 200) // a REST order: its callback stays kind merchant
	if res := apply(t, db, app.Notice{Method: app.MethodAlipay, Amount: 100}); res.OrderID != o.ID {
		t.Fatalf("not matched: %+v", res)
	}
	apply(t, db, app.Notice{Method: app.MethodWechat, Amount: 200})

	due, err := db.ClaimDueCallbacks(ctx, 10, time.Minute, nil)
	if err != nil || len(due) != 2 {
		t.Fatalf("claim: %d %v", len(due), err)
	}
	kinds := map[app.CallbackKind]app.CallbackDelivery{}
	for _, d := range due {
		kinds[d.Callback.Kind] = d
	}
	ep, mer := kinds[app.CallbackEpay], kinds[app.CallbackMerchant]
	if ep.Epay == nil || ep.Epay.OutTradeNo != "T9" || ep.Epay.Money != "1.00" || ep.Order.ID != o.ID || mer.Epay != nil || mer.Order.ID == "" {
		t.Fatalf("deliveries: %+v", due)
	}
	a := app.CallbackAttempt{CallbackID: ep.Callback.ID, Claim: ep.Callback.Claim, URL: "https://shop/n?…", StartedAt: clock.Now(), HTTPStatus: 200, Acked: true}
	if err := db.FinishCallbackAttempt(ctx, a, app.CallbackSent, clock.Now()); err != nil {
		t.Fatal(err)
	}
	p, _ := db.Payment(ctx, ep.Payment.ID)
	if p.CallbackStatus != app.CallbackSent {
		t.Fatalf("payment callback status %q", p.CallbackStatus)
	}
	if err := db.ResendCallback(ctx, p.ID, "admin"); err != nil {
		t.Fatal(err)
	}
	if p, _ = db.Payment(ctx, ep.Payment.ID); p.CallbackStatus != app.CallbackPending {
		t.Fatalf("after resend: %q", p.CallbackStatus)
	}
	list, total, err := db.ListCallbacks(ctx, app.CallbackFilter{Limit: 10})
	if err != nil || total != 2 || len(list) != 2 {
		t.Fatalf("callback list: %d %v", total, err)
	}
	var n int
	if err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM callbacks WHERE payment_id = ?`, p.ID).Scan(&n); err != nil || n != 1 {
		t.Fatalf("callbacks of the epay payment: %d %v", n, err)
	}
}

// api.php?act=query: all orders created; orders paid today and yesterday,
// by the day of the payment; the money received.
func TestEpayTotals(t *testing.T) {
	db, clock := openTestDB(t)
	ctx := context.Background()
	clock.Add(13*time.Hour + 55*time.Minute)  // 23:55 on the 26th, Shanghai
	createOrder(t, db, app.MethodAlipay, 100) // created on the 26th, paid on the 27th
	clock.Add(10 * time.Minute)
	apply(t, db, app.Notice{Method: app.MethodAlipay, Amount: 100})
	createOrder(t, db, app.MethodWechat, 300) // never paid
	clock.Add(24 * time.Hour)
	createOrder(t, db, app.MethodAlipay, 250)
	apply(t, db, app.Notice{Method: app.MethodAlipay, Amount: 250})
	createOrder(t, db, app.MethodAlipay, 400) // created today, unpaid
	got, err := db.EpayTotals(ctx, clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	if want := (EpayTotals{Orders: 4, PaidToday: 1, PaidYesterday: 1, Received: 350}); got != want {
		t.Fatalf("totals %+v, want %+v", got, want)
	}
}

// An order made through 易支付 V2 keeps its protocol, so its notify is RSA-signed.
func TestEpayOrderKeepsItsProtocol(t *testing.T) {
	db, _ := openTestDB(t)
	ctx := context.Background()
	c := epayCreate("V2-1", "1.00", 100)
	c.Epay.Protocol = "v2"
	o, e, _, err := db.CreateEpayOrder(ctx, testID("ORD"), c)
	if err != nil || e.Protocol != "v2" {
		t.Fatalf("%+v %v", e, err)
	}
	if _, back, err := db.EpayOrderByTradeNo(ctx, o.ID); err != nil || back.Protocol != "v2" {
		t.Fatalf("read back: %+v %v", back, err)
	}
	o1, _, _, err := db.CreateEpayOrder(ctx, testID("ORD"), epayCreate("V1-1", "2.00", 200))
	if _, back, err2 := db.EpayOrderByTradeNo(ctx, o1.ID); err != nil || err2 != nil || back.Protocol != "v1" {
		t.Fatalf("an order without a protocol is V1: %+v %v %v", back, err, err2)
	}
}

// The platform key is made once: a second caller gets the first one's key.
func TestEpayPlatformKeyIsKeptOnce(t *testing.T) {
	db, _ := openTestDB(t)
	ctx := context.Background()
	if k, err := db.EpayPlatformKey(ctx); k != "" || err != nil {
		t.Fatalf("fresh database: %q %v", k, err)
	}
	first, err := db.EnsureEpayPlatformKey(ctx, "first")
	if err != nil || first != "first" {
		t.Fatal(first, err)
	}
	if second, err := db.EnsureEpayPlatformKey(ctx, "second"); second != "first" || err != nil {
		t.Fatalf("second caller got %q %v", second, err)
	}
	if err := db.ReplaceEpayPlatformKey(ctx, "third"); err != nil {
		t.Fatal(err)
	}
	if k, _ := db.EpayPlatformKey(ctx); k != "third" {
		t.Fatalf("after replacing: %q", k)
	}
	if s, _ := db.Settings(ctx); s.EpayPublicKey != "" || s.APIKey != "" {
		t.Fatalf("the platform key leaks into Settings: %+v", s)
	}
}
