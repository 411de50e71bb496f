// Package callback delivers payments to the merchant: the signed callback body
// and the dispatcher that works the durable outbox in the store.
package callback

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"time"

	"paygate/app"
	"paygate/app/money"
	"paygate/app/sign"
)

// Body is the callback JSON, field names as in the merchant guide. Optional
// strings are omitted when empty; customerType is null when unknown, as the
// guide shows, and null values are not signed.
type Body struct {
	OrderID         string    `json:"orderId"`
	Amount          money.Fen `json:"amount"`
	UID             string    `json:"uid"`
	PaymentMethod   string    `json:"paymentMethod"`
	Status          string    `json:"status"`
	Timestamp       string    `json:"timestamp"`
	CustomerType    *string   `json:"customerType"`
	Nonce           string    `json:"nonce"`
	DisplayAmount   money.Fen `json:"displayAmount"`
	ReceivedAmount  money.Fen `json:"receivedAmount,omitempty"` // what arrived, when not amount
	PaidAt          string    `json:"paidAt,omitempty"`
	MerchantOrderID string    `json:"merchantOrderId,omitempty"`
	Attach          string    `json:"attach,omitempty"`
	Signature       string    `json:"signature"`
}

// Fields are the signed fields of b as strings, numbers in shortest form.
func (b Body) Fields() map[string]string {
	f := map[string]string{
		"orderId":         b.OrderID,
		"amount":          b.Amount.String(),
		"uid":             b.UID,
		"paymentMethod":   b.PaymentMethod,
		"status":          b.Status,
		"timestamp":       b.Timestamp,
		"nonce":           b.Nonce,
		"displayAmount":   b.DisplayAmount.String(),
		"paidAt":          b.PaidAt,
		"merchantOrderId": b.MerchantOrderID,
		"attach":          b.Attach,
	}
	if b.CustomerType != nil {
		f["customerType"] = *b.CustomerType
	}
	if b.ReceivedAmount != 0 {
		f["receivedAmount"] = b.ReceivedAmount.String()
	}
	return f
}

// NewBody builds and signs the callback for one delivery attempt. timestamp
// and nonce are fresh per attempt (a departure from the guide, so merchants
// that reject callbacks older than 5 minutes still accept retries); paidAt
// carries the payment time — when the money arrived, also when a person
// matched it later. amount is what the order asked the payer to pay;
// receivedAmount, sent only when different, is what arrived (a person
// matched an under- or over-payment to the order).
func NewBody(d app.CallbackDelivery, apiKey string, now time.Time) Body {
	b := Body{
		OrderID:         d.Order.ID,
		Amount:          d.Order.PayAmount,
		UID:             d.Order.ID,
		PaymentMethod:   string(d.Order.Method),
		Status:          string(app.OrderSuccess),
		Timestamp:       app.FormatTime(now),
		Nonce:           newNonce(),
		DisplayAmount:   d.Order.Amount,
		PaidAt:          app.FormatTime(d.Order.PaidAt),
		MerchantOrderID: d.Order.MerchantOrderID,
		Attach:          d.Order.Attach,
	}
	if d.Payment.Amount != d.Order.PayAmount {
		b.ReceivedAmount = d.Payment.Amount
	}
	if d.Payment.CustomerType != "" {
		ct := d.Payment.CustomerType
		b.CustomerType = &ct
	}
	b.Signature = sign.HMAC(b.Fields(), apiKey)
	return b
}

// JSON encodes b.
func (b Body) JSON() []byte {
	out, _ := json.Marshal(b) // cannot fail: only strings and Fen
	return out
}

// newNonce is 16 random hex characters.
func newNonce() string {
	var buf [8]byte
	_, _ = rand.Read(buf[:])
	return hex.EncodeToString(buf[:])
}
