package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"paygate/app"
)

// HasAdmin reports whether the admin account has been created.
func (db *DB) HasAdmin(ctx context.Context) (bool, error) {
	var n int
	err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM admins`).Scan(&n)
	return n > 0, err
}

// CreateFirstAdmin creates the admin account, only while there is none: two
// first-run forms sent at once cannot both win.
func (db *DB) CreateFirstAdmin(ctx context.Context, username, passwordHash string) (app.Admin, error) {
	var a app.Admin
	err := db.tx(ctx, func(tx *Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM admins`).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return app.NewError(app.ECONFLICT, "",
				"管理员账号已经创建过了：请直接登录。",
				"The admin account exists already: log in instead.")
		}
		now := db.now()
		res, err := tx.ExecContext(ctx, `INSERT INTO admins (username, password_hash, created_at, updated_at) VALUES (?, ?, ?, ?)`,
			username, passwordHash, ms(now), ms(now))
		if err != nil {
			return err
		}
		id, err := res.LastInsertId()
		if err != nil {
			return err
		}
		a = app.Admin{ID: id, Username: username, PasswordHash: passwordHash, CreatedAt: now}
		return insertAudit(ctx, tx, app.AuditEntry{At: now, Actor: username, Action: app.AuditAdminCreated, Subject: username})
	})
	return a, err
}

// AdminByUsername returns the admin with that name; found is false when there is none.
func (db *DB) AdminByUsername(ctx context.Context, username string) (a app.Admin, found bool, err error) {
	var created int64
	err = db.read.QueryRowContext(ctx, `SELECT id, username, password_hash, created_at FROM admins WHERE username = ?`, username).
		Scan(&a.ID, &a.Username, &a.PasswordHash, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return app.Admin{}, false, nil
	}
	if err != nil {
		return app.Admin{}, false, err
	}
	a.CreatedAt = fromMS(created)
	return a, true, nil
}

// SetAdminPassword replaces an admin's password hash and ends every other session of theirs.
func (db *DB) SetAdminPassword(ctx context.Context, adminID int64, passwordHash, keepSessionHash string) error {
	return db.tx(ctx, func(tx *Tx) error {
		var name string
		if err := tx.QueryRowContext(ctx, `SELECT username FROM admins WHERE id = ?`, adminID).Scan(&name); err != nil {
			return err
		}
		now := db.now()
		if _, err := tx.ExecContext(ctx, `UPDATE admins SET password_hash = ?, updated_at = ? WHERE id = ?`, passwordHash, ms(now), adminID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE admin_id = ? AND token_hash <> ?`, adminID, keepSessionHash); err != nil {
			return err
		}
		return insertAudit(ctx, tx, app.AuditEntry{At: now, Actor: name, Action: app.AuditPassword, Subject: name})
	})
}

// loginIPsKept is how many of the admin's latest login addresses are remembered.
const loginIPsKept = 5

// CreateSession stores a new login session, records the login and remembers
// its address among the admin's latest ones.
func (db *DB) CreateSession(ctx context.Context, s app.Session) error {
	return db.tx(ctx, func(tx *Tx) error {
		// Old sessions go first, so the table stays small without a sweeper.
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE expires_at <= ?`, ms(db.now())); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO sessions (token_hash, admin_id, created_at, expires_at, remote_ip, user_agent)
			VALUES (?, ?, ?, ?, ?, ?)`, s.TokenHash, s.Admin.ID, ms(s.CreatedAt), ms(s.ExpiresAt), s.RemoteIP, s.UserAgent); err != nil {
			return err
		}
		if err := rememberLoginIP(ctx, tx, s.Admin.ID, s.RemoteIP, s.CreatedAt); err != nil {
			return err
		}
		return insertAudit(ctx, tx, app.AuditEntry{At: s.CreatedAt, Actor: s.Admin.Username, Action: app.AuditLogin,
			Subject: s.Admin.Username, Detail: "IP " + s.RemoteIP})
	})
}

func rememberLoginIP(ctx context.Context, tx *Tx, adminID int64, ip string, at time.Time) error {
	if ip == "" {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO admin_login_ips (admin_id, ip, last_login_at) VALUES (?, ?, ?)
		ON CONFLICT (admin_id, ip) DO UPDATE SET last_login_at = excluded.last_login_at`, adminID, ip, ms(at)); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `DELETE FROM admin_login_ips WHERE admin_id = ? AND ip NOT IN (
		SELECT ip FROM admin_login_ips WHERE admin_id = ? ORDER BY last_login_at DESC LIMIT ?)`, adminID, adminID, loginIPsKept)
	return err
}

// KnownLoginIP reports whether the admin has signed in from ip since since
// (among the latest addresses kept).
func (db *DB) KnownLoginIP(ctx context.Context, adminID int64, ip string, since time.Time) (bool, error) {
	var n int
	err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM admin_login_ips WHERE admin_id = ? AND ip = ? AND last_login_at >= ?`,
		adminID, ip, ms(since)).Scan(&n)
	return n > 0, err
}

// SessionByHash returns the unexpired session with that token hash.
func (db *DB) SessionByHash(ctx context.Context, tokenHash string) (s app.Session, found bool, err error) {
	var created, expires, adminCreated int64
	err = db.read.QueryRowContext(ctx, `SELECT s.token_hash, s.created_at, s.expires_at, s.remote_ip, s.user_agent,
		a.id, a.username, a.password_hash, a.created_at
		FROM sessions s JOIN admins a ON a.id = s.admin_id WHERE s.token_hash = ? AND s.expires_at > ?`, tokenHash, ms(db.now())).
		Scan(&s.TokenHash, &created, &expires, &s.RemoteIP, &s.UserAgent, &s.Admin.ID, &s.Admin.Username, &s.Admin.PasswordHash, &adminCreated)
	if errors.Is(err, sql.ErrNoRows) {
		return app.Session{}, false, nil
	}
	if err != nil {
		return app.Session{}, false, err
	}
	s.CreatedAt, s.ExpiresAt, s.Admin.CreatedAt = fromMS(created), fromMS(expires), fromMS(adminCreated)
	return s, true, nil
}

// DeleteSession ends a session (logout) and records it.
func (db *DB) DeleteSession(ctx context.Context, tokenHash, actor string) error {
	return db.tx(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE token_hash = ?`, tokenHash)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		return insertAudit(ctx, tx, app.AuditEntry{At: db.now(), Actor: actor, Action: app.AuditLogout, Subject: actor})
	})
}

// ResetAdmin removes every admin account and session (a forgotten password):
// the console asks for a new account on the next visit. It returns how many
// accounts were removed.
func (db *DB) ResetAdmin(ctx context.Context) (int64, error) {
	var n int64
	err := db.tx(ctx, func(tx *Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions`); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM admins`)
		if err != nil {
			return err
		}
		n, _ = res.RowsAffected()
		return insertAudit(ctx, tx, app.AuditEntry{At: db.now(), Actor: "system", Action: app.AuditAdminReset, Detail: "paygate reset-admin"})
	})
	return n, err
}
