package app

// Settings are the merchant's settings that live in the database and that
// POST /api/config changes.
type Settings struct {
	APIKey      string
	CallbackURL string
	Name        string
	Description string
	EpayPID     string // 易支付 merchant id (pid); "" = DefaultEpayPID
	// EpayPublicKey is the shop's RSA public key for 易支付 V2 (sign_type=RSA),
	// bare base64 of its SubjectPublicKeyInfo; "" = none entered.
	EpayPublicKey string
}

// PID is the 易支付 merchant id clients must send: EpayPID, else DefaultEpayPID.
// The 易支付 merchant key is the API key.
func (s Settings) PID() string {
	if s.EpayPID == "" {
		return DefaultEpayPID
	}
	return s.EpayPID
}
