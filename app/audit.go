package app

import "time"

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

// Audit actions of payment links and fixed-amount 收款码.
const (
	AuditLinkCreate      = "link.create"
	AuditLinkEnable      = "link.enable"
	AuditLinkDisable     = "link.disable"
	AuditLinkDelete      = "link.delete"
	AuditPayQRAmount     = "settings.pay_qr_amount"
	AuditPayQRAmountDrop = "settings.pay_qr_amount_delete"
)

// Audit actions of the switch that lets the merchant API key stand in for a
// phone's device key.
const (
	AuditAPIKeyForwardingOff = "settings.api_key_forwarding_off"
	AuditAPIKeyForwardingOn  = "settings.api_key_forwarding_on"
)

// AuditReplica: the off-machine replica's settings were changed in the console.
const AuditReplica = "settings.replica"
