package store

import (
	"context"
	"time"
)

// UseRequestNonce records the nonce of a signed API request, kept until
// expires, and reports whether it was unused. Nonces whose time has passed
// are deleted first, so the table holds about one window's worth.
func (db *DB) UseRequestNonce(ctx context.Context, nonce string, expires time.Time) (bool, error) {
	fresh := false
	err := db.tx(ctx, func(tx *Tx) error {
		if err := deleteExpiredNonces(ctx, tx, db.now()); err != nil {
			return err
		}
		var err error
		fresh, err = insertNonce(ctx, tx, nonce, expires)
		return err
	})
	return fresh, err
}

func deleteExpiredNonces(ctx context.Context, tx *Tx, now time.Time) error {
	_, err := tx.ExecContext(ctx, `DELETE FROM request_nonces WHERE expires_at < ?`, ms(now))
	return err
}

// insertNonce adds nonce and reports whether it was not there yet.
func insertNonce(ctx context.Context, tx *Tx, nonce string, expires time.Time) (bool, error) {
	res, err := tx.ExecContext(ctx, `INSERT INTO request_nonces (nonce, expires_at) VALUES (?, ?) ON CONFLICT (nonce) DO NOTHING`,
		nonce, ms(expires))
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}
