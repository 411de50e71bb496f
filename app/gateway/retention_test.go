package gateway

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"paygate/app"
	"paygate/app/forward"
)

// What a stranger sends is cut down once refused; what a known phone sent is
// kept whole, whatever became of it.
func TestStrangersRequestsAreCutPhonesKeptWhole(t *testing.T) {
	pad := strings.Repeat("填", 20<<10) // 60 KB
	t0 := strconv.FormatInt(time.Now().UnixMilli(), 10)
	phonePush := "t=" + t0 + "&type=9&price=1.0&sign=" + forward.Md5Hex("9"+"1.0"+t0+"fuzz-api-key") + "&pad=" + pad
	tests := []struct {
		name      string
		raw       app.RawRequest
		want      app.NotificationOutcome
		fromPhone bool
	}{
		{"keyless", app.RawRequest{Endpoint: "/webhook", Header: map[string]string{"content-type": "application/json"},
			Body: []byte(`{"message":"收到转账0.01元(支付宝)","pad":"` + pad + `"}`)}, app.OutcomeRefused, false},
		{"wrong key", app.RawRequest{Endpoint: "/webhook", Header: map[string]string{"key": "guess"}, Body: []byte("message=" + pad)},
			app.OutcomeRefused, false},
		{"unreadable, no key", app.RawRequest{Endpoint: "/webhook", Body: []byte("\xc4\xe3" + pad)}, app.OutcomeInvalid, false},
		{"unreadable, wrong key", app.RawRequest{Endpoint: "/webhook", Header: map[string]string{"key": "guess"}, Body: []byte("\xc4\xe3" + pad)},
			app.OutcomeInvalid, false},
		{"unreadable from the phone (GBK)", app.RawRequest{Endpoint: "/webhook", Header: map[string]string{"key": "fuzz-api-key"}, Body: []byte("\xc4\xe3" + pad)},
			app.OutcomeInvalid, true},
		{"V免签 push, wrong sign, long query", app.RawRequest{Endpoint: "/appPush", Query: "t=" + t0 + "&type=2&price=1.0&sign=x&pad=" + pad},
			app.OutcomeRefused, false},
		{"V免签 push from the phone, unknown type", app.RawRequest{Endpoint: "/appPush", Query: phonePush}, app.OutcomeInvalid, true},
		{"payment with padding", app.RawRequest{Endpoint: "/webhook", Header: map[string]string{"key": "fuzz-api-key", "content-type": "application/json"},
			Body: []byte(`{"message":"收到转账0.01元(支付宝)","pad":"` + pad + `"}`)}, app.OutcomePayment, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := newTestGateway(t)
			ctx := context.Background()
			tt.raw.Method, tt.raw.RemoteIP, tt.raw.ReceivedAt = "POST", "203.0.113.7", time.Now()
			var res app.IngestResult
			var err error
			if tt.raw.Endpoint == "/appPush" {
				res, err = g.VmqPush(ctx, tt.raw)
			} else {
				res, err = g.Ingest(ctx, tt.raw)
			}
			if (err == nil) != (tt.want == app.OutcomePayment) {
				t.Fatalf("ingest: %+v %v", res, err)
			}
			n := notificationOutcome(t, g, res.NotificationID)
			raw, _, rerr := g.db.RawNotification(ctx, res.NotificationID)
			if rerr != nil {
				t.Fatal(rerr)
			}
			if n.Outcome != tt.want {
				t.Fatalf("outcome %s (%s), want %s", n.Outcome, n.Reason, tt.want)
			}
			whole := len(raw.Body) == len(tt.raw.Body) && raw.Query == tt.raw.Query
			if tt.fromPhone {
				if !whole || n.CutFrom != 0 || n.DeviceID == 0 {
					t.Fatalf("a known phone's request: whole %v, cut from %d, device %d", whole, n.CutFrom, n.DeviceID)
				}
				return
			}
			if whole || n.CutFrom == 0 || len(raw.Body) > strangerLimits.CutTo || len(raw.Query) > strangerLimits.CutTo {
				t.Fatalf("a stranger's request: body %d, query %d bytes kept, cut from %d", len(raw.Body), len(raw.Query), n.CutFrom)
			}
		})
	}
}

// The sweeper's pruning follows notifications.retention; 0 keeps everything.
func TestPruneNotificationsFollowsRetention(t *testing.T) {
	g := newTestGateway(t)
	ctx := context.Background()
	old := storedWebhook(t, g, "wrong", `{"message":"hi"}`, g.Now().Add(-100*24*time.Hour))
	recent := storedWebhook(t, g, "wrong", `{"message":"hi"}`, g.Now().Add(-time.Hour))
	if err := g.ApplyPending(ctx, g.Now()); err != nil {
		t.Fatal(err)
	}
	if n, err := g.pruneNotifications(ctx); err != nil || n != 0 {
		t.Fatalf("with no retention: pruned %d %v", n, err)
	}
	g.retention = 90 * 24 * time.Hour
	if n, err := g.pruneNotifications(ctx); err != nil || n != 1 {
		t.Fatalf("with 90 days: pruned %d %v, want the 100-day-old one", n, err)
	}
	if _, err := g.db.Notification(ctx, old); app.ErrorCode(err) != app.ENOTFOUND {
		t.Errorf("the old refused request is still there: %v", err)
	}
	if _, err := g.db.Notification(ctx, recent); err != nil {
		t.Errorf("the recent one was pruned: %v", err)
	}
	st, err := g.NotificationStorage(ctx)
	if err != nil || st.Retention != g.retention || st.Limits != strangerLimits || st.Total.Requests != 1 || st.DatabaseBytes == 0 {
		t.Fatalf("storage %+v %v", st, err)
	}
}
