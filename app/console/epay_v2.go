package console

// EpayV2Keys is the settings page's 易支付 V2 (RSA) section.
type EpayV2Keys struct {
	PID string // the 易支付 merchant id
	// PlatformPublicKey is paygate's public key as one line of base64 (SPKI),
	// the form SDK_2.0's platform_public_key takes; PEM is the same key as a
	// PEM block, for software that wants one.
	PlatformPublicKey    string
	PlatformPublicKeyPEM string
	// MerchantPublicKey is the shop's public key entered (bare base64), "" = none.
	MerchantPublicKey string
	// MerchantPrivateKey is a merchant private key paygate just made, shown
	// once and kept nowhere; "" on every other view.
	MerchantPrivateKey string
}
