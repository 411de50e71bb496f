package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"paygate/app"
	"paygate/app/money"
)

const paymentColumns = `p.id, p.notification_id, p.method, p.amount, p.customer_type, p.status, p.order_id,
	p.confidence, p.candidate_order_id, p.received_at, p.matched_at, p.matched_by, coalesce(c.status, '')`

// paymentFrom joins the payment's callback (merchant or 易支付: there is one
// per payment) so every read carries its status.
const paymentFrom = ` FROM payments p LEFT JOIN callbacks c ON c.id = (SELECT min(id) FROM callbacks WHERE payment_id = p.id)`

func scanPayment(r rowScanner) (app.Payment, error) {
	var (
		p                  app.Payment
		notificationID     sql.NullInt64
		method, status     string
		amount, received   int64
		orderID, candidate sql.NullString
		matched            sql.NullInt64
		confidence, cb     string
	)
	err := r.Scan(&p.ID, &notificationID, &method, &amount, &p.CustomerType, &status, &orderID,
		&confidence, &candidate, &received, &matched, &p.MatchedBy, &cb)
	if err != nil {
		return app.Payment{}, err
	}
	p.NotificationID = notificationID.Int64
	p.Method = app.Method(method)
	p.Amount = money.Fen(amount)
	p.Status = app.PaymentStatus(status)
	p.OrderID = orderID.String
	p.Confidence = app.Confidence(confidence)
	p.CandidateOrder = candidate.String
	p.ReceivedAt = fromMS(received)
	p.MatchedAt = fromNullMS(matched)
	p.CallbackStatus = app.CallbackStatus(cb)
	return p, nil
}

func insertPayment(ctx context.Context, tx *Tx, p app.Payment) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO payments (id, notification_id, method, amount, customer_type, status,
		order_id, confidence, candidate_order_id, received_at, matched_at, matched_by)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		p.ID, sql.NullInt64{Int64: p.NotificationID, Valid: p.NotificationID != 0}, string(p.Method), int64(p.Amount),
		p.CustomerType, string(p.Status), nullString(p.OrderID), string(p.Confidence), nullString(p.CandidateOrder),
		ms(p.ReceivedAt), nullMS(p.MatchedAt), p.MatchedBy)
	if err != nil {
		return err
	}
	tx.tell(func(o Observer) { o.PaymentRecorded(p.Method, p.Status, p.Confidence) })
	switch p.Status {
	case app.PaymentMatched:
		return bumpDay(ctx, tx, dayNumber(p.ReceivedAt), dayStats{revenue: int64(p.Amount), payments: 1})
	case app.PaymentUnmatched:
		return bumpDay(ctx, tx, dayNumber(p.ReceivedAt), dayStats{unmatched: 1})
	}
	return nil
}

func errPaymentNotFound(id string) error {
	return app.NewError(app.ENOTFOUND, "paymentId",
		"收款记录 "+id+" 不存在：请检查编号。",
		"Payment "+id+" does not exist: check the id.")
}

// Payment returns one payment.
func (db *DB) Payment(ctx context.Context, id string) (app.Payment, error) {
	p, err := scanPayment(db.read.QueryRowContext(ctx, `SELECT `+paymentColumns+paymentFrom+` WHERE p.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return app.Payment{}, errPaymentNotFound(id)
	}
	return p, err
}

func paymentTx(ctx context.Context, tx *Tx, id string) (app.Payment, error) {
	p, err := scanPayment(tx.QueryRowContext(ctx, `SELECT `+paymentColumns+paymentFrom+` WHERE p.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return app.Payment{}, errPaymentNotFound(id)
	}
	return p, err
}

// ListPayments returns payments newest first and how many match in total.
func (db *DB) ListPayments(ctx context.Context, f app.PaymentFilter) ([]app.Payment, int, error) {
	where, args := ` WHERE 1 = 1`, []any{}
	if f.Status != "" {
		where += ` AND p.status = ?`
		args = append(args, string(f.Status))
	}
	total, err := db.count(ctx, `SELECT 1 FROM payments p`+where, args, f.CountCap)
	if err != nil {
		return nil, 0, err
	}
	rows, err := db.read.QueryContext(ctx, `SELECT `+paymentColumns+paymentFrom+where+
		` ORDER BY p.received_at DESC, p.id DESC LIMIT ? OFFSET ?`, append(args, f.Limit, f.Offset)...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	out := []app.Payment{}
	for rows.Next() {
		p, err := scanPayment(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, p)
	}
	return out, total, rows.Err()
}

// ConfirmPayment lets a person (by) pay an order with an unmatched payment; the
// merchant callback is queued and the audit entry written in the same transaction.
func (db *DB) ConfirmPayment(ctx context.Context, paymentID, orderID, by string, firstCallbackDelay time.Duration) (app.Payment, error) {
	var out app.Payment
	err := db.tx(ctx, func(tx *Tx) error {
		p, err := paymentTx(ctx, tx, paymentID)
		if err != nil {
			return err
		}
		if p.Status == app.PaymentMatched {
			return app.NewError(app.ECONFLICT, "paymentId",
				"收款 "+paymentID+" 已匹配订单 "+p.OrderID+"，不能重复确认。",
				"Payment "+paymentID+" already pays order "+p.OrderID+"; it cannot be confirmed again.")
		}
		o, err := orderByIDTx(ctx, tx, orderID)
		if err != nil {
			return err
		}
		if o.Status == app.OrderSuccess || o.Status == app.OrderFailed {
			return app.NewError(app.ECONFLICT, "orderId",
				"订单 "+orderID+" 已"+map[app.OrderStatus]string{app.OrderSuccess: "支付", app.OrderFailed: "关闭"}[o.Status]+"，不能再用这笔收款确认。",
				"Order "+orderID+" is already "+map[app.OrderStatus]string{app.OrderSuccess: "paid", app.OrderFailed: "closed"}[o.Status]+"; it cannot take this payment.")
		}
		now := db.now()
		if _, err := tx.ExecContext(ctx, `UPDATE payments SET status = 'success', order_id = ?, matched_at = ?, matched_by = ?, candidate_order_id = NULL
			WHERE id = ?`, orderID, ms(now), by, paymentID); err != nil {
			return err
		}
		change := dayStats{revenue: int64(p.Amount), payments: 1}
		if p.Status == app.PaymentUnmatched {
			change.unmatched = -1
		}
		if err := bumpDay(ctx, tx, dayNumber(p.ReceivedAt), change); err != nil {
			return err
		}
		p.Status, p.OrderID, p.MatchedAt, p.MatchedBy = app.PaymentMatched, orderID, now, by
		if err := payOrder(ctx, tx, orderID, p, now); err != nil {
			return err
		}
		if err := enqueueCallback(ctx, tx, p.ID, orderID, now, now.Add(firstCallbackDelay)); err != nil {
			return err
		}
		if err := insertAudit(ctx, tx, app.AuditEntry{At: now, Actor: by, Action: app.AuditPaymentConfirm, Subject: paymentID,
			Detail: orderID + " ¥" + p.Amount.Fixed2()}); err != nil {
			return err
		}
		out, err = paymentTx(ctx, tx, paymentID)
		return err
	})
	return out, err
}

// IgnorePayment records a person's decision (by) that an unmatched payment pays
// no order, with an audit entry.
func (db *DB) IgnorePayment(ctx context.Context, paymentID, by string) (app.Payment, error) {
	var out app.Payment
	err := db.tx(ctx, func(tx *Tx) error {
		p, err := paymentTx(ctx, tx, paymentID)
		if err != nil {
			return err
		}
		if p.Status != app.PaymentUnmatched {
			return app.NewError(app.ECONFLICT, "paymentId",
				"收款 "+paymentID+" 不是待处理状态（当前："+string(p.Status)+"），无法忽略。",
				"Payment "+paymentID+" is not waiting (it is "+string(p.Status)+"); it cannot be ignored.")
		}
		now := db.now()
		if err := bumpDay(ctx, tx, dayNumber(p.ReceivedAt), dayStats{unmatched: -1}); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE payments SET status = 'ignored', matched_at = ?, matched_by = ? WHERE id = ?`,
			ms(now), by, paymentID); err != nil {
			return err
		}
		if err := insertAudit(ctx, tx, app.AuditEntry{At: now, Actor: by, Action: app.AuditPaymentIgnore, Subject: paymentID,
			Detail: "¥" + p.Amount.Fixed2()}); err != nil {
			return err
		}
		out, err = paymentTx(ctx, tx, paymentID)
		return err
	})
	return out, err
}
