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

// Payment is money that arrived, as a forwarder reported it.
type Payment struct {
	ID             string
	NotificationID int64
	Method         Method // "" when the notification did not say
	Amount         money.Fen
	CustomerType   string // 新客户 / 老顾客 / ""
	Status         PaymentStatus
	OrderID        string     // the order it pays, once matched
	Confidence     Confidence // of the match, or of the best candidate while unmatched
	CandidateOrder string     // best candidate while unmatched
	ReceivedAt     time.Time
	MatchedAt      time.Time
	MatchedBy      string // "auto" or the person who confirmed
	CallbackStatus CallbackStatus
}
