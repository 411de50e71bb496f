package gateway

import (
	"context"
	"time"

	"paygate/app"
	"paygate/app/forward"
)

// ReparseReport says what a re-parse changed.
type ReparseReport struct {
	Checked  int `json:"checked"`
	Payments int `json:"payments"` // now payments, waiting for a person to confirm
	Ignored  int `json:"ignored"`
	Failed   int `json:"failed"` // still unreadable or refused
}

// maxReparse bounds one re-parse run.
const maxReparse = 10000

// Reparse runs the current parser again over stored notifications received
// since then that produced no payment (ignored or unreadable ones), e.g.
// after a parser fix. Notifications that already made a payment are never
// touched, so nothing is recorded twice; new payments are not matched
// automatically but wait, with their candidate order, for a person.
func (g *Gateway) Reparse(ctx context.Context, since time.Time) (ReparseReport, error) {
	var rep ReparseReport
	ids, err := g.db.ReparseCandidates(ctx, since.UnixMilli(), maxReparse)
	if err != nil {
		return rep, err
	}
	for _, id := range ids {
		raw, _, err := g.db.RawNotification(ctx, id)
		if app.ErrorCode(err) == app.ENOTFOUND {
			continue // deleted meanwhile: past the retention, or a stranger's beyond the cap
		}
		if err != nil {
			return rep, err
		}
		rep.Checked++
		var res app.IngestResult
		if forward.IsVmqPush(raw.Endpoint) {
			res, err = g.ingestVmqPush(ctx, id, raw, true)
		} else {
			res, err = g.ingestWebhook(ctx, id, raw, true)
		}
		switch {
		case app.ServerFault(err):
			return rep, err
		case err != nil:
			rep.Failed++
		case res.Kind == app.OutcomePayment:
			rep.Payments++
		default:
			rep.Ignored++
		}
	}
	g.log.Info("re-parse done", "checked", rep.Checked, "payments", rep.Payments, "ignored", rep.Ignored, "failed", rep.Failed)
	return rep, nil
}
