package store

import (
	"context"
	"database/sql"
	"fmt"
	"os"
)

// BackupTo writes a consistent copy of the database to path with VACUUM
// INTO. It uses a connection of its own (the read pool is query_only, which
// SQLite applies to VACUUM INTO too); writers go on meanwhile.
func (db *DB) BackupTo(ctx context.Context, path string) error {
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("backup file %s exists already", path)
	}
	conn, err := sql.Open("sqlite", dsn(db.path, "NORMAL", false))
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `VACUUM INTO ?`, path); err != nil {
		os.Remove(path)
		return fmt.Errorf("backup to %s: %w", path, err)
	}
	return nil
}

// Counts are the sizes of the main tables, for backup and restore reports.
type Counts struct {
	Orders, Payments, Notifications int64
}

// Count returns the table sizes.
func (db *DB) Count(ctx context.Context) (Counts, error) {
	var c Counts
	err := db.read.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM orders), (SELECT count(*) FROM payments),
		(SELECT count(*) FROM notifications)`).Scan(&c.Orders, &c.Payments, &c.Notifications)
	return c, err
}

// CheckIntegrity runs SQLite's quick check.
func (db *DB) CheckIntegrity(ctx context.Context) error {
	var res string
	if err := db.read.QueryRowContext(ctx, `PRAGMA quick_check`).Scan(&res); err != nil {
		return err
	}
	if res != "ok" {
		return fmt.Errorf("database integrity check failed: %s", res)
	}
	return nil
}
