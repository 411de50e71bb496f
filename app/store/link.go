package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"paygate/app"
	"paygate/app/money"
)

const linkColumns = `id, code, product_name, amount, min_amount, max_amount, methods, enabled, created_at, updated_at`

func scanLink(r rowScanner) (app.PaymentLink, error) {
	var (
		l                app.PaymentLink
		amount           sql.NullInt64
		minA, maxA       int64
		methods          string
		enabled          int64
		created, updated int64
	)
	if err := r.Scan(&l.ID, &l.Code, &l.ProductName, &amount, &minA, &maxA, &methods, &enabled, &created, &updated); err != nil {
		return app.PaymentLink{}, err
	}
	l.Amount, l.MinAmount, l.MaxAmount = money.Fen(amount.Int64), money.Fen(minA), money.Fen(maxA)
	l.Methods = app.ParseMethods(methods)
	l.Enabled = enabled == 1
	l.CreatedAt, l.UpdatedAt = fromMS(created), fromMS(updated)
	return l, nil
}

func errLinkNotFound(what string) error {
	return app.NewError(app.ENOTFOUND, "link",
		"收款链接 "+what+" 不存在：它可能已被商家删除，请检查链接是否完整，或向商家要新的链接。",
		"Payment link "+what+" does not exist: the shop may have deleted it; check the link is complete, or ask the shop for a new one.")
}

// CreateLink stores a new payment link under a fresh code from newCode and records who did it.
func (db *DB) CreateLink(ctx context.Context, newCode func() string, l app.PaymentLink, actor string) (app.PaymentLink, error) {
	err := db.tx(ctx, func(tx *Tx) error {
		now := db.now()
		l.CreatedAt, l.UpdatedAt, l.Enabled = now, now, true
		amount := sql.NullInt64{Int64: int64(l.Amount), Valid: l.Amount > 0}
		var err error
		for try := 0; ; try++ {
			l.Code = newCode()
			var res sql.Result
			res, err = tx.ExecContext(ctx, `INSERT INTO payment_links (code, product_name, amount, min_amount, max_amount, methods, enabled, created_at, updated_at)
				VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?)`,
				l.Code, l.ProductName, amount, int64(l.MinAmount), int64(l.MaxAmount), l.MethodsText(), ms(now), ms(now))
			if err == nil {
				l.ID, err = res.LastInsertId()
				break
			}
			if try == 3 || !isUniqueViolation(err, "payment_links.code") {
				break
			}
		}
		if err != nil {
			return err
		}
		return insertAudit(ctx, tx, app.AuditEntry{At: now, Actor: actor, Action: app.AuditLinkCreate, Subject: l.Code,
			Detail: fmt.Sprintf("%s %s", l.ProductName, linkPrice(l))})
	})
	return l, err
}

func linkPrice(l app.PaymentLink) string {
	if l.Amount > 0 {
		return l.Amount.Fixed2()
	}
	return l.MinAmount.Fixed2() + "-" + l.MaxAmount.Fixed2()
}

// LinkByCode returns the payment link a buyer opened.
func (db *DB) LinkByCode(ctx context.Context, code string) (app.PaymentLink, error) {
	l, err := scanLink(db.read.QueryRowContext(ctx, `SELECT `+linkColumns+` FROM payment_links WHERE code = ?`, code))
	if errors.Is(err, sql.ErrNoRows) {
		return app.PaymentLink{}, errLinkNotFound(code)
	}
	return l, err
}

// Links lists every payment link, newest first, with its orders and revenue.
func (db *DB) Links(ctx context.Context) ([]app.LinkSummary, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT l.id, l.code, l.product_name, l.amount, l.min_amount, l.max_amount, l.methods,
			l.enabled, l.created_at, l.updated_at,
			count(o.id), coalesce(sum(o.status = 'success'), 0), coalesce(sum(CASE WHEN o.status = 'success' THEN o.pay_amount END), 0)
		FROM payment_links l LEFT JOIN orders o ON o.link_id = l.id
		GROUP BY l.id ORDER BY l.id DESC`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []app.LinkSummary
	for rows.Next() {
		var s app.LinkSummary
		var revenue int64
		l, err := scanLink(scanFunc(func(dest ...any) error {
			return rows.Scan(append(dest, &s.Orders, &s.Paid, &revenue)...)
		}))
		if err != nil {
			return nil, err
		}
		s.PaymentLink, s.Revenue = l, money.Fen(revenue)
		out = append(out, s)
	}
	return out, rows.Err()
}

// scanFunc adapts a function to rowScanner.
type scanFunc func(dest ...any) error

func (f scanFunc) Scan(dest ...any) error { return f(dest...) }

// SetLinkEnabled turns a payment link on or off and records who did it.
func (db *DB) SetLinkEnabled(ctx context.Context, id int64, enabled bool, actor string) (app.PaymentLink, error) {
	var l app.PaymentLink
	err := db.tx(ctx, func(tx *Tx) error {
		now := db.now()
		on := 0
		action := app.AuditLinkDisable
		if enabled {
			on, action = 1, app.AuditLinkEnable
		}
		var err error
		l, err = scanLink(tx.QueryRowContext(ctx, `UPDATE payment_links SET enabled = ?, updated_at = ? WHERE id = ? RETURNING `+linkColumns,
			on, ms(now), id))
		if errors.Is(err, sql.ErrNoRows) {
			return errLinkNotFound(fmt.Sprint(id))
		}
		if err != nil {
			return err
		}
		return insertAudit(ctx, tx, app.AuditEntry{At: now, Actor: actor, Action: action, Subject: l.Code, Detail: l.ProductName})
	})
	return l, err
}

// DeleteLink removes a payment link; its orders stay (no longer tied to it).
func (db *DB) DeleteLink(ctx context.Context, id int64, actor string) error {
	return db.tx(ctx, func(tx *Tx) error {
		var code, name string
		err := tx.QueryRowContext(ctx, `DELETE FROM payment_links WHERE id = ? RETURNING code, product_name`, id).Scan(&code, &name)
		if errors.Is(err, sql.ErrNoRows) {
			return errLinkNotFound(fmt.Sprint(id))
		}
		if err != nil {
			return err
		}
		return insertAudit(ctx, tx, app.AuditEntry{At: db.now(), Actor: actor, Action: app.AuditLinkDelete, Subject: code, Detail: name})
	})
}

// MethodsInUse are the methods that orders created since `since` used or an
// enabled payment link offers: the ones whose 收款码 payers need.
func (db *DB) MethodsInUse(ctx context.Context, since time.Time) (map[app.Method]bool, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT DISTINCT method FROM orders WHERE created_at >= ?
		UNION SELECT methods FROM payment_links WHERE enabled = 1`, ms(since))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[app.Method]bool{}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		for _, m := range app.ParseMethods(s) {
			out[m] = true
		}
	}
	return out, rows.Err()
}
