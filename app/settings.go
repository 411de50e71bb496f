package app

// Settings are the merchant's settings that live in the database and that
// POST /api/config changes.
type Settings struct {
	APIKey      string
	CallbackURL string
	Name        string
	Description string
	EpayPID     string // 易支付 merchant id (pid); "" = DefaultEpayPID
}

// PID is the 易支付 merchant id clients must send: EpayPID, else DefaultEpayPID.
// The 易支付 merchant key is the API key.
func (s Settings) PID() string {
	if s.EpayPID == "" {
		return DefaultEpayPID
	}
	return s.EpayPID
}
