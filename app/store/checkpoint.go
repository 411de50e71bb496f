package store

import "context"

// LeaveCheckpointsToLitestream turns SQLite's automatic checkpoint off on
// the writer (Options.NoAutoCheckpoint, for a Litestream that started after
// the database was opened: a replica that answered only later). From then
// on only Litestream checkpoints, after it has copied the frames.
func (db *DB) LeaveCheckpointsToLitestream(ctx context.Context) error {
	return db.tx(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, `PRAGMA wal_autocheckpoint = 0`)
		return err
	})
}
