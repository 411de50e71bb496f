package callback

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"paygate/app"
	"paygate/app/money"
	"paygate/app/sign"
	"paygate/app/store"
	"paygate/app/store/storetest"
	"paygate/app/testclock"
)

// The merchant's callback endpoint is down for an hour (of a fake clock):
// every callback is delivered after it returns, and none twice after it
// was acknowledged.
func TestMerchantOutageOfAnHour(t *testing.T) {
	ctx := context.Background()
	start := time.Date(2026, 11, 26, 10, 0, 0, 0, app.Shanghai)
	clock := testclock.New(start)
	const apiKey = "outage-test-key"

	var mu sync.Mutex
	acked := map[string]int{} // order id → acknowledged deliveries
	refused := 0
	merchant := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var cb map[string]any
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.UseNumber()
		if err := dec.Decode(&cb); err != nil {
			t.Errorf("callback is not JSON: %s", body)
		}
		fields := map[string]string{}
		for k, v := range cb {
			if v != nil && k != "signature" {
				fields[k] = fmt.Sprint(v)
			}
		}
		if !sign.Verify(fields, apiKey, fmt.Sprint(cb["signature"])) {
			t.Errorf("bad signature on %s", body)
		}
		mu.Lock()
		defer mu.Unlock()
		if clock.Now().Before(start.Add(time.Hour)) {
			refused++
			http.Error(w, "maintenance", http.StatusServiceUnavailable)
			return
		}
		acked[fmt.Sprint(cb["orderId"])]++
		io.WriteString(w, `{"success":true}`)
	}))
	defer merchant.Close()

	db := storetest.OpenDir(t, t.TempDir(), clock)
	storetest.Seed(t, db, apiKey, merchant.URL)
	schedule := []time.Duration{0, 15 * time.Second, time.Minute, 5 * time.Minute, 15 * time.Minute,
		time.Hour, 2 * time.Hour, 6 * time.Hour, 12 * time.Hour, 24 * time.Hour}
	d := New(db, Options{Schedule: schedule, Timeout: 2 * time.Second, Workers: 4, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})

	// 25 paid orders during the first minutes of the outage.
	var orderIDs []string
	policy := app.MatchPolicy{Window: 15 * time.Minute, Grace: 10 * time.Minute, AutoConfirm: app.ConfidenceMedium}
	seq := 0
	for i := 0; i < 25; i++ {
		seq++
		o, _, err := db.CreateOrder(ctx, func() string { return fmt.Sprintf("ORD%d", seq) },
			app.OrderInput{ProductName: "p", Method: app.MethodAlipay, Amount: money.Fen(100 + i)}, 15*time.Minute,
			app.SlotPolicy{Mode: app.SlotAlternate, MaxOffset: 50}, policy.Grace)
		if err != nil {
			t.Fatal(err)
		}
		nid, err := db.SaveRawNotification(ctx, app.RawRequest{Endpoint: "/webhook", Method: "POST", ReceivedAt: clock.Now()})
		if err != nil {
			t.Fatal(err)
		}
		res, err := db.ApplyNotice(ctx, nid, app.Notice{Kind: "payment", Method: app.MethodAlipay, Amount: o.PayAmount},
			store.ApplyOptions{Policy: policy, NewPaymentID: func() string { return fmt.Sprintf("PAY%d", seq) }})
		if err != nil || !res.Matched {
			t.Fatalf("payment %d: %+v %v", i, res, err)
		}
		orderIDs = append(orderIDs, o.ID)
		clock.Add(7 * time.Second)
	}

	// Work the queue as the clock runs for 30 hours, in 5-second steps.
	for clock.Now().Before(start.Add(30 * time.Hour)) {
		workQueue(t, d)
		clock.Add(5 * time.Second)
	}

	mu.Lock()
	defer mu.Unlock()
	if refused == 0 {
		t.Fatal("the outage refused nothing: the test did not test")
	}
	for _, id := range orderIDs {
		if acked[id] != 1 {
			t.Errorf("order %s acknowledged %d times, want exactly 1", id, acked[id])
		}
	}
	list, _, err := db.ListPayments(ctx, app.PaymentFilter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range list {
		if p.CallbackStatus != app.CallbackSent {
			t.Errorf("payment %s callback %s, want sent", p.ID, p.CallbackStatus)
		}
	}
	t.Logf("%d attempts refused during the outage; all %d delivered once after it", refused, len(orderIDs))
}
