package gateway

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"paygate/app"
	"paygate/app/epay"
)

// epayParams is a shop's signed submit.php/mapi.php request: fields over
// the defaults, then signed with key ("" leaves it unsigned).
func epayParams(key string, kv ...string) map[string]string {
	p := map[string]string{"pid": "1000", "type": "alipay", "out_trade_no": "20261126001", "notify_url": "https://shop.example.com/notify",
		"return_url": "https://shop.example.com/return", "name": "VIP会员", "money": "10.00", "param": "uid=7", "sign_type": "MD5"}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			delete(p, kv[i])
		} else {
			p[kv[i]] = kv[i+1]
		}
	}
	if key != "" {
		p["sign"] = epay.Sign(p, key)
	}
	return p
}

func TestEpayCreate(t *testing.T) {
	s := newShop(t)
	create := func(p map[string]string) (app.Order, app.EpayOrder, bool, error) {
		return s.g.EpayCreate(s.ctx, epay.ReadCreate(p, "198.51.100.9"))
	}
	o, e, created, err := create(epayParams(shopKey))
	if err != nil || !created {
		t.Fatalf("create: %v", err)
	}
	if o.Method != app.MethodAlipay || o.Amount != 1000 || o.ProductName != "VIP会员" || o.MerchantOrderID != "epay:20261126001" ||
		o.Attach != "uid=7" || o.NotifyURL != "https://shop.example.com/notify" || o.ClientIP != "198.51.100.9" ||
		e.OrderID != o.ID || e.Money != "10.00" || e.PID != "1000" {
		t.Fatalf("order %+v, epay %+v", o, e)
	}
	// The payer is sent back with the notify's signed parameters, as 彩虹易支付 does.
	ret, err := url.Parse(o.ReturnURL)
	if err != nil || !strings.HasPrefix(o.ReturnURL, "https://shop.example.com/return?") || ret.Query().Get("trade_no") != o.ID ||
		ret.Query().Get("trade_status") != "TRADE_SUCCESS" || ret.Query().Get("sign") != epay.NotifyParams(e, shopKey).Get("sign") {
		t.Fatalf("return URL %q", o.ReturnURL)
	}

	// The same request again, "10" for "10.00" and wechat for wxpay included, is the same order.
	again, _, created, err := create(epayParams(shopKey, "money", "10"))
	if err != nil || created || again.ID != o.ID {
		t.Fatalf("repeat: %+v created %v %v", again, created, err)
	}
	for _, tt := range []struct {
		name           string
		params         map[string]string
		code, field    string
		mention        string
		sameOrderAfter bool
	}{
		{"another amount", epayParams(shopKey, "money", "10.01"), app.ECONFLICT, "money", "10.01", true},
		{"another name", epayParams(shopKey, "name", "SVIP"), app.ECONFLICT, "name", "SVIP", true},
		{"another notify_url", epayParams(shopKey, "notify_url", "https://shop.example.com/n2"), app.ECONFLICT, "notify_url", "n2", true},
		{"another param", epayParams(shopKey, "param", "uid=8"), app.ECONFLICT, "param", "uid=8", true},
		{"a wrong sign", epayParams("wrong-key-123", "out_trade_no", "X2"), app.EUNAUTHORIZED, "sign", "MD5", false},
		{"no sign", epayParams("", "out_trade_no", "X3"), app.EUNAUTHORIZED, "sign", "MD5", false},
		{"sign_type RSA", epayParams(shopKey, "out_trade_no", "X4", "sign_type", "RSA"), app.EINVALID, "sign_type", "RSA", false},
		{"another pid", epayParams(shopKey, "pid", "1001", "out_trade_no", "X5"), app.EUNAUTHORIZED, "pid", "1000", false},
		{"no pid", epayParams(shopKey, "pid", "", "out_trade_no", "X6"), app.EINVALID, "pid", "1000", false},
		{"an unknown type", epayParams(shopKey, "type", "qqpay", "out_trade_no", "X7"), app.EINVALID, "type", "qqpay", false},
		{"a bad out_trade_no", epayParams(shopKey, "out_trade_no", "单号 1"), app.EINVALID, "out_trade_no", "out_trade_no", false},
		{"no notify_url", epayParams(shopKey, "notify_url", "", "out_trade_no", "X8"), app.EINVALID, "notify_url", "", false},
		{"a notify_url in the LAN", epayParams(shopKey, "notify_url", "http://10.0.0.8/notify", "out_trade_no", "X9"), app.EINVALID, "notify_url", "10.0.0.8", false},
		{"money with a sign", epayParams(shopKey, "money", "-1", "out_trade_no", "X10"), app.EINVALID, "money", "-1", false},
		{"money over the maximum", epayParams(shopKey, "money", "10000.01", "out_trade_no", "X11"), app.EINVALID, "money", "10000", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, _, _, err := create(tt.params)
			wantErr(t, err, tt.code, tt.field, tt.mention)
		})
	}
	if _, total, _ := s.g.Orders(s.ctx, app.OrderFilter{Limit: 10}); total != 1 {
		t.Fatalf("%d orders, want 1", total)
	}
	// Another type switches the pending order (the same trade_no), as a
	// payer who changed their mind in the shop re-submits; and back again.
	for _, tt := range []struct{ typ, method app.Method }{{"wxpay", app.MethodWechat}, {"alipay", app.MethodAlipay}} {
		sw, _, created, err := create(epayParams(shopKey, "type", string(tt.typ)))
		if err != nil || created || sw.ID != o.ID || sw.Method != tt.method || sw.Status != app.OrderPending {
			t.Fatalf("switch to %s: %+v created %v %v", tt.typ, sw, created, err)
		}
	}

	// A paid order's number returns it paid (submit.php then says so).
	s.pay("收到转账10.00元(支付宝)")
	paid, _, created, err := create(epayParams(shopKey))
	if err != nil || created || paid.Status != app.OrderSuccess || epay.Payable(paid, e) == nil {
		t.Fatalf("repeat of a paid order: %+v %v", paid, err)
	}
}

func TestEpayQueries(t *testing.T) {
	s := newShop(t)
	o, e, _, err := s.g.EpayCreate(s.ctx, epay.ReadCreate(epayParams(shopKey), "198.51.100.9"))
	if err != nil {
		t.Fatal(err)
	}
	rest := s.order("3", "wechat")
	api := func(kv ...string) epay.APIRequest {
		p := map[string]string{"act": "order", "pid": "1000", "key": shopKey}
		for i := 0; i+1 < len(kv); i += 2 {
			p[kv[i]] = kv[i+1]
		}
		r, err := epay.ReadAPI(p, "")
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	for _, tt := range []struct {
		name    string
		req     epay.APIRequest
		orderID string
		epay    bool
	}{
		{"by out_trade_no", api("out_trade_no", e.OutTradeNo), o.ID, true},
		{"by trade_no", api("trade_no", o.ID), o.ID, true},
		{"trade_no wins", api("trade_no", o.ID, "out_trade_no", "nope"), o.ID, true},
		{"an order of the REST API", api("trade_no", rest.ID), rest.ID, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, ep, pid, err := s.g.EpayQuery(s.ctx, tt.req)
			if err != nil || got.ID != tt.orderID || (ep != nil) != tt.epay || pid != "1000" {
				t.Fatalf("%+v %+v %q %v", got, ep, pid, err)
			}
			if tt.epay && ep.OutTradeNo != e.OutTradeNo {
				t.Fatalf("epay order %+v", ep)
			}
		})
	}
	for _, tt := range []struct {
		name                 string
		req                  epay.APIRequest
		code, field, mention string
	}{
		{"a wrong key", api("key", "wrong", "out_trade_no", e.OutTradeNo), app.EUNAUTHORIZED, "key", "key"},
		{"no key", api("key", "", "out_trade_no", e.OutTradeNo), app.EUNAUTHORIZED, "key", "key"},
		{"another pid", api("pid", "2000", "out_trade_no", e.OutTradeNo), app.EUNAUTHORIZED, "pid", "1000"},
		{"no number", api(), app.EINVALID, "out_trade_no", "trade_no"},
		{"an unknown out_trade_no", api("out_trade_no", "nope"), app.ENOTFOUND, "out_trade_no", "nope"},
		{"an unknown trade_no", api("trade_no", "ORDnope"), app.ENOTFOUND, "orderId", "ORDnope"},
		{"a trade_no of 65", api("trade_no", strings.Repeat("9", 65)), app.EINVALID, "trade_no", "64"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, _, _, err := s.g.EpayQuery(s.ctx, tt.req)
			if app.ErrorCode(err) != tt.code || app.ErrorField(err) != tt.field || !strings.Contains(app.ErrorMessage(err, "zh"), tt.mention) {
				t.Fatalf("%v: code %s field %s; want %s %s naming %s", err, app.ErrorCode(err), app.ErrorField(err), tt.code, tt.field, tt.mention)
			}
		})
	}

	// act=query: the merchant, with its orders counted by Shanghai day.
	s.clock.Add(24 * time.Hour)
	s.order("4", "alipay")
	m, err := s.g.EpayMerchantInfo(s.ctx, api("act", "query"))
	if err != nil || m.PID != "1000" || m.Key != shopKey || m.Orders != 3 || m.PaidToday != 0 || m.PaidYesterday != 0 {
		t.Fatalf("merchant: %+v %v", m, err)
	}
	if _, err := s.g.EpayMerchantInfo(s.ctx, api("key", "wrong")); app.ErrorCode(err) != app.EUNAUTHORIZED {
		t.Fatalf("merchant with a wrong key: %v", err)
	}
}
