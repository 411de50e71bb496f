package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"paygate/app"
	"paygate/app/money"
)

const linkLifetime = 15 * time.Minute

// newTestLink stores a fixed-price payment link and returns its id.
func newTestLink(t *testing.T, db *DB, amount money.Fen) int64 {
	t.Helper()
	l, err := db.CreateLink(context.Background(), testID("lnk"), app.PaymentLink{ProductName: "曲奇", Amount: amount,
		Methods: []app.Method{app.MethodAlipay, app.MethodWechat}}, "test")
	if err != nil {
		t.Fatal(err)
	}
	return l.ID
}

// linkOrder asks for an order on link by visitor (id, network).
func linkOrder(db *DB, link int64, method app.Method, amount money.Fen, visitor, network string, limits app.LinkLimits) (LinkOrderResult, error) {
	return db.CreateLinkOrder(context.Background(), testID("ORD"), app.OrderInput{ProductName: "曲奇", Method: method, Amount: amount,
		LinkID: link, Visitor: app.LinkVisitor{ID: visitor, Network: network}}, limits, linkLifetime, slots, policy.Grace)
}

func mustLinkOrder(t *testing.T, db *DB, link int64, method app.Method, amount money.Fen, visitor, network string, limits app.LinkLimits) LinkOrderResult {
	t.Helper()
	res, err := linkOrder(db, link, method, amount, visitor, network, limits)
	if err != nil {
		t.Fatalf("link order by %q from %q: %v", visitor, network, err)
	}
	return res
}

func orderStatus(t *testing.T, db *DB, id string) app.OrderStatus {
	t.Helper()
	o, err := db.Order(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return o.Status
}

// The same visitor (cookie) ordering the same again gets their open order;
// another method replaces it, and the replaced amount cools. A neighbour on
// the same address, or a visitor without a cookie, never gets or closes it.
func TestLinkOrderReuseAndReplace(t *testing.T) {
	db, clock := openTestDB(t)
	ctx := context.Background()
	link := newTestLink(t, db, 990)
	const net = "203.0.113.7"

	first := mustLinkOrder(t, db, link, app.MethodAlipay, 990, "visitorA", net, app.LinkLimits{})
	if first.Reused || first.Replaced != "" || first.Order.PayAmount != 990 {
		t.Fatalf("first order: %+v", first)
	}
	again := mustLinkOrder(t, db, link, app.MethodAlipay, 990, "visitorA", "198.51.100.1", app.LinkLimits{}) // same cookie, another address
	if !again.Reused || again.Order.ID != first.Order.ID {
		t.Fatalf("the same visitor ordering again: %+v, want order %s back", again, first.Order.ID)
	}
	if o, found, err := db.VisitorLinkOrder(ctx, link, "visitorA"); err != nil || !found || o.ID != first.Order.ID {
		t.Fatalf("VisitorLinkOrder: %v %v %v", o.ID, found, err)
	}
	for _, other := range []string{"visitorB", ""} {
		res := mustLinkOrder(t, db, link, app.MethodAlipay, 990, other, net, app.LinkLimits{})
		if res.Reused || res.Replaced != "" || res.Order.ID == first.Order.ID {
			t.Fatalf("visitor %q on the same address: %+v, want an order of their own", other, res)
		}
	}
	if st := orderStatus(t, db, first.Order.ID); st != app.OrderPending {
		t.Fatalf("visitor A's order is %s after the neighbours ordered", st)
	}

	// Another method: replaced.
	wechat := mustLinkOrder(t, db, link, app.MethodWechat, 990, "visitorA", net, app.LinkLimits{})
	if wechat.Reused || wechat.Replaced != first.Order.ID {
		t.Fatalf("another method: %+v, want it to replace %s", wechat, first.Order.ID)
	}
	if st := orderStatus(t, db, first.Order.ID); st != app.OrderFailed {
		t.Fatalf("the replaced order is %s, want failed", st)
	}
	if code, by, err := db.OrderLink(ctx, first.Order.ID); err != nil || by != wechat.Order.ID || code == "" {
		t.Fatalf("OrderLink of the replaced order: %q %q %v", code, by, err)
	}
	if _, by, _ := db.OrderLink(ctx, wechat.Order.ID); by != "" {
		t.Fatalf("the new order says it was replaced by %q", by)
	}
	// Its amount cools: the merchant's next Alipay order at 9.90 does not get it.
	if o := createOrder(t, db, app.MethodAlipay, 990); o.PayAmount == 990 {
		t.Fatal("the replaced order's amount was handed out again at once")
	}

	// An open order about to run out is replaced rather than given back.
	clock.Add(linkLifetime - linkLifetime/3 + time.Second)
	late := mustLinkOrder(t, db, link, app.MethodWechat, 990, "visitorA", net, app.LinkLimits{})
	if late.Reused || late.Replaced != wechat.Order.ID {
		t.Fatalf("ordering again with %v left: %+v, want a fresh order replacing %s", linkLifetime/3-time.Second, late, wechat.Order.ID)
	}
	// An expired one is neither given back nor replaced.
	clock.Add(linkLifetime)
	fresh := mustLinkOrder(t, db, link, app.MethodWechat, 990, "visitorA", net, app.LinkLimits{})
	if fresh.Reused || fresh.Replaced != "" {
		t.Fatalf("after expiry: %+v, want a new order", fresh)
	}
	// Another link is another order.
	other := newTestLink(t, db, 990)
	if res := mustLinkOrder(t, db, other, app.MethodWechat, 990, "visitorA", net, app.LinkLimits{}); res.Reused || res.Replaced != "" {
		t.Fatalf("the same visitor on another link: %+v", res)
	}
}

func TestLinkOrderLimits(t *testing.T) {
	limits := app.LinkLimits{PerNetwork: 3, PerLink: 5}
	limitOf := func(t *testing.T, err error) *app.LinkLimitError {
		t.Helper()
		var e *app.LinkLimitError
		if !errors.As(err, &e) || app.ErrorCode(err) != app.ERATELIMIT {
			t.Fatalf("err %v, want a link limit", err)
		}
		return e
	}

	t.Run("a network's open orders", func(t *testing.T) {
		db, clock := openTestDB(t)
		link := newTestLink(t, db, 990)
		var ids []string
		for i := 0; i < 3; i++ {
			ids = append(ids, mustLinkOrder(t, db, link, app.MethodAlipay, 990, fmt.Sprint("v", i), "203.0.113.7", limits).Order.ID)
		}
		clock.Add(time.Minute)
		_, err := linkOrder(db, link, app.MethodAlipay, 990, "v9", "203.0.113.7", limits)
		e := limitOf(t, err)
		if e.Link || e.OpenOrder != "" || e.Err.RetryAfter != linkLifetime-time.Minute {
			t.Fatalf("refusal %+v (retry after %v), want the network's, no open order, after %v", e, e.Err.RetryAfter, linkLifetime-time.Minute)
		}
		// Cookie-less: counted all the same.
		if _, err := linkOrder(db, link, app.MethodAlipay, 990, "", "203.0.113.7", limits); err == nil {
			t.Fatal("a cookie-less order passed the network's limit")
		}
		// A visitor of the network with an open order is led back to it.
		e = limitOf(t, func() error {
			_, err := linkOrder(db, newTestLink(t, db, 500), app.MethodAlipay, 500, "v1", "203.0.113.7", limits)
			return err
		}())
		if e.OpenOrder != ids[1] {
			t.Fatalf("open order %q, want %s", e.OpenOrder, ids[1])
		}
		// The visitor's own order again is given back at the limit.
		if res := mustLinkOrder(t, db, link, app.MethodAlipay, 990, "v2", "203.0.113.7", limits); !res.Reused || res.Order.ID != ids[2] {
			t.Fatalf("own order at the limit: %+v", res)
		}
		// Another network is not affected.
		mustLinkOrder(t, db, link, app.MethodAlipay, 990, "w", "198.51.100.1", limits)
		// Once the orders expire, the network may order again.
		clock.Add(linkLifetime)
		mustLinkOrder(t, db, link, app.MethodAlipay, 990, "v9", "203.0.113.7", limits)
	})

	t.Run("replaced orders count while they cool", func(t *testing.T) {
		db, clock := openTestDB(t)
		link := newTestLink(t, db, 990)
		const net = "203.0.113.7"
		a := mustLinkOrder(t, db, link, app.MethodAlipay, 990, "v", net, limits)
		b := mustLinkOrder(t, db, link, app.MethodWechat, 990, "v", net, limits) // 1 pending, 1 cooling
		c := mustLinkOrder(t, db, link, app.MethodAlipay, 990, "v", net, limits) // 1 pending, 2 cooling
		if b.Replaced != a.Order.ID || c.Replaced != b.Order.ID {
			t.Fatalf("replacements: %+v %+v", b, c)
		}
		clock.Add(time.Minute)
		_, err := linkOrder(db, link, app.MethodWechat, 990, "v", net, limits)
		e := limitOf(t, err)
		if e.OpenOrder != c.Order.ID || e.Err.RetryAfter != policy.Grace-time.Minute {
			t.Fatalf("refused change: open %q retry after %v, want %s after %v", e.OpenOrder, e.Err.RetryAfter, c.Order.ID, policy.Grace-time.Minute)
		}
		if st := orderStatus(t, db, c.Order.ID); st != app.OrderPending {
			t.Fatalf("the refused change closed the open order (%s)", st)
		}
		// Once the replaced amounts have cooled, changing works again.
		clock.Add(policy.Grace - time.Minute)
		if res := mustLinkOrder(t, db, link, app.MethodWechat, 990, "v", net, limits); res.Replaced != c.Order.ID {
			t.Fatalf("change after the cooldown: %+v", res)
		}
	})

	t.Run("a link's pending orders", func(t *testing.T) {
		db, clock := openTestDB(t)
		link := newTestLink(t, db, 990)
		for i := 0; i < 5; i++ {
			mustLinkOrder(t, db, link, app.MethodAlipay, 990, fmt.Sprint("v", i), fmt.Sprint("203.0.113.", i), limits)
			clock.Add(time.Second)
		}
		_, err := linkOrder(db, link, app.MethodWechat, 990, "x", "198.51.100.1", limits)
		if e := limitOf(t, err); !e.Link || e.Err.RetryAfter != linkLifetime-5*time.Second {
			t.Fatalf("refusal %+v after %v, want the link's after %v", e, e.Err.RetryAfter, linkLifetime-5*time.Second)
		}
		// Another link at the same price, and the API, are not affected.
		mustLinkOrder(t, db, newTestLink(t, db, 990), app.MethodAlipay, 990, "x", "198.51.100.1", limits)
		createOrder(t, db, app.MethodAlipay, 990)
		// A replacement keeps the count: the visitor's order goes, the new one comes.
		if res := mustLinkOrder(t, db, link, app.MethodWechat, 990, "v0", "203.0.113.0", limits); res.Replaced == "" {
			t.Fatalf("replacing at the link's limit: %+v", res)
		}
	})

	t.Run("no limits", func(t *testing.T) {
		db, _ := openTestDB(t)
		link := newTestLink(t, db, 990)
		for i := 0; i < 10; i++ {
			mustLinkOrder(t, db, link, app.MethodAlipay, 990, "", "203.0.113.7", app.LinkLimits{})
		}
	})
}

// Link orders take at most half of a price's amounts; the merchant's API
// orders get the rest, and a link's slots_exhausted comes at its half.
func TestLinkOrdersTakeHalfOfThePrice(t *testing.T) {
	db, _ := openTestDB(t)
	link := newTestLink(t, db, 990)
	got := map[money.Fen]bool{}
	for i := 0; ; i++ {
		res, err := linkOrder(db, link, app.MethodAlipay, 990, "", fmt.Sprint("net", i), app.LinkLimits{})
		if app.ErrorCode(err) == app.ESLOTSFULL {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if d := res.Order.PayAmount - 990; d < -24 || d > 25 {
			t.Errorf("a link order took %d, outside the links' half 9.66–10.15", res.Order.PayAmount)
		}
		got[res.Order.PayAmount] = true
		if i > 101 {
			t.Fatal("link orders never ran out of amounts")
		}
	}
	if len(got) != 50 {
		t.Fatalf("link orders took %d amounts of 101, want 50", len(got))
	}
	for i := 0; i < 51; i++ {
		if o := createOrder(t, db, app.MethodAlipay, 990); got[o.PayAmount] {
			t.Fatalf("API order on a link order's amount %d", o.PayAmount)
		}
	}
	if _, _, err := db.CreateOrder(context.Background(), testID("ORD"), app.OrderInput{ProductName: "p", Method: app.MethodAlipay, Amount: 990},
		linkLifetime, slots, policy.Grace); app.ErrorCode(err) != app.ESLOTSFULL {
		t.Fatalf("the 102nd order at 9.90: %v, want slots_exhausted", err)
	}
}

// The link queries run in the single writer for every link order: each must
// seek its partial index, never scan orders.
func TestLinkOrderQueriesUseTheirIndexes(t *testing.T) {
	db, _ := openTestDB(t)
	for _, tt := range []struct {
		name  string
		query string
		args  []any
		want  string
	}{
		{"visitor's open order", visitorLinkOrderQuery, []any{1, "v", 0}, "INDEX orders_link_pending (link_id=? AND link_visitor=?)"},
		{"link's pending", linkPendingQuery, []any{1, 0}, "INDEX orders_link_pending (link_id=?)"},
		{"network's pending", networkPendingQuery, []any{"n", 0}, "INDEX orders_network_pending (link_network=? AND expires_at>?)"},
		{"network's replaced", networkReplacedQuery, []any{"n", 0}, "INDEX orders_network_replaced (link_network=? AND closed_at>?)"},
		{"visitor's order in the network", networkVisitorOrderQuery, []any{"n", 0, "v"}, "INDEX orders_network_pending (link_network=? AND expires_at>?)"},
	} {
		joined := strings.Join(queryPlan(t, db, tt.query, tt.args...), "; ")
		if !strings.Contains(joined, tt.want) || strings.Contains(joined, "SCAN orders") {
			t.Errorf("%s: plan %q, want %q", tt.name, joined, tt.want)
		}
	}
}
