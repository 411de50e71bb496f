package store

import (
	"context"
	"strings"
	"testing"
	"time"

	"paygate/app"
	"paygate/app/money"
)

// rawStatus is an order's status column as stored, before effective() reads
// a pending order past its lifetime as expired.
func rawStatus(t *testing.T, db *DB, id string) (status string, closedAt, expiresAt int64) {
	t.Helper()
	var closed *int64
	if err := db.read.QueryRow(`SELECT status, closed_at, expires_at FROM orders WHERE id = ?`, id).Scan(&status, &closed, &expiresAt); err != nil {
		t.Fatal(err)
	}
	if closed != nil {
		closedAt = *closed
	}
	return status, closedAt, expiresAt
}

// Orders whose time is up but that the sweeper has not marked yet: while
// they cool nothing is written for them and their amounts are refused as
// cooling; once cooled, each amount goes, best first, to the next orders,
// and the order that held it is expired in the same transaction (closed at
// the end of its lifetime).
func TestLapsedHoldersCoolThenGiveTheirSlots(t *testing.T) {
	db, clock := openTestDB(t)
	ctx := context.Background()
	narrow := app.SlotPolicy{Mode: app.SlotAlternate, MaxOffset: 2}
	create := func() (app.Order, error) {
		o, _, err := db.CreateOrder(ctx, testID("ORD"), app.OrderInput{ProductName: "p", Method: app.MethodAlipay, Amount: 1000},
			15*time.Minute, narrow, policy.Grace)
		return o, err
	}
	var old []app.Order
	for range 5 {
		o, err := create()
		if err != nil {
			t.Fatal(err)
		}
		old = append(old, o)
	}

	clock.Add(16 * time.Minute) // past their lifetime, within the 10-minute cooldown
	_, err := create()
	if app.ErrorCode(err) != app.ESLOTSFULL {
		t.Fatalf("err = %v, want %s: every amount is cooling", err, app.ESLOTSFULL)
	}
	for _, want := range []string{"0 held by unpaid orders", "5 released within the last 10 minutes"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message %q does not say %q", err.Error(), want)
		}
	}
	for _, o := range old {
		if status, _, _ := rawStatus(t, db, o.ID); status != "pending" {
			t.Errorf("%s is %s in the table: a refused order wrote to it", o.ID, status)
		}
	}

	clock.Add(10 * time.Minute) // cooled
	for i, o := range old {
		got, err := create()
		if err != nil {
			t.Fatal(err)
		}
		if got.PayAmount != o.PayAmount {
			t.Fatalf("new order %d got %d, want %d (the best amount, freed by %s)", i, got.PayAmount, o.PayAmount, o.ID)
		}
		status, closed, expires := rawStatus(t, db, o.ID)
		if status != "expired" || closed != expires {
			t.Fatalf("%s after its slot was taken: %s, closed %d, want expired at its end %d", o.ID, status, closed, expires)
		}
		if i+1 < len(old) {
			if status, _, _ := rawStatus(t, db, old[i+1].ID); status != "pending" {
				t.Fatalf("%s expired before its slot was needed", old[i+1].ID)
			}
		}
	}
}

// A live order on an amount is never looked past: a lapsed one further
// down the list does not make a new order skip the free amounts before it.
func TestLapsedAndLiveHoldersTogether(t *testing.T) {
	db, clock := openTestDB(t)
	first := createOrder(t, db, app.MethodWechat, 2000) // 2000
	clock.Add(20 * time.Minute)                         // first lapsed, cooling
	live := createOrder(t, db, app.MethodWechat, 2000)  // 2001: 2000 cools
	if live.PayAmount != 2001 {
		t.Fatalf("second order got %d, want 2001", live.PayAmount)
	}
	clock.Add(10 * time.Minute) // first cooled; live still live
	if got := createOrder(t, db, app.MethodWechat, 2000); got.PayAmount != 2000 {
		t.Fatalf("third order got %d, want 2000 freed by %s", got.PayAmount, first.ID)
	}
	if got := createOrder(t, db, app.MethodWechat, 2001); got.PayAmount != 2002 {
		t.Fatalf("order asking 2001 got %d, want 2002 (2001 is held by %s)", got.PayAmount, live.ID)
	}
}

// The probe of every new order reads orders_slot alone.
func TestOrderQueriesUseTheirIndexes(t *testing.T) {
	db, _ := openTestDB(t)
	plan := func(query string, args ...any) string { return strings.Join(queryPlan(t, db, query, args...), "; ") }
	if p := plan(slotHoldersQuery, "alipay", 100, 200); !strings.Contains(p, "COVERING INDEX orders_slot (method=? AND pay_amount>? AND pay_amount<?)") {
		t.Errorf("slot probe plan %q: want a range of the covering index orders_slot", p)
	}
}

// An order from the API or 易支付 has no link and no entry in the link
// indexes; a link order has.
func TestOnlyLinkOrdersInLinkIndex(t *testing.T) {
	db, _ := openTestDB(t)
	createOrder(t, db, app.MethodAlipay, money.Fen(700))
	link := newTestLink(t, db, 990)
	mustLinkOrder(t, db, link, app.MethodWechat, 990, "visitorA", "net", app.LinkLimits{})
	if entries := indexEntries(t, db, "orders_link_pending"); entries != 1 {
		t.Fatalf("orders_link_pending holds %d entries, want 1 (the link order only)", entries)
	}
}

// Migration 0021 turned the IN-list CHECKs of the tables every order and
// payment writes into comparisons (no temporary B-tree per statement); they
// still refuse what they refused.
func TestHotTableChecksWithoutINLists(t *testing.T) {
	db, _ := openTestDB(t)
	for _, table := range []string{"orders", "payments", "callbacks"} {
		var schema string
		if err := db.read.QueryRow(`SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = ?`, table).Scan(&schema); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(schema, " IN (") {
			t.Errorf("%s still checks with an IN list: %s", table, schema)
		}
	}
	ctx := context.Background()
	for _, bad := range []struct{ method, status string }{{"paypal", "pending"}, {"alipay", "paid"}} {
		err := db.tx(ctx, func(tx *Tx) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO orders (id, product_name, method, amount, pay_amount, status, created_at, expires_at)
				VALUES ('bad', 'p', ?, 1, 1, ?, 0, 0)`, bad.method, bad.status)
			return err
		})
		if err == nil || !strings.Contains(err.Error(), "CHECK constraint failed") {
			t.Errorf("order with method %q, status %q: %v, want a CHECK failure", bad.method, bad.status, err)
		}
	}
	for _, ok := range []string{"", "alipay", "wechat"} {
		if err := db.tx(ctx, func(tx *Tx) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO orders (id, product_name, method, amount, pay_amount, status, created_at, expires_at)
				VALUES (?, 'p', ?, 1, NULL, 'expired', 0, 0)`, "ok"+ok, ok)
			return err
		}); err != nil {
			t.Errorf("order with method %q: %v", ok, err)
		}
	}
	if err := db.tx(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE payments SET status = 'lost'`)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO payments (id, amount, status, received_at) VALUES ('p', 1, 'lost', 0)`)
		return err
	}); err == nil || !strings.Contains(err.Error(), "CHECK constraint failed") {
		t.Errorf("payment with status lost: %v, want a CHECK failure", err)
	}
}
