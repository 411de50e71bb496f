package app

import (
	"strings"
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

// Order is one request to be paid.
type Order struct {
	ID              string
	MerchantOrderID string // the merchant's own number, optional; unique when set
	ProductName     string
	Method          Method    // "" until the payer picks one, for an order created without (no amount slot until then)
	Amount          money.Fen // what the merchant asked for (displayAmount)
	PayAmount       money.Fen // what the payer must pay: Amount adjusted to a free slot; Amount while no method is chosen
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

// MethodChosen reports whether the order has its payment method, and so an
// amount slot: false for an order created without one (API without
// paymentMethod, 易支付 without type) until its payer picks on the checkout page.
func (o Order) MethodChosen() bool { return o.Method != "" }

// ShopNumber is the shop's own order number as the shop knows it: the
// merchantOrderId, or the 易支付 out_trade_no without the "epay:" paygate
// stores it under; "" when the shop sent none.
func (o Order) ShopNumber() string { return ShopNumber(o.MerchantOrderID) }

// ShopNumber is a stored merchant order id as the shop knows it.
func ShopNumber(merchantOrderID string) string {
	return strings.TrimPrefix(merchantOrderID, EpayPrefix)
}

// OrderSummary is an order as the console lists and exports it: with the
// money that paid it and how telling the shop about it went.
type OrderSummary struct {
	Order
	Received money.Fen      // what the paying payment brought; 0 while unpaid
	Callback CallbackStatus // the shop's notification of the payment; "" while unpaid
	// CallbackTrouble: the last attempt to tell the shop failed — retrying,
	// or given up (Callback failed).
	CallbackTrouble bool
}

// Paid reports whether the order is paid.
func (o OrderSummary) Paid() bool { return o.Status == OrderSuccess && o.PaymentID != "" }

// Difference is what arrived minus what was to be paid: below zero the payer
// paid short (少付), above zero over (多付).
func Difference(received, payable money.Fen) money.Fen { return received - payable }

// OrderInput is what a merchant sends to create an order; validated by the caller.
type OrderInput struct {
	MerchantOrderID string
	ProductName     string
	Method          Method // "" = the payer chooses on the checkout page
	Amount          money.Fen
	NotifyURL       string
	ReturnURL       string
	Attach          string
	ClientIP        string
	LinkID          int64       // the payment link the buyer came through; 0 = none
	Visitor         LinkVisitor // who asked, for an order through a payment link
	// Reopen is how long after its expiry an unpaid order sent again with
	// its MerchantOrderID is reopened (a fresh slot and lifetime, the same
	// order id) instead of being returned expired; 0 = never.
	Reopen time.Duration
}
