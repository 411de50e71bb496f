package callback

import (
	"context"
	"net/http"
	"time"

	"paygate/app"
	"paygate/app/money"
)

// testTimeout bounds a test callback: the settings page waits for it.
const testTimeout = 5 * time.Second

// SendTest posts a signed sample callback to url once, now, and reports what
// the merchant's server answered, judged by the same acknowledgement rules as
// real callbacks. Nothing is stored or retried. The sample order id starts
// with TEST so the merchant can tell it from a real payment. url is the
// owner's (the settings page), so it is not held to the per-order URL rules.
func (d *Dispatcher) SendTest(ctx context.Context, url, apiKey string) app.CallbackAttempt {
	now := d.db.Now()
	sample := app.CallbackDelivery{
		Order: app.Order{
			ID:          "TEST" + now.Format("20060102150405"),
			Method:      app.MethodAlipay,
			Amount:      money.Fen(1),
			PayAmount:   money.Fen(1),
			ProductName: "paygate test callback",
			PaidAt:      now,
		},
		Payment: app.Payment{Amount: money.Fen(1), Method: app.MethodAlipay},
	}
	a := app.CallbackAttempt{URL: url, StartedAt: now}
	clock := time.Now()
	switch {
	case url == "":
		a.Error = "no callback URL: enter one first"
	case apiKey == "":
		a.Error = "no API key to sign with: set one first"
	default:
		ctx, cancel := context.WithTimeout(ctx, testTimeout)
		defer cancel()
		d.send(ctx, d.client, &a, http.MethodPost, NewBody(sample, apiKey, now).JSON(), acknowledged)
	}
	a.DurationMS = time.Since(clock).Milliseconds()
	return a
}
