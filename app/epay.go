package app

import "time"

// EpayPrefix namespaces the merchantOrderId of orders created through the
// 易支付 endpoints: out_trade_no X is stored as merchantOrderId "epay:X", so
// it can never collide with a merchantOrderId sent to the REST API (which
// may not start with this prefix).
const EpayPrefix = "epay:"

// DefaultEpayPID is the 易支付 merchant id (pid) until the shop owner picks another.
const DefaultEpayPID = "1000"

// EpayOrder is what an 易支付 client sent with an order, kept verbatim so
// the notify, the return URL and api.php answer it in its own terms.
type EpayOrder struct {
	OrderID    string // our order id: the epay trade_no
	PID        string // the pid the client signed with
	OutTradeNo string // the client's order number
	Type       string // the payment type as the client wrote it: alipay, wxpay or wechat
	Name       string // the product name as the client wrote it (cut to 127 bytes, as 彩虹易支付 does)
	Money      string // the amount exactly as the client wrote it, e.g. "10", "10.00" or "9.9"
	Param      string // opaque client data, echoed in the notify
	NotifyURL  string
	ReturnURL  string // as the client sent it, without our signed query
	// Protocol is how the order was asked for, and so how its notify and
	// return are signed: "v1" (submit.php, mapi.php: MD5 with the merchant
	// key) or "v2" (/api/pay/*: RSA with the platform key, with a timestamp).
	Protocol  string
	CreatedAt time.Time
}
