package app

import (
	"slices"
	"time"
)

// Suggestions for an unmatched payment: besides the orders waiting on its
// exact slot (what the matcher looks at), the payer's usual mistakes —
// paying the price the shop asked instead of the adjusted amount (¥10.00 for
// an order that asks ¥10.01), a few fen off, the other app (WeChat money for
// an Alipay order), or paying after the order expired.

// SuggestLookback is how long before the money arrived an order may have
// expired and still be suggested for it.
const SuggestLookback = 24 * time.Hour

// MaxSuggestions bounds the orders suggested for one payment.
const MaxSuggestions = 8

// SuggestFacts is what the store knows about the payment's slot.
type SuggestFacts struct {
	Grace time.Duration // the match grace period in force
	// Released: an earlier holder of the payment's exact slot was paid,
	// expired or closed within the grace period before the money arrived.
	Released bool
}

// waitingWhen reports whether o was waiting for payment when the money
// arrived: created by then (a minute of clock difference allowed) and not
// yet expired. A closed order never waits.
func waitingWhen(o Order, at time.Time) bool {
	return o.Status != OrderFailed && o.CreatedAt.Before(at.Add(time.Minute)) && at.Before(o.ExpiresAt)
}

// Describe says how payment p fits order o: the amount difference, the
// other method, how late; Why is "search" (a person looked it up), as
// Suggest's ranking does not apply.
func Describe(p Payment, o Order) CandidateOrder {
	c := CandidateOrder{Order: o, Confidence: ConfidenceLow, Why: "search", Diff: Difference(p.Amount, o.PayAmount)}
	c.OtherMethod = p.Method != "" && p.Method != o.Method
	if !waitingWhen(o, p.ReceivedAt) && p.ReceivedAt.After(o.ExpiresAt) {
		c.Late = p.ReceivedAt.Sub(o.ExpiresAt)
	}
	return c
}

// Suggest ranks orders (pending or expired, as the store found them near
// the payment's amount and time) for an unmatched payment, most likely
// first, each with its reason:
//   - waiting on the exact slot (same amount, same method or none named):
//     the matcher's confidence and reason (PendingConfidence);
//   - the exact amount, expired before the money came: "expired" within the
//     grace period, else "late";
//   - the exact amount by the other method: "other_method";
//   - another amount: "listed_price" when the payer paid what the shop asked
//     (the order's amount was adjusted), else "near_amount".
//
// Among equals: the fewest mistakes, the smallest difference, the order
// created nearest the money's arrival. At most MaxSuggestions are kept.
func Suggest(p Payment, orders []Order, f SuggestFacts) []CandidateOrder {
	exactWaiting := 0
	for _, o := range orders {
		if o.PayAmount == p.Amount && (p.Method == "" || o.Method == p.Method) && waitingWhen(o, p.ReceivedAt) {
			exactWaiting++
		}
	}
	out := make([]CandidateOrder, 0, len(orders))
	for _, o := range orders {
		if o.Status != OrderPending && o.Status != OrderExpired {
			continue
		}
		c := Describe(p, o)
		waiting := waitingWhen(o, p.ReceivedAt)
		if !waiting && c.Late == 0 {
			continue // created after the money came: it cannot be this order's
		}
		if c.Late > SuggestLookback {
			continue
		}
		switch {
		case c.Diff != 0 && o.Amount == p.Amount:
			c.Why = "listed_price"
		case c.Diff != 0:
			c.Why = "near_amount"
		case c.OtherMethod:
			c.Why = "other_method"
		case waiting:
			c.Confidence, c.Why = PendingConfidence(exactWaiting, p.Method != "", f.Released)
		case c.Late <= f.Grace:
			c.Why = "expired"
		default:
			c.Why = "late"
		}
		out = append(out, c)
	}
	slices.SortStableFunc(out, func(a, b CandidateOrder) int {
		if d := b.Confidence.Rank() - a.Confidence.Rank(); d != 0 {
			return d
		}
		return compareFits(a, b, p.ReceivedAt, p.ReceivedAt, f.Grace)
	})
	if len(out) > MaxSuggestions {
		out = out[:MaxSuggestions]
	}
	return out
}

// mistakes weighs what the payer got wrong for c to be right: another
// amount (less when it is the price the shop asked), the other app, paying
// after the order expired (more when longer ago than the grace period).
func mistakes(c CandidateOrder, grace time.Duration) int {
	n := 0
	if c.Diff != 0 {
		n += 3
		if c.Order.Amount == c.Order.PayAmount+c.Diff {
			n-- // the price the shop asked
		}
	}
	if c.OtherMethod {
		n += 2
	}
	if c.Late > 0 {
		n++
		if c.Late > grace {
			n += 2
		}
	}
	return n
}

// compareFits orders two fits, the likelier first: fewer mistakes, a
// smaller difference, the order created nearer the money's arrival (aAt, bAt).
func compareFits(a, b CandidateOrder, aAt, bAt time.Time, grace time.Duration) int {
	if d := mistakes(a, grace) - mistakes(b, grace); d != 0 {
		return d
	}
	if d := abs(a.Diff) - abs(b.Diff); d != 0 {
		return int(d)
	}
	return int(absDur(a.Order.CreatedAt.Sub(aAt)) - absDur(b.Order.CreatedAt.Sub(bAt)))
}

// PaymentFit is an unmatched payment that may be an order's money, and how
// it fits (CandidateOrder.Why "search").
type PaymentFit struct {
	Payment Payment
	Fit     CandidateOrder
}

// RankPaymentsFor orders unmatched payments by how likely each is order o's
// money, for the order page's 手动补单: the exact amount by the order's
// method first, then the usual mistakes (as Suggest weighs them).
func RankPaymentsFor(o Order, payments []Payment, grace time.Duration) []PaymentFit {
	out := make([]PaymentFit, 0, len(payments))
	for _, p := range payments {
		if p.Status != PaymentUnmatched {
			continue
		}
		out = append(out, PaymentFit{Payment: p, Fit: Describe(p, o)})
	}
	slices.SortStableFunc(out, func(a, b PaymentFit) int {
		return compareFits(a.Fit, b.Fit, a.Payment.ReceivedAt, b.Payment.ReceivedAt, grace)
	})
	return out
}

func abs[T ~int64](v T) T {
	if v < 0 {
		return -v
	}
	return v
}

func absDur(d time.Duration) time.Duration { return abs(d) }
