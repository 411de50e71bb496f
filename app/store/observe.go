package store

import (
	"time"

	"paygate/app"
)

// Observer hears what committed writes did: orders made, paid and expired,
// payments recorded, forwarder requests decided, callback attempts, and
// each batch the writer commits. It hears a write only once the commit that
// holds it is on disk, never a write that rolled back. Its methods run on the
// writer goroutine, so they must be quick and must not touch the store
// (the metrics counters are atomic adds).
type Observer interface {
	OrderCreated(method app.Method)
	OrdersExpired(method app.Method, n int)
	// OrderPaid: by is "auto" (matched by paygate) or the person who confirmed it.
	OrderPaid(method app.Method, by string)
	PaymentRecorded(method app.Method, status app.PaymentStatus, confidence app.Confidence)
	NotificationDecided(outcome app.NotificationOutcome)
	// CallbackAttempted: gaveUp is set when this was the last attempt the schedule allows.
	CallbackAttempted(acked bool, took time.Duration, gaveUp bool)
	// WriteBatch: jobs transactions shared one commit, which took commit.
	WriteBatch(jobs int, commit time.Duration)
}

// SetObserver makes o hear every later commit (nil: nobody). Call it before
// serving; it is not meant to change under load.
func (db *DB) SetObserver(o Observer) { db.observer.Store(&observerBox{o}) }

type observerBox struct{ Observer }

func (db *DB) currentObserver() Observer {
	if b := db.observer.Load(); b != nil {
		return b.Observer
	}
	return nil
}

// tell notes what this transaction's job did, for the observer once committed.
func (tx *Tx) tell(event func(Observer)) {
	if tx.events != nil {
		*tx.events = append(*tx.events, event)
	}
}

// tellCommitted hands the committed jobs' events to the observer.
func (db *DB) tellCommitted(batch []*writeJob, results []error, commit time.Duration) {
	o := db.currentObserver()
	if o == nil {
		return
	}
	for i, j := range batch {
		if results[i] != nil {
			continue
		}
		for _, event := range j.events {
			event(o)
		}
	}
	o.WriteBatch(len(batch), commit)
}
