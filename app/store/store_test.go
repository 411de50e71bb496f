package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"paygate/app"
	"paygate/app/money"
	"paygate/app/testclock"
)

// openTestDB opens a new database on a settable clock that starts at
// storetest.Start. (The store's own tests cannot import storetest: it imports
// the store.)
func openTestDB(t *testing.T) (*DB, *testclock.Clock) {
	t.Helper()
	clock := testclock.New(time.Date(2026, 11, 26, 10, 0, 0, 0, app.Shanghai))
	db, err := Open(context.Background(), t.TempDir(), Options{Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db, clock
}

var idSeq atomic.Int64

func testID(prefix string) func() string {
	return func() string { return fmt.Sprintf("%s%d", prefix, idSeq.Add(1)) }
}

var slots = app.SlotPolicy{Mode: app.SlotAlternate, MaxOffset: 50}

func createOrder(t *testing.T, db *DB, method app.Method, amount money.Fen) app.Order {
	t.Helper()
	o, _, err := db.CreateOrder(context.Background(), testID("ORD"), app.OrderInput{ProductName: "p", Method: method, Amount: amount}, 15*time.Minute, slots, policy.Grace)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func TestSlotsAlternateAndExhaust(t *testing.T) {
	db, _ := openTestDB(t)
	ctx := context.Background()
	policy := app.SlotPolicy{Mode: app.SlotAlternate, MaxOffset: 2}
	want := []money.Fen{100, 101, 99, 102, 98}
	for i, w := range want {
		o, _, err := db.CreateOrder(ctx, testID("ORD"), app.OrderInput{ProductName: "p", Method: app.MethodAlipay, Amount: 100}, time.Minute, policy, 0)
		if err != nil {
			t.Fatalf("order %d: %v", i, err)
		}
		if o.PayAmount != w {
			t.Errorf("order %d pay amount = %d, want %d", i, o.PayAmount, w)
		}
	}
	_, _, err := db.CreateOrder(ctx, testID("ORD"), app.OrderInput{ProductName: "p", Method: app.MethodAlipay, Amount: 100}, time.Minute, policy, 0)
	if app.ErrorCode(err) != app.ESLOTSFULL {
		t.Fatalf("6th order: err = %v, want %s", err, app.ESLOTSFULL)
	}
	// The other method has its own slots.
	o, _, err := db.CreateOrder(ctx, testID("ORD"), app.OrderInput{ProductName: "p", Method: app.MethodWechat, Amount: 100}, time.Minute, policy, 0)
	if err != nil || o.PayAmount != 100 {
		t.Fatalf("wechat order = %d, %v; want 100", o.PayAmount, err)
	}
}

func TestSlotNeverBelowOneFen(t *testing.T) {
	db, _ := openTestDB(t)
	seen := map[money.Fen]bool{}
	for i := 0; i < 5; i++ {
		o := createOrder(t, db, app.MethodAlipay, 1)
		if o.PayAmount < 1 || seen[o.PayAmount] {
			t.Fatalf("pay amount %d (seen %v)", o.PayAmount, seen)
		}
		seen[o.PayAmount] = true
	}
}

func TestExpiredOrderReleasesSlot(t *testing.T) {
	db, clock := openTestDB(t)
	first := createOrder(t, db, app.MethodAlipay, 500)
	clock.Add(16 * time.Minute)
	second := createOrder(t, db, app.MethodAlipay, 500)
	if second.PayAmount == 500 {
		t.Fatal("second order got 500 while it cools (released 1 minute ago, grace 10 minutes)")
	}
	got, err := db.Order(context.Background(), first.ID)
	if err != nil || got.Status != app.OrderExpired {
		t.Fatalf("first order status = %s, %v; want expired", got.Status, err)
	}
	clock.Add(10 * time.Minute)
	if third := createOrder(t, db, app.MethodAlipay, 500); third.PayAmount != 500 {
		t.Fatalf("third pay amount = %d, want the released 500 once the grace period is over", third.PayAmount)
	}
}

func TestConcurrentOrdersGetDistinctSlots(t *testing.T) {
	db, _ := openTestDB(t)
	var wg sync.WaitGroup
	amounts := make([]money.Fen, 50)
	errs := make([]error, 50)
	for i := range amounts {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			o, _, err := db.CreateOrder(context.Background(), testID("ORD"), app.OrderInput{ProductName: "p", Method: app.MethodWechat, Amount: 1000}, 15*time.Minute, slots, policy.Grace)
			amounts[i], errs[i] = o.PayAmount, err
		}(i)
	}
	wg.Wait()
	seen := map[money.Fen]bool{}
	for i, a := range amounts {
		if errs[i] != nil {
			t.Fatalf("order %d: %v", i, errs[i])
		}
		if seen[a] {
			t.Fatalf("pay amount %d given twice", a)
		}
		seen[a] = true
	}
}

func TestMerchantOrderIDIsIdempotent(t *testing.T) {
	db, _ := openTestDB(t)
	ctx := context.Background()
	in := app.OrderInput{ProductName: "p", Method: app.MethodAlipay, Amount: 100, MerchantOrderID: "M-1"}
	a, created, err := db.CreateOrder(ctx, testID("ORD"), in, time.Minute, slots, policy.Grace)
	if err != nil || !created {
		t.Fatal(created, err)
	}
	b, created, err := db.CreateOrder(ctx, testID("ORD"), in, time.Minute, slots, policy.Grace)
	if err != nil || created || b.ID != a.ID {
		t.Fatalf("repeat: %s created=%v err=%v, want %s", b.ID, created, err, a.ID)
	}
	in.Amount = 200
	if _, _, err := db.CreateOrder(ctx, testID("ORD"), in, time.Minute, slots, policy.Grace); app.ErrorCode(err) != app.ECONFLICT {
		t.Fatalf("changed repeat: err = %v, want conflict", err)
	}
}

var policy = app.MatchPolicy{Window: 15 * time.Minute, Grace: 10 * time.Minute, AutoConfirm: app.ConfidenceMedium}

func apply(t *testing.T, db *DB, n app.Notice) app.IngestResult {
	t.Helper()
	ctx := context.Background()
	id, err := db.SaveRawNotification(ctx, app.RawRequest{Endpoint: "/webhook", Method: "POST", ReceivedAt: db.Now()})
	if err != nil {
		t.Fatal(err)
	}
	if n.Kind == "" {
		n.Kind = app.OutcomePayment
	}
	res, err := db.ApplyNotice(ctx, id, n, ApplyOptions{Policy: policy, NewPaymentID: testID("PAY")})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestMatchConfidence(t *testing.T) {
	tests := []struct {
		name      string
		setup     func(t *testing.T, db *DB, clock *testclock.Clock) string // returns the order expected
		notice    app.Notice
		wantConf  app.Confidence
		wantMatch bool
	}{
		{
			name: "exact method and amount",
			setup: func(t *testing.T, db *DB, _ *testclock.Clock) string {
				return createOrder(t, db, app.MethodAlipay, 1).ID
			},
			notice:    app.Notice{Method: app.MethodAlipay, Amount: 1},
			wantConf:  app.ConfidenceHigh,
			wantMatch: true,
		},
		{
			name: "method unknown, amount unique",
			setup: func(t *testing.T, db *DB, _ *testclock.Clock) string {
				return createOrder(t, db, app.MethodWechat, 250).ID
			},
			notice:    app.Notice{Amount: 250},
			wantConf:  app.ConfidenceMedium,
			wantMatch: true,
		},
		{
			name: "method unknown, two orders fit",
			setup: func(t *testing.T, db *DB, _ *testclock.Clock) string {
				id := createOrder(t, db, app.MethodWechat, 250).ID
				createOrder(t, db, app.MethodAlipay, 250)
				return id
			},
			notice:   app.Notice{Amount: 250},
			wantConf: app.ConfidenceLow,
		},
		{
			name: "order expired within grace",
			setup: func(t *testing.T, db *DB, clock *testclock.Clock) string {
				id := createOrder(t, db, app.MethodAlipay, 300).ID
				clock.Add(20 * time.Minute)
				return id
			},
			notice:   app.Notice{Method: app.MethodAlipay, Amount: 300},
			wantConf: app.ConfidenceLow,
		},
		{
			name: "order expired long ago",
			setup: func(t *testing.T, db *DB, clock *testclock.Clock) string {
				createOrder(t, db, app.MethodAlipay, 300)
				clock.Add(time.Hour)
				return ""
			},
			notice:   app.Notice{Method: app.MethodAlipay, Amount: 300},
			wantConf: app.ConfidenceNone,
		},
		{
			name: "wrong method",
			setup: func(t *testing.T, db *DB, _ *testclock.Clock) string {
				createOrder(t, db, app.MethodAlipay, 300)
				return ""
			},
			notice:   app.Notice{Method: app.MethodWechat, Amount: 300},
			wantConf: app.ConfidenceNone,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db, clock := openTestDB(t)
			orderID := tt.setup(t, db, clock)
			res := apply(t, db, tt.notice)
			if res.Confidence != tt.wantConf || res.Matched != tt.wantMatch {
				t.Fatalf("confidence %q matched %v, want %q %v", res.Confidence, res.Matched, tt.wantConf, tt.wantMatch)
			}
			p, err := db.Payment(context.Background(), res.PaymentID)
			if err != nil {
				t.Fatal(err)
			}
			if tt.wantMatch {
				if p.OrderID != orderID || p.CallbackStatus != app.CallbackPending {
					t.Fatalf("payment order %q callback %q, want %q pending", p.OrderID, p.CallbackStatus, orderID)
				}
				o, _ := db.Order(context.Background(), orderID)
				if o.Status != app.OrderSuccess || o.PaymentID != p.ID {
					t.Fatalf("order status %s payment %s", o.Status, o.PaymentID)
				}
			} else if p.Status != app.PaymentUnmatched || p.CandidateOrder != orderID {
				t.Fatalf("payment %s candidate %q, want unmatched with candidate %q", p.Status, p.CandidateOrder, orderID)
			}
		})
	}
}

func TestSecondPaymentDoesNotPayTwice(t *testing.T) {
	db, _ := openTestDB(t)
	o := createOrder(t, db, app.MethodAlipay, 100)
	first := apply(t, db, app.Notice{Method: app.MethodAlipay, Amount: 100})
	second := apply(t, db, app.Notice{Method: app.MethodAlipay, Amount: 100})
	if !first.Matched || first.OrderID != o.ID {
		t.Fatalf("first payment: %+v", first)
	}
	if second.Matched || second.Kind != app.OutcomePayment {
		t.Fatalf("second payment must wait unmatched: %+v", second)
	}
	// Confirming the second against the paid order is refused.
	_, err := db.ConfirmPayment(context.Background(), app.Settlement{PaymentID: second.PaymentID, OrderRef: o.ID}, "test", 0)
	if app.ErrorCode(err) != app.ECONFLICT {
		t.Fatalf("confirm against paid order: %v", err)
	}
}

func TestDuplicateSenderID(t *testing.T) {
	db, _ := openTestDB(t)
	createOrder(t, db, app.MethodAlipay, 100)
	n := app.Notice{Method: app.MethodAlipay, Amount: 100, SenderID: "n-1", Text: "收到转账1.00元"}
	first := apply(t, db, n)
	for i := 0; i < 2; i++ {
		dup := apply(t, db, n)
		if dup.Kind != app.OutcomeDuplicate || dup.PaymentID != first.PaymentID {
			t.Fatalf("repeat %d: %+v", i, dup)
		}
	}
	_, total, err := db.ListPayments(context.Background(), app.PaymentFilter{Limit: 10})
	if err != nil || total != 1 {
		t.Fatalf("payments = %d, %v; want 1", total, err)
	}
}

func TestConfirmAndIgnore(t *testing.T) {
	db, clock := openTestDB(t)
	ctx := context.Background()
	o := createOrder(t, db, app.MethodAlipay, 700)
	clock.Add(16 * time.Minute)
	res := apply(t, db, app.Notice{Method: app.MethodAlipay, Amount: 700})
	if res.Matched {
		t.Fatal("a late payment must wait for a person")
	}
	p, err := db.ConfirmPayment(ctx, app.Settlement{PaymentID: res.PaymentID, OrderRef: o.ID}, "admin", 0)
	if err != nil {
		t.Fatal(err)
	}
	if p.Status != app.PaymentMatched || p.MatchedBy != "admin" || p.CallbackStatus != app.CallbackPending {
		t.Fatalf("confirmed payment: %+v", p)
	}
	other := apply(t, db, app.Notice{Method: app.MethodAlipay, Amount: 999})
	ig, err := db.IgnorePayment(ctx, other.PaymentID, "", "admin")
	if err != nil || ig.Status != app.PaymentIgnored {
		t.Fatalf("ignore: %+v %v", ig, err)
	}
	if _, err := db.IgnorePayment(ctx, other.PaymentID, "", "admin"); app.ErrorCode(err) != app.ECONFLICT {
		t.Fatalf("ignore twice: %v", err)
	}
}

func TestCallbackQueueClaimAndFinish(t *testing.T) {
	db, clock := openTestDB(t)
	ctx := context.Background()
	createOrder(t, db, app.MethodAlipay, 100)
	apply(t, db, app.Notice{Method: app.MethodAlipay, Amount: 100})

	due, err := db.ClaimDueCallbacks(ctx, 10, time.Minute, nil)
	if err != nil || len(due) != 1 {
		t.Fatalf("claim: %d %v", len(due), err)
	}
	if again, _ := db.ClaimDueCallbacks(ctx, 10, time.Minute, nil); len(again) != 0 {
		t.Fatal("a claimed callback must not be claimed twice")
	}
	// A restart releases the claim at once.
	if n, err := db.ReleaseCallbackClaims(ctx); err != nil || n != 1 {
		t.Fatalf("release: %d %v", n, err)
	}
	due, _ = db.ClaimDueCallbacks(ctx, 10, time.Minute, nil)
	if len(due) != 1 {
		t.Fatal("released callback not due")
	}
	a := app.CallbackAttempt{CallbackID: due[0].Callback.ID, Claim: due[0].Callback.Claim, URL: "http://x", StartedAt: clock.Now(), HTTPStatus: 500, Error: "HTTP 500"}
	if err := db.FinishCallbackAttempt(ctx, a, app.CallbackPending, clock.Now().Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	clock.Add(2 * time.Second)
	due, _ = db.ClaimDueCallbacks(ctx, 10, time.Minute, nil)
	if len(due) != 1 || due[0].Callback.Attempts != 1 {
		t.Fatalf("retry not due: %+v", due)
	}
	a.Claim, a.Acked, a.HTTPStatus, a.Error = due[0].Callback.Claim, true, 200, ""
	if err := db.FinishCallbackAttempt(ctx, a, app.CallbackSent, clock.Now()); err != nil {
		t.Fatal(err)
	}
	p, _ := db.Payment(ctx, due[0].Payment.ID)
	if p.CallbackStatus != app.CallbackSent {
		t.Fatalf("callback status %s", p.CallbackStatus)
	}
	attempts, _ := db.CallbackAttempts(ctx, p.ID)
	if len(attempts) != 2 {
		t.Fatalf("attempt log has %d lines, want 2", len(attempts))
	}
}

func TestDatabaseRefusesSecondPaymentForOrder(t *testing.T) {
	db, _ := openTestDB(t)
	o := createOrder(t, db, app.MethodAlipay, 100)
	apply(t, db, app.Notice{Method: app.MethodAlipay, Amount: 100})
	// Bypass the code's checks: the schema itself must refuse.
	_, err := db.execRaw(`INSERT INTO payments (id, method, amount, status, order_id, received_at) VALUES ('PAYX', 'alipay', 100, 'success', ?, 0)`, o.ID)
	if err == nil {
		t.Fatal("a second payment for one order was accepted by the schema")
	}
	_, err = db.execRaw(`INSERT INTO orders (id, product_name, method, amount, pay_amount, status, created_at, expires_at)
		VALUES ('ORDA', 'p', 'wechat', 5, 5, 'pending', 0, 9999999999999), ('ORDB', 'p', 'wechat', 5, 5, 'pending', 0, 9999999999999)`)
	if err == nil {
		t.Fatal("two pending orders on one slot were accepted by the schema")
	}
	if errors.Is(err, context.Canceled) {
		t.Fatal(err)
	}
}

// execRaw runs a statement as a write of its own, bypassing the store's
// methods (and their checks): for tests of what the schema itself refuses.
func (db *DB) execRaw(query string, args ...any) (sql.Result, error) {
	var res sql.Result
	err := db.tx(context.Background(), func(tx *Tx) error {
		var err error
		res, err = tx.execOnce(query, args...)
		return err
	})
	return res, err
}

// queryPlan is SQLite's plan for query on the read pool: the detail of each
// step EXPLAIN QUERY PLAN lists.
func queryPlan(t *testing.T, db *DB, query string, args ...any) []string {
	t.Helper()
	rows, err := db.read.Query(`EXPLAIN QUERY PLAN `+query, args...)
	if err != nil {
		t.Fatalf("explaining %q: %v", query, err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return plan
}

// migratedBelow creates dir's database with the migrations before version
// only, as an older paygate left it, and returns it open (one connection)
// with a function that runs a statement on it or fails the test.
func migratedBelow(t *testing.T, dir string, version int) (*sql.DB, func(string, ...any)) {
	t.Helper()
	raw, err := sql.Open("sqlite", dsn(filepath.Join(dir, "paygate.db"), "FULL", false))
	if err != nil {
		t.Fatal(err)
	}
	raw.SetMaxOpenConns(1)
	t.Cleanup(func() { raw.Close() })
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := raw.Exec(q, args...); err != nil {
			t.Fatalf("%.80s: %v", q, err)
		}
	}
	exec(`CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL) STRICT`)
	migrations, _, err := migrationList()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range migrations {
		if m.version >= version {
			break
		}
		body, err := migrationFiles.ReadFile("migrations/" + m.name)
		if err != nil {
			t.Fatal(err)
		}
		exec(string(body))
		exec(`INSERT INTO schema_migrations VALUES (?, ?, 0)`, m.version, m.name)
	}
	return raw, exec
}

// addPaidOrder adds, through exec, order ORD1 (10.00 asked, 10.01 payable)
// paid by payment PAY1, as an older paygate stored them.
func addPaidOrder(exec func(string, ...any)) {
	exec(`INSERT INTO orders (id, product_name, method, amount, pay_amount, status, created_at, expires_at, paid_at, payment_id)
		VALUES ('ORD1', '苹果', 'alipay', 1000, 1001, 'success', 1, 2, 3, 'PAY1')`)
	exec(`INSERT INTO payments (id, method, amount, status, order_id, received_at) VALUES ('PAY1', 'alipay', 1001, 'success', 'ORD1', 3)`)
}

// openChecked opens dir's database as paygate does (migrating it), closes it
// when the test ends, and fails the test unless it checks out (checkDatabase).
func openChecked(t *testing.T, dir string) *DB {
	t.Helper()
	db, err := Open(context.Background(), dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	checkDatabase(t, db)
	return db
}

// checkDatabase fails the test unless SQLite finds db's file sound and every
// foreign key satisfied.
func checkDatabase(t *testing.T, db *DB) {
	t.Helper()
	var integrity []string
	rows, err := db.read.Query(`PRAGMA integrity_check`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			t.Fatal(err)
		}
		integrity = append(integrity, line)
	}
	rows.Close()
	if len(integrity) != 1 || integrity[0] != "ok" {
		t.Fatalf("integrity_check: %v", integrity)
	}
	var violations int
	if err := db.read.QueryRow(`SELECT count(*) FROM pragma_foreign_key_check`).Scan(&violations); err != nil {
		t.Fatal(err)
	}
	if violations != 0 {
		t.Fatalf("foreign_key_check: %d violations", violations)
	}
}
