package gateway

import (
	"context"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"paygate/app"
	"paygate/app/epay"
	"paygate/app/sign"
	"paygate/app/store"
)

// 易支付 (epay) compatibility: the core of submit.php, mapi.php and api.php.
// The web layer passes every parameter as sent (they are all signed); the
// answers' shapes are the web layer's.

// Limits of 易支付 fields.
const (
	MaxOutTradeNo    = 128 // 彩虹易支付 allows [a-zA-Z0-9._-|]+
	MaxEpayNameBytes = 127 // 彩虹易支付 cuts longer names to 127 bytes
)

// EpayRequest is a submit.php or mapi.php request.
type EpayRequest struct {
	Params   map[string]string // every parameter as sent; all of them are signed
	ClientIP string            // the peer's address, used when clientip is absent
}

// EpayCreate checks an 易支付 request (pid, MD5 sign, fields) and creates its
// order, or returns the order the same out_trade_no created before (created =
// false). A repeat with other parameters is a conflict naming what changed.
// The order may be paid, expired or closed already: see EpayPayable.
func (g *Gateway) EpayCreate(ctx context.Context, req EpayRequest) (app.Order, app.EpayOrder, bool, error) {
	s, err := g.checkEpaySign(ctx, req.Params)
	if err != nil {
		return app.Order{}, app.EpayOrder{}, false, err
	}
	t := g.Tuning()
	in, e, err := validateEpay(req, s.PID(), t)
	if err != nil {
		return app.Order{}, app.EpayOrder{}, false, err
	}
	if err := g.checkCallbackTarget(ctx, "notify_url", e.NotifyURL); err != nil {
		return app.Order{}, app.EpayOrder{}, false, err
	}
	key := s.APIKey
	return g.db.CreateEpayOrder(ctx, newOrderID, store.EpayCreate{
		Order: in, Epay: e, Lifetime: t.OrderLifetime, Slots: t.Slots, Cooldown: t.Match.Grace,
		// The checkout page sends the payer back here once paid, with the
		// notify's signed parameters appended, as 彩虹易支付's return does.
		ReturnURL: func(e app.EpayOrder) string { return epay.WithQuery(e.ReturnURL, epay.NotifyParams(e, key)) },
	})
}

// EpayPayable says why a payer cannot pay o now: paid already, expired or
// closed. nil while it is pending.
func EpayPayable(o app.Order, e app.EpayOrder) error {
	switch o.Status {
	case app.OrderSuccess:
		return app.NewError(app.ECONFLICT, "out_trade_no",
			"该订单("+e.OutTradeNo+")已完成支付，请勿重复发起支付。如果商城没有收到支付通知，请在 paygate 后台的“回调”页重发。",
			"Order "+e.OutTradeNo+" is paid already; do not start the payment again. If the shop missed the notification, resend it from the Callbacks page of the paygate console.")
	case app.OrderExpired:
		return app.NewError(app.ECONFLICT, "out_trade_no",
			"该订单("+e.OutTradeNo+")已过期（"+app.FormatTime(o.ExpiresAt)+" 前未支付）：请在商城重新下单，用新的订单号发起支付。",
			"Order "+e.OutTradeNo+" expired unpaid at "+app.FormatTime(o.ExpiresAt)+": place the order again in the shop, with a new order number.")
	case app.OrderFailed:
		return app.NewError(app.ECONFLICT, "out_trade_no",
			"该订单("+e.OutTradeNo+")已被关闭：请在商城重新下单，用新的订单号发起支付。",
			"Order "+e.OutTradeNo+" was closed: place the order again in the shop, with a new order number.")
	}
	return nil
}

// checkEpaySign accepts a request with this paygate's pid and a valid MD5
// sign made with the API key (the 易支付 merchant key).
func (g *Gateway) checkEpaySign(ctx context.Context, p map[string]string) (app.Settings, error) {
	s, err := g.checkEpayPID(ctx, p)
	if err != nil {
		return s, err
	}
	if st := strings.TrimSpace(p["sign_type"]); st != "" && !strings.EqualFold(st, "MD5") {
		return s, app.NewError(app.EINVALID, "sign_type",
			"签名类型(sign_type) "+quoteShort(st)+" 不支持：paygate 只支持 MD5，请在商城的支付设置里选择 MD5 签名。",
			"sign_type "+quoteShort(st)+" is not supported: paygate only does MD5; choose MD5 signing in the shop's payment settings.")
	}
	if strings.TrimSpace(p["sign"]) == "" {
		return s, app.NewError(app.EUNAUTHORIZED, "sign",
			"缺少签名(sign)：请按易支付规则用商户密钥（paygate 的 API 密钥）对参数做 MD5 签名。",
			"sign is missing: sign the parameters with MD5 and the merchant key (paygate's API key), as 易支付 does.")
	}
	if !epay.Verify(p, s.APIKey, p["sign"]) {
		return s, app.NewError(app.EUNAUTHORIZED, "sign",
			"签名校验失败：请确认商城里填写的商户密钥就是 paygate 后台设置页的 API 密钥（更换过密钥要同步修改）。签名方法：去掉 sign、sign_type 和空值，参数按名称排序拼成 a=1&b=2（不做 URL 编码），末尾直接接上密钥，取 MD5 的小写十六进制。",
			"Signature check failed: make sure the merchant key entered in the shop is the API key on paygate's settings page (update it after a rotation). The sign: drop sign, sign_type and empty values, sort by name, join as a=1&b=2 (no URL encoding), append the key, MD5 in lowercase hex.")
	}
	return s, nil
}

// checkEpayPID loads the settings and checks the request names this paygate.
func (g *Gateway) checkEpayPID(ctx context.Context, p map[string]string) (app.Settings, error) {
	s, err := g.db.Settings(ctx)
	if err != nil {
		return s, err
	}
	if s.APIKey == "" {
		return s, app.NewError(app.EUNAUTHORIZED, "",
			"这个 paygate 还没有设置 API 密钥（它就是易支付的商户密钥）：请在 paygate 后台设置页生成一个，再填到商城的支付设置里。",
			"This paygate has no API key yet (it is the 易支付 merchant key): generate one on paygate's settings page and enter it in the shop's payment settings.")
	}
	pid := strings.TrimSpace(p["pid"])
	if pid == "" {
		return s, app.NewError(app.EINVALID, "pid",
			"商户ID(pid)不能为空：这个 paygate 的商户ID是 "+s.PID()+"（后台设置页可查看）。",
			"pid is missing: this paygate's merchant id is "+s.PID()+" (see the settings page).")
	}
	if pid != s.PID() {
		return s, app.NewError(app.EUNAUTHORIZED, "pid",
			"商户ID(pid) "+quoteShort(pid)+" 不存在：这个 paygate 的商户ID是 "+s.PID()+"，请在商城的支付设置里填写它（后台设置页可查看或修改）。",
			"No merchant "+quoteShort(pid)+": this paygate's merchant id (pid) is "+s.PID()+"; enter it in the shop's payment settings (see or change it on the settings page).")
	}
	return s, nil
}

// epayMethod maps an 易支付 type to a method: alipay; wxpay (and wechat) → wechat.
func epayMethod(t string) (app.Method, bool) {
	switch strings.ToLower(strings.TrimSpace(t)) {
	case "alipay":
		return app.MethodAlipay, true
	case "wxpay", "wechat":
		return app.MethodWechat, true
	}
	return "", false
}

// validateEpay reads the fields of a signed 易支付 request.
func validateEpay(req EpayRequest, pid string, t app.Tuning) (app.OrderInput, app.EpayOrder, error) {
	p := req.Params
	var in app.OrderInput
	e := app.EpayOrder{PID: pid}

	typ := strings.TrimSpace(p["type"])
	if typ == "" {
		return in, e, app.NewError(app.EINVALID, "type",
			"支付方式(type)不能为空：请传 alipay（支付宝）或 wxpay（微信支付）。",
			"type is missing: send alipay or wxpay.")
	}
	m, ok := epayMethod(typ)
	if !ok {
		return in, e, app.NewError(app.EINVALID, "type",
			"不支持的支付方式(type) "+quoteShort(typ)+"：paygate 只收支付宝（alipay）和微信支付（wxpay），请在商城里只开启这两种。",
			"Unsupported type "+quoteShort(typ)+": paygate takes alipay and wxpay only; enable just these two in the shop.")
	}
	in.Method, e.Type = m, typ

	e.OutTradeNo = strings.TrimSpace(p["out_trade_no"])
	switch {
	case e.OutTradeNo == "":
		return in, e, app.NewError(app.EINVALID, "out_trade_no",
			"订单号(out_trade_no)不能为空：请传商城自己的订单号。", "out_trade_no is missing: send the shop's own order number.")
	case len(e.OutTradeNo) > MaxOutTradeNo || strings.IndexFunc(e.OutTradeNo, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("._-|", r))
	}) >= 0:
		return in, e, app.NewError(app.EINVALID, "out_trade_no",
			fmt.Sprintf("订单号(out_trade_no)格式不正确（收到 %s）：只能用 1 到 %d 个英文字母、数字和 . _ - |。", quoteShort(e.OutTradeNo), MaxOutTradeNo),
			fmt.Sprintf("out_trade_no is malformed (got %s): use 1 to %d letters, digits and . _ - | only.", quoteShort(e.OutTradeNo), MaxOutTradeNo))
	}

	var err error
	if strings.TrimSpace(p["notify_url"]) == "" {
		return in, e, app.NewError(app.EINVALID, "notify_url",
			"通知地址(notify_url)不能为空：支付成功后 paygate 要 GET 这个地址通知商城。",
			"notify_url is missing: paygate calls it (GET) to tell the shop an order was paid.")
	}
	if e.NotifyURL, err = validURL("notify_url", p["notify_url"]); err != nil {
		return in, e, err
	}
	if e.ReturnURL, err = validURL("return_url", p["return_url"]); err != nil {
		return in, e, err
	}

	name := strings.TrimSpace(p["name"])
	switch {
	case name == "":
		return in, e, app.NewError(app.EINVALID, "name",
			"商品名称(name)不能为空。", "name (the product name) is missing.")
	case !utf8.ValidString(name) || strings.IndexFunc(name, unicode.IsControl) >= 0:
		return in, e, app.NewError(app.EINVALID, "name",
			"商品名称(name)含有控制字符或无效编码：请只用普通文字（UTF-8）。",
			"name contains control characters or invalid encoding: use plain UTF-8 text.")
	}
	e.Name = cutBytes(name, MaxEpayNameBytes)
	in.ProductName = cutRunes(e.Name, MaxProductNameRunes)

	money := strings.TrimSpace(p["money"])
	if money != "" && strings.Trim(money, "0123456789.") != "" {
		return in, e, app.NewError(app.EINVALID, "money",
			"金额(money)不合法（收到 "+quoteShort(money)+"）：只能是数字和小数点，以元为单位，最多两位小数，例如 10.00。",
			"money is not valid (got "+quoteShort(money)+"): digits and a decimal point only, in yuan, at most 2 decimals, e.g. 10.00.")
	}
	if in.Amount, err = ParseAmount("money", money, money != "", t.MinAmount, t.MaxAmount); err != nil {
		return in, e, err
	}
	e.Money = money

	e.Param = p["param"]
	if len(e.Param) > MaxAttachBytes || !utf8.ValidString(e.Param) {
		return in, e, app.NewError(app.EINVALID, "param",
			"业务扩展参数(param)最多 1024 字节的 UTF-8 文本。", "param must be UTF-8 text of at most 1024 bytes.")
	}
	in.NotifyURL, in.Attach = e.NotifyURL, e.Param

	in.ClientIP = strings.TrimSpace(p["clientip"])
	if len(in.ClientIP) > 64 || in.ClientIP == "" {
		in.ClientIP = req.ClientIP
	}
	return in, e, nil
}

// cutBytes shortens s to at most n bytes without splitting a character.
func cutBytes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

func cutRunes(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}

// EpayQuery is api.php?act=order: the key must be the API key, and the order
// is found by trade_no (our order id) or else out_trade_no. ep is nil for
// orders not created through the 易支付 endpoints.
func (g *Gateway) EpayQuery(ctx context.Context, p map[string]string) (o app.Order, ep *app.EpayOrder, pid string, err error) {
	s, err := g.checkEpayKey(ctx, p)
	if err != nil {
		return o, nil, "", err
	}
	tradeNo, outTradeNo := strings.TrimSpace(p["trade_no"]), strings.TrimSpace(p["out_trade_no"])
	switch {
	case tradeNo != "":
		if len(tradeNo) > 64 {
			return o, nil, "", app.NewError(app.EINVALID, "trade_no",
				"订单号(trade_no)太长：paygate 的订单号以 ORD 开头，不超过 64 个字符。",
				"trade_no is too long: paygate order ids start with ORD and have at most 64 characters.")
		}
		o, ep, err = g.db.EpayOrderByTradeNo(ctx, tradeNo)
	case outTradeNo != "":
		if len(outTradeNo) > MaxOutTradeNo {
			return o, nil, "", app.NewError(app.EINVALID, "out_trade_no",
				"订单号(out_trade_no)太长：最多 128 个字符。", "out_trade_no is too long: at most 128 characters.")
		}
		var e app.EpayOrder
		o, e, err = g.db.EpayOrderByOutTradeNo(ctx, outTradeNo)
		ep = &e
	default:
		return o, nil, "", app.NewError(app.EINVALID, "out_trade_no",
			"订单号不能为空：请传 out_trade_no（商城的订单号）或 trade_no（paygate 的订单号）。",
			"No order number: send out_trade_no (the shop's order number) or trade_no (paygate's).")
	}
	if err != nil {
		return app.Order{}, nil, "", err
	}
	return o, ep, s.PID(), nil
}

// EpayMerchant is api.php?act=query: the merchant behind pid and key.
type EpayMerchant struct {
	PID, Key                 string
	Orders, Today, Yesterday int // orders created: in total, today, yesterday (Shanghai days)
}

// EpayMerchantInfo answers api.php?act=query.
func (g *Gateway) EpayMerchantInfo(ctx context.Context, p map[string]string) (EpayMerchant, error) {
	s, err := g.checkEpayKey(ctx, p)
	if err != nil {
		return EpayMerchant{}, err
	}
	m := EpayMerchant{PID: s.PID(), Key: s.APIKey}
	m.Orders, m.Today, m.Yesterday, err = g.db.OrderCounts(ctx, g.db.Now())
	return m, err
}

// checkEpayKey accepts api.php's plain pid and key (the API key).
func (g *Gateway) checkEpayKey(ctx context.Context, p map[string]string) (app.Settings, error) {
	s, err := g.checkEpayPID(ctx, p)
	if err != nil {
		return s, err
	}
	key := strings.TrimSpace(p["key"])
	if key == "" {
		return s, app.NewError(app.EUNAUTHORIZED, "key",
			"商户密钥(key)不能为空：易支付的商户密钥就是 paygate 后台设置页的 API 密钥。",
			"key is missing: the 易支付 merchant key is the API key on paygate's settings page.")
	}
	if !sign.Equal(key, s.APIKey) {
		return s, app.NewError(app.EUNAUTHORIZED, "key",
			"商户密钥(key)不正确：易支付的商户密钥就是 paygate 后台设置页的 API 密钥，更换过密钥要在商城里同步修改。",
			"Wrong key: the 易支付 merchant key is the API key on paygate's settings page; update the shop after a rotation.")
	}
	return s, nil
}
