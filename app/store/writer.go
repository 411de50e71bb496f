package store

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"modernc.org/sqlite"
)

// Group commit. Every write transaction of the store is a job for one writer
// goroutine. It takes the jobs that are waiting, runs each inside its own
// SAVEPOINT of a single SQLite transaction, commits once — one fsync for the
// whole batch — and only then tells each job's caller how it went. A job
// that fails rolls back to its savepoint and leaves the others alone; if the
// commit fails, every job in the batch fails. So each exported store method
// keeps the meaning of one transaction, while under load many of them share
// one disk flush (synchronous=FULL stays affordable).
//
// A job, once started, runs on the writer's own context (Tx ignores the
// caller's): a statement interrupted because one caller hung up would make
// SQLite roll back the transaction every job of the batch shares.

// maxBatch bounds how many jobs share one commit, so a batch's latency stays small.
const maxBatch = 128

type writeJob struct {
	ctx    context.Context
	fn     func(*Tx) error
	done   chan error
	events []func(Observer) // what the job's writes did, told once they are committed (observe.go)
	days   []dayBump        // its changes to the per-day counters, written once per batch (flushDays)
}

// errClosed is returned for writes after Close.
var errClosed = errors.New("store: database is closed")

// tx runs fn as one atomic unit on the writer and returns once it is
// durable (or failed). fn must use only tx. fn may run a second time, when
// SQLite lost the batch it ran in (commitBatch), so it must set what it
// hands back afresh on every run.
func (db *DB) tx(ctx context.Context, fn func(tx *Tx) error) error {
	job := &writeJob{ctx: ctx, fn: fn, done: make(chan error, 1)}
	select {
	case <-db.closing:
		return errClosed
	default:
	}
	select {
	case db.jobs <- job:
	case <-db.closing:
		return errClosed
	case <-ctx.Done():
		return ctx.Err()
	}
	// Once queued, wait for the outcome even if ctx ends: the job may commit.
	select {
	case err := <-job.done:
		return writeProblem(err)
	case <-db.writerDone:
		select {
		case err := <-job.done: // answered just before the writer stopped
			return writeProblem(err)
		default:
			return errClosed
		}
	}
}

// runWriter is the writer goroutine.
func (db *DB) runWriter() {
	defer close(db.writerDone)
	batch := make([]*writeJob, 0, maxBatch)
	for {
		var first *writeJob
		select {
		case first = <-db.jobs:
		case <-db.closing:
			db.failQueued()
			return
		}
		if db.beforeWrite != nil {
			db.beforeWrite() // jobs arriving meanwhile join this batch
		}
		batch = append(batch[:0], first)
	fill:
		for len(batch) < maxBatch {
			select {
			case j := <-db.jobs:
				batch = append(batch, j)
			default:
				break fill
			}
		}
		db.commitBatch(batch)
		db.checkpoints.committed()
		db.checkpoints.finishCheckpoint(db.writeConn)
	}
}

func (db *DB) failQueued() {
	for {
		select {
		case j := <-db.jobs:
			j.done <- errClosed
		default:
			return
		}
	}
}

// commitBatch runs the jobs in one transaction and reports to each. When
// SQLite dropped that transaction on the way (see batchState), nothing of it
// is on disk: each job runs again in a transaction of its own, so every
// caller is answered with what happened to its own write.
//
// A batch first runs without savepoints (runBatch): a SAVEPOINT and RELEASE
// per job, and the copy of every page a job first touches that SQLite keeps
// to roll back to it, were a tenth of the writer's work for each order
// (issue #18), and jobs rarely fail. When one does fail after it started,
// its partial writes cannot be undone alone: the transaction is rolled back
// and the batch runs again with a savepoint per job, as do the next
// guardedAfterFailure batches, so that a stream of failing requests costs
// each batch once, not twice.
func (db *DB) commitBatch(batch []*writeJob) {
	guarded := db.guardedBatches > 0
	if guarded {
		db.guardedBatches--
	}
	results, outcome, commit := db.runBatch(batch, guarded)
	if outcome == batchJobFailed {
		db.guardedBatches = guardedAfterFailure
		db.batch.guardedReruns.Add(1)
		results, outcome, commit = db.runBatch(batch, true)
	}
	if outcome == batchDone {
		db.tellCommitted(batch, results, commit)
	} else {
		db.batch.reruns.Add(1)
		for i := range batch {
			alone, _, commit := db.runBatch(batch[i:i+1], true)
			results[i] = alone[0]
			db.tellCommitted(batch[i:i+1], alone, commit)
		}
	}
	for i, j := range batch {
		j.done <- results[i]
	}
}

// guardedAfterFailure is how many batches run with savepoints after a job
// failed in a batch without them.
const guardedAfterFailure = 64

// batchOutcome is how far runBatch got.
type batchOutcome int

const (
	batchDone      batchOutcome = iota // committed or rolled back as a whole; the results say how each job went
	batchLost                          // SQLite rolled the transaction back under the jobs: the results mean nothing
	batchJobFailed                     // unguarded: a job failed after it started and the transaction was rolled back
)

// runBatch runs the jobs in one transaction and returns their outcomes and
// how long the commit took. guarded puts each job of a batch of several in
// a savepoint of its own, so one that fails is undone alone; unguarded, a
// job that fails after it started ends the batch (batchJobFailed). A job
// alone needs no savepoint: when it fails, the transaction is rolled back.
func (db *DB) runBatch(batch []*writeJob, guarded bool) (results []error, outcome batchOutcome, commit time.Duration) {
	results = make([]error, len(batch))
	tx := &Tx{conn: db.writeConn, stmts: db.writeStmts}
	if err := tx.begin(); err != nil {
		for i := range results {
			results[i] = fmt.Errorf("begin: %w", err)
		}
		return results, batchDone, 0
	}
	db.batch.begin()
	defer db.batch.end()
	switch {
	case len(batch) == 1:
		_, results[0] = runJob(batch[0], tx)
		if results[0] == nil && db.batch.lost.Load() {
			results[0] = errTxLost
		}
		if results[0] != nil {
			_ = tx.Rollback()
			return results, batchDone, 0
		}
	case guarded:
		for i, j := range batch {
			var err error
			if results[i], err = db.runInSavepoint(j, tx); err != nil {
				_ = tx.Rollback()
				return results, batchLost, 0
			}
		}
	default:
		for i, j := range batch {
			var started bool
			started, results[i] = runJob(j, tx)
			if db.batch.lost.Load() {
				_ = tx.Rollback()
				return results, batchLost, 0
			}
			if results[i] != nil && started {
				_ = tx.Rollback()
				return results, batchJobFailed, 0
			}
		}
	}
	if err := flushDays(tx, batch, results); err != nil {
		_ = tx.Rollback()
		for i := range results {
			if results[i] == nil {
				results[i] = fmt.Errorf("per-day counters: %w", err)
			}
		}
		return results, batchDone, 0
	}
	db.batch.committing.Store(true)
	started := time.Now()
	err := tx.Commit()
	commit = time.Since(started)
	if err != nil {
		err = fmt.Errorf("commit: %w", err)
		for i := range results {
			if results[i] == nil {
				results[i] = err
			}
		}
	}
	return results, batchDone, commit
}

// runInSavepoint runs one job of a batch inside its own savepoint and returns
// the job's outcome, or an error when the batch's transaction is no longer
// whole: a savepoint step failed, or SQLite rolled the transaction back.
func (db *DB) runInSavepoint(j *writeJob, tx *Tx) (result, broken error) {
	if _, err := tx.ExecContext(writerCtx, `SAVEPOINT job`); err != nil {
		return nil, fmt.Errorf("savepoint: %w", err)
	}
	_, result = runJob(j, tx)
	if db.batch.lost.Load() {
		return result, errTxLost
	}
	if result != nil {
		if _, err := tx.ExecContext(writerCtx, `ROLLBACK TO job`); err != nil {
			return result, fmt.Errorf("rollback to savepoint: %w", err)
		}
	}
	if _, err := tx.ExecContext(writerCtx, `RELEASE job`); err != nil {
		return result, fmt.Errorf("release savepoint: %w", err)
	}
	if db.batch.lost.Load() {
		return result, errTxLost
	}
	return result, nil
}

// runJob runs one job's function, turning a panic into an error so one bad
// job cannot take the writer down. A job whose caller is gone before it
// starts is skipped (the caller is told so, and started is false: it wrote
// nothing); once started, it runs to the end whatever the caller does, as
// Tx ignores the caller's context.
func runJob(j *writeJob, tx *Tx) (started bool, err error) {
	if err := j.ctx.Err(); err != nil {
		return false, err
	}
	j.events = j.events[:0] // a job run again tells only what its last run did
	j.days = j.days[:0]
	tx.events, tx.days = &j.events, &j.days
	defer func() {
		tx.events, tx.days = nil, nil
		if r := recover(); r != nil {
			err = fmt.Errorf("store: write panicked: %v", r)
		}
	}()
	started = true // before fn: a panic in it returns through the deferred recover
	return started, j.fn(tx)
}

// errTxLost: SQLite rolled the write transaction back under a job (an
// interrupted statement, an I/O error, a full disk).
var errTxLost = errors.New("store: the write transaction was rolled back by SQLite")

// batchState lets the writer notice what SQLite does to its transaction
// behind its back. Some errors (an interrupted statement, I/O errors, a
// full disk) make SQLite roll back the whole transaction; the statements
// after that — the next job's SAVEPOINT and RELEASE included — would each
// run and commit on their own. The connection's rollback hook marks the
// batch lost, and its commit hook refuses every commit during a batch but
// the batch's own, so nothing of a broken batch reaches the disk.
type batchState struct {
	open       atomic.Bool  // a batch transaction is running
	committing atomic.Bool  // the writer is committing it
	lost       atomic.Bool  // SQLite rolled it back
	reruns     atomic.Int64 // batches lost and run again job by job
	// batches run again with savepoints after a job failed without them
	guardedReruns atomic.Int64
}

func (b *batchState) begin() {
	b.lost.Store(false)
	b.committing.Store(false)
	b.open.Store(true)
}

func (b *batchState) end() {
	b.open.Store(false)
	b.committing.Store(false)
}

// onRollback is the write connection's rollback hook.
func (b *batchState) onRollback() {
	if b.open.Load() {
		b.lost.Store(true)
	}
}

// onCommit is the write connection's commit hook: non-zero turns the commit
// into a rollback.
func (b *batchState) onCommit() int32 {
	if b.open.Load() && !b.committing.Load() {
		return 1
	}
	return 0
}

// writeConnector opens the writer's connection with its hooks installed, on
// a driver of its own so no other connection gets them.
func (db *DB) writeConnector(dsn string) driver.Connector {
	drv := &sqlite.Driver{}
	drv.RegisterConnectionHook(func(conn sqlite.ExecQuerierContext, _ string) error {
		hooks, ok := conn.(sqlite.HookRegisterer)
		if !ok {
			return errors.New("store: the SQLite driver cannot watch transactions")
		}
		hooks.RegisterRollbackHook(db.batch.onRollback)
		hooks.RegisterCommitHook(db.batch.onCommit)
		return nil
	})
	return connector{drv: drv, dsn: dsn}
}

type connector struct {
	drv *sqlite.Driver
	dsn string
}

func (c connector) Connect(context.Context) (driver.Conn, error) { return c.drv.Open(c.dsn) }
func (c connector) Driver() driver.Driver                        { return c.drv }
