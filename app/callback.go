package app

import (
	"time"

	"paygate/app/money"
)

// CallbackKind says who a queued callback goes to and in which protocol.
type CallbackKind string

const (
	// CallbackMerchant is the merchant guide's signed JSON POST to the callback URL.
	CallbackMerchant CallbackKind = "merchant"
	// CallbackEpay is the 易支付 (epay) notify: a GET to the order's notify_url
	// with MD5-signed query parameters.
	CallbackEpay CallbackKind = "epay"
)

// CallbackStatus is the state of the merchant callback for a payment.
type CallbackStatus string

const (
	CallbackNone    CallbackStatus = ""        // no order, so nobody to call
	CallbackPending CallbackStatus = "pending" // queued or retrying
	CallbackSent    CallbackStatus = "sent"    // acknowledged by the merchant
	CallbackFailed  CallbackStatus = "failed"  // retries exhausted
)

// Callback is one queued delivery of a payment to the merchant.
type Callback struct {
	ID            int64
	PaymentID     string
	OrderID       string
	Kind          CallbackKind
	Status        CallbackStatus
	Attempts      int
	NextAttemptAt time.Time
	CreatedAt     time.Time
	LastError     string
	LastURL       string
	// NotifyURL is the order's own callback URL (notifyUrl, or the 易支付
	// notify_url); "" means the configured callback URL. Filled by a claim.
	NotifyURL string
	// Claim identifies the claim that leased the callback for one attempt
	// (filled by a claim); the attempt's outcome moves the callback on only
	// while that claim still holds it.
	Claim int64
}

// CallbackAttempt is the log line of one try.
type CallbackAttempt struct {
	ID          int64
	CallbackID  int64
	Claim       int64 // Callback.Claim of the claim it was made under
	URL         string
	StartedAt   time.Time
	DurationMS  int64
	HTTPStatus  int // 0 when no answer
	BodyExcerpt string
	Error       string // why it did not count as acknowledged; "" when it did
	Acked       bool
}

// CallbackDelivery is everything needed to send one callback.
type CallbackDelivery struct {
	Callback Callback
	Order    Order
	Payment  Payment
	Epay     *EpayOrder // the 易支付 request, for kind CallbackEpay; nil otherwise
}

// CallbackSummary is a merchant callback with the payment it reports.
type CallbackSummary struct {
	Callback
	Amount          money.Fen
	Method          Method
	ProductName     string // of the order, so people know which one
	MerchantOrderID string // the shop's own number, as stored
	LastAttemptAt   time.Time
	LastHTTP        int
}
