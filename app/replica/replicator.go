package replica

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/benbjohnson/litestream"
	"github.com/benbjohnson/litestream/file"

	"paygate/app"
	"paygate/app/console"
)

// Options tune the replication.
type Options struct {
	// SyncInterval bounds how long a commit waits before it is in the
	// replica: Litestream cuts the new WAL frames into a batch every quarter
	// interval and ships the batches within another quarter (one upload
	// each; a checkpoint, every 1,000 pages of WAL, adds two or three),
	// leaving half for the upload and for a busy machine.
	SyncInterval time.Duration // 1s when zero
	// Retention is how far back a point-in-time restore can go (the
	// snapshots and changes kept in the replica).
	Retention time.Duration // 7 days when zero
	// AlertAfter: the replica lagging this long (or replication not running
	// this long while set up) is Behind in State, which the gateway's
	// monitor turns into an alert.
	AlertAfter time.Duration // 1 minute when zero
	Logger     *slog.Logger
}

// startTimeout bounds the first try at start: an unreachable replica must
// not keep the shop closed; the retries go on in the background.
const startTimeout = 10 * time.Second

// Replicator runs Litestream on paygate's database for the life of the process.
type Replicator struct {
	dbPath   string
	settings app.ReplicaSettings
	opts     Options
	log      *slog.Logger
	errs     *errorLog
	began    time.Time

	ctx    context.Context // ends at Close: stops the retries
	cancel context.CancelFunc
	wg     sync.WaitGroup

	live atomic.Pointer[litestream.DB] // the running Litestream database, for WaitForCheckpoint

	mu        sync.Mutex
	store     *litestream.Store
	db        *litestream.DB
	replica   *litestream.Replica
	runningAt time.Time
	refused   bool
	onRunning func() // called once Litestream runs, when a retry starts it
}

// Start checks the replica in s and starts replicating dbPath to it. Call it
// before paygate opens dbPath, and Close after paygate closed it: Litestream
// opens its own handle on the database here and closes it in Close, and
// closing a handle drops the process's POSIX locks on the file.
//
// A replica ahead of this database is an error wrapping ErrReplicaAhead:
// paygate must not start on it. Any other trouble (unreachable, refused
// credentials) leaves the replicator retrying in the background, with the
// reason in State and an alert once it lasts.
func Start(ctx context.Context, dbPath string, s app.ReplicaSettings, opts Options) (*Replicator, error) {
	if opts.SyncInterval <= 0 {
		opts.SyncInterval = time.Second
	}
	if opts.Retention <= 0 {
		opts.Retention = 7 * 24 * time.Hour
	}
	if opts.AlertAfter <= 0 {
		opts.AlertAfter = time.Minute
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	r := &Replicator{dbPath: dbPath, settings: s, opts: opts, began: time.Now()}
	r.log = opts.Logger.With("replica", s.Display())
	r.errs = newErrorLog(r.log.Handler())
	r.ctx, r.cancel = context.WithCancel(context.Background())
	if !s.On() {
		return r, nil
	}
	first, cancel := context.WithTimeout(ctx, startTimeout)
	err := r.attempt(first, true)
	cancel()
	switch {
	case errors.Is(err, ErrReplicaAhead):
		r.refused = true
		r.errs.record(err)
		return r, err
	case app.ErrorCode(err) == app.EINVALID:
		r.errs.record(err) // settings that cannot work: no use retrying
		r.log.Error("replication is off: its settings cannot be used; fix them in the console or config.yaml and restart", "err", err)
	case err != nil:
		r.errs.record(err)
		r.log.Error("replication is not running yet; paygate retries in the background", "err", err)
		r.wg.Add(1)
		go r.retry()
	default:
		r.log.Info("replicating the database", "sync_interval", opts.SyncInterval.String(), "retention", opts.Retention.String())
	}
	return r, nil
}

// attempt checks the replica and starts Litestream on it. first: paygate
// has not opened the database yet.
func (r *Replicator) attempt(ctx context.Context, first bool) error {
	client, err := newClient(r.settings)
	if err != nil {
		return err
	}
	logger := slog.New(r.errs)
	client.SetLogger(logger)
	if err := client.Init(ctx); err != nil {
		return err
	}
	reset, err := checkTarget(ctx, client, r.dbPath, r.settings)
	if err != nil {
		return err
	}
	if reset {
		if err := resetLocal(r.dbPath); err != nil {
			return err
		}
	}
	m, err := readMarker(r.dbPath)
	if err != nil {
		return err
	}
	if m.Replica != r.settings.Identity() || reset {
		m = marker{Replica: r.settings.Identity()}
	}
	if err := writeMarker(r.dbPath, m); err != nil {
		return err
	}

	db := litestream.NewDB(r.dbPath)
	db.MonitorInterval = r.opts.SyncInterval / 4
	db.BusyTimeout = 10 * time.Second // as paygate's own connections: a busy writer is no error
	// Litestream's time-based checkpoint writes a batch of its own, which is
	// uploaded and compacted: once a minute (its default) that is 120
	// requests an hour to an idle shop's bucket. The WAL stays bounded by
	// the page-count checkpoint (1,000 pages) whatever this is.
	db.CheckpointInterval = 10 * time.Minute
	replica := litestream.NewReplicaWithClient(db, client)
	replica.SyncInterval = r.opts.SyncInterval / 4
	db.Replica = replica
	if fc, ok := client.(*file.ReplicaClient); ok {
		fc.Replica = replica // keeps the replica files' owner and mode
	}
	store := litestream.NewStore([]*litestream.DB{db}, litestream.CompactionLevels{
		{Level: 0},
		{Level: 1, Interval: 30 * time.Second},
		{Level: 2, Interval: 5 * time.Minute},
		{Level: 3, Interval: time.Hour},
	})
	store.Logger = logger
	db.SetLogger(logger.With("db", "paygate.db"))
	store.L0RetentionCheckInterval = time.Minute // each check lists the bucket twice; the files live 5 minutes
	store.SnapshotInterval = 24 * time.Hour
	store.SnapshotRetention = r.opts.Retention
	store.SetShutdownSyncTimeout(10 * time.Second)
	if err := store.Open(ctx); err != nil {
		_ = store.Close(context.WithoutCancel(ctx))
		return err
	}
	// The first sync opens Litestream's handle on the database. If that
	// fails Litestream closes the handle again; before paygate opened the
	// database that is harmless, so stop and let the caller retry.
	if err := db.Sync(ctx); err != nil && db.SQLDB() == nil && first {
		_ = store.Close(context.WithoutCancel(ctx))
		return err
	}
	r.mu.Lock()
	r.store, r.db, r.replica, r.runningAt = store, db, replica, time.Now()
	started := r.onRunning
	r.onRunning = nil
	r.mu.Unlock()
	r.live.Store(db)
	if started != nil {
		started()
	}
	return nil
}

// retry starts Litestream once the replica answers, backing off to 5 minutes.
func (r *Replicator) retry() {
	defer r.wg.Done()
	for wait := 5 * time.Second; ; wait = min(wait*2, 5*time.Minute) {
		select {
		case <-r.ctx.Done():
			return
		case <-time.After(wait):
		}
		ctx, cancel := context.WithTimeout(r.ctx, 30*time.Second)
		err := r.attempt(ctx, false)
		cancel()
		switch {
		case err == nil:
			r.log.Info("replicating the database")
			return
		case errors.Is(err, ErrReplicaAhead):
			r.mu.Lock()
			r.refused = true
			r.mu.Unlock()
			r.errs.record(err)
			r.log.Error("replication refused until paygate is restarted", "err", err)
			return
		case r.ctx.Err() == nil:
			r.errs.record(err)
			r.log.Warn("replication still not running", "err", err, "next_try", min(wait*2, 5*time.Minute).String())
		}
	}
}

// State is how replication is doing now. It does no I/O.
func (r *Replicator) State() console.ReplicaState {
	st := console.ReplicaState{
		On: r.settings.On(), Target: r.settings.Display(),
		SyncInterval: r.opts.SyncInterval, Retention: r.opts.Retention, StartedAt: r.began,
	}
	if !st.On {
		return st
	}
	r.mu.Lock()
	db, replica, runningAt, refused := r.db, r.replica, r.runningAt, r.refused
	r.mu.Unlock()
	msg, msgAt := r.errs.last.get()
	if db == nil {
		st.Refused = refused
		st.Error, st.ErrorAt = msg, msgAt
		st.Behind = refused || time.Since(r.began) > r.opts.AlertAfter
		return st
	}
	st.Running = true
	if pos, err := db.Pos(); err == nil {
		st.LocalTXID = uint64(pos.TXID)
	}
	st.ReplicaTXID = uint64(replica.Pos().TXID)
	st.LastSyncAt = db.LastSuccessfulSyncAt()
	if st.ReplicaTXID < st.LocalTXID || st.LastSyncAt.IsZero() {
		since := st.LastSyncAt
		if since.IsZero() {
			since = runningAt
		}
		st.Lag = time.Since(since)
	}
	if msg != "" && (st.Lag > 0 || msgAt.After(st.LastSyncAt)) && msgAt.After(runningAt) {
		st.Error, st.ErrorAt = msg, msgAt
	}
	st.Behind = st.Lag > r.opts.AlertAfter
	return st
}

// OnRunning calls f once Litestream runs: at once if it does, else when a
// background retry starts it. paygate then leaves the checkpoints to it.
func (r *Replicator) OnRunning(f func()) {
	r.mu.Lock()
	if r.db == nil {
		r.onRunning = f
		r.mu.Unlock()
		return
	}
	r.mu.Unlock()
	f()
}

// maxCheckpointWait bounds how long WaitForCheckpoint holds paygate's
// writer: a checkpoint that takes longer (a slow disk) is waited for by
// SQLite's busy timeout instead.
const maxCheckpointWait = 2 * time.Second

// WaitForCheckpoint returns once Litestream is not checkpointing (at once
// when it is not). paygate's writer calls it before each batch
// (store.Options.BeforeWrite). Litestream's checkpoint takes SQLite's write
// lock twice (a barrier while it copies the last frames, then its sequence
// row), waiting for it with the busy handler's sleeps; a writer that goes
// from one commit straight to the next under load leaves it no gap, and
// meanwhile nothing new reaches the replica: killed then, paygate lost
// seconds of acknowledged payments in the e2e test instead of under one.
func (r *Replicator) WaitForCheckpoint() {
	db := r.live.Load()
	if db == nil {
		return
	}
	deadline := time.Now().Add(maxCheckpointWait)
	for {
		d := db.SyncDiagnostic()
		if !d.Active || d.CheckpointMode == "" || time.Now().After(deadline) {
			return
		}
		time.Sleep(time.Millisecond)
	}
}

// Vitals is the state for the detailed health check and the metrics; ok is
// false when no replica is set up. Error is the reason it is behind, also
// when behind without an error (not running yet, or lagging).
func (r *Replicator) Vitals() (app.ReplicationState, bool) {
	st := r.State()
	if !st.On {
		return app.ReplicationState{}, false
	}
	out := app.ReplicationState{Target: st.Target, LastSyncAt: st.LastSyncAt, Error: st.Error}
	if st.Behind && out.Error == "" {
		out.Error = "behind by " + st.Lag.Round(time.Second).String()
		if !st.Running {
			out.Error = "not running"
		}
	}
	return out, true
}

// Settings are the settings this run replicates with.
func (r *Replicator) Settings() app.ReplicaSettings { return r.settings }

// Check tells whether s could be replicated to: it answers, and holds no
// changes this database lacks. It changes nothing.
func (r *Replicator) Check(ctx context.Context, s app.ReplicaSettings) error {
	if !s.On() {
		return nil
	}
	client, err := newClient(s)
	if err != nil {
		return err
	}
	client.SetLogger(slog.New(r.errs))
	if err := client.Init(ctx); err != nil {
		return unreachable(s, err)
	}
	if _, err := checkTarget(ctx, client, r.dbPath, s); err != nil {
		if errors.Is(err, ErrReplicaAhead) {
			return err
		}
		return unreachable(s, err)
	}
	return nil
}

func unreachable(s app.ReplicaSettings, err error) error {
	var e *app.Error
	if errors.As(err, &e) {
		return err
	}
	return app.NewError(app.EUNAVAILABLE, "replica.url",
		"连不上副本 "+s.Display()+"："+app.Clip(err.Error(), 300)+"。请检查地址、endpoint、区域和密钥（以及存储桶是否已经建好）。",
		"The replica "+s.Display()+" cannot be reached: "+app.Clip(err.Error(), 300)+". Check the address, endpoint, region and keys (and that the bucket exists).")
}

// Close stops replicating after a last sync (at most 10 seconds). Call it
// after paygate closed its own connections to the database.
func (r *Replicator) Close(ctx context.Context) error {
	r.cancel()
	r.wg.Wait()
	r.live.Store(nil)
	r.mu.Lock()
	store := r.store
	r.store, r.db, r.replica = nil, nil, nil
	r.mu.Unlock()
	if store == nil {
		return nil
	}
	return store.Close(ctx)
}
