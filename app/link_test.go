package app

import (
	"errors"
	"strings"
	"testing"
	"time"

	"paygate/app/money"
)

func TestClientNetwork(t *testing.T) {
	for _, tt := range []struct{ ip, want string }{
		{"203.0.113.7", "203.0.113.7"},
		{" 203.0.113.7 ", "203.0.113.7"},
		{"::ffff:203.0.113.7", "203.0.113.7"},
		{"2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"},
		{"2001:db8:1:2:ffff::1", "2001:db8:1:2::/64"},
		{"fe80::1%eth0", "fe80::/64"},
		{"::1", "::/64"},
		{"not an ip", "not an ip"},
		{"", ""},
	} {
		if got := ClientNetwork(tt.ip); got != tt.want {
			t.Errorf("ClientNetwork(%q) = %q, want %q", tt.ip, got, tt.want)
		}
	}
}

func TestReusableLinkOrder(t *testing.T) {
	now := time.Date(2026, 11, 26, 10, 0, 0, 0, Shanghai)
	const lifetime = 15 * time.Minute
	open := Order{Status: OrderPending, Method: MethodAlipay, Amount: 990, PayAmount: 991, ExpiresAt: now.Add(10 * time.Minute)}
	with := func(change func(*Order)) Order { o := open; change(&o); return o }
	for _, tt := range []struct {
		name   string
		o      Order
		method Method
		amount int64
		want   bool
	}{
		{"same amount and method: the open order again", open, MethodAlipay, 990, true},
		{"asked amount counts, not the adjusted one", open, MethodAlipay, 991, false},
		{"another method", open, MethodWechat, 990, false},
		{"another amount", open, MethodAlipay, 1000, false},
		{"exactly a third left", with(func(o *Order) { o.ExpiresAt = now.Add(5 * time.Minute) }), MethodAlipay, 990, true},
		{"less than a third left: a fresh order", with(func(o *Order) { o.ExpiresAt = now.Add(5*time.Minute - time.Second) }), MethodAlipay, 990, false},
		{"paid", with(func(o *Order) { o.Status = OrderSuccess }), MethodAlipay, 990, false},
		{"closed", with(func(o *Order) { o.Status = OrderFailed }), MethodAlipay, 990, false},
	} {
		if got := ReusableLinkOrder(tt.o, tt.method, money.Fen(tt.amount), now, lifetime); got != tt.want {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestLinkLimitErrors(t *testing.T) {
	for _, tt := range []struct {
		name       string
		err        *LinkLimitError
		retryAfter time.Duration
		zh, en     []string
	}{
		{"network", LinkNetworkFull(3, 4*time.Minute+10*time.Second, 10*time.Minute, "ORD1"), 250 * time.Second,
			[]string{"已有 3 笔未付款的链接订单", "10 分钟内改单换下的", "付款页面付款", "约 5 分钟后再试"},
			[]string{"3 unpaid payment-link orders", "within the last 10 minutes", "pay there", "about 5 minutes"}},
		{"network, under a minute", LinkNetworkFull(2, 1500*time.Millisecond, 90*time.Second, ""), 2 * time.Second,
			[]string{"已有 2 笔", "90 秒内", "约 1 分钟后再试"}, []string{"about 1 minute,"}},
		{"link", LinkFull(20, 14*time.Minute, ""), 14 * time.Minute,
			[]string{"已有 20 笔订单在等待付款", "约 14 分钟后再试", "回到那个付款页面付款"},
			[]string{"20 orders waiting for payment", "about 14 minutes"}},
		{"link, wait already over", LinkFull(20, -time.Second, ""), time.Second, []string{"约 1 分钟后再试"}, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var e *Error
			if !errors.As(tt.err, &e) || ErrorCode(tt.err) != ERATELIMIT || ErrorRetryAfter(tt.err) != tt.retryAfter {
				t.Fatalf("code %q, retry after %v; want rate_limited, %v", ErrorCode(tt.err), ErrorRetryAfter(tt.err), tt.retryAfter)
			}
			for _, w := range tt.zh {
				if !strings.Contains(e.Zh, w) {
					t.Errorf("Chinese %q lacks %q", e.Zh, w)
				}
			}
			for _, w := range tt.en {
				if !strings.Contains(e.En, w) {
					t.Errorf("English %q lacks %q", e.En, w)
				}
			}
		})
	}
}
