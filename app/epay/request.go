package epay

import (
	"crypto/rsa"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"paygate/app"
	"paygate/app/money"
	"paygate/app/sign"
)

// Reading the requests of submit.php, mapi.php and api.php: which parameters
// count, what each field means and every rule a field must follow, with the
// error a shop is shown. Reading a request checks nothing; its checks run in
// the order 彩虹易支付 clients expect: the merchant (pid), then the signature
// or key, then the fields, so that a request with a wrong pid or sign is
// answered with that, whatever else is wrong with it.

// Limits of 易支付 fields.
const (
	MaxOutTradeNo = 128 // 彩虹易支付 allows [a-zA-Z0-9._-|]+
	MaxNameBytes  = 127 // 彩虹易支付 cuts longer names to 127 bytes
	MaxTradeNo    = 64  // paygate's order ids
	MaxClientIP   = 64  // a longer clientip is not an address: the peer's is used
)

// ParamsInQuery reports whether a request's parameters are its query, as
// 彩虹易支付 reads them: when the query carries pid, or the request has no
// body (GET, HEAD); else they are the body (a form, multipart or JSON).
func ParamsInQuery(method string, query url.Values) bool {
	return query.Has("pid") || method == http.MethodGet || method == http.MethodHead
}

// LastValues keeps the last value of each repeated name, as PHP's $_GET and $_POST do.
func LastValues(v url.Values) map[string]string {
	out := make(map[string]string, len(v))
	for k, vs := range v {
		if len(vs) > 0 {
			out[k] = vs[len(vs)-1]
		}
	}
	return out
}

// Merchant is who the 易支付 endpoints answer for: this paygate's pid and its
// API key, which is the 易支付 merchant key, and the merchant RSA public key
// entered in the settings, which verifies sign_type=RSA requests.
type Merchant struct {
	PID       string
	Key       string         // empty until the shop owner sets one
	PublicKey *rsa.PublicKey // nil until the shop owner enters one
}

// checkPID accepts a request naming this paygate's pid, once it has a key.
func (m Merchant) checkPID(pid string) error {
	if m.Key == "" {
		return app.NewError(app.EUNAUTHORIZED, "",
			"这个 paygate 还没有设置 API 密钥（它就是易支付的商户密钥）：请在 paygate 后台设置页生成一个，再填到商城的支付设置里。",
			"This paygate has no API key yet (it is the 易支付 merchant key): generate one on paygate's settings page and enter it in the shop's payment settings.")
	}
	if pid == "" {
		return app.NewError(app.EINVALID, "pid",
			"商户ID(pid)不能为空：这个 paygate 的商户ID是 "+m.PID+"（后台设置页可查看）。",
			"pid is missing: this paygate's merchant id is "+m.PID+" (see the settings page).")
	}
	if pid != m.PID {
		return app.NewError(app.EUNAUTHORIZED, "pid",
			"商户ID(pid) "+app.QuoteShort(pid)+" 不存在：这个 paygate 的商户ID是 "+m.PID+"，请在商城的支付设置里填写它（后台设置页可查看或修改）。",
			"No merchant "+app.QuoteShort(pid)+": this paygate's merchant id (pid) is "+m.PID+"; enter it in the shop's payment settings (see or change it on the settings page).")
	}
	return nil
}

// CreateRequest is a request for an order: submit.php or mapi.php (V1,
// usually MD5-signed with the merchant key), or /api/pay/submit or
// /api/pay/create (V2: a timestamp, usually RSA-signed). Text fields are
// trimmed of surrounding spaces, except Param, which is opaque.
type CreateRequest struct {
	Params     map[string]string // every parameter as sent: the signature covers them all
	Protocol   string            // ProtocolV1 or ProtocolV2
	PID        string
	Sign       string
	SignType   string
	Timestamp  string // V2: Unix seconds
	Method     string // V2 create: the interface type (web, jump, …)
	Type       string // alipay, wxpay or wechat, in any case
	OutTradeNo string // the shop's order number
	NotifyURL  string
	ReturnURL  string
	Name       string
	Money      string // yuan, as the shop wrote it
	Param      string
	ClientIP   string // clientip when it is sent and short enough, else the peer's address
}

// ReadCreate reads the parameters of a submit.php or mapi.php request sent
// from peerIP.
func ReadCreate(params map[string]string, peerIP string) CreateRequest {
	field := func(name string) string { return strings.TrimSpace(params[name]) }
	r := CreateRequest{
		Params: params, Protocol: ProtocolV1, PID: field("pid"), Sign: field("sign"), SignType: field("sign_type"),
		Timestamp: field("timestamp"), Method: field("method"),
		Type: field("type"), OutTradeNo: field("out_trade_no"), NotifyURL: field("notify_url"), ReturnURL: field("return_url"),
		Name: field("name"), Money: field("money"), Param: params["param"], ClientIP: field("clientip"),
	}
	if len(r.ClientIP) > MaxClientIP || r.ClientIP == "" {
		r.ClientIP = peerIP
	}
	return r
}

// ReadCreateV2 reads the parameters of an /api/pay/submit or /api/pay/create
// request sent from peerIP.
func ReadCreateV2(params map[string]string, peerIP string) CreateRequest {
	r := ReadCreate(params, peerIP)
	r.Protocol = ProtocolV2
	return r
}

// Order checks r — that it names m, for V2 that its timestamp is within 5
// minutes of now, then its signature, then its fields, the amount within
// minA..maxA — and returns the order it asks for and what the shop sent
// with it, kept for the notify and api.php.
func (r CreateRequest) Order(m Merchant, now time.Time, minA, maxA money.Fen) (app.OrderInput, app.EpayOrder, error) {
	if r.Protocol == ProtocolV2 {
		if err := checkV2(m, r.Params, r.PID, r.Timestamp, r.Sign, r.SignType, now); err != nil {
			return app.OrderInput{}, app.EpayOrder{}, err
		}
		if err := checkInterface(r.Method); err != nil {
			return app.OrderInput{}, app.EpayOrder{}, err
		}
	} else {
		if err := m.checkPID(r.PID); err != nil {
			return app.OrderInput{}, app.EpayOrder{}, err
		}
		if err := checkSign(m, r.Params, r.Sign, r.SignType); err != nil {
			return app.OrderInput{}, app.EpayOrder{}, err
		}
	}
	in, e, err := r.order(m.PID, minA, maxA)
	e.Protocol = r.Protocol
	return in, e, err
}

// checkInterface accepts the interface types (method) whose answer is a
// page to send the payer to: all paygate has is its checkout page. The
// others want a payment channel's own data (a JSAPI ticket, an app order,
// a scanned auth code), which a personal 收款码 has none of.
func checkInterface(method string) error {
	switch strings.ToLower(method) {
	case "", "web", "jump":
		return nil
	}
	return app.NewError(app.EINVALID, "method",
		"不支持的接口类型(method) "+app.QuoteShort(method)+"：paygate 只返回付款页地址（pay_type=jump），请用 method=jump 或 web。",
		"Unsupported interface type (method) "+app.QuoteShort(method)+": paygate answers with its checkout page (pay_type=jump); use method=jump or web.")
}

// checkSign accepts a valid sign of params: MD5 with the merchant key when
// sign_type is MD5 or missing, RSA (SHA256withRSA) with the merchant public
// key when it is RSA.
func checkSign(m Merchant, params map[string]string, sign, signType string) error {
	switch {
	case strings.EqualFold(signType, "RSA"):
		return checkRSASign(m, params, sign)
	case signType != "" && !strings.EqualFold(signType, "MD5"):
		return app.NewError(app.EINVALID, "sign_type",
			"签名类型(sign_type) "+app.QuoteShort(signType)+" 不支持：paygate 支持 MD5 和 RSA，请在商城的支付设置里选择其中一种。",
			"sign_type "+app.QuoteShort(signType)+" is not supported: paygate does MD5 and RSA; choose one of them in the shop's payment settings.")
	}
	if sign == "" {
		return app.NewError(app.EUNAUTHORIZED, "sign",
			"缺少签名(sign)：请按易支付规则用商户密钥（paygate 的 API 密钥）对参数做 MD5 签名。",
			"sign is missing: sign the parameters with MD5 and the merchant key (paygate's API key), as 易支付 does.")
	}
	if !Verify(params, m.Key, sign) {
		return app.NewError(app.EUNAUTHORIZED, "sign",
			"签名校验失败：请确认商城里填写的商户密钥就是 paygate 后台设置页的 API 密钥（更换过密钥要同步修改）。签名方法：去掉 sign、sign_type 和空值，参数按名称排序拼成 a=1&b=2（不做 URL 编码），末尾直接接上密钥，取 MD5 的小写十六进制。",
			"Signature check failed: make sure the merchant key entered in the shop is the API key on paygate's settings page (update it after a rotation). The sign: drop sign, sign_type and empty values, sort by name, join as a=1&b=2 (no URL encoding), append the key, MD5 in lowercase hex.")
	}
	return nil
}

// checkRSASign accepts an RSA sign made with the private key of the
// merchant public key entered in the settings.
func checkRSASign(m Merchant, params map[string]string, sign string) error {
	if m.PublicKey == nil {
		// A setup step not taken yet rather than a wrong credential.
		return app.NewError(app.EINVALID, "sign_type",
			"RSA签名校验失败：paygate 里还没有商户公钥。请在 paygate 后台“设置 → 易支付 V2（RSA）”里粘贴商城的商户公钥，或在那里生成一对商户密钥、把私钥填进商城。",
			"RSA signature check failed: paygate has no merchant public key yet. Paste the shop's merchant public key under Settings → 易支付 V2 (RSA) in the paygate console, or generate a merchant key pair there and put the private key into the shop.")
	}
	if sign == "" {
		return app.NewError(app.EUNAUTHORIZED, "sign",
			"缺少签名(sign)：请用商户私钥对参数做 SHA256withRSA 签名（base64）。",
			"sign is missing: sign the parameters with the merchant private key, SHA256withRSA, in base64.")
	}
	if !VerifyRSA(params, m.PublicKey, sign) {
		return app.NewError(app.EUNAUTHORIZED, "sign",
			"RSA签名校验失败：请确认商城里的商户私钥与 paygate 设置里的商户公钥是一对（换过密钥要两边一起改）。签名方法：去掉 sign、sign_type 和空值，参数按名称排序拼成 a=1&b=2（不做 URL 编码），用商户私钥做 SHA256withRSA 签名，结果 base64。",
			"RSA signature check failed: make sure the merchant private key in the shop and the merchant public key in paygate's settings are one pair (change both after a new key). The sign: drop sign, sign_type and empty values, sort by name, join as a=1&b=2 (no URL encoding), SHA256withRSA with the merchant private key, in base64.")
	}
	return nil
}

// typeMethod maps an 易支付 type to a method: alipay; wxpay (and wechat) → wechat.
func typeMethod(typ string) (app.Method, bool) {
	switch strings.ToLower(strings.TrimSpace(typ)) {
	case "alipay":
		return app.MethodAlipay, true
	case "wxpay", "wechat":
		return app.MethodWechat, true
	}
	return "", false
}

// order checks the fields of a signed request.
func (r CreateRequest) order(pid string, minA, maxA money.Fen) (app.OrderInput, app.EpayOrder, error) {
	var in app.OrderInput
	e := app.EpayOrder{PID: pid}

	// Without type (V2Board never sends one) the payer picks the method on
	// the checkout page, as on 彩虹易支付's cashier page.
	if r.Type != "" {
		m, ok := typeMethod(r.Type)
		if !ok {
			return in, e, app.NewError(app.EINVALID, "type",
				"不支持的支付方式(type) "+app.QuoteShort(r.Type)+"：paygate 只收支付宝（alipay）和微信支付（wxpay），请在商城里只开启这两种（或不传 type，让顾客在付款页选择）。",
				"Unsupported type "+app.QuoteShort(r.Type)+": paygate takes alipay and wxpay only; enable just these two in the shop (or send no type, and the payer chooses on the checkout page).")
		}
		in.Method, e.Type = m, r.Type
	}

	e.OutTradeNo = r.OutTradeNo
	switch {
	case e.OutTradeNo == "":
		return in, e, app.NewError(app.EINVALID, "out_trade_no",
			"订单号(out_trade_no)不能为空：请传商城自己的订单号。", "out_trade_no is missing: send the shop's own order number.")
	case len(e.OutTradeNo) > MaxOutTradeNo || strings.IndexFunc(e.OutTradeNo, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("._-|", r))
	}) >= 0:
		return in, e, app.NewError(app.EINVALID, "out_trade_no",
			fmt.Sprintf("订单号(out_trade_no)格式不正确（收到 %s）：只能用 1 到 %d 个英文字母、数字和 . _ - |。", app.QuoteShort(e.OutTradeNo), MaxOutTradeNo),
			fmt.Sprintf("out_trade_no is malformed (got %s): use 1 to %d letters, digits and . _ - | only.", app.QuoteShort(e.OutTradeNo), MaxOutTradeNo))
	}

	var err error
	if r.NotifyURL == "" {
		return in, e, app.NewError(app.EINVALID, "notify_url",
			"通知地址(notify_url)不能为空：支付成功后 paygate 要 GET 这个地址通知商城。",
			"notify_url is missing: paygate calls it (GET) to tell the shop an order was paid.")
	}
	if e.NotifyURL, err = app.ParseURL("notify_url", r.NotifyURL); err != nil {
		return in, e, err
	}
	if e.ReturnURL, err = app.ParseURL("return_url", r.ReturnURL); err != nil {
		return in, e, err
	}

	switch {
	case r.Name == "":
		return in, e, app.NewError(app.EINVALID, "name",
			"商品名称(name)不能为空。", "name (the product name) is missing.")
	case !utf8.ValidString(r.Name) || strings.IndexFunc(r.Name, unicode.IsControl) >= 0:
		return in, e, app.NewError(app.EINVALID, "name",
			"商品名称(name)含有控制字符或无效编码：请只用普通文字（UTF-8）。",
			"name contains control characters or invalid encoding: use plain UTF-8 text.")
	}
	e.Name = app.Cut(r.Name, MaxNameBytes)
	in.ProductName = app.CutRunes(e.Name, app.MaxProductNameRunes)

	if r.Money != "" && strings.Trim(r.Money, "0123456789.") != "" {
		return in, e, app.NewError(app.EINVALID, "money",
			"金额(money)不合法（收到 "+app.QuoteShort(r.Money)+"）：只能是数字和小数点，以元为单位，最多两位小数，例如 10.00。",
			"money is not valid (got "+app.QuoteShort(r.Money)+"): digits and a decimal point only, in yuan, at most 2 decimals, e.g. 10.00.")
	}
	if in.Amount, err = app.ParseAmount("money", r.Money, r.Money != "", minA, maxA); err != nil {
		return in, e, err
	}
	e.Money = r.Money

	e.Param = r.Param
	if len(e.Param) > app.MaxAttachBytes || !utf8.ValidString(e.Param) {
		return in, e, app.NewError(app.EINVALID, "param",
			"业务扩展参数(param)最多 1024 字节的 UTF-8 文本。", "param must be UTF-8 text of at most 1024 bytes.")
	}
	in.NotifyURL, in.Attach = e.NotifyURL, e.Param
	in.ClientIP = r.ClientIP
	return in, e, nil
}

// Payable says why a payer cannot pay o, made by the 易支付 request e, now:
// paid already, expired or closed. nil while it is pending.
func Payable(o app.Order, e app.EpayOrder) error {
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

// API actions: api.php?act=….
const (
	ActOrder  = "order"  // one order, by trade_no or out_trade_no
	ActQuery  = "query"  // the merchant
	ActRefund = "refund" // a refund: never possible from a personal 收款码
)

// APIRequest is an api.php request: an action, authenticated by pid and the
// merchant key sent as they are (not a signature).
type APIRequest struct {
	Act        string // ActOrder, ActQuery or ActRefund
	PID        string
	Key        string
	TradeNo    string // paygate's order id
	OutTradeNo string // the shop's order number
}

// ReadAPI reads an api.php request. act may come in the query when the other
// parameters are in the body: queryAct is the query's act, used when params
// has none. An absent or unknown act is refused.
func ReadAPI(params map[string]string, queryAct string) (APIRequest, error) {
	field := func(name string) string { return strings.TrimSpace(params[name]) }
	act, ok := params["act"]
	if !ok {
		act = queryAct
	}
	r := APIRequest{Act: strings.ToLower(strings.TrimSpace(act)), PID: field("pid"), Key: field("key"),
		TradeNo: field("trade_no"), OutTradeNo: field("out_trade_no")}
	switch r.Act {
	case ActOrder, ActQuery, ActRefund:
		return r, nil
	case "":
		return r, WithCode(CodeNoMethod, app.NewError(app.EINVALID, "act",
			"No Act! 缺少操作类型(act)：查询订单用 api.php?act=order&pid=…&key=…&out_trade_no=…，查询商户信息用 act=query。",
			"No Act! act is missing: api.php?act=order&pid=…&key=…&out_trade_no=… queries an order, act=query the merchant."))
	}
	return r, WithCode(CodeNoMethod, app.NewError(app.EINVALID, "act",
		"No Act! 不支持的操作类型(act) "+app.QuoteShort(r.Act)+"：paygate 的 api.php 支持 act=order（查询订单）和 act=query（查询商户信息）。",
		"No Act! Unsupported act "+app.QuoteShort(r.Act)+": paygate's api.php does act=order (one order) and act=query (the merchant)."))
}

// CheckKey accepts a request naming m with m's key.
func (r APIRequest) CheckKey(m Merchant) error {
	if err := m.checkPID(r.PID); err != nil {
		return err
	}
	if r.Key == "" {
		return app.NewError(app.EUNAUTHORIZED, "key",
			"商户密钥(key)不能为空：易支付的商户密钥就是 paygate 后台设置页的 API 密钥。",
			"key is missing: the 易支付 merchant key is the API key on paygate's settings page.")
	}
	if !sign.Equal(r.Key, m.Key) {
		return app.NewError(app.EUNAUTHORIZED, "key",
			"商户密钥(key)不正确：易支付的商户密钥就是 paygate 后台设置页的 API 密钥，更换过密钥要在商城里同步修改。",
			"Wrong key: the 易支付 merchant key is the API key on paygate's settings page; update the shop after a rotation.")
	}
	return nil
}

// OrderNumber returns the order number act=order asks for: trade_no (paygate's
// order id) when sent, else out_trade_no; the other is empty.
func (r APIRequest) OrderNumber() (tradeNo, outTradeNo string, err error) {
	return orderNumber(r.TradeNo, r.OutTradeNo)
}

// orderNumber picks the order number asked for: trade_no, else out_trade_no.
func orderNumber(tradeNo, outTradeNo string) (string, string, error) {
	switch {
	case tradeNo != "":
		if len(tradeNo) > MaxTradeNo {
			return "", "", app.NewError(app.EINVALID, "trade_no",
				"订单号(trade_no)太长：paygate 的订单号以 ORD 开头，不超过 64 个字符。",
				"trade_no is too long: paygate order ids start with ORD and have at most 64 characters.")
		}
		return tradeNo, "", nil
	case outTradeNo != "":
		if len(outTradeNo) > MaxOutTradeNo {
			return "", "", app.NewError(app.EINVALID, "out_trade_no",
				"订单号(out_trade_no)太长：最多 128 个字符。", "out_trade_no is too long: at most 128 characters.")
		}
		return "", outTradeNo, nil
	}
	return "", "", app.NewError(app.EINVALID, "out_trade_no",
		"订单号不能为空：请传 out_trade_no（商城的订单号）或 trade_no（paygate 的订单号）。",
		"No order number: send out_trade_no (the shop's order number) or trade_no (paygate's).")
}
