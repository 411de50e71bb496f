package store

import (
	"context"
	"database/sql"

	"paygate/app"
	"paygate/app/money"
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

// PutPayQRAmount stores a fixed-amount 收款码 (replacing one for the same
// method and amount) and records who did it.
func (db *DB) PutPayQRAmount(ctx context.Context, q app.PayQR, actor string) error {
	return db.tx(ctx, func(tx *Tx) error {
		now := db.now()
		if _, err := tx.ExecContext(ctx, `INSERT INTO pay_qr_amounts (method, amount, image, content_type, payload, updated_at)
			VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (method, amount) DO UPDATE SET image = excluded.image, content_type = excluded.content_type,
				payload = excluded.payload, updated_at = excluded.updated_at`,
			string(q.Method), int64(q.Amount), q.Image, q.ContentType, q.Payload, ms(now)); err != nil {
			return err
		}
		return insertAudit(ctx, tx, app.AuditEntry{At: now, Actor: actor, Action: app.AuditPayQRAmount,
			Subject: string(q.Method), Detail: q.Amount.Fixed2() + " " + q.Payload})
	})
}

// DeletePayQRAmount removes a fixed-amount 收款码; found is false when there was none.
func (db *DB) DeletePayQRAmount(ctx context.Context, method app.Method, amount money.Fen, actor string) (found bool, err error) {
	err = db.tx(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM pay_qr_amounts WHERE method = ? AND amount = ?`, string(method), int64(amount))
		if err != nil {
			return err
		}
		n, _ := res.RowsAffected()
		if found = n > 0; !found {
			return nil
		}
		return insertAudit(ctx, tx, app.AuditEntry{At: db.now(), Actor: actor, Action: app.AuditPayQRAmountDrop,
			Subject: string(method), Detail: amount.Fixed2()})
	})
	return found, err
}

// PayQRAmounts lists the fixed-amount 收款码 of every method, by method then
// amount, without the pictures.
func (db *DB) PayQRAmounts(ctx context.Context) ([]app.PayQR, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT method, amount, content_type, payload, updated_at FROM pay_qr_amounts ORDER BY method, amount`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []app.PayQR
	for rows.Next() {
		var q app.PayQR
		var method string
		var amount, updated int64
		if err := rows.Scan(&method, &amount, &q.ContentType, &q.Payload, &updated); err != nil {
			return nil, err
		}
		q.Method, q.Amount, q.UpdatedAt = app.Method(method), money.Fen(amount), fromMS(updated)
		out = append(out, q)
	}
	return out, rows.Err()
}

// PayQRAmount returns one fixed-amount 收款码 with its picture.
func (db *DB) PayQRAmount(ctx context.Context, method app.Method, amount money.Fen) (q app.PayQR, found bool, err error) {
	var updated, a int64
	err = db.read.QueryRowContext(ctx, `SELECT method, amount, image, content_type, payload, updated_at FROM pay_qr_amounts
		WHERE method = ? AND amount = ?`, string(method), int64(amount)).Scan(&q.Method, &a, &q.Image, &q.ContentType, &q.Payload, &updated)
	if err == sql.ErrNoRows {
		return app.PayQR{}, false, nil
	}
	if err != nil {
		return app.PayQR{}, false, err
	}
	q.Amount, q.UpdatedAt = money.Fen(a), fromMS(updated)
	return q, true, nil
}

// PayQRFor is the code a payer of amount by method scans: the fixed-amount
// code for exactly that amount if there is one, else the method's general
// code (Amount 0). found is false when the owner uploaded neither. The
// picture is not loaded.
func (db *DB) PayQRFor(ctx context.Context, method app.Method, amount money.Fen) (q app.PayQR, found bool, err error) {
	var a, updated int64
	err = db.read.QueryRowContext(ctx, `SELECT amount, payload, updated_at FROM (
			SELECT amount, payload, updated_at FROM pay_qr_amounts WHERE method = ? AND amount = ?
			UNION ALL
			SELECT 0, payload, updated_at FROM pay_qr_codes WHERE method = ?
		) ORDER BY amount DESC LIMIT 1`, string(method), int64(amount), string(method)).Scan(&a, &q.Payload, &updated)
	if err == sql.ErrNoRows {
		return app.PayQR{}, false, nil
	}
	if err != nil {
		return app.PayQR{}, false, err
	}
	q.Method, q.Amount, q.UpdatedAt = method, money.Fen(a), fromMS(updated)
	return q, true, nil
}
