package app

import (
	"time"

	"paygate/app/money"
)

// RawRequest is a forwarder request as it arrived, kept before anything is parsed
// so a parser mistake never loses a payment.
type RawRequest struct {
	Endpoint   string            // "/webhook", "/appPush" …
	Method     string            // HTTP method
	RemoteIP   string            //
	Header     map[string]string // the headers that matter, names in lower case
	Query      string            // raw query string
	Body       []byte            // as received, possibly not UTF-8
	ReceivedAt time.Time
}

// NotificationOutcome is what became of a forwarder request.
type NotificationOutcome string

const (
	OutcomePayment   NotificationOutcome = "payment"
	OutcomeIgnored   NotificationOutcome = "ignored"
	OutcomeDuplicate NotificationOutcome = "duplicate"
	OutcomeRefused   NotificationOutcome = "refused" // wrong or missing key
	OutcomeInvalid   NotificationOutcome = "invalid" // unreadable request
	OutcomeReceived  NotificationOutcome = "received"
	OutcomeError     NotificationOutcome = "error" // could not be applied after several tries; waits for a person
)

// Notice is a parsed notification ready to become a payment.
type Notice struct {
	DeviceID      int64  // the forwarder that sent it
	Via           string // protocol: webhook, smsforwarder, vmq
	RemoteIP      string
	NoAutoConfirm bool   // a re-parse: never pay an order without a person
	SenderID      string // the forwarder's own id for the notification, for duplicates
	Package       string
	Title         string
	Text          string
	Kind          string // "payment" or "ignored"
	Reason        string // why ignored
	Method        Method
	Amount        money.Fen
	CustomerType  string

	// SignedTimestamp: SenderID is a signed SmsForwarder timestamp. Its sign
	// does not cover the text, so it is single-use per device: any later
	// notice carrying it is a duplicate, whatever its text.
	SignedTimestamp bool
}

// IngestResult is what the webhook answers.
type IngestResult struct {
	NotificationID int64
	Kind           NotificationOutcome
	Reason         string
	Amount         money.Fen
	Method         Method
	CustomerType   string
	PaymentID      string
	OrderID        string
	Confidence     Confidence
	Matched        bool
}
