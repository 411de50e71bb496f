package store

import (
	"context"
	"database/sql"
	"time"
)

// newestRecordQuery finds when the newest order, payment or forwarder
// notification was made, paid or closed: what a restore must not go back
// past without the owner knowing.
const newestRecordQuery = `SELECT max(t) FROM (
	SELECT max(created_at) AS t FROM orders
	UNION ALL SELECT max(paid_at) FROM orders
	UNION ALL SELECT max(closed_at) FROM orders
	UNION ALL SELECT max(received_at) FROM payments
	UNION ALL SELECT max(matched_at) FROM payments
	UNION ALL SELECT max(received_at) FROM notifications)`

// NewestRecord is when the newest order, payment or notification was
// written; zero for a database without any.
func (db *DB) NewestRecord(ctx context.Context) (time.Time, error) {
	var t sql.NullInt64
	err := db.read.QueryRowContext(ctx, newestRecordQuery).Scan(&t)
	return fromNullMS(t), err
}

// PeekNewestRecord is NewestRecord of the paygate database at path, read
// without migrating or otherwise changing it. paygate must not run on it.
func PeekNewestRecord(ctx context.Context, path string) (time.Time, error) {
	conn, err := sql.Open("sqlite", dsn(path, "FULL", true))
	if err != nil {
		return time.Time{}, err
	}
	defer conn.Close()
	var t sql.NullInt64
	err = conn.QueryRowContext(ctx, newestRecordQuery).Scan(&t)
	return fromNullMS(t), err
}
