package gateway

import (
	"context"
	"slices"
	"time"

	"paygate/app"
	"paygate/app/console"
)

// recentPayments is how many payments the dashboard's feed shows.
const recentPayments = 8

// Dashboard computes the dashboard as of now.
func (g *Gateway) Dashboard(ctx context.Context) (console.Dashboard, error) {
	now := g.db.Now()
	d := console.Dashboard{Now: now}
	midnight := startOfDay(now)
	yesterday := midnight.AddDate(0, 0, -1)
	var err error
	if d.Today, err = g.db.PeriodStats(ctx, midnight, now.Add(time.Second)); err != nil {
		return d, err
	}
	if d.Yesterday, err = g.db.PeriodStats(ctx, yesterday, midnight); err != nil {
		return d, err
	}
	// The same time of day yesterday (Shanghai has no daylight saving).
	if d.YesterdaySoFar, err = g.db.TakingsBetween(ctx, yesterday, now.AddDate(0, 0, -1)); err != nil {
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
	a, err := g.db.Attention(ctx)
	if err != nil {
		return d, err
	}
	d.Unmatched, d.UnmatchedTotal, d.CallbacksFailing = a.Unmatched, a.UnmatchedTotal, a.CallbacksFailing
	if d.Recent, _, err = g.db.ListPayments(ctx, app.PaymentFilter{Limit: recentPayments, CountCap: 1}); err != nil {
		return d, err
	}
	if d.Devices, err = g.Devices(ctx); err != nil {
		return d, err
	}
	d.Phones = Phones(d.Devices)
	if d.NotificationsFailing, err = g.db.CountNotifications(ctx, app.OutcomeError); err != nil {
		return d, err
	}
	d.MissingPayQR, err = g.MissingPayQRs(ctx)
	return d, err
}

// Phones are the devices that stand for a phone. The API-key stand-in
// ("使用商户 API 密钥的手机", made the first time anything sends with the
// API key — a curl test as well as a phone) counts only while no device has
// its own key: then it is the shop's one phone. Once a phone has its own
// key, the stand-in is not a second phone, online or not.
func Phones(devices []app.Device) []app.Device {
	own := slices.ContainsFunc(devices, func(d app.Device) bool { return !d.UsesAPIKey })
	if !own {
		return devices
	}
	return slices.DeleteFunc(slices.Clone(devices), func(d app.Device) bool { return d.UsesAPIKey })
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
	a, err := g.db.Attention(ctx)
	return console.AdminFrame{ShopName: s.Name, Unmatched: a.Unmatched, CallbacksFailing: a.CallbacksFailing}, err
}
