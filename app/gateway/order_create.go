package gateway

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"paygate/app"
	"paygate/app/netguard"
)

// OrderRequest is a create-order request as text fields, before validation.
type OrderRequest struct {
	ProductName     string
	Amount          string // yuan, e.g. "0.01"
	AmountPresent   bool
	PaymentMethod   string
	MerchantOrderID string
	NotifyURL       string
	ReturnURL       string
	Attach          string
	ClientIP        string
}

// CreateOrder validates req and creates the order on a free amount slot.
// A slot released within the match grace period is not free (slot cooldown):
// the grace in force now is used, so a change on the settings page applies to
// the next order. created is false when merchantOrderId named an existing
// identical order; sent again, a pending order switches to a method it
// names, and one expired within epay.reopen_within is reopened.
// Without paymentMethod the order has no slot until its payer picks.
func (g *Gateway) CreateOrder(ctx context.Context, req OrderRequest) (o app.Order, created bool, err error) {
	t := g.Tuning()
	in, err := validateOrder(req, t)
	if err != nil {
		return app.Order{}, false, err
	}
	in.Reopen = g.reopenWithin
	if err := g.checkCallbackTarget(ctx, "notifyUrl", in.NotifyURL); err != nil {
		return app.Order{}, false, err
	}
	return g.db.CreateOrder(ctx, newOrderID, in, t.OrderLifetime, t.Slots, t.Match.Grace)
}

func validateOrder(req OrderRequest, t app.Tuning) (app.OrderInput, error) {
	in := app.OrderInput{ClientIP: req.ClientIP}

	name := strings.TrimSpace(req.ProductName)
	switch n := utf8.RuneCountInString(name); {
	case n == 0:
		return in, app.NewError(app.EINVALID, "productName",
			"缺少商品名称 productName：请填写 1 到 50 个字符的商品名称。",
			"productName is missing: give a product name of 1 to 50 characters.")
	case n > app.MaxProductNameRunes:
		return in, app.NewError(app.EINVALID, "productName",
			fmt.Sprintf("商品名称 productName 太长（%d 个字符）：最多 50 个字符，请缩短。", n),
			fmt.Sprintf("productName is too long (%d characters): at most 50 are allowed; shorten it.", n))
	case !utf8.ValidString(name) || strings.IndexFunc(name, unicode.IsControl) >= 0:
		return in, app.NewError(app.EINVALID, "productName",
			"商品名称 productName 含有控制字符或无效编码：请只用普通文字。",
			"productName contains control characters or invalid encoding: use plain text only.")
	}
	in.ProductName = name

	amount, err := app.ParseAmount("amount", req.Amount, req.AmountPresent, t.MinAmount, t.MaxAmount)
	if err != nil {
		return in, err
	}
	in.Amount = amount

	// Without a method the payer chooses on the checkout page.
	if strings.TrimSpace(req.PaymentMethod) != "" {
		if in.Method, err = ParseMethod(req.PaymentMethod); err != nil {
			return in, err
		}
	}

	mid := strings.TrimSpace(req.MerchantOrderID)
	if len(mid) > app.MaxMerchantOrderID || strings.IndexFunc(mid, func(r rune) bool { return r <= ' ' || r > '~' }) >= 0 {
		return in, app.NewError(app.EINVALID, "merchantOrderId",
			"商户订单号 merchantOrderId 只能由 1 到 64 个英文字母、数字或符号组成，不能有空格或中文。",
			"merchantOrderId must be 1 to 64 ASCII letters, digits or symbols, without spaces.")
	}
	if strings.HasPrefix(mid, app.EpayPrefix) {
		return in, app.NewError(app.EINVALID, "merchantOrderId",
			"商户订单号 merchantOrderId 不能以 epay: 开头：这个前缀留给通过易支付接口（submit.php、mapi.php）创建的订单，请换一个订单号。",
			"merchantOrderId must not start with epay: — the prefix is reserved for orders created through the 易支付 endpoints (submit.php, mapi.php); use another number.")
	}
	in.MerchantOrderID = mid

	if in.NotifyURL, err = app.ParseURL("notifyUrl", req.NotifyURL); err != nil {
		return in, err
	}
	if in.ReturnURL, err = app.ParseURL("returnUrl", req.ReturnURL); err != nil {
		return in, err
	}
	if len(req.Attach) > app.MaxAttachBytes || !utf8.ValidString(req.Attach) {
		return in, app.NewError(app.EINVALID, "attach",
			"附加数据 attach 最多 1024 字节的 UTF-8 文本。",
			"attach must be UTF-8 text of at most 1024 bytes.")
	}
	in.Attach = req.Attach
	return in, nil
}

// ParseMethod reads a payment method name.
func ParseMethod(s string) (app.Method, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "alipay":
		return app.MethodAlipay, nil
	case "wechat":
		return app.MethodWechat, nil
	case "":
		return "", app.NewError(app.EINVALID, "paymentMethod",
			"缺少支付方式 paymentMethod：请填写 alipay（支付宝）或 wechat（微信）。",
			"paymentMethod is missing: use alipay or wechat.")
	}
	shown := app.Clip(s, 20)
	return "", app.NewError(app.EINVALID, "paymentMethod",
		"不支持的支付方式 "+shown+"：paymentMethod 只能是 alipay（支付宝）或 wechat（微信）。",
		"Unknown payment method "+shown+": paymentMethod must be alipay or wechat.")
}

// checkCallbackTarget refuses, before the order exists, a per-order callback
// URL whose host is an internal address or a localhost name, unless it is
// the configured callback URL's host or allowed by callback.allow_hosts.
// Host names are checked again on the address dialled, at every attempt.
func (g *Gateway) checkCallbackTarget(ctx context.Context, field, rawURL string) error {
	if rawURL == "" || g.guard.CheckURL(rawURL, "") == nil {
		return nil
	}
	s, err := g.db.Settings(ctx)
	if err != nil {
		return err
	}
	err = g.guard.CheckURL(rawURL, s.CallbackURL)
	var blocked *netguard.BlockedError
	if !errors.As(err, &blocked) {
		return err
	}
	if blocked.Kind == app.AddressSelf {
		return app.NewError(app.EINVALID, field,
			field+" 指向 paygate 自己（"+blocked.Target()+"）：回调要发给商城，请填写商城接收通知的地址。",
			field+" points at paygate itself ("+blocked.Target()+"): callbacks go to the shop; give the address where the shop receives them.")
	}
	return app.NewError(app.EINVALID, field,
		field+" 指向 "+blocked.Target()+"，这是"+blocked.Kind.Zh+"：paygate 不按单笔订单的回调地址访问本机或内网，以免被用来探测内部服务。"+
			"请填写商城的公网地址；如果商城确实在本机或内网，请在 config.yaml 的 callback.allow_hosts（或环境变量 PAYGATE_CALLBACK_ALLOW_HOSTS）中加入 "+
			blocked.Host+"，或在后台“设置”里把回调地址设为这个主机上的地址。",
		field+" points at "+blocked.Target()+", "+blocked.Kind.En+": paygate does not call this machine or the local network from a per-order callback URL, "+
			"so it cannot be used to probe internal services. Give the shop's public address; if the shop really runs on this machine or the LAN, add "+
			blocked.Host+" to callback.allow_hosts in config.yaml (environment PAYGATE_CALLBACK_ALLOW_HOSTS), or make the callback URL in the settings one on this host.")
}
