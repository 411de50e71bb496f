package app

import (
	"strings"
	"testing"
)

func TestCheckOrderRepeat(t *testing.T) {
	existing := Order{ID: "ORD1", MerchantOrderID: "SHOP-1", ProductName: "会员", Method: MethodAlipay, Amount: 1000,
		PayAmount: 1001, NotifyURL: "https://shop/n", ReturnURL: "https://shop/r", Attach: "a", ClientIP: "1.2.3.4"}
	same := OrderInput{MerchantOrderID: "SHOP-1", ProductName: "会员", Method: MethodAlipay, Amount: 1000,
		NotifyURL: "https://shop/n", ReturnURL: "https://shop/r", Attach: "a", ClientIP: "1.2.3.4"}
	tests := []struct {
		name   string
		change func(*OrderInput)
		same   bool
	}{
		{"identical", func(*OrderInput) {}, true},
		{"another client IP", func(in *OrderInput) { in.ClientIP = "5.6.7.8" }, true},
		{"through a payment link", func(in *OrderInput) { in.LinkID = 3 }, true},
		{"product name", func(in *OrderInput) { in.ProductName = "别的" }, false},
		{"another method (the order switches to it)", func(in *OrderInput) { in.Method = MethodWechat }, true},
		{"no method (the payer chooses)", func(in *OrderInput) { in.Method = "" }, true},
		{"amount", func(in *OrderInput) { in.Amount = 1001 }, false}, // the asked amount, not the adjusted one
		{"notifyUrl", func(in *OrderInput) { in.NotifyURL = "https://shop/other" }, false},
		{"notifyUrl dropped", func(in *OrderInput) { in.NotifyURL = "" }, false},
		{"returnUrl", func(in *OrderInput) { in.ReturnURL = "" }, false},
		{"attach", func(in *OrderInput) { in.Attach = "b" }, false},
	}
	for _, tt := range tests {
		in := same
		tt.change(&in)
		err := CheckOrderRepeat(existing, in)
		if tt.same {
			if err != nil {
				t.Errorf("%s: %v, want the same order", tt.name, err)
			}
			continue
		}
		if ErrorCode(err) != ECONFLICT || ErrorField(err) != "merchantOrderId" ||
			!strings.Contains(ErrorMessage(err, "zh"), "SHOP-1") || !strings.Contains(ErrorMessage(err, "en"), "ORD1") {
			t.Errorf("%s: %v, want a conflict on merchantOrderId naming SHOP-1 and ORD1", tt.name, err)
		}
	}
}

func TestCheckEpayRepeat(t *testing.T) {
	existing := Order{ID: "ORD1", MerchantOrderID: EpayPrefix + "T1", ProductName: "会员", Method: MethodWechat, Amount: 1000}
	was := EpayOrder{OrderID: "ORD1", PID: "1000", OutTradeNo: "T1", Type: "wxpay", Name: "会员", Money: "10",
		Param: "p", NotifyURL: "https://shop/n", ReturnURL: "https://shop/r"}
	tests := []struct {
		name     string
		change   func(*OrderInput, *EpayOrder)
		field    string // "" = the same request
		was, now string // the values the conflict names
	}{
		{"identical", func(*OrderInput, *EpayOrder) {}, "", "", ""},
		{"10.00 repeats 10", func(_ *OrderInput, e *EpayOrder) { e.Money = "10.00" }, "", "", ""},
		{"wechat repeats wxpay", func(_ *OrderInput, e *EpayOrder) { e.Type = "wechat" }, "", "", ""},
		{"another clientip", func(in *OrderInput, _ *EpayOrder) { in.ClientIP = "5.6.7.8" }, "", "", ""},
		{"money", func(in *OrderInput, e *EpayOrder) { in.Amount, e.Money = 1200, "12" }, "money", `"10"`, `"12"`},
		{"another type (the order switches to it)", func(in *OrderInput, e *EpayOrder) { in.Method, e.Type = MethodAlipay, "alipay" }, "", "", ""},
		{"no type (the payer chooses)", func(in *OrderInput, e *EpayOrder) { in.Method, e.Type = "", "" }, "", "", ""},
		{"name", func(_ *OrderInput, e *EpayOrder) { e.Name = "别的" }, "name", `"会员"`, `"别的"`},
		{"notify_url", func(_ *OrderInput, e *EpayOrder) { e.NotifyURL = "https://x/n" }, "notify_url", `"https://shop/n"`, `"https://x/n"`},
		{"return_url", func(_ *OrderInput, e *EpayOrder) { e.ReturnURL = "" }, "return_url", `"https://shop/r"`, `""`},
		{"param", func(_ *OrderInput, e *EpayOrder) { e.Param = "q" }, "param", `"p"`, `"q"`},
		{"money named before name", func(in *OrderInput, e *EpayOrder) { in.Amount, e.Money, e.Name = 1, "0.01", "别的" }, "money", `"10"`, `"0.01"`},
		{"a long value is clipped", func(_ *OrderInput, e *EpayOrder) { e.Param = strings.Repeat("长", 50) }, "param", `"p"`, `"` + strings.Repeat("长", 40) + `…"`},
	}
	for _, tt := range tests {
		in := OrderInput{MerchantOrderID: EpayPrefix + "T1", ProductName: "会员", Method: MethodWechat, Amount: 1000,
			NotifyURL: "https://shop/n", Attach: "p", ClientIP: "1.2.3.4"}
		e := was
		e.OrderID = ""
		tt.change(&in, &e)
		err := CheckEpayRepeat(existing, was, in, e)
		if tt.field == "" {
			if err != nil {
				t.Errorf("%s: %v, want the same order", tt.name, err)
			}
			continue
		}
		zh, en := ErrorMessage(err, "zh"), ErrorMessage(err, "en")
		if ErrorCode(err) != ECONFLICT || ErrorField(err) != tt.field {
			t.Errorf("%s: %v, want a conflict on %s", tt.name, err, tt.field)
			continue
		}
		for _, msg := range []string{zh, en} {
			if !strings.Contains(msg, "T1") || !strings.Contains(msg, tt.field+" ") || !strings.Contains(msg, tt.was) || !strings.Contains(msg, tt.now) {
				t.Errorf("%s: %q does not name T1, %s, %s and %s", tt.name, msg, tt.field, tt.was, tt.now)
			}
		}
	}
}
