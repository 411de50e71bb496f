package gateway

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/skip2/go-qrcode"

	"paygate/app"
	"paygate/app/console"
	"paygate/app/qr/qrtest"
)

func TestParseOrderQuery(t *testing.T) {
	day := func(s string) time.Time {
		d, _ := time.ParseInLocation("2006-01-02", s, app.Shanghai)
		return d
	}
	tests := []struct {
		name           string
		q              console.OrderQuery
		want           app.OrderFilter
		page           int
		field, mention string
	}{
		{"nothing", console.OrderQuery{}, app.OrderFilter{Limit: 20, CountCap: app.ListCountCap}, 1, "", ""},
		{"everything", console.OrderQuery{Status: " success ", Method: "WeChat", From: "2026-11-01", To: "2026-11-30", Q: "  SHOP-1 ", Page: "3"},
			app.OrderFilter{Status: app.OrderSuccess, Method: app.MethodWechat, From: day("2026-11-01"), To: day("2026-12-01"), Query: "SHOP-1",
				Offset: 40, Limit: 20, CountCap: app.ListCountCap}, 3, "", ""},
		{"one day", console.OrderQuery{From: "2026-11-26", To: "2026-11-26"},
			app.OrderFilter{From: day("2026-11-26"), To: day("2026-11-27"), Limit: 20, CountCap: app.ListCountCap}, 1, "", ""},
		{"a long search is cut", console.OrderQuery{Q: strings.Repeat("查", 70)},
			app.OrderFilter{Query: strings.Repeat("查", 64), Limit: 20, CountCap: app.ListCountCap}, 1, "", ""},
		{"an unknown status", console.OrderQuery{Status: "paid"}, app.OrderFilter{}, 0, "status", "pending"},
		{"an unknown method", console.OrderQuery{Method: "cash"}, app.OrderFilter{}, 0, "paymentMethod", "cash"},
		{"a start that is no date", console.OrderQuery{From: "26/11/2026"}, app.OrderFilter{}, 0, "from", "26/11/2026"},
		{"an end that is no date", console.OrderQuery{To: "明天"}, app.OrderFilter{}, 0, "to", "明天"},
		{"an end before the start", console.OrderQuery{From: "2026-11-26", To: "2026-11-25"}, app.OrderFilter{}, 0, "to", "结束日期|end date"},
		{"page 0", console.OrderQuery{Page: "0"}, app.OrderFilter{}, 0, "page", "0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, p, err := ParseOrderQuery(tt.q)
			if tt.field != "" {
				wantErr(t, err, app.EINVALID, tt.field, tt.mention)
				return
			}
			if err != nil || f != tt.want || p.Number != tt.page || p.Limit != 20 {
				t.Fatalf("%+v %+v %v\nwant %+v page %d", f, p, err, tt.want, tt.page)
			}
		})
	}
}

// The owner's dashboard and lists read what happened: orders, money in,
// payments waiting, phones, the 收款码 still missing.
func TestDashboardAndLists(t *testing.T) {
	s := newShop(t)
	phone, err := s.g.CreateDevice(s.ctx, "旧手机", "店主")
	if err != nil {
		t.Fatal(err)
	}
	frame, err := s.g.AdminFrame(s.ctx)
	if err != nil || frame.ShopName != "" || frame.Unmatched != 0 {
		t.Fatalf("frame of a new shop: %+v %v", frame, err)
	}
	if missing, _ := s.g.MissingPayQRs(s.ctx); !slices.Equal(missing, []app.Method{app.MethodAlipay, app.MethodWechat}) {
		t.Fatalf("missing 收款码 of a new shop: %v", missing)
	}

	yesterday := s.order("20", "alipay")
	s.pay("收到转账20.00元(支付宝)")
	s.clock.Add(24 * time.Hour)
	today := s.order("5", "alipay")
	s.clock.Add(time.Minute)
	if _, err := s.webhook(phone.Key, map[string]string{"message": "收到转账5.00元(支付宝)"}); err != nil {
		t.Fatal(err)
	}
	s.clock.Add(time.Second)
	s.pay("收到转账1.23元(支付宝)") // waits
	s.order("8", "wechat")  // stays pending

	d, err := s.g.Dashboard(s.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if d.Today.Revenue != 500 || d.Today.Orders != 2 || d.Today.Paid != 1 || d.Today.UnmatchedCount != 1 || d.Unmatched != 1 {
		t.Fatalf("today: %+v, unmatched %d", d.Today, d.Unmatched)
	}
	if d.Week.Revenue != 2500 || d.Week.Orders != 3 || d.Month.Revenue != 2500 || len(d.Days) != 30 || d.Days[len(d.Days)-1].Revenue != 500 {
		t.Fatalf("week %+v month %+v days %d", d.Week, d.Month, len(d.Days))
	}
	if len(d.Devices) != 2 || !slices.ContainsFunc(d.Devices, func(x app.Device) bool { return x.ID == phone.ID && x.Online }) {
		t.Fatalf("devices: %+v", d.Devices)
	}
	if !slices.Equal(d.MissingPayQR, []app.Method{app.MethodAlipay, app.MethodWechat}) || !d.Now.Equal(s.clock.Now()) {
		t.Fatalf("missing 收款码 %v, now %v", d.MissingPayQR, d.Now)
	}

	orders, total, err := s.g.Orders(s.ctx, app.OrderFilter{Status: app.OrderSuccess, Limit: 10})
	if err != nil || total != 2 || orders[0].ID != today.ID || orders[1].ID != yesterday.ID {
		t.Fatalf("paid orders, newest first: %d %v %v", total, orders, err)
	}
	cbs, total, err := s.g.Callbacks(s.ctx, "", app.Page{Number: 1, Limit: 10})
	if err != nil || total != 2 || len(cbs) != 2 || cbs[0].Status != app.CallbackPending {
		t.Fatalf("callbacks: %d %+v %v", total, cbs, err)
	}
	if _, total, err := s.g.Callbacks(s.ctx, "failing", app.Page{Number: 1, Limit: 10}); err != nil || total != 0 {
		t.Fatalf("failing callbacks: %d %v", total, err)
	}
	_, _, err = s.g.Callbacks(s.ctx, "lost", app.Page{Number: 1, Limit: 10})
	wantErr(t, err, app.EINVALID, "status", "failing")

	var exported []string
	if err := s.g.ExportOrders(s.ctx, s.clock.Now().Add(-48*time.Hour), s.clock.Now().Add(time.Hour), func(o app.OrderSummary) error {
		exported = append(exported, o.ID)
		return nil
	}); err != nil || len(exported) != 3 || exported[0] != yesterday.ID {
		t.Fatalf("export orders, oldest first: %v %v", exported, err)
	}
	var amounts []string
	if err := s.g.ExportPayments(s.ctx, s.clock.Now().Add(-time.Hour), s.clock.Now().Add(time.Hour), func(p app.Payment) error {
		amounts = append(amounts, p.Amount.String())
		return nil
	}); err != nil || !slices.Equal(amounts, []string{"5", "1.23"}) {
		t.Fatalf("export today's payments: %v %v", amounts, err)
	}
	name := "小店"
	if err := s.g.UpdateSettings(s.ctx, ConfigRequest{Name: &name}, "店主"); err != nil {
		t.Fatal(err)
	}
	if frame, err := s.g.AdminFrame(s.ctx); err != nil || frame.ShopName != "小店" || frame.Unmatched != 1 {
		t.Fatalf("frame: %+v %v", frame, err)
	}
}

func blankPNG(t *testing.T) []byte {
	t.Helper()
	img := image.NewGray(image.Rect(0, 0, 64, 64))
	for i := range img.Pix {
		img.Pix[i] = 0xff
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func qrPNG(t *testing.T, payload string) []byte {
	t.Helper()
	b, err := qrcode.Encode(payload, qrcode.Medium, 256)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The 收款码 the owner uploads: what is refused, and which one a checkout shows.
func TestPayQRAndCheckout(t *testing.T) {
	s := newShop(t)
	for _, tt := range []struct {
		name, method string
		image        []byte
		code, field  string
		mention      string
	}{
		{"no picture", "alipay", nil, app.EINVALID, "image", "PNG"},
		{"not a picture", "alipay", []byte("%PDF-1.4"), app.EINVALID, "image", "PNG"},
		{"a picture without a code", "alipay", blankPNG(t), app.EINVALID, "image", "二维码|QR code"},
		{"over 5 MB", "alipay", make([]byte, MaxPayQRBytes+1), app.ETOOLARGE, "image", "5 MB"},
		{"70 bytes announcing 100000×100000 pixels", "alipay", qrtest.HugePNG(100000, 100000), app.EINVALID, "image", "截取收款码|crop it"},
		{"an unknown method", "paypal", qrPNG(t, "x"), app.EINVALID, "paymentMethod", "paypal"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.g.SetPayQR(s.ctx, tt.method, tt.image, "店主")
			wantErr(t, err, tt.code, tt.field, tt.mention)
		})
	}
	_, err := s.g.PayQR(s.ctx, "alipay")
	wantErr(t, err, app.ENOTFOUND, "method", "收款码")

	general, err := s.g.SetPayQR(s.ctx, "alipay", qrPNG(t, "https://qr.alipay.com/general"), "店主")
	if err != nil || general.Payload != "https://qr.alipay.com/general" || general.ContentType != "image/png" {
		t.Fatalf("upload: %+v %v", general, err)
	}
	fixed, err := s.g.SetPayQRAmount(s.ctx, "alipay", "10.00", qrPNG(t, "https://qr.alipay.com/ten"), "店主")
	if err != nil || fixed.Amount != 1000 {
		t.Fatalf("fixed amount: %+v %v", fixed, err)
	}
	for _, tt := range []struct {
		name, method, amount string
		field, mention       string
	}{
		{"no amount", "alipay", " ", "amount", "10.01"},
		{"a bad amount", "alipay", "ten", "amount", "ten"},
		{"an unknown method", "cash", "1", "paymentMethod", "cash"},
	} {
		t.Run("fixed: "+tt.name, func(t *testing.T) {
			_, err := s.g.SetPayQRAmount(s.ctx, tt.method, tt.amount, qrPNG(t, "x"), "店主")
			wantErr(t, err, app.EINVALID, tt.field, tt.mention)
		})
	}
	_, err = s.g.SetPayQRAmount(s.ctx, "alipay", "10.01", qrtest.HugePNG(100000, 100000), "店主")
	wantErr(t, err, app.EINVALID, "image", "100000×100000|100000×100000")

	// A checkout shows the fixed-amount code for exactly its payable amount,
	// else the general one; none for a method without one.
	checkout := func(o app.Order) console.Checkout {
		t.Helper()
		c, err := s.g.Checkout(s.ctx, o.ID, app.BrowserPlain)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	ten, tenAgain, wechat := s.order("10", "alipay"), s.order("10", "alipay"), s.order("10", "wechat")
	if c := checkout(ten); !c.HasQR || c.QR.Payload != "https://qr.alipay.com/ten" {
		t.Fatalf("checkout of 10.00: %+v", c.QR)
	}
	if c := checkout(tenAgain); !c.HasQR || c.QR.Payload != "https://qr.alipay.com/general" || c.Order.PayAmount != 1001 {
		t.Fatalf("checkout of 10.01: %+v", c.QR)
	}
	if c := checkout(wechat); c.HasQR {
		t.Fatalf("checkout of a WeChat order: %+v", c.QR)
	}
	if _, err := s.g.Checkout(s.ctx, "ORDnope", app.BrowserPlain); app.ErrorCode(err) != app.ENOTFOUND {
		t.Fatalf("checkout of an unknown order: %v", err)
	}
	if missing, _ := s.g.MissingPayQRs(s.ctx); !slices.Equal(missing, []app.Method{app.MethodWechat}) {
		t.Fatalf("missing: %v", missing)
	}

	qrs, err := s.g.PayQRs(s.ctx)
	if err != nil || len(qrs) != 1 || qrs[app.MethodAlipay].Payload != general.Payload {
		t.Fatalf("pay QRs: %v %v", qrs, err)
	}
	if q, err := s.g.PayQR(s.ctx, "alipay"); err != nil || len(q.Image) == 0 {
		t.Fatalf("the picture: %v", err)
	}
	if list, err := s.g.PayQRAmounts(s.ctx); err != nil || len(list) != 1 || list[0].Amount != 1000 {
		t.Fatalf("fixed-amount codes: %+v %v", list, err)
	}
	if q, err := s.g.PayQRAmount(s.ctx, "alipay", "10"); err != nil || q.Payload != "https://qr.alipay.com/ten" {
		t.Fatalf("the 10.00 code: %+v %v", q, err)
	}
	_, err = s.g.PayQRAmount(s.ctx, "alipay", "11")
	wantErr(t, err, app.ENOTFOUND, "amount", "11.00")
	if err := s.g.DeletePayQRAmount(s.ctx, "alipay", "10.00", "店主"); err != nil {
		t.Fatal(err)
	}
	wantErr(t, s.g.DeletePayQRAmount(s.ctx, "alipay", "10.00", "店主"), app.ENOTFOUND, "amount", "10.00")
	wantErr(t, s.g.DeletePayQRAmount(s.ctx, "alipay", "x", "店主"), app.EINVALID, "amount", "x")
	if c := checkout(ten); c.QR.Payload != "https://qr.alipay.com/general" {
		t.Fatalf("after deleting the fixed code: %+v", c.QR)
	}
	// A paid order's checkout needs no code.
	s.pay("收到转账10.00元(支付宝)")
	if c := checkout(ten); c.HasQR || c.Order.Status != app.OrderSuccess {
		t.Fatalf("a paid order's checkout: %+v", c)
	}
}

// The sweeper marks orders expired, applies stored requests left behind and
// prunes old ones, until it is stopped.
func TestRunSweeper(t *testing.T) {
	s := newShop(t, func(o *Options) { o.NotificationRetention = 24 * time.Hour })
	o := s.order("1", "alipay")
	old, _ := s.webhook(shopKey, map[string]string{"message": "您有一条新的系统消息，请注意查收"})
	stored := storedWebhook(t, s.g, shopKey, `{"message":"收到转账2.00元(支付宝)"}`, s.clock.Now())
	s.clock.Add(25 * time.Hour)
	ctx, cancel := context.WithCancel(s.ctx)
	done := make(chan struct{})
	go func() { s.g.RunSweeper(ctx, time.Hour); close(done) }()
	deadline := time.Now().Add(5 * time.Second)
	for {
		got, _ := s.g.db.Order(s.ctx, o.ID)
		n := notificationOutcome(t, s.g, stored)
		_, _, gone := s.g.db.RawNotification(s.ctx, old.NotificationID)
		if got.Status == app.OrderExpired && n.Outcome == app.OutcomePayment && app.ErrorCode(gone) == app.ENOTFOUND {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after a sweep: order %s, stored request %s, old request %v", got.Status, n.Outcome, gone)
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	<-done
	st, err := s.g.NotificationStorage(s.ctx)
	if err != nil || st.Retention != 24*time.Hour || st.Limits != strangerLimits || st.Total.Requests != 1 {
		t.Fatalf("storage: %+v %v", st, err)
	}
}
