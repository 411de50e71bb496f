package store

import (
	"context"

	"paygate/app"
)

// expiredByMethod runs an UPDATE … RETURNING method that expires orders,
// tells the observer how many of each method, and returns how many in all.
func expiredByMethod(tx *Tx, query string, args ...any) (int64, error) {
	rows, err := tx.QueryContext(writerCtx, query, args...)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	counts := map[app.Method]int{}
	var n int64
	for rows.Next() {
		var method string
		if err := rows.Scan(&method); err != nil {
			return n, err
		}
		counts[app.Method(method)]++
		n++
	}
	if err := rows.Err(); err != nil {
		return n, err
	}
	for method, count := range counts {
		tx.tell(func(o Observer) { o.OrdersExpired(method, count) })
	}
	return n, nil
}

// ExpireOrders marks every pending order whose lifetime is over as expired and
// returns how many changed.
func (db *DB) ExpireOrders(ctx context.Context) (int64, error) {
	var n int64
	err := db.tx(ctx, func(tx *Tx) (err error) {
		n, err = expiredByMethod(tx, `UPDATE orders INDEXED BY orders_pending_expiry SET status = 'expired', closed_at = expires_at
			WHERE status = 'pending' AND expires_at <= ? RETURNING method`, ms(db.now()))
		return err
	})
	return n, err
}

// CloseOrder cancels a pending order (status failed), frees its slot and
// records who (by) did it.
func (db *DB) CloseOrder(ctx context.Context, id, by string) (app.Order, error) {
	var o app.Order
	err := db.tx(ctx, func(tx *Tx) error {
		cur, err := orderByIDTx(ctx, tx, id)
		if err != nil {
			return err
		}
		now := db.now()
		// Past its lifetime the order is expired, as Order reports it, swept or not.
		if cur = effective(cur, now); cur.Status != app.OrderPending {
			return app.NewError(app.ECONFLICT, "orderId",
				"订单 "+id+" 当前状态为 "+string(cur.Status)+"，只有待支付的订单可以关闭。",
				"Order "+id+" is "+string(cur.Status)+"; only pending orders can be closed.")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE orders SET status = 'failed', closed_at = ? WHERE id = ? AND status = 'pending'`, ms(now), id); err != nil {
			return err
		}
		cur.Status, cur.ClosedAt = app.OrderFailed, now
		o = cur
		return insertAudit(ctx, tx, app.AuditEntry{At: now, Actor: by, Action: app.AuditOrderClose, Subject: id,
			Detail: cur.ProductName + " ¥" + cur.PayAmount.Fixed2()})
	})
	return o, err
}
