package gateway

import (
	"context"
	"time"

	"paygate/app"
)

// Watchers report on what runs beside the gateway, for the owner's detailed
// health and the metrics; any of them may be nil.
type Watchers struct {
	// LastBackup is when the newest backup in data/backups was written (zero: none).
	LastBackup func() time.Time
	// Replication is the database replica's state (issue #17); ok false
	// when replication is not set up.
	Replication func() (state app.ReplicationState, ok bool)
	// Certificates are the automatic HTTPS certificates (server.domain).
	Certificates func() []app.CertificateState
}

// vitalsWriteTimeout bounds the write probe: a writer stuck longer than
// this is reported as not writable rather than hanging the health check.
const vitalsWriteTimeout = 5 * time.Second

// Vitals is the owner's health view: the database can be written, the
// queues are moving, the phones are heard, backups and replication are
// recent and certificates are valid.
func (g *Gateway) Vitals(ctx context.Context) (app.Vitals, error) {
	v, err := g.db.Vitals(ctx, g.offlineAfter)
	if err != nil {
		return v, err
	}
	probeCtx, cancel := context.WithTimeout(ctx, vitalsWriteTimeout)
	defer cancel()
	v.WriteProbe, err = g.db.CheckWritable(probeCtx)
	v.DBWritable = err == nil
	if err != nil {
		v.DBProblem = app.ErrorMessage(err, "en")
	}
	w := g.watch
	if w.LastBackup != nil {
		v.LastBackup = w.LastBackup()
	}
	if w.Replication != nil {
		if r, ok := w.Replication(); ok {
			v.Replication = &r
		}
	}
	if w.Certificates != nil {
		v.Certificates = w.Certificates()
	}
	return v, nil
}
