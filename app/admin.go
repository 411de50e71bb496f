package app

import (
	"time"

	"paygate/app/money"
)

// Admin is the person who runs the shop and logs in to the admin console.
type Admin struct {
	ID           int64
	Username     string
	PasswordHash string
	CreatedAt    time.Time
}

// Session is a logged-in browser. Only the hash of its token is stored.
type Session struct {
	TokenHash string
	Admin     Admin
	CreatedAt time.Time
	ExpiresAt time.Time
	RemoteIP  string
	UserAgent string
}

// AuditEntry records who did what, and when.
type AuditEntry struct {
	ID      int64
	At      time.Time
	Actor   string // admin username, "api" or "system"
	Action  string // e.g. payment.confirm
	Subject string // the id acted on
	Detail  string
}

// Audit actions.
const (
	AuditAdminCreated    = "admin.create"
	AuditLogin           = "admin.login"
	AuditLogout          = "admin.logout"
	AuditPassword        = "admin.password"
	AuditAdminReset      = "admin.reset"
	AuditPaymentConfirm  = "payment.confirm"
	AuditPaymentIgnore   = "payment.ignore"
	AuditCallbackResend  = "callback.resend"
	AuditCallbackTest    = "callback.test"
	AuditOrderClose      = "order.close"
	AuditSettings        = "settings.update"
	AuditAPIKeyRotate    = "settings.api_key"
	AuditTuning          = "settings.tuning"
	AuditPayQR           = "settings.pay_qr"
	AuditDeviceCreate    = "device.create"
	AuditDeviceRename    = "device.rename"
	AuditDeviceRotateKey = "device.rotate_key"
	AuditDeviceDelete    = "device.delete"
)

// PayQR is a 收款码 of one payment method: the picture and what it encodes.
type PayQR struct {
	Method      Method
	Amount      money.Fen // 0: the method's general code; else a fixed-amount code for exactly this amount
	Image       []byte
	ContentType string
	Payload     string
	UpdatedAt   time.Time
}

// CandidateOrder is an order an unmatched payment may belong to.
type CandidateOrder struct {
	Order      Order
	Confidence Confidence
	Why        string // machine reason: "pending", "pending_method_unknown", "several", "previous_holder", "expired"
}

// CallbackSummary is a merchant callback with the payment it reports.
type CallbackSummary struct {
	Callback
	Amount        money.Fen
	Method        Method
	LastAttemptAt time.Time
	LastHTTP      int
}

// PeriodStats sums up a time range for the dashboard.
type PeriodStats struct {
	From, To       time.Time
	Revenue        money.Fen // paid orders' payments, by payment time
	Orders         int       // orders created in the range
	Paid           int       // of those, paid
	Finished       int       // of those, no longer pending (paid, expired or closed)
	AvgPaySeconds  float64   // mean time from creation to payment, of paid orders
	PaidInRange    int       // orders paid in the range, whenever created
	UnmatchedCount int       // payments received in the range still waiting for a person
}

// SuccessRate is paid / finished orders, 0..1; -1 when none finished.
func (s PeriodStats) SuccessRate() float64 {
	if s.Finished == 0 {
		return -1
	}
	return float64(s.Paid) / float64(s.Finished)
}

// DayRevenue is one day (Shanghai) of the revenue chart.
type DayRevenue struct {
	Day     time.Time // midnight, Shanghai
	Revenue money.Fen
	Orders  int
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
