package store

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"paygate/app"
	"paygate/app/money"
)

func TestListOrdersFilters(t *testing.T) {
	db, clock := openTestDB(t)
	ctx := context.Background()
	paid := createOrder(t, db, app.MethodAlipay, 1250)
	createOrder(t, db, app.MethodWechat, 300)
	policy := app.MatchPolicy{Window: 15 * time.Minute, Grace: 10 * time.Minute, AutoConfirm: app.ConfidenceMedium}
	id, _ := db.SaveRawNotification(ctx, app.RawRequest{Endpoint: "/webhook", ReceivedAt: clock.Now()})
	if _, err := db.ApplyNotice(ctx, id, app.Notice{Kind: "payment", Method: app.MethodAlipay, Amount: 1250},
		ApplyOptions{Policy: policy, NewPaymentID: testID("PAY")}); err != nil {
		t.Fatal(err)
	}
	clock.Add(20 * time.Minute) // the wechat order is now past its lifetime, not yet swept
	today := time.Date(2026, 11, 26, 0, 0, 0, 0, app.Shanghai)
	tests := []struct {
		name string
		f    app.OrderFilter
		want int
	}{
		{"all", app.OrderFilter{}, 2},
		{"paid", app.OrderFilter{Status: app.OrderSuccess}, 1},
		{"pending excludes the one past its lifetime", app.OrderFilter{Status: app.OrderPending}, 0},
		{"expired includes the unswept one", app.OrderFilter{Status: app.OrderExpired}, 1},
		{"method", app.OrderFilter{Method: app.MethodWechat}, 1},
		{"today", app.OrderFilter{From: today, To: today.AddDate(0, 0, 1)}, 2},
		{"yesterday", app.OrderFilter{From: today.AddDate(0, 0, -1), To: today}, 0},
		{"exact id", app.OrderFilter{Query: paid.ID}, 1},
		{"like wildcards are literal", app.OrderFilter{Query: "%"}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.f.Limit = 10
			list, total, err := db.ListOrders(ctx, tt.f)
			if err != nil || total != tt.want || len(list) != tt.want {
				t.Fatalf("got %d (total %d), %v; want %d", len(list), total, err, tt.want)
			}
		})
	}
	n := 0
	if err := db.EachOrder(ctx, app.OrderFilter{}, func(app.OrderSummary) error { n++; return nil }); err != nil || n != 2 {
		t.Fatalf("EachOrder visited %d, %v", n, err)
	}

	s, err := db.PeriodStats(ctx, today, clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	if s.Revenue != money.Fen(1250) || s.Orders != 2 || s.Paid != 1 || s.Finished != 2 || s.SuccessRate() != 0.5 {
		t.Fatalf("stats %+v", s)
	}
	days, err := db.RevenueByDay(ctx, today.AddDate(0, 0, -29), clock.Now())
	if err != nil || len(days) != 30 || days[29].Revenue != 1250 || days[28].Revenue != 0 {
		t.Fatalf("days %d, last %+v, %v", len(days), days[len(days)-1], err)
	}
}

func TestSessionsAndAudit(t *testing.T) {
	db, clock := openTestDB(t)
	ctx := context.Background()
	a, err := db.CreateFirstAdmin(ctx, "admin", "hash")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateFirstAdmin(ctx, "other", "hash"); app.ErrorCode(err) != app.ECONFLICT {
		t.Fatalf("second admin: %v, want conflict", err)
	}
	s := app.Session{TokenHash: "h1", Admin: a, CreatedAt: clock.Now(), ExpiresAt: clock.Now().Add(time.Hour)}
	if err := db.CreateSession(ctx, s); err != nil {
		t.Fatal(err)
	}
	if _, found, _ := db.SessionByHash(ctx, "h1"); !found {
		t.Fatal("fresh session not found")
	}
	clock.Add(2 * time.Hour)
	if _, found, _ := db.SessionByHash(ctx, "h1"); found {
		t.Fatal("expired session still valid")
	}
	entries, total, err := db.AuditLog(ctx, app.AuditFilter{Limit: 10})
	if err != nil || total != 2 || entries[0].Action != app.AuditLogin || entries[1].Action != app.AuditAdminCreated {
		t.Fatalf("audit %+v (%d), %v", entries, total, err)
	}
}

func TestOpenInDirectoryWithURICharacters(t *testing.T) {
	for _, name := range []string{"shop#1", "what?", "100%"} {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), name)
			db, err := Open(context.Background(), dir, Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if err := db.SeedSettings(context.Background(), "k", ""); err != nil {
				t.Fatal(err)
			}
			if _, err := os.Stat(filepath.Join(dir, "paygate.db")); err != nil {
				t.Fatalf("database not in %s: %v", dir, err)
			}
		})
	}
}
