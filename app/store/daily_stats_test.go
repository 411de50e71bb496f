package store

import (
	"context"
	"reflect"
	"testing"
	"time"

	"paygate/app"
)

// The counters kept by every write agree with a recount from scratch.
func TestDailyStatsMatchRecount(t *testing.T) {
	db, clock := openTestDB(t)
	ctx := context.Background()
	for day := 0; day < 3; day++ {
		for i := 0; i < 5; i++ {
			createOrder(t, db, app.MethodAlipay, 100+1)
		}
		createOrder(t, db, app.MethodWechat, 500)
		apply(t, db, app.Notice{Method: app.MethodAlipay, Amount: 101}) // pays one
		apply(t, db, app.Notice{Amount: 500})                           // pays the WeChat order (medium)
		late := apply(t, db, app.Notice{Method: app.MethodAlipay, Amount: 999})
		other := apply(t, db, app.Notice{Method: app.MethodAlipay, Amount: 777})
		if _, err := db.IgnorePayment(ctx, other.PaymentID, "", "t"); err != nil {
			t.Fatal(err)
		}
		o := createOrder(t, db, app.MethodAlipay, 4200)
		if _, err := db.ConfirmPayment(ctx, app.Settlement{PaymentID: late.PaymentID, OrderRef: o.ID}, "t", 0); err != nil {
			t.Fatal(err)
		}
		clock.Add(23 * time.Hour) // orders of one day get paid on the next
	}
	kept := dailyRows(t, db)
	if err := db.rebuildDailyStats(ctx); err != nil {
		t.Fatal(err)
	}
	recounted := dailyRows(t, db)
	if !reflect.DeepEqual(kept, recounted) {
		t.Fatalf("kept counters\n%v\nrecount\n%v", kept, recounted)
	}
	s, err := db.PeriodStats(ctx, clock.Now().Add(-100*time.Hour), clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	if s.Orders != 21 || s.Paid != 9 || s.PaidInRange != 9 || s.UnmatchedCount != 0 {
		t.Fatalf("period stats: %+v", s)
	}
}

func dailyRows(t *testing.T, db *DB) [][7]int64 {
	rows, err := db.read.QueryContext(context.Background(), `SELECT day, orders, paid, pay_ms, revenue, payments, unmatched FROM daily_stats ORDER BY day`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out [][7]int64
	for rows.Next() {
		var r [7]int64
		rows.Scan(&r[0], &r[1], &r[2], &r[3], &r[4], &r[5], &r[6])
		out = append(out, r)
	}
	return out
}
