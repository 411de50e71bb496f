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
	Kind          NotificationOutcome // what the parser made of it: OutcomePayment or OutcomeIgnored
	Reason        string              // why ignored
	Method        Method
	Amount        money.Fen
	CustomerType  string

	// SignedTimestamp: SenderID is a signed timestamp (SmsForwarder's
	// timestamp, V免签's t). Its sign does not bind the text (SmsForwarder's
	// covers the timestamp alone; V免签's md5(type+price+t+key) has no
	// separators), so it is single-use per device: any later notice
	// carrying it is a duplicate, whatever its text.
	SignedTimestamp bool
	// SentAt is when the phone saw the payment, from a timestamp the
	// forwarder signed (V免签's t, a signed SmsForwarder timestamp); zero
	// when unknown. Money seen then cannot be for an order created more than
	// the match grace later (see MatchPolicy.SentBound).
	SentAt time.Time
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

// StrangerLimits bound what is kept of forwarder requests no known phone
// sent: refused ones, and unreadable ones without a valid key. Such a request
// is stored whole before it is read, like every other (so an authentic
// payment is never lost), and cut down once it is found to be a stranger's.
type StrangerLimits struct {
	CutTo       int   // bytes kept of the body and of the query, each
	HeaderCutTo int   // bytes kept of each stored header value
	MaxRequests int64 // only the newest this many are kept …
	MaxBytes    int64 // … taking at most this many bytes
}

// StoredSize is a number of stored forwarder requests and the bytes their
// headers, query and body take.
type StoredSize struct {
	Requests int64
	Bytes    int64
}

// NotificationStorage is what the stored forwarder requests and the
// database take, and the rules that bound them.
type NotificationStorage struct {
	DatabaseBytes int64 // paygate.db
	WALBytes      int64 // paygate.db-wal, the write-ahead log beside it
	Total         StoredSize
	ByOutcome     map[NotificationOutcome]StoredSize
	Strangers     StoredSize // the refused and unreadable ones no known phone sent

	// Retention: requests that made no payment are deleted once older; 0 = kept forever.
	Retention time.Duration
	Limits    StrangerLimits
}

// Notification is a stored forwarder request with what became of it.
type Notification struct {
	ID           int64
	ReceivedAt   time.Time
	Endpoint     string
	HTTPMethod   string
	RemoteIP     string
	DeviceID     int64
	DeviceName   string
	Outcome      NotificationOutcome
	Reason       string // why it made no payment: a machine word or an English sentence
	ReasonZh     string // a refusal's reason in Chinese; "" for the others
	SenderID     string
	Package      string
	Title        string
	Text         string
	Amount       money.Fen // 0 unless a payment
	Method       Method
	CustomerType string
	PaymentID    string
	Query        string
	Body         string // as received; invalid UTF-8 replaced for display
	Header       map[string]string
	// CutFrom is the original size in bytes (headers, query and body) of a
	// request that no known phone sent and that was cut short; 0 when it is
	// stored whole.
	CutFrom int64
}

// NotificationText is what a forwarder reported, for people to read.
type NotificationText struct {
	ID         int64
	ReceivedAt time.Time
	Endpoint   string
	Package    string
	Title      string
	Text       string
}
