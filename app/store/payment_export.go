package store

import (
	"context"
	"time"

	"paygate/app"
)

// EachPayment calls fn for every payment received in [from, to), oldest
// first, straight from the cursor: nothing is collected in memory.
func (db *DB) EachPayment(ctx context.Context, from, to time.Time, fn func(app.Payment) error) error {
	rows, err := db.read.QueryContext(ctx, `SELECT `+paymentColumns+paymentFrom+
		` WHERE p.received_at >= ? AND p.received_at < ? ORDER BY p.received_at, p.id`, ms(from), ms(to))
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		p, err := scanPayment(rows)
		if err != nil {
			return err
		}
		if err := fn(p); err != nil {
			return err
		}
	}
	return rows.Err()
}
