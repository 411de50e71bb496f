package epay

import (
	"crypto/rsa"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"paygate/app"
)

// 彩虹易支付 V2 is its /api/<class>/<func> interface (api.php?s=pay/create
// behind a rewrite): the same parameters as submit.php and mapi.php, plus a
// timestamp checked against the server's clock and, usually, sign_type=RSA.
// Answers are JSON with code 0 on success, signed by the platform key, and
// the notify of an order made there is RSA-signed too, with a fresh
// timestamp on every attempt (clients refuse one older than 5 minutes).

// Codes of 彩虹易支付's JSON answers.
const (
	CodeV1OK     = 1  // mapi.php and api.php succeeded
	CodeV2OK     = 0  // an /api/pay/* call succeeded
	CodeFailed   = -1 // anything else that is wrong with the request
	CodeVerify   = -3 // merchant, timestamp or signature refused (ApiHelper::api_verify)
	CodeNoParams = -4 // no pid in the POST body: "未传入任何参数"
	CodeNoMethod = -5 // no such endpoint or act: "接口方法不存在" / "No Act!"
)

// TimestampWindow is how far a V2 request's timestamp may be from paygate's
// clock, and how old a response or notify may be when the shop checks it.
const TimestampWindow = 300 * time.Second

// Protocols an order was made through: its notify and return are signed the same way.
const (
	ProtocolV1 = "v1" // submit.php / mapi.php: MD5 with the merchant key
	ProtocolV2 = "v2" // /api/pay/*: RSA with the platform key, with a timestamp
)

// codedError carries the 易支付 code an error is answered with.
type codedError struct {
	code int
	err  error
}

func (e *codedError) Error() string { return e.err.Error() }
func (e *codedError) Unwrap() error { return e.err }

// WithCode makes err answer with code in the protocol's JSON.
func WithCode(code int, err error) error {
	if err == nil {
		return nil
	}
	return &codedError{code: code, err: err}
}

// Code is the code err is answered with: the one given with WithCode, else -1.
func Code(err error) int {
	var c *codedError
	if errors.As(err, &c) {
		return c.code
	}
	return CodeFailed
}

// checkTimestamp accepts a V2 timestamp: Unix seconds within
// TimestampWindow of now. The messages begin with 彩虹易支付's own.
func checkTimestamp(ts string, now time.Time) error {
	ts = strings.TrimSpace(ts)
	if ts == "" {
		return app.NewError(app.EUNAUTHORIZED, "timestamp",
			"时间戳(timestamp)字段不能为空：易支付 V2 接口的每个请求都要带 timestamp（当前 Unix 时间，秒，10 位数字），并参与签名。",
			"timestamp is missing: every 易支付 V2 request carries timestamp (the current Unix time in seconds, 10 digits), and it is signed.")
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || sec <= 0 {
		return app.NewError(app.EUNAUTHORIZED, "timestamp",
			"时间戳字段不正确（收到 "+app.QuoteShort(ts)+"）：timestamp 应是 Unix 时间的秒数，10 位数字，例如 "+strconv.FormatInt(now.Unix(), 10)+"。",
			"timestamp is not valid (got "+app.QuoteShort(ts)+"): it is the Unix time in seconds, 10 digits, e.g. "+strconv.FormatInt(now.Unix(), 10)+".")
	}
	if len(ts) >= 13 {
		return app.NewError(app.EUNAUTHORIZED, "timestamp",
			"时间戳字段不正确：收到的 "+ts+" 是毫秒，易支付 V2 的 timestamp 是秒（10 位数字），请去掉最后三位。",
			"timestamp is not valid: "+ts+" is in milliseconds; 易支付 V2's timestamp is in seconds (10 digits): drop the last three digits.")
	}
	diff := now.Unix() - sec // > 0: the shop's clock is behind paygate's
	if diff > int64(TimestampWindow/time.Second) || -diff > int64(TimestampWindow/time.Second) {
		zh, en := "慢", "behind"
		if diff < 0 {
			zh, en, diff = "快", "ahead of", -diff
		}
		return app.NewError(app.EUNAUTHORIZED, "timestamp",
			fmt.Sprintf("时间戳字段不正确，请检查服务器时间：商城服务器的时间与 paygate 相差 %d 秒（比 paygate %s），最多允许 300 秒。请把商城服务器的时间同步好（例如开启 NTP），timestamp 用当前 Unix 秒。", diff, zh),
			fmt.Sprintf("timestamp is off, check the server's clock: the shop's server is %d seconds %s paygate (300 at most). Synchronise the shop server's clock (e.g. turn on NTP) and send the current Unix seconds.", diff, en))
	}
	return nil
}

// checkV2 is api_verify's order: the merchant (pid), the timestamp, then
// the signature; each failure answers -3, a missing pid -4.
func checkV2(m Merchant, params map[string]string, pid, ts, sign, signType string, now time.Time) error {
	if pid == "" {
		return WithCode(CodeNoParams, app.NewError(app.EINVALID, "pid",
			"未传入任何参数：请求里没有 pid。易支付 V2 接口（/api/pay/create、query、refund）只读 POST 表单（application/x-www-form-urlencoded），请用 POST 发送全部参数。",
			"No parameters were sent: the request has no pid. The 易支付 V2 endpoints (/api/pay/create, query, refund) read only a POST form (application/x-www-form-urlencoded): POST every parameter."))
	}
	if err := m.checkPID(pid); err != nil {
		return WithCode(CodeVerify, err)
	}
	if err := checkTimestamp(ts, now); err != nil {
		return WithCode(CodeVerify, err)
	}
	return WithCode(CodeVerify, checkSign(m, params, sign, signType))
}

// V2Request is a signed /api/pay/query or /api/pay/refund request.
type V2Request struct {
	Params     map[string]string
	PID        string
	Timestamp  string
	Sign       string
	SignType   string
	TradeNo    string // paygate's order id
	OutTradeNo string // the shop's order number
}

// ReadV2 reads the parameters of an /api/pay/query or /api/pay/refund request.
func ReadV2(params map[string]string) V2Request {
	field := func(name string) string { return strings.TrimSpace(params[name]) }
	return V2Request{Params: params, PID: field("pid"), Timestamp: field("timestamp"), Sign: field("sign"), SignType: field("sign_type"),
		TradeNo: field("trade_no"), OutTradeNo: field("out_trade_no")}
}

// Check accepts a request from m: pid, timestamp within 5 minutes of now, signature.
func (r V2Request) Check(m Merchant, now time.Time) error {
	return checkV2(m, r.Params, r.PID, r.Timestamp, r.Sign, r.SignType, now)
}

// OrderNumber is the order the request asks about: trade_no when sent, else out_trade_no.
func (r V2Request) OrderNumber() (tradeNo, outTradeNo string, err error) {
	return orderNumber(r.TradeNo, r.OutTradeNo)
}

// ErrNoRefund is the answer to every refund request: paygate cannot send
// money back from a personal 收款码.
func ErrNoRefund() error {
	return app.NewError(app.EINVALID, "",
		"不支持自动退款：个人收款码的款项 paygate 无法退回，请在支付宝/微信里手动把钱退给付款人。",
		"Automatic refunds are not supported: paygate cannot send money back from a personal 收款码; refund the payer by hand in Alipay/WeChat.")
}

// Response is a V2 JSON answer. Its values are strings and integers only,
// so that every client reads the same text the signature covers (code=0,
// status=1); empty strings are left out, as 彩虹易支付 leaves them out.
type Response map[string]any

// SignContent is r's fields as the text they are signed as.
func (r Response) SignContent() map[string]string {
	out := make(map[string]string, len(r))
	for k, v := range r {
		switch v := v.(type) {
		case string:
			out[k] = v
		case int:
			out[k] = strconv.Itoa(v)
		case int64:
			out[k] = strconv.FormatInt(v, 10)
		}
	}
	return out
}

// Signed drops r's empty strings and adds timestamp (now in Unix seconds, a
// JSON string), sign_type RSA and sign under the platform key.
func (r Response) Signed(key *rsa.PrivateKey, now time.Time) Response {
	for k, v := range r {
		if s, ok := v.(string); ok && s == "" {
			delete(r, k)
		}
	}
	r["timestamp"] = strconv.FormatInt(now.Unix(), 10)
	r["sign_type"] = "RSA"
	r["sign"] = SignRSA(r.SignContent(), key)
	return r
}

// CreatedResponse is /api/pay/create's answer: paygate always gives the
// checkout page to send the payer to (pay_type jump), as 彩虹易支付 does
// for method=jump.
func CreatedResponse(tradeNo, payURL string) Response {
	return Response{"code": CodeV2OK, "trade_no": tradeNo, "pay_type": "jump", "pay_info": payURL}
}

// QueryResponse is /api/pay/query's answer for o, made by the 易支付 request
// e (nil for an order made through paygate's own API): status 1 paid, 0 not;
// money as the shop sent it; pid a number.
func QueryResponse(o app.Order, e *app.EpayOrder, pid string) Response {
	r := Response{"code": CodeV2OK, "trade_no": o.ID, "addtime": app.FormatTime(o.CreatedAt), "status": 0,
		"clientip": o.ClientIP}
	if n, err := strconv.ParseInt(pid, 10, 64); err == nil {
		r["pid"] = n
	}
	if e != nil {
		r["out_trade_no"], r["type"], r["name"], r["money"], r["param"] = e.OutTradeNo, e.Type, e.Name, e.Money, e.Param
	} else {
		r["out_trade_no"], r["type"], r["name"], r["money"], r["param"] = o.MerchantOrderID, MethodType(o.Method), o.ProductName, o.Amount.Fixed2(), o.Attach
	}
	if o.Status == app.OrderSuccess {
		r["status"] = 1
		r["endtime"] = app.FormatTime(o.PaidAt)
		r["api_trade_no"] = o.PaymentID
	}
	return r
}

// MethodType is the 易支付 type of a method: alipay or wxpay ("" for none).
func MethodType(m app.Method) string {
	switch m {
	case app.MethodAlipay:
		return "alipay"
	case app.MethodWechat:
		return "wxpay"
	}
	return ""
}

// NotifyParamsV2 are the parameters of a V2 order's notify and return URL,
// signed with the platform key at now: pid trade_no out_trade_no type name
// money trade_status=TRADE_SUCCESS [api_trade_no] [param] timestamp
// sign_type=RSA sign, as 彩虹易支付's creat_callback makes them for an order
// made through /api. Every field sent is signed (SDK_2.0 verifies all it
// receives), empty ones are left out, and the notify is signed again on
// every attempt so its timestamp is always fresh. money is as the shop sent
// it (see NotifyParams).
func NotifyParamsV2(e app.EpayOrder, paymentID string, key *rsa.PrivateKey, now time.Time) url.Values {
	p := map[string]string{
		"pid":          e.PID,
		"trade_no":     e.OrderID,
		"out_trade_no": e.OutTradeNo,
		"type":         e.Type,
		"name":         e.Name,
		"money":        e.Money,
		"trade_status": TradeSuccess,
		"api_trade_no": paymentID,
		"param":        e.Param,
		"timestamp":    strconv.FormatInt(now.Unix(), 10),
	}
	q := url.Values{}
	for k, v := range p {
		if strings.TrimSpace(v) != "" {
			q.Set(k, v)
		}
	}
	q.Set("sign", SignRSA(p, key))
	q.Set("sign_type", "RSA")
	return q
}
