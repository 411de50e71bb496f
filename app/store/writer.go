package store

import (
	"context"
	"errors"
	"fmt"
)

// Group commit. Every write transaction of the store is a job for one writer
// goroutine. It takes the jobs that are waiting, runs each inside its own
// SAVEPOINT of a single SQLite transaction, commits once — one fsync for the
// whole batch — and only then tells each job's caller how it went. A job
// that fails rolls back to its savepoint and leaves the others alone; if the
// commit fails, every job in the batch fails. So each exported store method
// keeps the meaning of one transaction, while under load many of them share
// one disk flush (synchronous=FULL stays affordable).

// maxBatch bounds how many jobs share one commit, so a batch's latency stays small.
const maxBatch = 128

type writeJob struct {
	ctx  context.Context
	fn   func(*Tx) error
	done chan error
}

// errClosed is returned for writes after Close.
var errClosed = errors.New("store: database is closed")

// tx runs fn as one atomic unit on the writer and returns once it is
// durable (or failed). fn must use only tx.
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
		return err
	case <-db.writerDone:
		select {
		case err := <-job.done: // answered just before the writer stopped
			return err
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
		db.writeStmts.preparePending()
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

// commitBatch runs the jobs in one transaction and reports to each.
func (db *DB) commitBatch(batch []*writeJob) {
	results := make([]error, len(batch))
	sqlTx, err := db.write.BeginTx(context.Background(), nil)
	if err != nil {
		for _, j := range batch {
			j.done <- fmt.Errorf("begin: %w", err)
		}
		return
	}
	tx := &Tx{Tx: sqlTx, stmts: db.writeStmts}
	if len(batch) == 1 {
		// Alone: no savepoint needed, a failure rolls the transaction back.
		results[0] = runJob(batch[0], tx)
		if results[0] != nil {
			_ = tx.Rollback()
			batch[0].done <- results[0]
			return
		}
	} else {
		for i, j := range batch {
			results[i] = runInSavepoint(j, tx)
		}
	}
	if err := tx.Commit(); err != nil {
		err = fmt.Errorf("commit: %w", err)
		for i := range results {
			if results[i] == nil {
				results[i] = err
			}
		}
	}
	for i, j := range batch {
		j.done <- results[i]
	}
}

func runInSavepoint(j *writeJob, tx *Tx) error {
	if _, err := tx.Exec(`SAVEPOINT job`); err != nil {
		return err
	}
	err := runJob(j, tx)
	if err != nil {
		if _, rbErr := tx.Exec(`ROLLBACK TO job`); rbErr != nil {
			return errors.Join(err, rbErr)
		}
	}
	if _, relErr := tx.Exec(`RELEASE job`); relErr != nil && err == nil {
		return relErr
	}
	return err
}

// runJob runs one job's function, turning a panic into an error so one bad
// job cannot take the writer down.
func runJob(j *writeJob, tx *Tx) (err error) {
	if err := j.ctx.Err(); err != nil {
		return err
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("store: write panicked: %v", r)
		}
	}()
	return j.fn(tx)
}
