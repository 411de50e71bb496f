package gateway

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"paygate/app"
	"paygate/app/money"
	"paygate/app/store/storetest"
)

// newLinkGateway is a gateway with the given payment-link limits and slot
// offset (in fen).
func newLinkGateway(t *testing.T, perMinute int, limits app.LinkLimits, offset int64) *Gateway {
	t.Helper()
	db := storetest.OpenDir(t, t.TempDir(), nil)
	return New(db, quietNotifier{}, Options{LinkRateLimit: perMinute, LinkLimits: limits, Defaults: app.Tuning{
		OrderLifetime: 15 * time.Minute, MinAmount: 1, MaxAmount: 1_000_000,
		Slots: app.SlotPolicy{Mode: app.SlotAlternate, MaxOffset: money.Fen(offset)},
		Match: app.MatchPolicy{Window: 15 * time.Minute, Grace: 10 * time.Minute, AutoConfirm: app.ConfidenceMedium},
	}})
}

func newFixedLink(t *testing.T, g *Gateway, amount string) string {
	t.Helper()
	l, err := g.CreateLink(context.Background(), LinkForm{ProductName: "曲奇", PriceKind: "fixed", Amount: amount, Methods: []string{"alipay", "wechat"}}, "test")
	if err != nil {
		t.Fatal(err)
	}
	return l.Code
}

const cookieA = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"

// A payer who orders the same again gets their open order back without
// being charged the per-minute limit: reloading never locks them out.
func TestLinkReorderIsFreeOfTheRateLimit(t *testing.T) {
	ctx := context.Background()
	g := newLinkGateway(t, 2, app.LinkLimits{PerNetwork: 3, PerLink: 20}, 50)
	code := newFixedLink(t, g, "9.90")
	ask := func(cookie string, n int) (app.Order, error) {
		return g.CreateLinkOrder(ctx, LinkOrderRequest{Code: code, Method: "alipay", ClientIP: "203.0.113.7", Visitor: cookie, Nonce: fmt.Sprint("form-", n)})
	}
	first, err := ask(cookieA, 0)
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 6; i++ {
		if o, err := ask(cookieA, i); err != nil || o.ID != first.ID {
			t.Fatalf("reorder %d: %v %v, want %s", i, o.ID, err, first.ID)
		}
	}
	if _, err := ask("BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB", 7); err != nil {
		t.Fatalf("a second visitor within the per-minute limit: %v", err)
	}
	_, err = ask("CCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCC", 8)
	if app.ErrorCode(err) != app.ERATELIMIT || !strings.Contains(app.ErrorMessage(err, "zh"), "每分钟最多创建 2 个订单") {
		t.Fatalf("a third new order in a minute: %v, want the per-minute limit", err)
	}
}

// IPv6 visitors are counted by their /64.
func TestLinkLimitCountsIPv6By64(t *testing.T) {
	ctx := context.Background()
	g := newLinkGateway(t, 0, app.LinkLimits{PerNetwork: 3}, 50)
	code := newFixedLink(t, g, "9.90")
	for i := 1; i <= 3; i++ {
		if _, err := g.CreateLinkOrder(ctx, LinkOrderRequest{Code: code, Method: "alipay", ClientIP: fmt.Sprint("2001:db8:5:6::", i)}); err != nil {
			t.Fatal(err)
		}
	}
	_, err := g.CreateLinkOrder(ctx, LinkOrderRequest{Code: code, Method: "alipay", ClientIP: "2001:db8:5:6:ffff:1:2:3"})
	if app.ErrorCode(err) != app.ERATELIMIT {
		t.Fatalf("a fourth address of the same /64: %v, want refused", err)
	}
	if _, err := g.CreateLinkOrder(ctx, LinkOrderRequest{Code: code, Method: "alipay", ClientIP: "2001:db8:5:7::1"}); err != nil {
		t.Fatalf("another /64: %v", err)
	}
}

// With the links' half of a price taken, a payer is told to come back in a
// few minutes (not to pick another amount, which a fixed link cannot), and
// the merchant's API order still gets an amount.
func TestLinkSlotsFullForPayers(t *testing.T) {
	ctx := context.Background()
	g := newLinkGateway(t, 0, app.LinkLimits{}, 2) // 5 amounts, 2 for links
	code := newFixedLink(t, g, "9.90")
	for i := 0; i < 2; i++ {
		if _, err := g.CreateLinkOrder(ctx, LinkOrderRequest{Code: code, Method: "alipay", ClientIP: fmt.Sprint("203.0.113.", i)}); err != nil {
			t.Fatal(err)
		}
	}
	_, err := g.CreateLinkOrder(ctx, LinkOrderRequest{Code: code, Method: "alipay", ClientIP: "203.0.113.9"})
	if app.ErrorCode(err) != app.ESLOTSFULL || !strings.Contains(app.ErrorMessage(err, "zh"), "请过几分钟再试") ||
		strings.Contains(app.ErrorMessage(err, "zh"), "换一个金额") {
		t.Fatalf("the links' half taken: %v", err)
	}
	for i := 0; i < 3; i++ {
		if _, _, err := g.CreateOrder(ctx, OrderRequest{ProductName: "曲奇", Amount: "9.90", AmountPresent: true, PaymentMethod: "alipay"}); err != nil {
			t.Fatalf("API order %d: %v", i+1, err)
		}
	}
}

func TestLinkVisitorID(t *testing.T) {
	a := linkVisitorID(cookieA)
	if a == "" || strings.Contains(a, "AAAA") || len(a) != 32 {
		t.Fatalf("visitor id %q: want a 32-digit hash, not the cookie", a)
	}
	if linkVisitorID(" "+cookieA+" ") != a || linkVisitorID(cookieA+"B") == a {
		t.Error("the id is not a function of the cookie")
	}
	for _, bad := range []string{"", "short", strings.Repeat("x", 101)} {
		if id := linkVisitorID(bad); id != "" {
			t.Errorf("linkVisitorID(%q) = %q, want none", bad, id)
		}
	}
}
