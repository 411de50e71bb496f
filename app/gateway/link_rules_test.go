package gateway

import (
	"strings"
	"testing"

	"paygate/app"
)

func TestCreateLinkRules(t *testing.T) {
	s := newShop(t)
	ok := LinkForm{ProductName: "曲奇", PriceKind: "fixed", Amount: "9.9", Methods: []string{"alipay"}}
	edit := func(f func(*LinkForm)) LinkForm { l := ok; f(&l); return l }
	for _, tt := range []struct {
		name           string
		form           LinkForm
		field, mention string
	}{
		{"no product", edit(func(l *LinkForm) { l.ProductName = " " }), "productName", "商品名称|product name"},
		{"a product of 51", edit(func(l *LinkForm) { l.ProductName = strings.Repeat("饼", 51) }), "productName", "51"},
		{"a control character", edit(func(l *LinkForm) { l.ProductName = "a\tb" }), "productName", "控制字符|control"},
		{"no amount", edit(func(l *LinkForm) { l.Amount = "" }), "amount", ""},
		{"an amount over the maximum", edit(func(l *LinkForm) { l.Amount = "10000.01" }), "amount", "10000"},
		{"a buyer range without a minimum", edit(func(l *LinkForm) { l.PriceKind, l.MaxAmount = "buyer", "5" }), "minAmount", ""},
		{"a buyer range without a maximum", edit(func(l *LinkForm) { l.PriceKind, l.MinAmount = "buyer", "5" }), "maxAmount", ""},
		{"a buyer range upside down", edit(func(l *LinkForm) { l.PriceKind, l.MinAmount, l.MaxAmount = "buyer", "5", "4" }), "maxAmount", "5.00"},
		{"an unknown price kind", edit(func(l *LinkForm) { l.PriceKind = "auction" }), "priceKind", "价格|price"},
		{"no method", edit(func(l *LinkForm) { l.Methods = nil }), "methods", "支付宝|Alipay"},
		{"only unknown methods", edit(func(l *LinkForm) { l.Methods = []string{"paypal"} }), "methods", "支付宝|Alipay"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.g.CreateLink(s.ctx, tt.form, "店主")
			wantErr(t, err, app.EINVALID, tt.field, tt.mention)
		})
	}
	if links, _ := s.g.Links(s.ctx); len(links) != 0 {
		t.Fatalf("refused forms made links: %+v", links)
	}

	fixed, err := s.g.CreateLink(s.ctx, LinkForm{ProductName: " 曲奇 ", Amount: "9.90", Methods: []string{"wechat", " alipay ", "wechat"}}, "店主")
	if err != nil || fixed.ProductName != "曲奇" || fixed.Amount != 990 || len(fixed.Methods) != 2 || fixed.Methods[0] != app.MethodAlipay || !fixed.Enabled || len(fixed.Code) != 8 {
		t.Fatalf("a fixed link: %+v %v", fixed, err)
	}
	if got, err := s.g.LinkByCode(s.ctx, " "+strings.ToUpper(fixed.Code)+" "); err != nil || got.ID != fixed.ID {
		t.Fatalf("by code: %+v %v", got, err)
	}
	for _, code := range []string{"", strings.Repeat("a", 33)} {
		_, err := s.g.LinkByCode(s.ctx, code)
		wantErr(t, err, app.ENOTFOUND, "link", "链接|link")
	}

	// A disabled link takes no orders; enabled again it does; deleted, its orders stay.
	if l, err := s.g.SetLinkEnabled(s.ctx, fixed.ID, false, "店主"); err != nil || l.Enabled {
		t.Fatalf("disable: %+v %v", l, err)
	}
	_, err = s.g.CreateLinkOrder(s.ctx, LinkOrderRequest{Code: fixed.Code, Method: "alipay", ClientIP: "203.0.113.1"})
	wantErr(t, err, app.ECONFLICT, "link", "停用|turned this payment link off")
	if _, err := s.g.SetLinkEnabled(s.ctx, fixed.ID, true, "店主"); err != nil {
		t.Fatal(err)
	}
	_, err = s.g.CreateLinkOrder(s.ctx, LinkOrderRequest{Code: fixed.Code, Method: "cash", ClientIP: "203.0.113.1"})
	wantErr(t, err, app.EINVALID, "method", "支付宝|Alipay")
	o, err := s.g.CreateLinkOrder(s.ctx, LinkOrderRequest{Code: fixed.Code, Method: "wechat", ClientIP: "203.0.113.1"})
	if err != nil || o.Method != app.MethodWechat || o.Amount != 990 || o.Attach != "link:"+fixed.Code {
		t.Fatalf("link order: %+v %v", o, err)
	}
	s.pay("收到转账9.90元（微信）")
	links, err := s.g.Links(s.ctx)
	if err != nil || len(links) != 1 || links[0].Orders != 1 || links[0].Paid != 1 || links[0].Revenue != 990 {
		t.Fatalf("link summary: %+v %v", links, err)
	}
	if err := s.g.DeleteLink(s.ctx, fixed.ID, "店主"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.g.LinkByCode(s.ctx, fixed.Code); app.ErrorCode(err) != app.ENOTFOUND {
		t.Fatalf("a deleted link: %v", err)
	}
	if got, _ := s.g.Order(s.ctx, o.ID); got.Status != app.OrderSuccess {
		t.Fatalf("the deleted link's order: %s", got.Status)
	}
}

// A buyer types the amount on a link with a range.
func TestBuyerAmount(t *testing.T) {
	s := newShop(t)
	l, err := s.g.CreateLink(s.ctx, LinkForm{ProductName: "打赏", PriceKind: "buyer", MinAmount: "1", MaxAmount: "200", Methods: []string{"alipay"}}, "店主")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		typed   string
		want    string
		mention string // of the error
	}{
		{"5", "5", ""},
		{" ¥12.50 ", "12.5", ""},
		{"￥200", "200", ""},
		{"", "", "1.00"},
		{"0.555", "", "0.555"},
		{"abc", "", "abc"},
		{"-3", "", "-3"},
		{"0.99", "", "1.00"},
		{"200.01", "", "200.00"},
		{strings.Repeat("9", 40), "", strings.Repeat("9", 20)},
	} {
		t.Run(tt.typed, func(t *testing.T) {
			o, err := s.g.CreateLinkOrder(s.ctx, LinkOrderRequest{Code: l.Code, Amount: tt.typed, ClientIP: "203.0.113.2", Nonce: "n-" + tt.typed})
			if tt.want != "" {
				if err != nil || o.Amount.String() != tt.want || o.Method != app.MethodAlipay {
					t.Fatalf("%+v %v", o, err)
				}
				return
			}
			wantErr(t, err, app.EINVALID, "amount", tt.mention)
		})
	}
	// The same form sent twice gives the same order.
	a, err := s.g.CreateLinkOrder(s.ctx, LinkOrderRequest{Code: l.Code, Amount: "7", ClientIP: "203.0.113.3", Nonce: "twice"})
	if err != nil {
		t.Fatal(err)
	}
	if b, err := s.g.CreateLinkOrder(s.ctx, LinkOrderRequest{Code: l.Code, Amount: "7", ClientIP: "203.0.113.3", Nonce: "twice"}); err != nil || b.ID != a.ID {
		t.Fatalf("the form again: %s %v, want %s", b.ID, err, a.ID)
	}
}
