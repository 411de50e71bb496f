package gateway

import (
	"context"
	"time"

	"paygate/app"
	"paygate/app/console"
)

// Dashboard computes the dashboard as of now.
func (g *Gateway) Dashboard(ctx context.Context) (console.Dashboard, error) {
	now := g.db.Now()
	d := console.Dashboard{Now: now}
	midnight := startOfDay(now)
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

// startOfDay is midnight, Shanghai time, of the day of t.
func startOfDay(t time.Time) time.Time {
	t = t.In(app.Shanghai)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, app.Shanghai)
}

// AdminFrame returns the shop name and the counts of what needs attention.
func (g *Gateway) AdminFrame(ctx context.Context) (console.AdminFrame, error) {
	s, err := g.db.Settings(ctx)
	if err != nil {
		return console.AdminFrame{}, err
	}
	f := console.AdminFrame{ShopName: s.Name}
	f.Unmatched, f.CallbacksFailing, err = g.db.Attention(ctx)
	return f, err
}
