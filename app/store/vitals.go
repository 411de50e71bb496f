package store

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"time"

	"paygate/app"
)

// Vitals fills in what the database knows of the owner's health view:
// its size, pending orders, the callback queue, stored requests not yet
// applied and the devices heard from within offlineAfter.
func (db *DB) Vitals(ctx context.Context, offlineAfter time.Duration) (app.Vitals, error) {
	now := db.now()
	v := app.Vitals{At: now, DBBytes: fileSize(db.path) + fileSize(db.path+"-wal")}
	var (
		due, oldestDue, oldestUnapplied sql.NullInt64
	)
	err := db.read.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM orders INDEXED BY orders_pending_expiry WHERE status = 'pending'),
		(SELECT count(*) FROM callbacks INDEXED BY callbacks_due WHERE status = 'pending'),
		(SELECT sum(next_attempt_at <= ?1) FROM callbacks INDEXED BY callbacks_due WHERE status = 'pending'),
		(SELECT min(next_attempt_at) FROM callbacks INDEXED BY callbacks_due WHERE status = 'pending' AND next_attempt_at <= ?1),
		(SELECT count(*) FROM notifications INDEXED BY notifications_outcome WHERE outcome = 'received'),
		(SELECT min(received_at) FROM notifications INDEXED BY notifications_outcome WHERE outcome = 'received'),
		(SELECT count(*) FROM devices),
		(SELECT count(*) FROM devices WHERE last_seen_at >= ?2)`,
		ms(now), ms(now.Add(-offlineAfter))).Scan(&v.OrdersPending, &v.CallbacksPending, &due, &oldestDue,
		&v.NotificationsUnapplied, &oldestUnapplied, &v.Devices, &v.DevicesOnline)
	if err != nil {
		return v, err
	}
	v.CallbacksDue = int(due.Int64)
	v.OldestDueCallback = fromNullMS(oldestDue)
	v.OldestUnapplied = fromNullMS(oldestUnapplied)
	return v, nil
}

// CheckWritable sends an empty write through the writer queue and writes a
// byte to a file in the data directory: a stuck writer, a database that
// cannot take its write lock, a read-only or full disk all fail it. took is
// the write's round trip through the queue.
func (db *DB) CheckWritable(ctx context.Context) (took time.Duration, err error) {
	started := time.Now()
	err = db.tx(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE settings SET value = value WHERE 0`)
		return err
	})
	took = time.Since(started)
	if err != nil {
		return took, err
	}
	if err := checkWritable(filepath.Dir(db.path)); err != nil {
		return took, fmt.Errorf("%s", app.ErrorMessage(err, "en"))
	}
	return took, nil
}
