package gateway

import (
	"context"

	"paygate/app"
)

// What paygate keeps of the forwarder requests it stores. Every request is
// stored whole before it is read, so a parser mistake never loses a payment;
// anybody can send them, though, so what strangers send is cut down as soon
// as it is refused, and what made no payment goes after the retention.

// strangerLimits bound what is kept of requests no known phone sent (wrong
// or no key). A real notification is far below 2 KB, so what is kept still
// shows what was sent; the newest 1,000 cover a phone set up wrong for a
// day, and a flood of them takes at most 5 MB.
var strangerLimits = app.StrangerLimits{CutTo: 2 << 10, HeaderCutTo: 512, MaxRequests: 1000, MaxBytes: 5 << 20}

// pruneBatch bounds one pruning pass, so the single writer is never held long.
const pruneBatch = 500

// pruneNotifications deletes one batch of stored requests older than the
// retention that made no payment and wait for nobody (ignored, duplicate,
// refused, unreadable), and says how many. The sweeper calls it; with no
// retention it does nothing.
func (g *Gateway) pruneNotifications(ctx context.Context) (int, error) {
	if g.retention <= 0 {
		return 0, nil
	}
	return g.db.PruneNotifications(ctx, g.db.Now().Add(-g.retention), pruneBatch)
}

// NotificationStorage says how many forwarder requests are stored, the bytes
// they take by outcome, the database's size, and the rules that bound them.
func (g *Gateway) NotificationStorage(ctx context.Context) (app.NotificationStorage, error) {
	st, err := g.db.NotificationStorage(ctx)
	st.Retention, st.Limits = g.retention, strangerLimits
	return st, err
}
