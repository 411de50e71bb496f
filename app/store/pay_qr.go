package store

import (
	"context"
	"database/sql"

	"paygate/app"
)

// PutPayQR stores the 收款码 of a method (replacing the old one) and records who did it.
func (db *DB) PutPayQR(ctx context.Context, q app.PayQR, actor string) error {
	return db.tx(ctx, func(tx *Tx) error {
		now := db.now()
		if _, err := tx.ExecContext(ctx, `INSERT INTO pay_qr_codes (method, image, content_type, payload, updated_at)
			VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (method) DO UPDATE SET image = excluded.image, content_type = excluded.content_type,
				payload = excluded.payload, updated_at = excluded.updated_at`,
			string(q.Method), q.Image, q.ContentType, q.Payload, ms(now)); err != nil {
			return err
		}
		return insertAudit(ctx, tx, app.AuditEntry{At: now, Actor: actor, Action: app.AuditPayQR, Subject: string(q.Method), Detail: q.Payload})
	})
}

// PayQRs returns the stored 收款码 by method, without the pictures.
func (db *DB) PayQRs(ctx context.Context) (map[app.Method]app.PayQR, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT method, content_type, payload, updated_at FROM pay_qr_codes`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[app.Method]app.PayQR{}
	for rows.Next() {
		var q app.PayQR
		var method string
		var updated int64
		if err := rows.Scan(&method, &q.ContentType, &q.Payload, &updated); err != nil {
			return nil, err
		}
		q.Method, q.UpdatedAt = app.Method(method), fromMS(updated)
		out[q.Method] = q
	}
	return out, rows.Err()
}

// PayQR returns the 收款码 of a method with its picture; found is false when none was uploaded.
func (db *DB) PayQR(ctx context.Context, method app.Method) (q app.PayQR, found bool, err error) {
	var updated int64
	err = db.read.QueryRowContext(ctx, `SELECT method, image, content_type, payload, updated_at FROM pay_qr_codes WHERE method = ?`,
		string(method)).Scan(&q.Method, &q.Image, &q.ContentType, &q.Payload, &updated)
	if err == sql.ErrNoRows {
		return app.PayQR{}, false, nil
	}
	if err != nil {
		return app.PayQR{}, false, err
	}
	q.UpdatedAt = fromMS(updated)
	return q, true, nil
}
