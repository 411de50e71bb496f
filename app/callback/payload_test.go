package callback

import (
	"encoding/json"
	"testing"
	"time"

	"paygate/app"
	"paygate/app/money"
	"paygate/app/sign"
)

// amount is what the order asked the payer to pay; receivedAmount, only when
// different, what arrived; paidAt when it arrived — also when a person
// matched it minutes later. Every field sent is signed.
func TestBodyReceivedAmountAndPaidAt(t *testing.T) {
	arrived := time.Date(2026, 11, 26, 16, 2, 41, 0, app.Shanghai)
	now := arrived.Add(9 * time.Minute)
	order := app.Order{ID: "ORD1", Method: app.MethodAlipay, Amount: 1000, PayAmount: 1001, PaidAt: arrived, MerchantOrderID: "epay:SHOP-1"}
	for _, tt := range []struct {
		name     string
		received int64
		want     map[string]any
		absent   []string
	}{
		{"paid exactly", 1001, map[string]any{"amount": 10.01, "displayAmount": 10.0, "paidAt": "2026-11-26 16:02:41"}, []string{"receivedAmount"}},
		{"paid the listed price, a cent short", 1000, map[string]any{"amount": 10.01, "receivedAmount": 10.0, "paidAt": "2026-11-26 16:02:41"}, nil},
		{"paid over", 1100, map[string]any{"amount": 10.01, "receivedAmount": 11.0}, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			b := NewBody(app.CallbackDelivery{Order: order, Payment: app.Payment{Amount: money.Fen(tt.received)}}, "k", now)
			var got map[string]any
			if err := json.Unmarshal(b.JSON(), &got); err != nil {
				t.Fatal(err)
			}
			for k, v := range tt.want {
				if got[k] != v {
					t.Errorf("%s = %v, want %v", k, got[k], v)
				}
			}
			for _, k := range tt.absent {
				if _, ok := got[k]; ok {
					t.Errorf("%s sent: %v", k, got[k])
				}
			}
			if got["merchantOrderId"] != "epay:SHOP-1" || got["timestamp"] != "2026-11-26 16:11:41" {
				t.Errorf("merchantOrderId %v, timestamp %v", got["merchantOrderId"], got["timestamp"])
			}
			if sign.HMAC(b.Fields(), "k") != b.Signature {
				t.Error("the signature does not cover the fields sent")
			}
			if _, ok := got["receivedAmount"]; ok && b.Fields()["receivedAmount"] == "" {
				t.Error("receivedAmount is sent but not signed")
			}
		})
	}
}
