package store

import (
	"context"
	"database/sql"
	"sync"
	"sync/atomic"
	"time"
)

// Checkpoints run beside the writer, not inside it. SQLite's automatic
// checkpoint runs in the commit that takes the WAL past 1,000 pages: that
// commit copies every page into the database file and waits for two more
// fsyncs while the whole batch waits with it (a third of the writer's
// writes and the slowest answers under load, issue #18). So the writer's
// connection never checkpoints (wal_autocheckpoint(0) in Open); a
// checkpointer on a connection of its own runs a PASSIVE checkpoint, which
// neither waits for nor blocks the writer, shortly after commits. While
// Litestream replicates, it alone checkpoints (Options.NoAutoCheckpoint,
// LeaveCheckpointsToLitestream).

// checkpointEvery spaces the checkpoints while commits keep coming: about
// 1,000 WAL pages apart at a busy writer's pace, as SQLite's own would be.
const checkpointEvery = 100 * time.Millisecond

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
	stopped sync.Once
}

func startCheckpointer(conn *sql.DB) *checkpointer {
	c := &checkpointer{conn: conn, nudge: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
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
// then on only Litestream checkpoints, after it has copied the frames.
func (db *DB) LeaveCheckpointsToLitestream(ctx context.Context) error {
	if c := db.checkpoints; c != nil {
		c.off.Store(true)
		c.running.Lock() // wait out one in progress
		defer c.running.Unlock()
	}
	return nil
}
