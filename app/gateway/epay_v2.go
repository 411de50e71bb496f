package gateway

import (
	"context"
	"crypto/rsa"

	"paygate/app"
	"paygate/app/console"
	"paygate/app/epay"
	"paygate/app/store"
)

// 彩虹易支付 V2: /api/pay/create, query and refund (submit and create make
// their orders through EpayCreate), the platform key that signs the answers,
// notifies and returns, and the keys on the settings page.

// EpayPlatformKey is paygate's 易支付 V2 platform private key, made on first
// use (RSA-2048): its public half is what the shop pastes as 平台公钥.
func (g *Gateway) EpayPlatformKey(ctx context.Context) (*rsa.PrivateKey, error) {
	text, err := g.db.EpayPlatformKey(ctx)
	if err != nil {
		return nil, err
	}
	if text == "" {
		k, err := epay.NewKeyPair()
		if err != nil {
			return nil, err
		}
		if text, err = g.db.EnsureEpayPlatformKey(ctx, epay.PrivateKeyBase64(k)); err != nil {
			return nil, err
		}
	}
	return g.epayKeys.Private(text)
}

// EpayV2Sign signs a V2 answer with the platform key, now.
func (g *Gateway) EpayV2Sign(ctx context.Context, r epay.Response) (epay.Response, error) {
	key, err := g.EpayPlatformKey(ctx)
	if err != nil {
		return nil, err
	}
	return r.Signed(key, g.db.Now()), nil
}

// EpayV2Query answers /api/pay/query: the request checked (pid, timestamp,
// sign), the order found by trade_no or else out_trade_no, the answer signed.
func (g *Gateway) EpayV2Query(ctx context.Context, req epay.V2Request) (epay.Response, error) {
	s, err := g.db.Settings(ctx)
	if err != nil {
		return nil, err
	}
	if err := req.Check(epayMerchant(s), g.db.Now()); err != nil {
		return nil, err
	}
	tradeNo, outTradeNo, err := req.OrderNumber()
	if err != nil {
		return nil, err
	}
	o, ep, err := g.epayOrder(ctx, tradeNo, outTradeNo)
	if err != nil {
		return nil, err
	}
	return g.EpayV2Sign(ctx, epay.QueryResponse(o, ep, s.PID()))
}

// EpayV2Refund answers /api/pay/refund: a genuine request is refused all the
// same, as no refund can be made from a personal 收款码.
func (g *Gateway) EpayV2Refund(ctx context.Context, req epay.V2Request) error {
	s, err := g.db.Settings(ctx)
	if err != nil {
		return err
	}
	if err := req.Check(epayMerchant(s), g.db.Now()); err != nil {
		return err
	}
	return epay.ErrNoRefund()
}

// epayOrder finds an order by our id (with its 易支付 request when it has
// one) or by the shop's out_trade_no.
func (g *Gateway) epayOrder(ctx context.Context, tradeNo, outTradeNo string) (app.Order, *app.EpayOrder, error) {
	if tradeNo != "" {
		return g.db.EpayOrderByTradeNo(ctx, tradeNo)
	}
	o, e, err := g.db.EpayOrderByOutTradeNo(ctx, outTradeNo)
	return o, &e, err
}

// PayerReturnURL is where the checkout page sends the payer of o once paid:
// o's returnUrl, except for an order made through 易支付 V2, whose return
// carries a timestamp and is signed now with the platform key (the shop
// refuses one older than 5 minutes). "" when o has no return URL.
func (g *Gateway) PayerReturnURL(ctx context.Context, o app.Order) (string, error) {
	if o.Status != app.OrderSuccess || o.ReturnURL == "" {
		return o.ReturnURL, nil
	}
	_, ep, err := g.db.EpayOrderByTradeNo(ctx, o.ID)
	if err != nil || ep == nil || ep.Protocol != epay.ProtocolV2 || ep.ReturnURL == "" {
		return o.ReturnURL, err
	}
	key, err := g.EpayPlatformKey(ctx)
	if err != nil {
		return "", err
	}
	return epay.WithQuery(ep.ReturnURL, epay.NotifyParamsV2(*ep, o.PaymentID, key, g.db.Now())), nil
}

// EpayV2Keys is the settings page's 易支付 V2 section: the platform public
// key to copy into the shop (made on first view) and the merchant public key
// entered, if any.
func (g *Gateway) EpayV2Keys(ctx context.Context) (console.EpayV2Keys, error) {
	key, err := g.EpayPlatformKey(ctx)
	if err != nil {
		return console.EpayV2Keys{}, err
	}
	s, err := g.db.Settings(ctx)
	if err != nil {
		return console.EpayV2Keys{}, err
	}
	return console.EpayV2Keys{
		PID:                  s.PID(),
		PlatformPublicKey:    epay.PublicKeyBase64(&key.PublicKey),
		PlatformPublicKeyPEM: epay.PublicKeyPEM(&key.PublicKey),
		MerchantPublicKey:    s.EpayPublicKey,
	}, nil
}

// SetEpayMerchantPublicKey stores the shop's RSA public key, pasted as bare
// base64 or PEM, after checking it (RSA, 2048 bits or more), as bare base64
// SPKI. by is the admin, for the audit log.
func (g *Gateway) SetEpayMerchantPublicKey(ctx context.Context, text, by string) error {
	pub, err := epay.ParsePublicKey(text)
	if err != nil {
		return err
	}
	b64 := epay.PublicKeyBase64(pub)
	if err := g.db.UpdateSettings(ctx, store.SettingsPatch{EpayPublicKey: &b64}); err != nil {
		return err
	}
	return g.db.AddAudit(ctx, app.AuditEntry{Actor: by, Action: app.AuditEpayMerchantKey, Detail: "entered …" + b64[len(b64)-12:]})
}

// GenerateEpayMerchantKeyPair makes a merchant key pair, as 彩虹易支付's
// 商户后台 does: the public half is stored, the private half returned to be
// shown once (bare base64 PKCS#8, SDK_2.0's merchant_private_key) and kept
// nowhere.
func (g *Gateway) GenerateEpayMerchantKeyPair(ctx context.Context, by string) (string, error) {
	k, err := epay.NewKeyPair()
	if err != nil {
		return "", err
	}
	b64 := epay.PublicKeyBase64(&k.PublicKey)
	if err := g.db.UpdateSettings(ctx, store.SettingsPatch{EpayPublicKey: &b64}); err != nil {
		return "", err
	}
	if err := g.db.AddAudit(ctx, app.AuditEntry{Actor: by, Action: app.AuditEpayMerchantKey, Detail: "generated …" + b64[len(b64)-12:]}); err != nil {
		return "", err
	}
	return epay.PrivateKeyBase64(k), nil
}

// RemoveEpayMerchantPublicKey forgets the shop's public key: RSA-signed
// requests are refused until one is entered again.
func (g *Gateway) RemoveEpayMerchantPublicKey(ctx context.Context, by string) error {
	none := ""
	if err := g.db.UpdateSettings(ctx, store.SettingsPatch{EpayPublicKey: &none}); err != nil {
		return err
	}
	return g.db.AddAudit(ctx, app.AuditEntry{Actor: by, Action: app.AuditEpayMerchantKey, Detail: "removed"})
}

// RotateEpayPlatformKey replaces the platform key pair: shops must paste
// the new public key, and notifies already queued are signed with the new key.
func (g *Gateway) RotateEpayPlatformKey(ctx context.Context, by string) error {
	k, err := epay.NewKeyPair()
	if err != nil {
		return err
	}
	if err := g.db.ReplaceEpayPlatformKey(ctx, epay.PrivateKeyBase64(k)); err != nil {
		return err
	}
	b64 := epay.PublicKeyBase64(&k.PublicKey)
	return g.db.AddAudit(ctx, app.AuditEntry{Actor: by, Action: app.AuditEpayPlatformKey, Detail: "new platform key …" + b64[len(b64)-12:]})
}
