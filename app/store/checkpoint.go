package store

import (
	"context"
	"database/sql"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// Checkpoints run beside the writer, not inside it. SQLite's automatic
// checkpoint runs in the commit that takes the WAL past 1,000 pages: that
// commit copies every page into the database file and waits for two more
// fsyncs while the whole batch waits with it (a third of the writer's
// writes and the slowest answers under load, issue #18). So the writer's
// connection does not checkpoint by itself (wal_autocheckpoint(0) in Open);
// a checkpointer on a connection of its own runs a PASSIVE checkpoint,
// which neither waits for nor blocks the writer, shortly after commits.
//
// SQLite starts the WAL file over only when a write transaction begins
// with every frame copied, which a busy writer never lets a checkpoint
// beside it reach: the WAL would grow without end. So once the WAL file is
// longer than restartBytes, the writer copies what is left itself, between
// two batches (finishCheckpoint) — the frames of the last moment, not the
// whole WAL — and its next transaction starts the file over, cutting it
// back to restartBytes (journal_size_limit on the writer's connection, so
// that the file's length tells how far the WAL reaches).
//
// While Litestream replicates, it alone checkpoints (Options.NoAutoCheckpoint,
// LeaveCheckpointsToLitestream).

// checkpointEvery spaces the checkpoints while commits keep coming. Short,
// so that when the WAL starts over the writer copies only the frames of the
// last moment: at 200 ms its pause showed in the slowest answers.
const checkpointEvery = 50 * time.Millisecond

// restartBytes is the WAL's length at which the writer finishes a
// checkpoint so the file starts over: 4,000 pages of 4 KB (each with its
// 24-byte frame header, after the 32-byte file header), about 16 MB — four
// times SQLite's own 1,000, so that the checkpointer has copied most of it
// by then and the writer's part, and its two fsyncs, come a quarter as often.
const restartBytes = 4000*(4096+24) + 32

// finishRetry spaces the writer's tries when a reader keeps a checkpoint
// from finishing (an export streaming a large table).
const finishRetry = 50 * time.Millisecond

type checkpointer struct {
	conn    *sql.DB // one connection, only for checkpoints
	nudge   chan struct{}
	stop    chan struct{}
	done    chan struct{}
	off     atomic.Bool
	running sync.Mutex   // held while a checkpoint runs
	runs    atomic.Int64 // checkpoints run
	copied  atomic.Int64 // WAL frames in the database file after the last one
	logged  atomic.Int64 // WAL frames at the last one
	// checkpoints the writer finished so the WAL could start over
	finished atomic.Int64
	walPath  string
	retryAt  time.Time // only the writer uses it (finishCheckpoint)
	stopped  sync.Once
}

func startCheckpointer(conn *sql.DB, walPath string) *checkpointer {
	c := &checkpointer{conn: conn, walPath: walPath, nudge: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	go c.run()
	return c
}

// committed tells the checkpointer that the writer committed; it never blocks.
func (c *checkpointer) committed() {
	if c == nil || c.off.Load() {
		return
	}
	select {
	case c.nudge <- struct{}{}:
	default:
	}
}

func (c *checkpointer) run() {
	defer close(c.done)
	timer := time.NewTimer(checkpointEvery)
	timer.Stop()
	for {
		select {
		case <-c.nudge:
		case <-c.stop:
			return
		}
		// Let the commits of the next moment gather: one checkpoint copies
		// them all, and the writer goes on meanwhile.
		timer.Reset(checkpointEvery)
		select {
		case <-timer.C:
		case <-c.stop:
			return
		}
		c.checkpoint()
	}
}

func (c *checkpointer) checkpoint() {
	c.running.Lock()
	defer c.running.Unlock()
	if c.off.Load() {
		return
	}
	// PASSIVE copies what no reader still needs and returns; what is left
	// is copied by a later one. An error (a full disk) is the writer's to
	// report: its commits meet it first.
	var busy, logged, copied int64
	if err := c.conn.QueryRow(`PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &logged, &copied); err == nil {
		c.logged.Store(logged)
		c.copied.Store(copied)
		c.runs.Add(1)
	}
}

// finishCheckpoint is run by the writer between batches: when the WAL file
// has grown past restartBytes, it copies the frames the checkpointer has
// not (no write is under way, so it can copy them all unless a reader
// still needs them), and the writer's next transaction starts the WAL over.
func (c *checkpointer) finishCheckpoint(writer *sql.Conn) {
	if c == nil || c.off.Load() || time.Now().Before(c.retryAt) {
		return
	}
	if fi, err := os.Stat(c.walPath); err != nil || fi.Size() <= restartBytes {
		return
	}
	var busy, logged, copied int64
	err := writer.QueryRowContext(context.Background(), `PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &logged, &copied)
	if err == nil && busy == 0 && copied == logged {
		c.finished.Add(1)
		return
	}
	c.retryAt = time.Now().Add(finishRetry)
}

// close stops the checkpointer after the checkpoint in progress.
func (c *checkpointer) close() error {
	if c == nil {
		return nil
	}
	c.stopped.Do(func() { close(c.stop) })
	<-c.done
	return c.conn.Close()
}

// LeaveCheckpointsToLitestream stops paygate's own checkpoints (as
// Options.NoAutoCheckpoint does at open), for a Litestream that started
// after the database was opened: a replica that answered only later. From
// then on only Litestream checkpoints, after it has copied the frames, and
// the WAL file keeps its length when it starts over, as Litestream expects
// of a database it did not open itself.
func (db *DB) LeaveCheckpointsToLitestream(ctx context.Context) error {
	c := db.checkpoints
	if c == nil {
		return nil
	}
	c.off.Store(true)
	c.running.Lock() // wait out one in progress
	defer c.running.Unlock()
	return db.tx(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, `PRAGMA journal_size_limit = -1`)
		return err
	})
}
