package app

import (
	"time"

	"paygate/app/money"
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

// MatchPolicy tunes the matcher.
type MatchPolicy struct {
	Window      time.Duration // a pending order matches only if created this recently
	Grace       time.Duration // an order expired this recently is a low-confidence candidate; a slot released this recently is not handed out again (slot cooldown)
	AutoConfirm Confidence    // lowest confidence that pays an order without a person
}

// SentBound is the latest creation time of an order that money the phone saw
// at sentAt can pay: sentAt plus the grace period (at least a minute, for a
// phone clock a little behind). An order created later came after the money;
// the money is an earlier order's, held back (a signed push is accepted for
// the whole signing window, longer than a slot cools). Zero sentAt: no bound.
func (p MatchPolicy) SentBound(sentAt time.Time) time.Time {
	if sentAt.IsZero() {
		return time.Time{}
	}
	return sentAt.Add(max(p.Grace, time.Minute))
}

// SlotFacts is what the matcher knows, when a payment arrives, about the
// amount slot it fits: (method, amount), or both methods' slots at amount when
// the notification does not name a method.
type SlotFacts struct {
	MethodKnown bool     // the notification named the method
	Pending     []string // orders waiting on the slot, created within the match window, oldest first
	Expired     string   // the newest order whose lifetime ended within the grace period ("" = none)
	// Released: an earlier holder of the slot was paid, expired or closed
	// within the grace period, so the payment may be a late or repeated
	// notification of its money rather than the pending order's.
	Released bool
	// Moved is the newest still-pending order that left the slot within the
	// grace period — its payer switched method, or it was reopened on
	// another slot — so the payment may be its payer's, paid the old way
	// ("" = none). Moving off the slot also counts as Released.
	Moved string
}

// MatchDecision is what the matcher does with a payment.
type MatchDecision struct {
	OrderID     string     // the order it most likely pays; "" = none fits
	Confidence  Confidence // how sure; ConfidenceNone when OrderID is ""
	AutoConfirm bool       // pay OrderID now, without a person
	Why         string     // machine reason, as CandidateOrder.Why
}

// Decide matches a payment by the facts about its slot:
//   - one pending order by the named method: high;
//   - method unknown, one pending order on either method's slot: medium;
//   - several pending orders: low, the oldest;
//   - a pending order while an earlier holder was released within grace:
//     low, and never auto-confirmed whatever the threshold — the money may be
//     the earlier holder's (paid: a repeated notification; expired or closed:
//     a late payment), and only a person can tell;
//   - no pending order but one expired within grace: low, that order;
//   - no pending order but one moved off the slot within grace (its payer
//     switched method): low, that order;
//   - nothing: no match.
//
// A match at or above p.AutoConfirm pays the order without a person.
func (p MatchPolicy) Decide(f SlotFacts) MatchDecision {
	var d MatchDecision
	switch {
	case len(f.Pending) > 0:
		d.OrderID = f.Pending[0]
		d.Confidence, d.Why = PendingConfidence(len(f.Pending), f.MethodKnown, f.Released)
	case f.Expired != "":
		d.OrderID, d.Confidence, d.Why = f.Expired, ConfidenceLow, "expired"
	case f.Moved != "":
		d.OrderID, d.Confidence, d.Why = f.Moved, ConfidenceLow, "moved"
	default:
		return d
	}
	contested := len(f.Pending) > 0 && f.Released
	d.AutoConfirm = !contested && d.Confidence.Rank() >= p.AutoConfirm.Rank()
	return d
}

// PendingConfidence is how sure a match with one of pending orders waiting
// on a payment's slot is, and why: methodKnown when the notification named
// the method, released when an earlier holder of the slot was paid, expired
// or closed within the grace period.
func PendingConfidence(pending int, methodKnown, released bool) (Confidence, string) {
	switch {
	case released:
		return ConfidenceLow, "previous_holder"
	case pending > 1:
		return ConfidenceLow, "several"
	case methodKnown:
		return ConfidenceHigh, "pending"
	}
	return ConfidenceMedium, "pending_method_unknown"
}

// CandidateOrder is an order an unmatched payment may belong to, and why.
type CandidateOrder struct {
	Order      Order
	Confidence Confidence
	// Why is the main reason, a machine word the console words for people:
	// "pending", "pending_method_unknown", "several", "previous_holder",
	// "expired" (within the grace period), "moved" (the order left this slot:
	// its payer switched method, or it was reopened), "late" (expired longer before),
	// "other_method", "listed_price" (the payer paid the price the shop
	// asked, not the adjusted amount), "near_amount", "search" (a person
	// looked it up).
	Why string
	// Diff is what arrived minus what the order asks: below zero the payer
	// paid short (少付), above zero over (多付).
	Diff money.Fen
	// OtherMethod: the money came by the other method than the order's.
	OtherMethod bool
	// Late is how long after the order's expiry the money arrived; 0 when
	// the order was still waiting.
	Late time.Duration
}
