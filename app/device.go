package app

import "time"

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
