package gateway

import (
	"context"
	"slices"

	"paygate/app"
	"paygate/app/console"
)

// PaymentDetail returns one payment with everything about it.
func (g *Gateway) PaymentDetail(ctx context.Context, id string) (console.PaymentDetail, error) {
	p, err := g.Payment(ctx, id)
	if err != nil {
		return console.PaymentDetail{}, err
	}
	d := console.PaymentDetail{Payment: p}
	if d.Notification, err = g.db.NotificationText(ctx, p.NotificationID); err != nil {
		return d, err
	}
	if p.Status == app.PaymentUnmatched {
		if d.Candidates, err = g.candidates(ctx, p); err != nil {
			return d, err
		}
	}
	if d.Attempts, err = g.db.CallbackAttempts(ctx, p.ID); err != nil {
		return d, err
	}
	d.Audit, _, err = g.db.AuditLog(ctx, app.AuditFilter{Subject: p.ID, Limit: 50})
	return d, err
}

// Unmatched lists the payments waiting for a person, each with its candidates.
func (g *Gateway) Unmatched(ctx context.Context, page app.Page) ([]console.PaymentDetail, int, error) {
	list, total, err := g.Payments(ctx, app.PaymentUnmatched, page)
	if err != nil {
		return nil, 0, err
	}
	out := make([]console.PaymentDetail, 0, len(list))
	for _, p := range list {
		d := console.PaymentDetail{Payment: p}
		if d.Notification, err = g.db.NotificationText(ctx, p.NotificationID); err != nil {
			return nil, 0, err
		}
		if d.Candidates, err = g.candidates(ctx, p); err != nil {
			return nil, 0, err
		}
		out = append(out, d)
	}
	return out, total, nil
}

// candidates returns the orders an unmatched payment may pay, most likely
// first: orders with the same payable amount (and method, when the payment
// names one) that were pending when it arrived, or had expired no longer than
// the grace period before. Confidence follows the matcher's rules
// (app.PendingConfidence): one pending order by the same method is high,
// method unknown is medium; several pending orders, a pending order while an
// earlier holder of the slot had been released within the grace period, or
// an expired order is low.
func (g *Gateway) candidates(ctx context.Context, p app.Payment) ([]app.CandidateOrder, error) {
	grace := g.Tuning().Match.Grace
	orders, err := g.db.CandidateOrders(ctx, p, grace, 10)
	if err != nil {
		return nil, err
	}
	released, err := g.db.SlotReleasedBetween(ctx, p.Method, p.Amount, p.ReceivedAt.Add(-grace), p.ReceivedAt)
	if err != nil {
		return nil, err
	}
	pendingAt := func(o app.Order) bool {
		return !o.CreatedAt.After(p.ReceivedAt) && p.ReceivedAt.Before(o.ExpiresAt) && o.Status != app.OrderFailed
	}
	pending := 0
	for _, o := range orders {
		switch {
		case pendingAt(o):
			pending++
		case !o.ExpiresAt.After(p.ReceivedAt):
			released = true // past its lifetime when the money came, not yet marked expired
		}
	}
	out := make([]app.CandidateOrder, 0, len(orders))
	for _, o := range orders {
		c := app.CandidateOrder{Order: o, Confidence: app.ConfidenceLow, Why: "expired"}
		if pendingAt(o) {
			c.Confidence, c.Why = app.PendingConfidence(pending, p.Method != "", released)
		}
		out = append(out, c)
	}
	// The matcher's own candidate may be an order that has left this slot
	// (its payer switched method): offer it too, saying so.
	if id := p.CandidateOrder; id != "" && !slices.ContainsFunc(out, func(c app.CandidateOrder) bool { return c.Order.ID == id }) {
		if o, err := g.db.Order(ctx, id); err == nil && (o.Status == app.OrderPending || o.Status == app.OrderExpired) {
			out = append(out, app.CandidateOrder{Order: o, Confidence: app.ConfidenceLow, Why: "moved"})
		}
	}
	slices.SortStableFunc(out, func(a, b app.CandidateOrder) int { return b.Confidence.Rank() - a.Confidence.Rank() })
	return out, nil
}
