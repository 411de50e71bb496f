package gateway

import (
	"context"
	"strconv"
	"strings"
	"time"

	"paygate/app"
	"paygate/app/console"
)

// orderListLimit is how many orders a page shows.
const orderListLimit = 20

// ParseOrderQuery validates the filter form.
func ParseOrderQuery(q console.OrderQuery) (app.OrderFilter, app.Page, error) {
	var f app.OrderFilter
	switch s := app.OrderStatus(strings.TrimSpace(q.Status)); s {
	case "", app.OrderPending, app.OrderSuccess, app.OrderExpired, app.OrderFailed:
		f.Status = s
	default:
		return f, app.Page{}, app.NewError(app.EINVALID, "status",
			"订单状态只能是 pending（待支付）、success（已支付）、expired（已过期）或 failed（已关闭）。",
			"The order status must be pending, success, expired or failed.")
	}
	if m := strings.TrimSpace(q.Method); m != "" {
		method, err := ParseMethod(m)
		if err != nil {
			return f, app.Page{}, err
		}
		f.Method = method
	}
	from, to, err := ParseDateRange(q.From, q.To)
	if err != nil {
		return f, app.Page{}, err
	}
	f.From, f.To = from, to
	f.Query = app.CutRunes(strings.TrimSpace(q.Q), 64)
	page, err := ParsePage(q.Page, "")
	if err != nil {
		return f, app.Page{}, err
	}
	page.Limit = orderListLimit
	f.Offset, f.Limit, f.CountCap = page.Offset(), page.Limit, app.ListCountCap
	return f, page, nil
}

// ParseDateRange reads two optional dates (YYYY-MM-DD, Shanghai) into
// [from's midnight, the midnight after to).
func ParseDateRange(from, to string) (time.Time, time.Time, error) {
	var a, b time.Time
	var err error
	if s := strings.TrimSpace(from); s != "" {
		if a, err = time.ParseInLocation("2006-01-02", s, app.Shanghai); err != nil {
			return a, b, app.NewError(app.EINVALID, "from",
				"开始日期格式不对（收到 "+app.Clip(s, 20)+"）：请用 年-月-日，例如 2026-01-31。",
				"The start date is not valid (got "+app.Clip(s, 20)+"): use year-month-day, e.g. 2026-01-31.")
		}
	}
	if s := strings.TrimSpace(to); s != "" {
		if b, err = time.ParseInLocation("2006-01-02", s, app.Shanghai); err != nil {
			return a, b, app.NewError(app.EINVALID, "to",
				"结束日期格式不对（收到 "+app.Clip(s, 20)+"）：请用 年-月-日，例如 2026-01-31。",
				"The end date is not valid (got "+app.Clip(s, 20)+"): use year-month-day, e.g. 2026-01-31.")
		}
		b = b.AddDate(0, 0, 1)
	}
	if !a.IsZero() && !b.IsZero() && !a.Before(b) {
		return a, b, app.NewError(app.EINVALID, "to",
			"结束日期早于开始日期：请把结束日期改成开始日期当天或之后。",
			"The end date is before the start date: pick the start day or later.")
	}
	return a, b, nil
}

// Orders lists orders.
func (g *Gateway) Orders(ctx context.Context, f app.OrderFilter) ([]app.OrderSummary, int, error) {
	return g.db.ListOrders(ctx, f)
}

// OrderTimeline returns an order, the payment that paid it, the callback
// attempts and what people did to it.
func (g *Gateway) OrderTimeline(ctx context.Context, id string) (console.OrderTimeline, error) {
	o, err := g.Order(ctx, id)
	if err != nil {
		return console.OrderTimeline{}, err
	}
	t := console.OrderTimeline{Order: o, Now: g.db.Now()}
	if o.PaymentID != "" {
		p, err := g.db.Payment(ctx, o.PaymentID)
		if err != nil {
			return t, err
		}
		t.Payment = &p
		if t.Attempts, err = g.db.CallbackAttempts(ctx, p.ID); err != nil {
			return t, err
		}
		audit, _, err := g.db.AuditLog(ctx, app.AuditFilter{Subject: p.ID, Limit: 50})
		if err != nil {
			return t, err
		}
		t.Audit = audit
	}
	audit, _, err := g.db.AuditLog(ctx, app.AuditFilter{Subject: o.ID, Limit: 50})
	if err != nil {
		return t, err
	}
	t.Audit = append(t.Audit, audit...)
	if o.Status == app.OrderPending || o.Status == app.OrderExpired {
		waiting, _, err := g.db.ListPayments(ctx, app.PaymentFilter{Status: app.PaymentUnmatched, Limit: unmatchedForOrder, CountCap: 1})
		if err != nil {
			return t, err
		}
		t.Unmatched = app.RankPaymentsFor(o, waiting, g.Tuning().Match.Grace)
	}
	return t, nil
}

// unmatchedForOrder is how many of the newest unmatched payments the order
// page offers for 手动补单.
const unmatchedForOrder = 50

// Arrivals returns the payments recorded after the announcer's cursor
// (after: the last Seq it saw) for the 收款播报. A fresh announcer (after
// empty) and one whose cursor is ahead of the database (restored from a
// backup) get no payments, only where to go on from: only money that comes
// next is announced.
func (g *Gateway) Arrivals(ctx context.Context, after string) (console.Arrivals, error) {
	last, err := g.db.LastArrival(ctx)
	if err != nil {
		return console.Arrivals{}, err
	}
	a := console.Arrivals{Last: last}
	after = strings.TrimSpace(after)
	if after == "" {
		return a, nil
	}
	seq, err := strconv.ParseInt(after, 10, 64)
	if err != nil || seq < 0 {
		return a, app.NewError(app.EINVALID, "after",
			"after 必须是上次收到的编号（非负整数）。", "after must be the last number received (a whole number from 0).")
	}
	if seq >= last {
		return a, nil
	}
	a.List, err = g.db.Arrivals(ctx, seq, arrivalsLimit)
	if n := len(a.List); n > 0 {
		a.Last = a.List[n-1].Seq
	}
	return a, err
}

// arrivalsLimit bounds the payments one poll of the 收款播报 returns; the
// next poll brings the rest.
const arrivalsLimit = 20
