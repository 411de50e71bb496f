package app

import (
	"strings"
	"testing"
	"time"
)

func TestCheckMethodChoice(t *testing.T) {
	now := time.Date(2026, 11, 26, 10, 0, 0, 0, Shanghai)
	open := Order{ID: "ORD1", Status: OrderPending, Amount: 1000, PayAmount: 1000, ExpiresAt: now.Add(time.Minute)}
	chosen := open
	chosen.Method = MethodAlipay
	both := []Method{MethodAlipay, MethodWechat}
	for _, tt := range []struct {
		name     string
		o        Order
		m        Method
		offered  []Method
		switches int
		code     string // "" = allowed
		says     string
	}{
		{"first choice", open, MethodWechat, both, 0, "", ""},
		{"the same method again", chosen, MethodAlipay, nil, MaxMethodSwitches, "", ""},
		{"a switch", chosen, MethodWechat, both, 2, "", ""},
		{"no method", open, "", both, 0, EINVALID, "请选择支付方式"},
		{"an unknown method", open, "qqpay", both, 0, EINVALID, "请选择支付方式"},
		{"not offered (no 收款码)", open, MethodWechat, []Method{MethodAlipay}, 0, EINVALID, "没有开通微信支付"},
		{"too many switches", chosen, MethodWechat, both, MaxMethodSwitches, ECONFLICT, "不能再换"},
		{"the first choice is not a switch", open, MethodWechat, both, MaxMethodSwitches, "", ""},
		{"expired by the clock", Order{Status: OrderPending, ExpiresAt: now}, MethodAlipay, both, 0, ECONFLICT, "不是待支付"},
		{"paid", Order{Status: OrderSuccess, ExpiresAt: now.Add(time.Hour)}, MethodAlipay, both, 0, ECONFLICT, "不是待支付"},
		{"closed", Order{Status: OrderFailed, ExpiresAt: now.Add(time.Hour)}, MethodAlipay, both, 0, ECONFLICT, "不是待支付"},
	} {
		err := CheckMethodChoice(tt.o, tt.m, tt.offered, tt.switches, now)
		if tt.code == "" {
			if err != nil {
				t.Errorf("%s: %v", tt.name, err)
			}
			continue
		}
		if ErrorCode(err) != tt.code || !strings.Contains(ErrorMessage(err, "zh"), tt.says) || ErrorMessage(err, "en") == ErrorMessage(err, "zh") {
			t.Errorf("%s: %v, want %s saying %q (and English)", tt.name, err, tt.code, tt.says)
		}
	}
}

func TestReopenable(t *testing.T) {
	now := time.Date(2026, 11, 26, 10, 0, 0, 0, Shanghai)
	for _, tt := range []struct {
		name   string
		o      Order
		within time.Duration
		want   bool
	}{
		{"expired an hour ago", Order{Status: OrderExpired, ExpiresAt: now.Add(-time.Hour)}, 24 * time.Hour, true},
		{"pending, past its lifetime (not swept yet)", Order{Status: OrderPending, ExpiresAt: now.Add(-time.Second)}, 24 * time.Hour, true},
		{"expired exactly within ago", Order{Status: OrderExpired, ExpiresAt: now.Add(-24 * time.Hour)}, 24 * time.Hour, true},
		{"expired longer ago", Order{Status: OrderExpired, ExpiresAt: now.Add(-25 * time.Hour)}, 24 * time.Hour, false},
		{"reopening switched off", Order{Status: OrderExpired, ExpiresAt: now.Add(-time.Minute)}, 0, false},
		{"still pending", Order{Status: OrderPending, ExpiresAt: now.Add(time.Minute)}, 24 * time.Hour, false},
		{"paid", Order{Status: OrderSuccess, PaymentID: "PAY1", ExpiresAt: now.Add(-time.Minute)}, 24 * time.Hour, false},
		{"closed by the shop", Order{Status: OrderFailed, ExpiresAt: now.Add(time.Minute)}, 24 * time.Hour, false},
	} {
		if got := Reopenable(tt.o, now, tt.within); got != tt.want {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestEpayType(t *testing.T) {
	for _, tt := range []struct {
		m          Method
		sent, want string
	}{
		{MethodAlipay, "alipay", "alipay"},
		{MethodAlipay, "", "alipay"},
		{MethodAlipay, "wxpay", "alipay"},
		{MethodWechat, "wechat", "wechat"},
		{MethodWechat, "WXPAY", "WXPAY"},
		{MethodWechat, "alipay", "wxpay"},
		{MethodWechat, "", "wxpay"},
		{"", "alipay", ""},
	} {
		if got := EpayType(tt.m, tt.sent); got != tt.want {
			t.Errorf("EpayType(%q, %q) = %q, want %q", tt.m, tt.sent, got, tt.want)
		}
	}
}

func TestShopHome(t *testing.T) {
	for _, tt := range []struct {
		c         ShopContact
		returnURL string
		want      string
	}{
		{ShopContact{HomeURL: "https://shop.example.com/"}, "https://other.example.com/thanks?x=1", "https://shop.example.com/"},
		{ShopContact{}, "https://shop.example.com/detail-order-sn/A1?pid=1000&trade_status=TRADE_SUCCESS&sign=x", "https://shop.example.com/"},
		{ShopContact{}, "http://127.0.0.1:8080/return", "http://127.0.0.1:8080/"},
		{ShopContact{}, "", ""},
		{ShopContact{}, "javascript:alert(1)", ""},
	} {
		if got := ShopHome(tt.c, tt.returnURL); got != tt.want {
			t.Errorf("ShopHome(%+v, %q) = %q, want %q", tt.c, tt.returnURL, got, tt.want)
		}
	}
	if got := (ShopContact{Phone: "+86 138-0013 8000"}).TelURL(); got != "tel:+8613800138000" {
		t.Errorf("TelURL = %q", got)
	}
	if got := (ShopContact{Phone: "找前台"}).TelURL(); got != "" {
		t.Errorf("TelURL of no digits = %q", got)
	}
}
