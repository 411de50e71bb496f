package store

import (
	"strings"
	"testing"

	"paygate/app"
	"paygate/app/money"
)

// indexEntries is how many entries index name holds: dbstat counts the
// cells of its pages.
func indexEntries(t *testing.T, db *DB, name string) int {
	t.Helper()
	var n int
	if err := db.read.QueryRow(`SELECT coalesce(sum(ncell), 0) FROM dbstat WHERE name = ?`, name).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// Migration 0022 on a database made by the earlier ones, with paid and
// pending orders: the automatic index on payment_id is gone (its pages
// freed), the partial one holds the paid order only, the database checks
// out, and a payment still pays at most one order.
func TestMigration0022PaymentIDIndex(t *testing.T) {
	dir := t.TempDir()
	raw, exec := migratedBelow(t, dir, 22)
	addPaidOrder(exec) // ORD1, paid 10.01 by PAY1
	for i, id := range []string{"ORD2", "ORD3", "ORD4"} {
		exec(`INSERT INTO orders (id, product_name, method, amount, pay_amount, status, created_at, expires_at)
			VALUES (?, '梨', 'wechat', 500, ?, 'pending', 1, 99999999999999)`, id, 500+i)
	}
	raw.Close()
	db := openChecked(t, dir)
	var indexes string
	if err := db.read.QueryRow(`SELECT coalesce(group_concat(name, ','), '') FROM (SELECT name FROM pragma_index_list('orders')
		WHERE name LIKE '%payment%' OR origin = 'u' ORDER BY name)`).Scan(&indexes); err != nil {
		t.Fatal(err)
	}
	if indexes != "orders_payment_id" {
		t.Fatalf("payment indexes on orders: %v, want orders_payment_id only", indexes)
	}
	if n := indexEntries(t, db, "orders_payment_id"); n != 1 {
		t.Fatalf("orders_payment_id holds %d entries, want 1 (the paid order)", n)
	}
	createOrder(t, db, app.MethodAlipay, 700)
	if n := indexEntries(t, db, "orders_payment_id"); n != 1 {
		t.Fatalf("a new pending order entered orders_payment_id: %d entries", n)
	}
	_, err := db.execRaw(`UPDATE orders SET status = 'success', paid_at = 4, payment_id = 'PAY1' WHERE id = 'ORD2'`)
	if err == nil || !strings.Contains(err.Error(), "UNIQUE constraint failed: orders.payment_id") {
		t.Fatalf("a second order paid by PAY1: %v", err)
	}
}

// On a new database too, the orders without a payment are not in
// orders_payment_id.
func TestPendingOrdersStayOutOfPaymentIndex(t *testing.T) {
	db, _ := openTestDB(t)
	for _, amount := range []money.Fen{100, 200, 300} {
		createOrder(t, db, app.MethodAlipay, amount)
	}
	if n := indexEntries(t, db, "orders_payment_id"); n != 0 {
		t.Fatalf("orders_payment_id holds %d entries for 3 pending orders, want 0", n)
	}
	checkDatabase(t, db)
}
