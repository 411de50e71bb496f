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
	p.confidence, p.candidate_order_id, p.received_at, p.matched_at, p.matched_by, coalesce(c.status, ''), p.note,
	coalesce(o.product_name, ''), coalesce(o.merchant_order_id, ''), coalesce(o.method, ''), coalesce(o.pay_amount, 0)`

// paymentFrom joins the payment's callback (merchant or 易支付: there is one
// per payment) and the order it pays, so every read carries the callback's
// status and names the order as people know it.
const paymentFrom = ` FROM payments p LEFT JOIN callbacks c ON c.id = (SELECT min(id) FROM callbacks WHERE payment_id = p.id)
	LEFT JOIN orders o ON o.id = p.order_id`

func scanPayment(r rowScanner) (app.Payment, error) {
	var (
		p                  app.Payment
		notificationID     sql.NullInt64
		method, status     string
		amount, received   int64
		orderID, candidate sql.NullString
		matched            sql.NullInt64
		confidence, cb     string
		orderMethod        string
		orderPayAmount     int64
	)
	err := r.Scan(&p.ID, &notificationID, &method, &amount, &p.CustomerType, &status, &orderID,
		&confidence, &candidate, &received, &matched, &p.MatchedBy, &cb, &p.Note,
		&p.Order.ProductName, &p.Order.MerchantOrderID, &orderMethod, &orderPayAmount)
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
	if p.OrderID != "" {
		p.Order.ID, p.Order.Method, p.Order.PayAmount = p.OrderID, app.Method(orderMethod), money.Fen(orderPayAmount)
	}
	return p, nil
}

func insertPayment(ctx context.Context, tx *Tx, p app.Payment) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO payments (id, notification_id, method, amount, customer_type, status,
		order_id, confidence, candidate_order_id, received_at, matched_at, matched_by, note)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		p.ID, sql.NullInt64{Int64: p.NotificationID, Valid: p.NotificationID != 0}, string(p.Method), int64(p.Amount),
		p.CustomerType, string(p.Status), nullString(p.OrderID), string(p.Confidence), nullString(p.CandidateOrder),
		ms(p.ReceivedAt), nullMS(p.MatchedAt), p.MatchedBy, p.Note)
	if err != nil {
		return err
	}
	tx.tell(func(o Observer) { o.PaymentRecorded(p.Method, p.Status, p.Confidence) })
	switch p.Status {
	case app.PaymentMatched:
		method, err := moneyMethod(ctx, tx, p)
		if err != nil {
			return err
		}
		return bumpDay(ctx, tx, dayNumber(p.ReceivedAt), matchedDay(method, p.Amount))
	case app.PaymentUnmatched:
		return bumpDay(ctx, tx, dayNumber(p.ReceivedAt), dayStats{unmatched: 1})
	}
	return nil
}

// moneyMethod is the method a matched payment's money came by: as the
// notification said, else the method of the order it pays.
func moneyMethod(ctx context.Context, tx *Tx, p app.Payment) (app.Method, error) {
	if p.Method != "" || p.OrderID == "" {
		return p.Method, nil
	}
	var m string
	err := tx.QueryRowContext(ctx, `SELECT method FROM orders WHERE id = ?`, p.OrderID).Scan(&m)
	return app.Method(m), err
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

// ConfirmPayment lets a person (by) pay an order with an unmatched payment
// (s.OrderRef: the order id or the shop's own order number). The order is
// paid as of when the money arrived; the callback is queued and the audit
// entry — who, which order, what arrived against what was asked, why —
// written in the same transaction.
func (db *DB) ConfirmPayment(ctx context.Context, s app.Settlement, by string, firstCallbackDelay time.Duration) (app.Payment, error) {
	var out app.Payment
	err := db.tx(ctx, func(tx *Tx) error {
		p, err := paymentTx(ctx, tx, s.PaymentID)
		if err != nil {
			return err
		}
		if p.Status == app.PaymentMatched {
			return app.NewError(app.ECONFLICT, "paymentId",
				"收款 "+p.ID+" 已匹配订单 "+p.OrderID+"，不能重复确认。",
				"Payment "+p.ID+" already pays order "+p.OrderID+"; it cannot be confirmed again.")
		}
		o, err := orderByRefTx(ctx, tx, s.OrderRef)
		if err != nil {
			return err
		}
		if err := payableByHand(o); err != nil {
			return err
		}
		now := db.now()
		if _, err := tx.ExecContext(ctx, `UPDATE payments SET status = 'success', order_id = ?, matched_at = ?, matched_by = ?, candidate_order_id = NULL
			WHERE id = ?`, o.ID, ms(now), by, p.ID); err != nil {
			return err
		}
		wasUnmatched := p.Status == app.PaymentUnmatched
		p.Status, p.OrderID, p.MatchedAt, p.MatchedBy = app.PaymentMatched, o.ID, now, by
		method, err := moneyMethod(ctx, tx, p)
		if err != nil {
			return err
		}
		change := matchedDay(method, p.Amount)
		if wasUnmatched {
			change.unmatched = -1
		}
		if err := bumpDay(ctx, tx, dayNumber(p.ReceivedAt), change); err != nil {
			return err
		}
		if err := payOrder(ctx, tx, o.ID, p, now); err != nil {
			return err
		}
		if err := enqueueCallback(ctx, tx, p.ID, o.ID, now, now.Add(firstCallbackDelay)); err != nil {
			return err
		}
		if err := insertAudit(ctx, tx, app.AuditEntry{At: now, Actor: by, Action: app.AuditPaymentConfirm, Subject: p.ID,
			Detail: app.AuditFields("order", o.ID, "product", o.ProductName, "shopNumber", o.ShopNumber(),
				"received", p.Amount.Fixed2(), "payable", o.PayAmount.Fixed2(), "why", s.Why, "note", s.Note)}); err != nil {
			return err
		}
		out, err = paymentTx(ctx, tx, p.ID)
		return err
	})
	return out, err
}

// RecordPayment is 手动补单: a person (by) says money arrived for an order
// that no phone reported. The payment is recorded with the person's note and
// pays the order as of when the money arrived; the callback is queued and
// the audit entry written in the same transaction.
func (db *DB) RecordPayment(ctx context.Context, m app.ManualPayment, paymentID, by string, firstCallbackDelay time.Duration) (app.Payment, error) {
	var out app.Payment
	err := db.tx(ctx, func(tx *Tx) error {
		o, err := orderByRefTx(ctx, tx, m.OrderID)
		if err != nil {
			return err
		}
		if err := payableByHand(o); err != nil {
			return err
		}
		now := db.now()
		p := app.Payment{ID: paymentID, Method: m.Method, Amount: m.Amount, Status: app.PaymentMatched, OrderID: o.ID,
			ReceivedAt: m.ReceivedAt, MatchedAt: now, MatchedBy: by, Note: m.Note}
		if err := insertPayment(ctx, tx, p); err != nil {
			return err
		}
		if err := payOrder(ctx, tx, o.ID, p, now); err != nil {
			return err
		}
		if err := enqueueCallback(ctx, tx, p.ID, o.ID, now, now.Add(firstCallbackDelay)); err != nil {
			return err
		}
		if err := insertAudit(ctx, tx, app.AuditEntry{At: now, Actor: by, Action: app.AuditPaymentRecord, Subject: p.ID,
			Detail: app.AuditFields("order", o.ID, "product", o.ProductName, "shopNumber", o.ShopNumber(),
				"received", p.Amount.Fixed2(), "payable", o.PayAmount.Fixed2(),
				"method", string(p.Method), "receivedAt", app.FormatTime(p.ReceivedAt), "note", m.Note)}); err != nil {
			return err
		}
		out, err = paymentTx(ctx, tx, p.ID)
		return err
	})
	return out, err
}

// payableByHand refuses an order a person may not pay: one already paid or closed.
func payableByHand(o app.Order) error {
	switch o.Status {
	case app.OrderSuccess:
		return app.NewError(app.ECONFLICT, "orderId",
			"订单 "+o.ID+" 已支付，不能再用这笔收款确认。",
			"Order "+o.ID+" is already paid; it cannot take this payment.")
	case app.OrderFailed:
		return app.NewError(app.ECONFLICT, "orderId",
			"订单 "+o.ID+" 已关闭，不能再用这笔收款确认：请让顾客重新下单，或忽略这笔收款后退款给顾客。",
			"Order "+o.ID+" is closed; it cannot take this payment: have the buyer order again, or ignore the payment and refund it.")
	}
	return nil
}

// IgnorePayment records a person's decision (by) that an unmatched payment pays
// no order, with an audit entry.
func (db *DB) IgnorePayment(ctx context.Context, paymentID, note, by string) (app.Payment, error) {
	var out app.Payment
	err := db.tx(ctx, func(tx *Tx) error {
		p, err := paymentTx(ctx, tx, paymentID)
		if err != nil {
			return err
		}
		if p.Status != app.PaymentUnmatched {
			return app.NewError(app.ECONFLICT, "paymentId",
				"收款 "+paymentID+" 不是待处理状态（当前："+map[app.PaymentStatus]string{app.PaymentMatched: "已匹配订单", app.PaymentIgnored: "已忽略"}[p.Status]+"），无法忽略。",
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
			Detail: app.AuditFields("received", p.Amount.Fixed2(), "note", note)}); err != nil {
			return err
		}
		out, err = paymentTx(ctx, tx, paymentID)
		return err
	})
	return out, err
}
