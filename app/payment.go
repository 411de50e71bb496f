package app

import (
	"time"

	"paygate/app/money"
)

// PaymentStatus says whether a received payment has found its order.
type PaymentStatus string

const (
	PaymentMatched   PaymentStatus = "success"   // pays an order (the guide's "success")
	PaymentUnmatched PaymentStatus = "unmatched" // waits for a person
	PaymentIgnored   PaymentStatus = "ignored"   // a person decided it pays no order
)

// Payment is money that arrived, as a forwarder reported it — or as a person
// recorded it by hand (手动补单: no notification, a Note saying why).
type Payment struct {
	ID             string
	NotificationID int64  // 0 for a payment a person recorded
	Method         Method // "" when the notification did not say
	Amount         money.Fen
	CustomerType   string // 新客户 / 老顾客 / ""
	Status         PaymentStatus
	OrderID        string     // the order it pays, once matched
	Confidence     Confidence // of the match, or of the best candidate while unmatched
	CandidateOrder string     // best candidate while unmatched
	ReceivedAt     time.Time  // when the money arrived
	MatchedAt      time.Time  // when it was matched (by paygate or a person) or ignored
	MatchedBy      string     // "auto" or the person who confirmed
	CallbackStatus CallbackStatus
	Note           string // why a person recorded it by hand; "" for a forwarder's

	// Order names the order it pays, for lists (filled by every read; zero
	// while it pays none).
	Order OrderRef
}

// RecordedByHand reports whether a person recorded the payment (手动补单)
// rather than a phone reporting it.
func (p Payment) RecordedByHand() bool { return p.NotificationID == 0 && p.Note != "" }

// OrderRef is how an order is named to people wherever it appears: its id,
// its product and the shop's own number.
type OrderRef struct {
	ID              string
	ProductName     string
	MerchantOrderID string // as stored; ShopNumber is how the shop knows it
	Method          Method
	PayAmount       money.Fen
}

// ShopNumber is the shop's own order number, "" when none.
func (r OrderRef) ShopNumber() string { return ShopNumber(r.MerchantOrderID) }

// Arrival is a payment as the 收款播报 announces it: in the order payments
// were recorded (Seq), never read twice.
type Arrival struct {
	Seq        int64 // grows with every payment recorded; the announcer's cursor
	PaymentID  string
	Method     Method
	Amount     money.Fen
	ReceivedAt time.Time
	Status     PaymentStatus
	Order      OrderRef // the order it paid, if it found one
}

// ManualPayment is money a person says arrived for an order with no phone
// notification for it (手动补单): the phone was off, the notification was
// lost, the payer paid in cash.
type ManualPayment struct {
	OrderID    string
	Method     Method
	Amount     money.Fen
	ReceivedAt time.Time // when the money arrived, as the person says
	Note       string    // why, for the audit log
}

// Settlement is a person's decision that an unmatched payment pays an order.
type Settlement struct {
	PaymentID string
	// OrderRef names the order: its id (ORD…), or the shop's own order
	// number (merchantOrderId, or the 易支付 out_trade_no).
	OrderRef string
	Why      string // the suggestion's reason the person picked (CandidateOrder.Why), "" when typed in
	Note     string // what the person says, optional
}
