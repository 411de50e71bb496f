package store

import (
	"context"

	"paygate/app"
)

func insertAudit(ctx context.Context, tx *Tx, e app.AuditEntry) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO audit_log (at, actor, action, subject, detail) VALUES (?, ?, ?, ?, ?)`,
		ms(e.At), e.Actor, e.Action, e.Subject, e.Detail)
	return err
}

// AddAudit records one action on its own.
func (db *DB) AddAudit(ctx context.Context, e app.AuditEntry) error {
	if e.At.IsZero() {
		e.At = db.now()
	}
	return db.tx(ctx, func(tx *Tx) error { return insertAudit(ctx, tx, e) })
}

// AuditLog returns entries newest first and how many match in total.
func (db *DB) AuditLog(ctx context.Context, f app.AuditFilter) ([]app.AuditEntry, int, error) {
	where, args := ` WHERE 1 = 1`, []any{}
	if f.Subject != "" {
		where += ` AND subject = ?`
		args = append(args, f.Subject)
	}
	var total int
	if err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM audit_log`+where, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := db.read.QueryContext(ctx, `SELECT id, at, actor, action, subject, detail FROM audit_log`+where+
		` ORDER BY id DESC LIMIT ? OFFSET ?`, append(args, f.Limit, f.Offset)...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	out := []app.AuditEntry{}
	for rows.Next() {
		var e app.AuditEntry
		var at int64
		if err := rows.Scan(&e.ID, &at, &e.Actor, &e.Action, &e.Subject, &e.Detail); err != nil {
			return nil, 0, err
		}
		e.At = fromMS(at)
		out = append(out, e)
	}
	return out, total, rows.Err()
}
