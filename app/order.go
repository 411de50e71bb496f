package app

import (
	"time"

	"paygate/app/money"
)

// OrderStatus is where an order is in its life.
type OrderStatus string

const (
	OrderPending OrderStatus = "pending" // waiting for the payer; holds its amount slot
	OrderSuccess OrderStatus = "success" // paid
	OrderExpired OrderStatus = "expired" // lifetime over; slot released
	OrderFailed  OrderStatus = "failed"  // closed or cancelled
)

// Method is a payment method a 收款码 belongs to.
type Method string

const (
	MethodAlipay Method = "alipay"
	MethodWechat Method = "wechat"
)

// Valid reports whether m is a method paygate handles.
func (m Method) Valid() bool { return m == MethodAlipay || m == MethodWechat }

// Label is the method's name for people.
func (m Method) Label(lang string) string {
	switch m {
	case MethodAlipay:
		if lang == "en" {
			return "Alipay"
		}
		return "支付宝"
	case MethodWechat:
		if lang == "en" {
			return "WeChat Pay"
		}
		return "微信支付"
	}
	if lang == "en" {
		return "unknown"
	}
	return "未知"
}

// Order is one request to be paid.
type Order struct {
	ID              string
	MerchantOrderID string // the merchant's own number, optional; unique when set
	ProductName     string
	Method          Method
	Amount          money.Fen // what the merchant asked for (displayAmount)
	PayAmount       money.Fen // what the payer must pay: Amount adjusted to a free slot
	Status          OrderStatus
	NotifyURL       string // per-order callback URL; empty = the merchant's setting
	ReturnURL       string
	Attach          string // opaque merchant data, echoed in the callback
	ClientIP        string
	CreatedAt       time.Time
	ExpiresAt       time.Time
	PaidAt          time.Time // zero unless success
	ClosedAt        time.Time // zero unless expired or failed
	PaymentID       string    // the payment that paid it
}

// OrderInput is what a merchant sends to create an order; validated by the caller.
type OrderInput struct {
	MerchantOrderID string
	ProductName     string
	Method          Method
	Amount          money.Fen
	NotifyURL       string
	ReturnURL       string
	Attach          string
	ClientIP        string
	LinkID          int64       // the payment link the buyer came through; 0 = none
	Visitor         LinkVisitor // who asked, for an order through a payment link
}

// SlotMode is the order in which payable amounts near the asked one are tried.
type SlotMode string

const (
	SlotAlternate SlotMode = "alternate" // A, A+0.01, A−0.01, A+0.02 …
	SlotUp        SlotMode = "up"        // A, A+0.01, A+0.02 …
	SlotDown      SlotMode = "down"      // A, A−0.01, A−0.02 …
)

// SlotPolicy bounds the search for a free payable amount.
type SlotPolicy struct {
	Mode      SlotMode
	MaxOffset money.Fen // furthest the payable amount may move from the asked one
}

// Candidates returns the payable amounts to try for asked, best first.
func (p SlotPolicy) Candidates(asked money.Fen) []money.Fen {
	out := make([]money.Fen, 0, 2*int(p.MaxOffset)+1)
	out = append(out, asked)
	for d := money.Fen(1); d <= p.MaxOffset; d++ {
		up, down := asked+d, asked-d
		switch p.Mode {
		case SlotUp:
			out = append(out, up)
		case SlotDown:
			if down >= 1 {
				out = append(out, down)
			}
		default:
			out = append(out, up)
			if down >= 1 {
				out = append(out, down)
			}
		}
	}
	return out
}
