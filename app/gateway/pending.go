package gateway

import (
	"context"
	"time"

	"paygate/app"
	"paygate/app/forward"
)

// A stored notification is applied whatever happens to the request that
// brought it. Rows left received — the client hung up before the work was
// done, the process died between storing and applying, applying failed —
// are applied at start and by the sweeper, through the same path as a live
// request, so duplicates are still found and nothing is paid twice.

const (
	// pendingAge is how old a received row must be before the sweeper
	// applies it: younger ones may still be in a live request's hands.
	pendingAge = 30 * time.Second
	// maxApplyAttempts is how many times a row is tried before it gets the
	// outcome error and waits for a person (the console shows it).
	maxApplyAttempts = 5
	// pendingBatch bounds one pass.
	pendingBatch = 500
)

// ApplyPending applies stored notifications received at or before before
// that were never applied. Call it at start, before serving, with the
// current time; the sweeper calls it with a margin for live requests.
func (g *Gateway) ApplyPending(ctx context.Context, before time.Time) error {
	ids, err := g.db.UnappliedNotifications(ctx, before, pendingBatch)
	if err != nil {
		return err
	}
	for _, id := range ids {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		raw, _, err := g.db.RawNotification(ctx, id)
		if err != nil {
			return err
		}
		res, err := g.ingestStored(ctx, id, raw)
		switch {
		case err == nil:
			g.log.Info("stored notification applied", "id", id, "kind", res.Kind, "payment", res.PaymentID, "order", res.OrderID)
		case app.ErrorCode(err) == app.EDISKFULL:
			// Nothing can be written now; that is not this row's fault, so it
			// is not counted against it. The next pass tries again.
			return err
		case !app.ServerFault(err):
			// Refused or unreadable: ingestStored recorded why.
		default:
			gaveUp, noteErr := g.db.NoteApplyFailure(ctx, id, err.Error(), maxApplyAttempts)
			if noteErr != nil {
				return noteErr
			}
			if gaveUp {
				g.log.Error("stored notification could not be applied; it waits for a person", "id", id, "err", err)
			} else {
				g.log.Warn("applying stored notification failed; will try again", "id", id, "err", err)
			}
		}
	}
	return nil
}

// ingestStored applies one stored request as if it had just arrived. One
// that arrived longer ago than the match grace does not pay an order by
// itself: the order it was meant for may be gone and its amount slot given
// to another customer, so the payment waits, with its candidate, for a person.
func (g *Gateway) ingestStored(ctx context.Context, id int64, raw app.RawRequest) (app.IngestResult, error) {
	late := g.db.Now().Sub(raw.ReceivedAt) > g.Tuning().Match.Grace
	switch {
	case forward.IsVmqPush(raw.Endpoint):
		return g.ingestVmqPush(ctx, id, raw, late)
	case forward.IsVmqHeart(raw.Endpoint):
		// Only refused heartbeats are stored; one whose outcome was never
		// recorded gets it now (or, if it passes now, is noted as a heartbeat).
		_, err := g.vmqHeartDevice(ctx, raw)
		if err != nil {
			g.markNotification(ctx, id, heartOutcome(err), err, 0)
			return app.IngestResult{NotificationID: id}, err
		}
		return app.IngestResult{NotificationID: id, Kind: app.OutcomeIgnored},
			g.db.SetNotificationOutcome(ctx, id, app.OutcomeIgnored, "heartbeat")
	}
	return g.ingestWebhook(ctx, id, raw, late)
}
