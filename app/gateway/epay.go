package gateway

import (
	"context"

	"paygate/app"
	"paygate/app/epay"
	"paygate/app/store"
)

// 易支付 (epay) compatibility: the core of submit.php, mapi.php and api.php,
// and of 彩虹易支付 V2's /api/pay/* (epay_v2.go). The requests are read and
// checked by package epay; this is where they meet the settings (pid, keys,
// limits) and the store.

// EpayCreate checks an 易支付 request (pid, for V2 the timestamp, the MD5 or
// RSA sign, the fields) and creates its order, or returns the order the same
// out_trade_no created before (created = false). A repeat with other
// parameters is a conflict naming what changed; one with another type
// switches a pending order, and one of an order expired within
// epay.reopen_within reopens it (the same trade_no). Without type the payer
// picks the method on the checkout page. The order may be paid, expired or
// closed already: see epay.Payable.
//
// Every 易支付 order, V1 (submit.php, mapi.php) or V2 (/api/pay/submit,
// /api/pay/create), is made here.
func (g *Gateway) EpayCreate(ctx context.Context, req epay.CreateRequest) (app.Order, app.EpayOrder, bool, error) {
	s, err := g.db.Settings(ctx)
	if err != nil {
		return app.Order{}, app.EpayOrder{}, false, err
	}
	t := g.Tuning()
	in, e, err := req.Order(epayMerchant(s), g.db.Now(), t.MinAmount, t.MaxAmount)
	if err != nil {
		return app.Order{}, app.EpayOrder{}, false, err
	}
	in.Reopen = g.reopenWithin
	if err := g.checkCallbackTarget(ctx, "notify_url", e.NotifyURL); err != nil {
		return app.Order{}, app.EpayOrder{}, false, err
	}
	key := s.APIKey
	return g.db.CreateEpayOrder(ctx, newOrderID, store.EpayCreate{
		Order: in, Epay: e, Lifetime: t.OrderLifetime, Slots: t.Slots, Cooldown: t.Match.Grace,
		// The checkout page sends the payer back here once paid, with the
		// notify's signed parameters appended, as 彩虹易支付's return does.
		ReturnURL: epayReturnURL(key),
	})
}

// epayReturnURL builds an 易支付 order's return URL: for V1 the shop's
// return_url with the notify's parameters signed with key. A V2 return
// carries a timestamp that must be fresh when the payer arrives, so it is
// signed then (PayerReturnURL), not now.
func epayReturnURL(key string) func(app.EpayOrder) string {
	return func(e app.EpayOrder) string {
		if e.Protocol == epay.ProtocolV2 {
			return e.ReturnURL
		}
		return epay.WithQuery(e.ReturnURL, epay.NotifyParams(e, key))
	}
}

// epayMerchant is the merchant the 易支付 endpoints answer for. The public
// key was accepted by epay.ParsePublicKey before it was stored.
func epayMerchant(s app.Settings) epay.Merchant {
	m := epay.Merchant{PID: s.PID(), Key: s.APIKey}
	if s.EpayPublicKey != "" {
		m.PublicKey, _ = epay.ParsePublicKey(s.EpayPublicKey)
	}
	return m
}

// EpayQuery is api.php?act=order: the key must be the API key, and the order
// is found by trade_no (our order id) or else out_trade_no. ep is nil for
// orders not created through the 易支付 endpoints.
func (g *Gateway) EpayQuery(ctx context.Context, req epay.APIRequest) (o app.Order, ep *app.EpayOrder, pid string, err error) {
	s, err := g.checkEpayKey(ctx, req)
	if err != nil {
		return o, nil, "", err
	}
	tradeNo, outTradeNo, err := req.OrderNumber()
	if err != nil {
		return o, nil, "", err
	}
	if tradeNo != "" {
		o, ep, err = g.db.EpayOrderByTradeNo(ctx, tradeNo)
	} else {
		var e app.EpayOrder
		o, e, err = g.db.EpayOrderByOutTradeNo(ctx, outTradeNo)
		ep = &e
	}
	if err != nil {
		return app.Order{}, nil, "", err
	}
	return o, ep, s.PID(), nil
}

// EpayMerchant is api.php?act=query: the merchant behind pid and key.
type EpayMerchant struct {
	PID, Key string
	store.EpayTotals
}

// EpayMerchantInfo answers api.php?act=query.
func (g *Gateway) EpayMerchantInfo(ctx context.Context, req epay.APIRequest) (EpayMerchant, error) {
	s, err := g.checkEpayKey(ctx, req)
	if err != nil {
		return EpayMerchant{}, err
	}
	m := EpayMerchant{PID: s.PID(), Key: s.APIKey}
	m.EpayTotals, err = g.db.EpayTotals(ctx, g.db.Now())
	return m, err
}

// EpayRefund answers api.php?act=refund: the key is checked, then the
// refund refused, as no refund can be made from a personal 收款码.
func (g *Gateway) EpayRefund(ctx context.Context, req epay.APIRequest) error {
	if _, err := g.checkEpayKey(ctx, req); err != nil {
		return err
	}
	return epay.ErrNoRefund()
}

// checkEpayKey accepts api.php's plain pid and key (the API key).
func (g *Gateway) checkEpayKey(ctx context.Context, req epay.APIRequest) (app.Settings, error) {
	s, err := g.db.Settings(ctx)
	if err != nil {
		return s, err
	}
	return s, req.CheckKey(epayMerchant(s))
}
