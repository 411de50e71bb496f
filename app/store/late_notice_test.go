package store

import (
	"context"
	"testing"
	"time"

	"paygate/app"
)

// A forwarder that signs its requests (V免签, SmsForwarder with a secret)
// says when the phone saw the payment, and the server accepts such a request
// for the whole signing window (15 minutes), longer than a slot cools after
// its order ends (match.grace, 10 minutes). A push held back (phone offline,
// or somebody on the path) so long that the amount went to a new order must
// not pay that order: the money came before it existed.
func TestSignedNoticeDoesNotPayAnOrderCreatedAfterIt(t *testing.T) {
	for _, tt := range []struct {
		name    string
		sent    func(first, next app.Order) time.Time
		wantPay bool
	}{
		{"seen during the earlier order's life", func(first, _ app.Order) time.Time { return first.CreatedAt.Add(time.Minute) }, false},
		{"seen just before the new order, clock a little behind", func(_, next app.Order) time.Time { return next.CreatedAt.Add(-30 * time.Second) }, true},
		{"seen after the new order", func(_, next app.Order) time.Time { return next.CreatedAt.Add(time.Minute) }, true},
		{"no time from the phone", func(app.Order, app.Order) time.Time { return time.Time{} }, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			db, clock := openTestDB(t)
			ctx := context.Background()
			first := createOrder(t, db, app.MethodWechat, 500)
			release(t, db, clock, first, "expired")
			clock.Add(policy.Grace + time.Second)
			next := createOrder(t, db, app.MethodWechat, 500)
			if next.PayAmount != 500 {
				t.Fatalf("the cooled slot was not handed out again: %d", next.PayAmount)
			}
			clock.Add(2 * time.Minute)
			res := apply(t, db, app.Notice{Method: app.MethodWechat, Amount: 500, SentAt: tt.sent(first, next)})
			if res.Matched != tt.wantPay {
				t.Fatalf("matched = %v, want %v: %+v", res.Matched, tt.wantPay, res)
			}
			o, err := db.Order(ctx, next.ID)
			if err != nil {
				t.Fatal(err)
			}
			if paid := o.Status == app.OrderSuccess; paid != tt.wantPay {
				t.Fatalf("new order status %s, want paid: %v", o.Status, tt.wantPay)
			}
		})
	}
}
