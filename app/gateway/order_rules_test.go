package gateway

import (
	"strings"
	"testing"
	"time"

	"paygate/app"
)

func TestCreateOrderRules(t *testing.T) {
	s := newShop(t)
	ok := OrderRequest{ProductName: "手工曲奇", Amount: "1", AmountPresent: true, PaymentMethod: "alipay"}
	edit := func(f func(*OrderRequest)) OrderRequest { r := ok; f(&r); return r }
	tests := []struct {
		name           string
		req            OrderRequest
		field, mention string
	}{
		{"no product name", edit(func(r *OrderRequest) { r.ProductName = "" }), "productName", ""},
		{"a product name of spaces", edit(func(r *OrderRequest) { r.ProductName = " \t " }), "productName", ""},
		{"51 characters", edit(func(r *OrderRequest) { r.ProductName = strings.Repeat("饼", 51) }), "productName", "51"},
		{"a control character", edit(func(r *OrderRequest) { r.ProductName = "曲奇\x00" }), "productName", ""},
		{"invalid UTF-8", edit(func(r *OrderRequest) { r.ProductName = "\xff曲奇" }), "productName", ""},
		{"no amount", edit(func(r *OrderRequest) { r.Amount, r.AmountPresent = "", false }), "amount", ""},
		{"an empty amount", edit(func(r *OrderRequest) { r.Amount = " " }), "amount", ""},
		{"three decimals", edit(func(r *OrderRequest) { r.Amount = "0.001" }), "amount", "0.001"},
		{"negative", edit(func(r *OrderRequest) { r.Amount = "-1" }), "amount", "-1"},
		{"not a number", edit(func(r *OrderRequest) { r.Amount = "十元" }), "amount", "十元"},
		{"zero", edit(func(r *OrderRequest) { r.Amount = "0" }), "amount", "0.01"},
		{"over the maximum", edit(func(r *OrderRequest) { r.Amount = "10000.01" }), "amount", "10000"},
		{"huge", edit(func(r *OrderRequest) { r.Amount = "1e400" }), "amount", "1e400"},
		{"unknown method", edit(func(r *OrderRequest) { r.PaymentMethod = "unionpay" }), "paymentMethod", "unionpay"},
		{"a long unknown method is clipped", edit(func(r *OrderRequest) { r.PaymentMethod = strings.Repeat("x", 200) }), "paymentMethod", strings.Repeat("x", 20)},
		{"merchantOrderId with a space", edit(func(r *OrderRequest) { r.MerchantOrderID = "A B" }), "merchantOrderId", ""},
		{"merchantOrderId in Chinese", edit(func(r *OrderRequest) { r.MerchantOrderID = "单号1" }), "merchantOrderId", ""},
		{"merchantOrderId of 65", edit(func(r *OrderRequest) { r.MerchantOrderID = strings.Repeat("9", 65) }), "merchantOrderId", ""},
		{"merchantOrderId with the epay: prefix", edit(func(r *OrderRequest) { r.MerchantOrderID = "epay:1" }), "merchantOrderId", "epay:"},
		{"notifyUrl without a scheme", edit(func(r *OrderRequest) { r.NotifyURL = "shop.example.com/n" }), "notifyUrl", ""},
		{"notifyUrl of 1025 bytes", edit(func(r *OrderRequest) { r.NotifyURL = "https://shop.example.com/" + strings.Repeat("n", 1000) }), "notifyUrl", ""},
		{"notifyUrl at paygate itself", edit(func(r *OrderRequest) { r.NotifyURL = "http://localhost:8080/api/orders" }), "notifyUrl", "localhost"},
		{"returnUrl data:", edit(func(r *OrderRequest) { r.ReturnURL = "data:text/html,hi" }), "returnUrl", ""},
		{"notifyUrl with port 99999999", edit(func(r *OrderRequest) { r.NotifyURL = "http://a:99999999/" }), "notifyUrl", "99999999"},
		{"notifyUrl with port 65536", edit(func(r *OrderRequest) { r.NotifyURL = "https://shop.example.com:65536/n" }), "notifyUrl", "65535"},
		{"returnUrl with port 0", edit(func(r *OrderRequest) { r.ReturnURL = "https://shop.example.com:0/r" }), "returnUrl", "65535"},
		{"attach of 1025 bytes", edit(func(r *OrderRequest) { r.Attach = strings.Repeat("a", 1025) }), "attach", ""},
		{"attach not UTF-8", edit(func(r *OrderRequest) { r.Attach = "\xc4\xe3" }), "attach", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := s.g.CreateOrder(s.ctx, tt.req)
			wantErr(t, err, app.EINVALID, tt.field, tt.mention)
		})
	}
	if _, total, err := s.g.Orders(s.ctx, app.OrderFilter{Limit: 5}); err != nil || total != 0 {
		t.Fatalf("refused requests made %d orders (%v)", total, err)
	}

	// What passes is kept as the merchant sent it, trimmed.
	o, created, err := s.g.CreateOrder(s.ctx, OrderRequest{ProductName: "  " + strings.Repeat("饼", 50) + " ", Amount: "10000", AmountPresent: true,
		PaymentMethod: " WeChat ", MerchantOrderID: " SHOP-7 ", NotifyURL: " https://shop.example.com/n ", ReturnURL: "http://shop.example.com/r",
		Attach: strings.Repeat("a", 1024), ClientIP: "198.51.100.1"})
	if err != nil || !created {
		t.Fatalf("the longest valid order: %v", err)
	}
	if o.ProductName != strings.Repeat("饼", 50) || o.Method != app.MethodWechat || o.Amount != 1_000_000 || o.PayAmount != 1_000_000 ||
		o.MerchantOrderID != "SHOP-7" || o.NotifyURL != "https://shop.example.com/n" || o.Status != app.OrderPending ||
		!o.ExpiresAt.Equal(s.clock.Now().Add(15*time.Minute)) {
		t.Fatalf("stored order: %+v", o)
	}
	got, err := s.g.Order(s.ctx, "  "+o.ID+" ")
	if err != nil || got.ID != o.ID || got.Attach != o.Attach || got.ReturnURL != "http://shop.example.com/r" {
		t.Fatalf("read back: %+v %v", got, err)
	}
}

func TestMerchantOrderIDRepeat(t *testing.T) {
	s := newShop(t)
	first := OrderRequest{ProductName: "曲奇", Amount: "8.8", AmountPresent: true, PaymentMethod: "alipay", MerchantOrderID: "SHOP-1",
		NotifyURL: "https://shop.example.com/n", ReturnURL: "https://shop.example.com/r", Attach: "u=1"}
	o, created, err := s.g.CreateOrder(s.ctx, first)
	if err != nil || !created {
		t.Fatal(err)
	}
	same := first
	same.Amount = "8.80" // the same amount written otherwise
	again, created, err := s.g.CreateOrder(s.ctx, same)
	if err != nil || created || again.ID != o.ID || again.PayAmount != o.PayAmount {
		t.Fatalf("repeat: %+v created %v %v", again, created, err)
	}
	for _, tt := range []struct {
		name string
		f    func(*OrderRequest)
	}{
		{"amount", func(r *OrderRequest) { r.Amount = "8.81" }},
		{"product", func(r *OrderRequest) { r.ProductName = "蛋糕" }},
		{"notifyUrl", func(r *OrderRequest) { r.NotifyURL = "https://shop.example.com/other" }},
		{"returnUrl", func(r *OrderRequest) { r.ReturnURL = "" }},
		{"attach", func(r *OrderRequest) { r.Attach = "u=2" }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := first
			tt.f(&r)
			_, _, err := s.g.CreateOrder(s.ctx, r)
			wantErr(t, err, app.ECONFLICT, "merchantOrderId", o.ID)
		})
	}
	// Another method switches the pending order (DESIGN: a pending order may
	// switch method), and back again, rather than conflicting.
	for _, m := range []app.Method{app.MethodWechat, app.MethodAlipay} {
		r := first
		r.PaymentMethod = string(m)
		sw, created, err := s.g.CreateOrder(s.ctx, r)
		if err != nil || created || sw.ID != o.ID || sw.Method != m {
			t.Fatalf("switch to %s: %+v %v %v", m, sw, created, err)
		}
	}
	// The number stays tied to its order after it is paid: a repeat returns the paid order.
	s.pay("收到转账8.80元(支付宝)")
	paid, created, err := s.g.CreateOrder(s.ctx, first)
	if err != nil || created || paid.ID != o.ID || paid.Status != app.OrderSuccess {
		t.Fatalf("repeat after payment: %+v %v %v", paid, created, err)
	}
	// Another number is another order.
	first.MerchantOrderID = "SHOP-2"
	if other, created, err := s.g.CreateOrder(s.ctx, first); err != nil || !created || other.ID == o.ID {
		t.Fatalf("another number: %+v %v %v", other, created, err)
	}
}

// The amount slots of one price run out; the error says how to go on, and
// an order closed, paid or expired gives its amount back only after the
// grace period.
func TestSlotsRunOut(t *testing.T) {
	s := newShop(t, func(o *Options) { o.Defaults.Slots.MaxOffset = 2 }) // 1.00 ± 0.02: five amounts
	var orders []app.Order
	for range 5 {
		orders = append(orders, s.order("1", "alipay"))
	}
	want := []string{"1", "1.01", "0.99", "1.02", "0.98"}
	for i, o := range orders {
		if o.PayAmount.String() != want[i] {
			t.Fatalf("order %d pays %s, want %s", i, o.PayAmount, want[i])
		}
	}
	_, _, err := s.g.CreateOrder(s.ctx, OrderRequest{ProductName: "p", Amount: "1", AmountPresent: true, PaymentMethod: "alipay"})
	wantErr(t, err, app.ESLOTSFULL, "amount", "1.00")
	// WeChat has its own amounts.
	s.order("1", "wechat")

	// Closing one frees nothing yet: its amount cools for the grace period.
	if _, err := s.g.CloseOrder(s.ctx, orders[2].ID, "api"); err != nil {
		t.Fatal(err)
	}
	_, _, err = s.g.CreateOrder(s.ctx, OrderRequest{ProductName: "p", Amount: "1", AmountPresent: true, PaymentMethod: "alipay"})
	wantErr(t, err, app.ESLOTSFULL, "amount", "10")
	if !strings.Contains(app.ErrorMessage(err, "en"), "1 recently released") && !strings.Contains(app.ErrorMessage(err, "zh"), "1 个在最近") {
		t.Fatalf("the message does not count the cooling amount: %s", app.ErrorMessage(err, "zh"))
	}
	s.clock.Add(10*time.Minute + time.Second)
	if o := s.order("1", "alipay"); o.PayAmount.String() != "0.99" {
		t.Fatalf("after the grace period the closed order's amount is reused: got %s", o.PayAmount)
	}
}

func TestOrderLookupAndClose(t *testing.T) {
	s := newShop(t)
	o := s.order("2", "alipay")
	for _, tt := range []struct {
		name, id     string
		code, field  string
		mentionOfMsg string
	}{
		{"empty", "  ", app.EINVALID, "orderId", ""},
		{"65 characters", strings.Repeat("O", 65), app.EINVALID, "orderId", ""},
		{"unknown", "ORD1700000000123", app.ENOTFOUND, "orderId", "ORD1700000000123"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.g.Order(s.ctx, tt.id)
			wantErr(t, err, tt.code, tt.field, tt.mentionOfMsg)
		})
	}
	// A pending order past its lifetime reads as expired before the sweeper runs.
	s.clock.Add(15 * time.Minute)
	if got, _ := s.g.Order(s.ctx, o.ID); got.Status != app.OrderExpired {
		t.Fatalf("past its lifetime: %s", got.Status)
	}
	_, err := s.g.CloseOrder(s.ctx, o.ID, "api")
	wantErr(t, err, app.ECONFLICT, "orderId", "expired")

	open := s.order("3", "alipay")
	closed, err := s.g.CloseOrder(s.ctx, " "+open.ID+" ", "api")
	if err != nil || closed.Status != app.OrderFailed || !closed.ClosedAt.Equal(s.clock.Now()) {
		t.Fatalf("close: %+v %v", closed, err)
	}
	_, err = s.g.CloseOrder(s.ctx, open.ID, "api")
	wantErr(t, err, app.ECONFLICT, "orderId", "failed")
	// A payment of its amount after the close does not pay it.
	res := s.pay("收到转账3.00元(支付宝)")
	if res.Matched || res.OrderID == open.ID {
		t.Fatalf("a closed order was paid: %+v", res)
	}
}
