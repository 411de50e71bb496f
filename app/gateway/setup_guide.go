package gateway

import (
	"context"

	"paygate/app"
	"paygate/app/console"
	"paygate/app/forward"
)

// SetupChecklist is how far the shop has come from first start to first
// payment: 收款码 uploaded, a phone paired, its first message received, a
// payment link made or the shop's server connected.
func (g *Gateway) SetupChecklist(ctx context.Context) (console.SetupChecklist, error) {
	p, err := g.db.SetupProgress(ctx)
	if err != nil {
		return console.SetupChecklist{}, err
	}
	return console.SetupChecklist{PayQR: p.PayQR, Paired: p.Devices > 0, HeardAt: p.HeardAt, Links: p.Links, APIOrder: p.APIOrder}, nil
}

// ConnectPanel is the dashboard's block: the checklist, the open alerts and
// how many channels would tell the owner. requestBase is the address the
// console was opened at.
func (g *Gateway) ConnectPanel(ctx context.Context, requestBase string) (console.ConnectPanel, error) {
	var p console.ConnectPanel
	var err error
	if p.Checklist, err = g.SetupChecklist(ctx); err != nil {
		return p, err
	}
	if p.Incidents, err = g.db.OpenIncidents(ctx); err != nil {
		return p, err
	}
	channels, err := g.db.AlertChannels(ctx)
	if err != nil {
		return p, err
	}
	for _, ch := range channels {
		if ch.Enabled {
			p.Channels++
		}
	}
	p.Reach = g.Reach(requestBase)
	return p, nil
}

// DeviceHeard is a phone's state and the last request it sent (secrets
// hidden), for the guide pages' live "received" line.
func (g *Gateway) DeviceHeard(ctx context.Context, id int64) (console.DeviceHeard, error) {
	d, err := g.Device(ctx, id)
	if err != nil {
		return console.DeviceHeard{}, err
	}
	h := console.DeviceHeard{Device: d}
	list, _, err := g.db.ListNotifications(ctx, app.NotificationFilter{DeviceID: id, Limit: 1, CountCap: 1})
	if err != nil {
		return h, err
	}
	if len(list) > 0 {
		n := forward.Redact(list[0])
		h.Last = &n
	}
	return h, nil
}
