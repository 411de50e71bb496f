package store

import (
	"context"
	"database/sql"
	"errors"

	"paygate/app"
)

var errReachCheckNotFound = app.NewError(app.ENOTFOUND, "token",
	"这个检查链接不存在或已过期（一小时有效）：请在后台重新点“用手机检查”。",
	"This check address does not exist or has expired (it works for an hour): press “Check from the phone” in the console again.")

func scanReachCheck(r rowScanner) (app.ReachCheck, error) {
	var c app.ReachCheck
	var created int64
	var hit sql.NullInt64
	if err := r.Scan(&c.Token, &c.URL, &created, &hit, &c.HitIP, &c.HitHost); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return c, errReachCheckNotFound
		}
		return c, err
	}
	c.CreatedAt, c.HitAt = fromMS(created), fromNullMS(hit)
	return c, nil
}

const reachCheckColumns = `token, url, created_at, hit_at, hit_ip, hit_host`

// CreateReachCheck stores a new check address and deletes expired ones.
func (db *DB) CreateReachCheck(ctx context.Context, token, url string) (app.ReachCheck, error) {
	var c app.ReachCheck
	err := db.tx(ctx, func(tx *Tx) error {
		now := db.now()
		if _, err := tx.ExecContext(ctx, `DELETE FROM reach_checks WHERE created_at < ?`, ms(now.Add(-app.ReachCheckLifetime))); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO reach_checks (token, url, created_at) VALUES (?, ?, ?)`, token, url, ms(now)); err != nil {
			return err
		}
		var err error
		c, err = scanReachCheck(tx.QueryRowContext(ctx, `SELECT `+reachCheckColumns+` FROM reach_checks WHERE token = ?`, token))
		return err
	})
	return c, err
}

// ReachCheck returns a check that has not expired.
func (db *DB) ReachCheck(ctx context.Context, token string) (app.ReachCheck, error) {
	return scanReachCheck(db.read.QueryRowContext(ctx, `SELECT `+reachCheckColumns+` FROM reach_checks WHERE token = ? AND created_at >= ?`,
		token, ms(db.now().Add(-app.ReachCheckLifetime))))
}

// HitReachCheck records that the check address was opened (the first time
// counts; later opens change nothing).
func (db *DB) HitReachCheck(ctx context.Context, token, ip, host string) (app.ReachCheck, error) {
	var c app.ReachCheck
	err := db.tx(ctx, func(tx *Tx) error {
		now := db.now()
		if _, err := tx.ExecContext(ctx, `UPDATE reach_checks SET hit_at = ?, hit_ip = ?, hit_host = ?
			WHERE token = ? AND created_at >= ? AND hit_at IS NULL`, ms(now), app.Clip(ip, 64), app.Clip(host, 255), token,
			ms(now.Add(-app.ReachCheckLifetime))); err != nil {
			return err
		}
		var err error
		c, err = scanReachCheck(tx.QueryRowContext(ctx, `SELECT `+reachCheckColumns+` FROM reach_checks WHERE token = ? AND created_at >= ?`,
			token, ms(now.Add(-app.ReachCheckLifetime))))
		return err
	})
	return c, err
}
