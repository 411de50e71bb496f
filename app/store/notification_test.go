package store

import (
	"testing"

	"paygate/app"
)

// A signed SmsForwarder timestamp is used once per device: a second notice
// with it is a duplicate whatever its text — the genuine resend (same text)
// names the first one's payment, a replay with another text names nothing.
// Sender ids that are not signed keep the old rule: same id and same text.
func TestSignedTimestampIsUsedOnce(t *testing.T) {
	const ts = "1700000000000"
	signed := func(device int64, text string) app.Notice {
		return app.Notice{DeviceID: device, SenderID: ts, SignedTimestamp: true, Text: text, Method: app.MethodWechat, Amount: 731}
	}
	byKey := func(device int64, text string) app.Notice {
		return app.Notice{DeviceID: device, SenderID: ts, Text: text, Method: app.MethodWechat, Amount: 731}
	}
	tests := []struct {
		name        string
		first, then app.Notice
		want        app.NotificationOutcome
		samePayment bool
	}{
		{"signed, resent as it was", signed(1, "微信支付收款7.31元"), signed(1, "微信支付收款7.31元"), app.OutcomeDuplicate, true},
		{"signed, replayed with another text", signed(1, "微信支付收款7.31元"), signed(1, "微信支付收款8.88元"), app.OutcomeDuplicate, false},
		{"signed, another device", signed(1, "微信支付收款7.31元"), signed(2, "微信支付收款8.88元"), app.OutcomePayment, false},
		{"key, then signed with another text", byKey(1, "微信支付收款7.31元"), signed(1, "微信支付收款8.88元"), app.OutcomeDuplicate, false},
		{"signed, then key with the same text", signed(1, "微信支付收款7.31元"), byKey(1, "微信支付收款7.31元"), app.OutcomeDuplicate, true},
		{"signed, then key with another text", signed(1, "微信支付收款7.31元"), byKey(1, "微信支付收款8.88元"), app.OutcomePayment, false},
		{"key, same id, another text", byKey(1, "微信支付收款7.31元"), byKey(1, "微信支付收款8.88元"), app.OutcomePayment, false},
		{"key, same id, same text", byKey(1, "微信支付收款7.31元"), byKey(1, "微信支付收款7.31元"), app.OutcomeDuplicate, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db, _ := openTestDB(t)
			first := apply(t, db, tt.first)
			if first.Kind != app.OutcomePayment {
				t.Fatalf("first: %+v", first)
			}
			then := apply(t, db, tt.then)
			if then.Kind != tt.want {
				t.Fatalf("then: %s (%s), want %s", then.Kind, then.Reason, tt.want)
			}
			if tt.want == app.OutcomeDuplicate && (then.PaymentID == first.PaymentID) != tt.samePayment {
				t.Fatalf("duplicate names payment %q, first was %q; want the same: %v", then.PaymentID, first.PaymentID, tt.samePayment)
			}
		})
	}
}
