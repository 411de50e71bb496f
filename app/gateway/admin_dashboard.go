package gateway

import (
	"context"
	"time"

	"paygate/app"
)

// Dashboard is the admin home page: three periods side by side, revenue per
// day, and what waits for a person.
type Dashboard struct {
	Now              time.Time
	Today            app.PeriodStats
	Week             app.PeriodStats // the last 7 days, today included
	Month            app.PeriodStats // the last 30 days, today included
	Days             []app.DayRevenue
	Unmatched        int
	CallbacksFailing int
	Devices          []app.Device
	MissingPayQR     []app.Method // methods payers need a 收款码 for that is not uploaded

	// NotificationsFailing counts stored notifications that could not be
	// applied after several tries (outcome error).
	NotificationsFailing int
}

// Dashboard computes the dashboard as of now.
func (g *Gateway) Dashboard(ctx context.Context) (Dashboard, error) {
	now := g.db.Now()
	d := Dashboard{Now: now}
	midnight := StartOfDay(now)
	var err error
	if d.Today, err = g.db.PeriodStats(ctx, midnight, now.Add(time.Second)); err != nil {
		return d, err
	}
	if d.Week, err = g.db.PeriodStats(ctx, midnight.AddDate(0, 0, -6), now.Add(time.Second)); err != nil {
		return d, err
	}
	if d.Month, err = g.db.PeriodStats(ctx, midnight.AddDate(0, 0, -29), now.Add(time.Second)); err != nil {
		return d, err
	}
	if d.Days, err = g.db.RevenueByDay(ctx, midnight.AddDate(0, 0, -29), now); err != nil {
		return d, err
	}
	if d.Unmatched, d.CallbacksFailing, err = g.db.Attention(ctx); err != nil {
		return d, err
	}
	if d.Devices, err = g.Devices(ctx); err != nil {
		return d, err
	}
	if d.NotificationsFailing, err = g.db.CountNotifications(ctx, app.OutcomeError); err != nil {
		return d, err
	}
	d.MissingPayQR, err = g.MissingPayQRs(ctx)
	return d, err
}

// StartOfDay is midnight, Shanghai time, of the day of t.
func StartOfDay(t time.Time) time.Time {
	t = t.In(app.Shanghai)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, app.Shanghai)
}

// AdminFrame is what every console page shows around its content.
type AdminFrame struct {
	ShopName         string
	Unmatched        int
	CallbacksFailing int
}

// AdminFrame returns the shop name and the counts of what needs attention.
func (g *Gateway) AdminFrame(ctx context.Context) (AdminFrame, error) {
	s, err := g.db.Settings(ctx)
	if err != nil {
		return AdminFrame{}, err
	}
	f := AdminFrame{ShopName: s.Name}
	f.Unmatched, f.CallbacksFailing, err = g.db.Attention(ctx)
	return f, err
}
