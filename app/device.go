package app

import (
	"time"

	"paygate/app/money"
)

// Device is a forwarder: a phone that sends payment notifications.
type Device struct {
	ID              int64
	Name            string
	Key             string // its own secret; "" for the device that uses the merchant API key
	UsesAPIKey      bool
	CreatedAt       time.Time
	LastSeenAt      time.Time // any authenticated request
	LastHeartbeatAt time.Time // V免签 appHeart
	LastIP          string
	LastKind        string // smsforwarder, vmq, webhook
	Online          bool   // seen within the offline threshold
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
	Reason       string
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
