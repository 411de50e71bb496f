package gateway

import (
	"context"
	"slices"
	"strings"

	"paygate/app"
	"paygate/app/console"
	"paygate/app/money"
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

// UnmatchedTotal is the money the payments waiting for a person brought.
func (g *Gateway) UnmatchedTotal(ctx context.Context) (money.Fen, error) {
	a, err := g.db.Attention(ctx)
	return a.UnmatchedTotal, err
}

// candidates returns the orders an unmatched payment may pay, most likely
// first, each with its reason (app.Suggest): orders waiting on its exact slot
// with the matcher's confidence, then the payer's usual mistakes — the price
// the shop asked instead of the adjusted amount, a few fen off within the
// slot range, the other app, paying after the order expired.
func (g *Gateway) candidates(ctx context.Context, p app.Payment) ([]app.CandidateOrder, error) {
	t := g.Tuning()
	orders, err := g.db.SuggestionOrders(ctx, p.Amount, p.ReceivedAt, max(t.Slots.MaxOffset, suggestNear))
	if err != nil {
		return nil, err
	}
	released, err := g.db.SlotReleasedBetween(ctx, p.Method, p.Amount, p.ReceivedAt.Add(-t.Match.Grace), p.ReceivedAt)
	if err != nil {
		return nil, err
	}
	for _, o := range orders {
		// An order on the exact slot past its lifetime when the money came,
		// not yet marked expired, released the slot too.
		if o.PayAmount == p.Amount && (p.Method == "" || o.Method == p.Method) &&
			!o.ExpiresAt.After(p.ReceivedAt) && p.ReceivedAt.Sub(o.ExpiresAt) <= t.Match.Grace {
			released = true
		}
	}
	out := app.Suggest(p, orders, app.SuggestFacts{Grace: t.Match.Grace, Released: released})
	// The matcher's own candidate may be an order that has since left the
	// payment's slot (its payer switched method): offer it too, saying so.
	if id := p.CandidateOrder; id != "" && !slices.ContainsFunc(out, func(c app.CandidateOrder) bool { return c.Order.ID == id }) {
		if o, err := g.db.Order(ctx, id); err == nil && (o.Status == app.OrderPending || o.Status == app.OrderExpired) {
			c := app.Describe(p, o)
			c.Why = "moved"
			out = append(out, c)
		}
	}
	return out, nil
}

// suggestNear is how far, at least, from the amount that arrived an order's
// payable amount may be to be suggested: a few fen, even when the owner
// allows no adjusted amounts.
const suggestNear = 5

// SearchOrdersFor finds the orders a person looks up for an unmatched
// payment — by paygate's order id, the shop's own order number, part of the
// product name or an amount — among those it may still pay (pending or
// expired), newest first, each described against the payment (the
// difference, the other method, how late).
func (g *Gateway) SearchOrdersFor(ctx context.Context, paymentID, q string) ([]app.CandidateOrder, error) {
	p, err := g.Payment(ctx, paymentID)
	if err != nil {
		return nil, err
	}
	q = app.CutRunes(strings.TrimSpace(q), 64)
	if q == "" {
		return nil, app.NewError(app.EINVALID, "q",
			"请输入要找的订单：订单号（ORD…）、商城订单号、商品名或金额。",
			"Enter what to look for: the order id (ORD…), the shop's order number, the product or an amount.")
	}
	orders, _, err := g.db.ListOrders(ctx, app.OrderFilter{Query: q, Unpaid: true, Limit: searchLimit, CountCap: 1})
	if err != nil {
		return nil, err
	}
	out := make([]app.CandidateOrder, 0, len(orders))
	for _, o := range orders {
		out = append(out, app.Describe(p, o.Order))
	}
	return out, nil
}

// searchLimit bounds the orders a search shows.
const searchLimit = 10
