package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"paygate/app"
	"paygate/app/money"
)

// findMatch finds the order a payment most likely pays, and how sure it is:
//   - high: method known, the pending order on slot (method, amount);
//   - medium: method unknown, exactly one pending order asks for amount;
//   - low: several pending orders fit, or only an order that expired within
//     the grace period does.
//
// Only orders created within the match window count.
func findMatch(ctx context.Context, tx *Tx, method app.Method, amount money.Fen, now time.Time, p app.MatchPolicy) (string, app.Confidence, error) {
	// Matching runs in the single writer, so it must touch a handful of rows:
	// INDEXED BY pins the (method, pay_amount) slot indexes — without table
	// statistics the planner may prefer walking every pending order by time.
	methods := []any{string(method), string(method)}
	if method == "" {
		methods = []any{string(app.MethodAlipay), string(app.MethodWechat)}
	}
	pending, err := orderIDs(ctx, tx, `SELECT id FROM orders INDEXED BY orders_slot
		WHERE status = 'pending' AND method IN (?, ?) AND pay_amount = ? AND expires_at > ? AND created_at >= ?
		ORDER BY created_at, id`, methods[0], methods[1], int64(amount), ms(now), ms(now.Add(-p.Window)))
	if err != nil {
		return "", app.ConfidenceNone, err
	}
	switch {
	case len(pending) == 1 && method != "":
		return pending[0], app.ConfidenceHigh, nil
	case len(pending) == 1:
		return pending[0], app.ConfidenceMedium, nil
	case len(pending) > 1:
		return pending[0], app.ConfidenceLow, nil
	}
	// Orders past their lifetime within the grace period, whether or not the
	// sweeper has marked them expired yet.
	graceStart := ms(now.Add(-p.Grace))
	late, err := orderIDs(ctx, tx, `SELECT id FROM (
			SELECT id, expires_at FROM orders INDEXED BY orders_slot
			WHERE status = 'pending' AND method IN (?, ?) AND pay_amount = ? AND expires_at <= ? AND expires_at >= ?
			UNION ALL
			SELECT id, expires_at FROM orders INDEXED BY orders_expired_slot
			WHERE status = 'expired' AND pay_amount = ? AND closed_at >= ? AND method IN (?, ?)
		) ORDER BY expires_at DESC LIMIT 1`,
		methods[0], methods[1], int64(amount), ms(now), graceStart,
		int64(amount), graceStart, methods[0], methods[1])
	if err != nil || len(late) == 0 {
		return "", app.ConfidenceNone, err
	}
	return late[0], app.ConfidenceLow, nil
}

func orderIDs(ctx context.Context, tx *Tx, query string, args ...any) ([]string, error) {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// payOrder marks an order paid by payment p. The order must still be unpaid;
// the UNIQUE payment_id and order_id columns make paying twice impossible even
// if this check were skipped.
func payOrder(ctx context.Context, tx *Tx, orderID string, p app.Payment, now time.Time) error {
	var created int64
	err := tx.QueryRowContext(ctx, `UPDATE orders SET status = 'success', paid_at = ?, payment_id = ?, closed_at = NULL
		WHERE id = ? AND status IN ('pending', 'expired') RETURNING created_at`, ms(now), p.ID, orderID).Scan(&created)
	if errors.Is(err, sql.ErrNoRows) {
		return app.Errorf(app.ECONFLICT, "orderId",
			"订单 "+orderID+" 已支付或已关闭，不能再确认一笔收款。",
			"Order "+orderID+" is already paid or closed; it cannot take another payment.")
	}
	if err != nil {
		return err
	}
	return bumpDay(ctx, tx, dayNumber(fromMS(created)), dayStats{paid: 1, payMS: ms(now) - created})
}
