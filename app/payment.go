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

// Confidence is how sure the matcher is that a payment belongs to an order.
type Confidence string

const (
	ConfidenceHigh   Confidence = "high"   // method and amount exact, one pending order
	ConfidenceMedium Confidence = "medium" // method unknown, amount unique among pending orders
	ConfidenceLow    Confidence = "low"    // several fit, the slot's earlier holder was released within grace, or the order expired within grace
	ConfidenceNone   Confidence = ""       // no candidate
)

// Rank orders confidences so a threshold can be compared.
func (c Confidence) Rank() int {
	switch c {
	case ConfidenceHigh:
		return 3
	case ConfidenceMedium:
		return 2
	case ConfidenceLow:
		return 1
	}
	return 0
}

// CallbackStatus is the state of the merchant callback for a payment.
type CallbackStatus string

const (
	CallbackNone    CallbackStatus = ""        // no order, so nobody to call
	CallbackPending CallbackStatus = "pending" // queued or retrying
	CallbackSent    CallbackStatus = "sent"    // acknowledged by the merchant
	CallbackFailed  CallbackStatus = "failed"  // retries exhausted
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

// MatchPolicy tunes the matcher.
type MatchPolicy struct {
	Window      time.Duration // a pending order matches only if created this recently
	Grace       time.Duration // an order expired this recently is a low-confidence candidate; a slot released this recently is not handed out again (slot cooldown)
	AutoConfirm Confidence    // lowest confidence that pays an order without a person
}
