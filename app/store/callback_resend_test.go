package store

import (
	"context"
	"testing"
	"time"

	"paygate/app"
)

// A person asks for a callback again while an attempt of it is still on its
// way (the merchant has it, paygate has not recorded the answer yet). The
// attempt's outcome must not undo the request: the callback stays queued
// and is sent again. Before attempts were tied to their claim, the
// attempt's "sent" overwrote the resend and it was lost, though the API had
// answered that it was queued (seen as a flaky e2e test).
func TestResendDuringAnAttemptIsNotLost(t *testing.T) {
	db, clock := openTestDB(t)
	ctx := context.Background()
	createOrder(t, db, app.MethodAlipay, 100)
	res := apply(t, db, app.Notice{Method: app.MethodAlipay, Amount: 100})

	due, err := db.ClaimDueCallbacks(ctx, 10, time.Minute, nil)
	if err != nil || len(due) != 1 {
		t.Fatalf("claim: %d %v", len(due), err)
	}
	if err := db.ResendCallback(ctx, res.PaymentID, "boss"); err != nil {
		t.Fatal(err)
	}
	sent := app.CallbackAttempt{CallbackID: due[0].Callback.ID, Claim: due[0].Callback.Claim, URL: "http://shop/cb",
		StartedAt: clock.Now(), HTTPStatus: 200, Acked: true}
	if err := db.FinishCallbackAttempt(ctx, sent, app.CallbackSent, clock.Now()); err != nil {
		t.Fatal(err)
	}
	again, err := db.ClaimDueCallbacks(ctx, 10, time.Minute, nil)
	if err != nil || len(again) != 1 || again[0].Callback.Attempts != 0 {
		t.Fatalf("after the resend and the earlier attempt's answer: %+v %v, want the callback due again from its first attempt", again, err)
	}
	if again[0].Callback.Claim == due[0].Callback.Claim {
		t.Fatal("a new claim must differ from the one before, even within the same millisecond")
	}
	attempts, err := db.CallbackAttempts(ctx, res.PaymentID)
	if err != nil || len(attempts) != 1 || !attempts[0].Acked {
		t.Fatalf("attempt log: %+v %v, want the earlier attempt kept", attempts, err)
	}
	// The new claim's own answer moves it on as usual.
	sent.Claim = again[0].Callback.Claim
	if err := db.FinishCallbackAttempt(ctx, sent, app.CallbackSent, clock.Now()); err != nil {
		t.Fatal(err)
	}
	if p, _ := db.Payment(ctx, res.PaymentID); p.CallbackStatus != app.CallbackSent {
		t.Fatalf("callback status %s after the resent one was acknowledged, want sent", p.CallbackStatus)
	}
}
