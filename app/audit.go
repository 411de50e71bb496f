package app

import (
	"encoding/json"
	"strings"
	"time"
)

// AuditEntry records who did what, and when.
type AuditEntry struct {
	ID      int64
	At      time.Time
	Actor   string // admin username, "api" or "system"
	Action  string // e.g. payment.confirm
	Subject string // the id acted on
	Detail  string // free text, or AuditFields (a JSON object) the console words per action
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
	AuditPaymentRecord   = "payment.record" // 手动补单: a person recorded money no phone reported
	AuditAPIKeyCreate    = "settings.api_key_create"
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

// Audit actions of the 易支付 V2 (RSA) keys.
const (
	AuditEpayMerchantKey = "settings.epay_merchant_key" // the shop's public key entered, generated or removed
	AuditEpayPlatformKey = "settings.epay_platform_key" // paygate's platform key pair replaced
)

// AuditActions is every audit action, so the console can word each one.
var AuditActions = []string{
	AuditAdminCreated, AuditLogin, AuditLogout, AuditPassword, AuditAdminReset,
	AuditPaymentConfirm, AuditPaymentIgnore, AuditPaymentRecord, AuditCallbackResend, AuditCallbackTest,
	AuditOrderClose, AuditSettings, AuditAPIKeyCreate, AuditAPIKeyRotate, AuditTuning, AuditPayQR,
	AuditDeviceCreate, AuditDeviceRename, AuditDeviceRotateKey, AuditDeviceDelete,
	AuditLinkCreate, AuditLinkEnable, AuditLinkDisable, AuditLinkDelete, AuditPayQRAmount, AuditPayQRAmountDrop,
	AuditAPIKeyForwardingOff, AuditAPIKeyForwardingOn, AuditEpayMerchantKey, AuditEpayPlatformKey,
	AuditPublicURL, AuditAlertChannelAdd, AuditAlertChannelOn, AuditAlertChannelOff, AuditAlertChannelDrop,
	AuditAlertChannelTest, AuditAlertQuietHours,
}

// AuditFields writes an audit detail as a JSON object of name/value pairs
// (given as name, value, name, value …; empty values left out), so the
// console can word it in the reader's language: order, product,
// shopNumber, received, payable, why, note, method, receivedAt.
func AuditFields(pairs ...string) string {
	m := make(map[string]string, len(pairs)/2)
	for i := 0; i+1 < len(pairs); i += 2 {
		if pairs[i+1] != "" {
			m[pairs[i]] = pairs[i+1]
		}
	}
	b, _ := json.Marshal(m) // cannot fail: strings only
	return string(b)
}

// ParseAuditFields reads a detail AuditFields wrote; ok is false for the
// free text older entries carry.
func ParseAuditFields(detail string) (map[string]string, bool) {
	if !strings.HasPrefix(detail, "{") {
		return nil, false
	}
	var m map[string]string
	if err := json.Unmarshal([]byte(detail), &m); err != nil {
		return nil, false
	}
	return m, true
}
