package store

import (
	"context"
	"testing"
	"time"

	"paygate/app"
)

// NewestRecord is what restore --from-replica compares: the newest order,
// payment or notification, read the same with the database open or not.
func TestNewestRecord(t *testing.T) {
	db, clock := openTestDB(t)
	ctx := context.Background()
	if got, err := db.NewestRecord(ctx); err != nil || !got.IsZero() {
		t.Fatalf("empty database: %v %v", got, err)
	}
	createOrder(t, db, app.MethodAlipay, 100)
	clock.Add(time.Minute)
	o := createOrder(t, db, app.MethodWechat, 200)
	got, err := db.NewestRecord(ctx)
	if err != nil || !got.Equal(o.CreatedAt) {
		t.Fatalf("NewestRecord = %v %v, want %v", got, err, o.CreatedAt)
	}
	path := db.Path()
	db.Close()
	if peeked, err := PeekNewestRecord(ctx, path); err != nil || !peeked.Equal(got) {
		t.Fatalf("PeekNewestRecord = %v %v, want %v", peeked, err, got)
	}
}
