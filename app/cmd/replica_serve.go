package cmd

import (
	"context"
	"log/slog"
	"time"

	"paygate/app"
	"paygate/app/config"
	"paygate/app/replica"
	"paygate/app/store"
)

// openStore opens the database for the server and, with a replica set up
// (config.yaml, the environment or the console), starts Litestream on it.
// Litestream must start before paygate's own connections are open and stop
// after they are closed (replica.Start says why), so the database is opened
// once to read the console's replica settings, closed, and opened again
// after Litestream. A replica that holds newer data than this database is
// an error: the server does not start.
func openStore(ctx context.Context, cfg *config.Config, logger *slog.Logger) (*store.DB, *replica.Replicator, error) {
	opts := store.Options{Synchronous: cfg.Data.Synchronous, ReadConns: cfg.Data.ReadConns}
	db, err := store.Open(ctx, cfg.Data.Dir, opts)
	if err != nil {
		return nil, nil, err
	}
	saved, err := db.SettingValues(ctx, "replica.")
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	settings := app.MergeReplica(app.ReplicaFromValues(saved), cfg.Replica.Settings, cfg.Pinned)
	ropts := replica.Options{SyncInterval: cfg.Replica.SyncInterval, Retention: cfg.Replica.Retention, AlertAfter: cfg.Replica.AlertAfter, Logger: logger}
	if !settings.On() {
		rep, _ := replica.Start(ctx, db.Path(), settings, ropts) // off: only answers State and Check
		return db, rep, nil
	}
	path := db.Path()
	if err := db.Close(); err != nil {
		return nil, nil, err
	}
	rep, err := replica.Start(ctx, path, settings, ropts)
	if err != nil {
		_ = rep.Close(ctx)
		return nil, nil, err
	}
	// Litestream checkpoints while it runs (it must not be overtaken); if it
	// could not start, SQLite's own checkpoint keeps the WAL small meanwhile.
	opts.NoAutoCheckpoint = rep.State().Running
	opts.BeforeWrite = rep.WaitForCheckpoint
	if db, err = store.Open(ctx, cfg.Data.Dir, opts); err != nil {
		_ = rep.Close(ctx)
		return nil, nil, err
	}
	if !opts.NoAutoCheckpoint {
		// Started later by a retry: from then on Litestream checkpoints.
		rep.OnRunning(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			if err := db.LeaveCheckpointsToLitestream(ctx); err != nil {
				logger.Error("leaving checkpoints to Litestream", "err", err)
			}
		})
	}
	return db, rep, nil
}

// closeStore closes the database, then Litestream (after a last sync of
// what was committed).
func closeStore(db *store.DB, rep *replica.Replicator, logger *slog.Logger) {
	if err := db.Close(); err != nil {
		logger.Error("closing the database", "err", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := rep.Close(ctx); err != nil {
		logger.Error("last sync to the replica", "err", err)
	}
}
