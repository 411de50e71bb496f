package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"paygate/app"
)

// Orders through payment links. A link is open to anyone, so its orders are
// bounded (issue #11.3): the same visitor ordering again gets their open
// order back or replaces it, a visitor's network and a link may hold only so
// many open orders (app.LinkLimits), and link orders take only app.LinkSlots
// of a price's amounts.

// LinkOrderResult is what a payment-link order request came to.
type LinkOrderResult struct {
	Order app.Order
	// Reused: Order is the visitor's open order on the link, given back.
	Reused bool
	// Replaced is the visitor's open order the new one replaced (now closed,
	// its amount cooling), "" when none.
	Replaced string
}

// visitorLinkOrderQuery is a visitor's pending order on a link (the newest).
const visitorLinkOrderQuery = `SELECT ` + orderColumns + ` FROM orders INDEXED BY orders_link_pending
	WHERE status = 'pending' AND link_id = ? AND link_visitor = ? AND expires_at > ? ORDER BY created_at DESC LIMIT 1`

// linkPendingQuery counts a link's pending orders and finds the first to expire.
const linkPendingQuery = `SELECT count(*), coalesce(min(expires_at), 0) FROM orders INDEXED BY orders_link_pending
	WHERE status = 'pending' AND link_id = ? AND expires_at > ?`

// networkPendingQuery counts a network's pending link orders and finds the
// first to expire.
const networkPendingQuery = `SELECT count(*), coalesce(min(expires_at), 0) FROM orders INDEXED BY orders_network_pending
	WHERE status = 'pending' AND link_network <> '' AND link_network = ? AND expires_at > ?`

// networkReplacedQuery counts a network's orders replaced since a time (their
// amounts still cooling) and finds the first replaced.
const networkReplacedQuery = `SELECT count(*), coalesce(min(closed_at), 0) FROM orders INDEXED BY orders_network_replaced
	WHERE replaced_by IS NOT NULL AND link_network = ? AND closed_at > ?`

// networkVisitorOrderQuery is the visitor's newest pending order among their
// network's, for a refusal page to lead back to.
const networkVisitorOrderQuery = `SELECT id FROM orders INDEXED BY orders_network_pending
	WHERE status = 'pending' AND link_network <> '' AND link_network = ? AND expires_at > ? AND link_visitor = ?
	ORDER BY created_at DESC LIMIT 1`

// VisitorLinkOrder returns the visitor's pending order on the link, found
// false when they have none (or visitor is "").
func (db *DB) VisitorLinkOrder(ctx context.Context, linkID int64, visitor string) (app.Order, bool, error) {
	if visitor == "" {
		return app.Order{}, false, nil
	}
	o, err := scanOrder(db.read.QueryRowContext(ctx, visitorLinkOrderQuery, linkID, visitor, ms(db.now())))
	if errors.Is(err, sql.ErrNoRows) {
		return app.Order{}, false, nil
	}
	return o, err == nil, err
}

// CreateLinkOrder makes the order a visitor asks for through a payment link
// (in.LinkID, in.Visitor), in one transaction:
//
//  1. The visitor's open order on the link is given back when
//     app.ReusableLinkOrder says it answers the request; otherwise it is
//     closed (status failed, replaced_by the new order): a late payment for
//     it must not pay anyone else's order, so its amount cools like any
//     released amount.
//  2. The visitor's network may have limits.PerNetwork open link orders —
//     pending, or replaced within cooldown — and the link limits.PerLink
//     pending ones; at the limit the request is refused with an
//     *app.LinkLimitError and nothing changes.
//  3. The new order takes a free amount among app.LinkSlots of its price.
//
// Only the cookie identifies a visitor who may get or replace an open order:
// people behind one address (a shop's Wi-Fi, a carrier's NAT) must never be
// sent to, or close, each other's orders; the address only counts.
func (db *DB) CreateLinkOrder(ctx context.Context, newID func() string, in app.OrderInput, limits app.LinkLimits,
	lifetime time.Duration, policy app.SlotPolicy, cooldown time.Duration) (LinkOrderResult, error) {
	var res LinkOrderResult
	id := newID()
	err := db.tx(ctx, func(tx *Tx) error {
		res = LinkOrderResult{}
		now := db.now()
		v := in.Visitor
		open, found, err := visitorLinkOrderTx(ctx, tx, in.LinkID, v.ID, now)
		if err != nil {
			return err
		}
		if found && app.ReusableLinkOrder(open, in.Method, in.Amount, now, lifetime) {
			res.Order, res.Reused = open, true
			return nil
		}
		if found {
			if err := replaceOrder(ctx, tx, open.ID, now); err != nil {
				return err
			}
		}
		if err := checkLinkLimits(ctx, tx, in.LinkID, v, open.ID, limits, now, cooldown); err != nil {
			return err
		}
		o, _, err := createOrderTx(ctx, tx, now, idsFrom(id, newID), in, lifetime, policy, cooldown, nil)
		if err != nil {
			return err
		}
		if found {
			if _, err := tx.ExecContext(ctx, `UPDATE orders SET replaced_by = ? WHERE id = ?`, o.ID, open.ID); err != nil {
				return err
			}
			res.Replaced = open.ID
		}
		res.Order = o
		return nil
	})
	return res, err
}

func visitorLinkOrderTx(ctx context.Context, tx *Tx, linkID int64, visitor string, now time.Time) (app.Order, bool, error) {
	if visitor == "" {
		return app.Order{}, false, nil
	}
	o, err := scanOrder(tx.QueryRowContext(ctx, visitorLinkOrderQuery, linkID, visitor, ms(now)))
	if errors.Is(err, sql.ErrNoRows) {
		return app.Order{}, false, nil
	}
	return o, err == nil, err
}

// replaceOrder closes a visitor's open order that their next one replaces;
// replaced_by is set once the new order has its id.
func replaceOrder(ctx context.Context, tx *Tx, id string, now time.Time) error {
	_, err := tx.ExecContext(ctx, `UPDATE orders SET status = 'failed', closed_at = ?, replaced_by = '' WHERE id = ? AND status = 'pending'`,
		ms(now), id)
	return err
}

// checkLinkLimits refuses a new order when the visitor's network or the link
// is at its limit. openOrder is the visitor's order being replaced, if any:
// the refusal leads back to it (the transaction rolls back, so it stays open).
func checkLinkLimits(ctx context.Context, tx *Tx, linkID int64, v app.LinkVisitor, openOrder string, limits app.LinkLimits,
	now time.Time, cooldown time.Duration) error {
	if limits.PerNetwork > 0 && v.Network != "" {
		pending, firstExpiry, err := countAndFirst(ctx, tx, networkPendingQuery, v.Network, ms(now))
		if err != nil {
			return err
		}
		replaced, firstReplaced := 0, time.Time{}
		if cooldown > 0 {
			if replaced, firstReplaced, err = countAndFirst(ctx, tx, networkReplacedQuery, v.Network, ms(now.Add(-cooldown))); err != nil {
				return err
			}
		}
		if pending+replaced >= limits.PerNetwork {
			freeAt := firstExpiry
			if replaced > 0 && (pending == 0 || firstReplaced.Add(cooldown).Before(freeAt)) {
				freeAt = firstReplaced.Add(cooldown)
			}
			if openOrder == "" && v.ID != "" {
				if openOrder, err = networkVisitorOrder(ctx, tx, v, now); err != nil {
					return err
				}
			}
			return app.LinkNetworkFull(limits.PerNetwork, freeAt.Sub(now), cooldown, openOrder)
		}
	}
	if limits.PerLink > 0 {
		pending, firstExpiry, err := countAndFirst(ctx, tx, linkPendingQuery, linkID, ms(now))
		if err != nil {
			return err
		}
		if pending >= limits.PerLink {
			return app.LinkFull(limits.PerLink, firstExpiry.Sub(now), openOrder)
		}
	}
	return nil
}

// countAndFirst runs a count(*), min(time) query.
func countAndFirst(ctx context.Context, tx *Tx, query string, args ...any) (int, time.Time, error) {
	var n int
	var first int64
	if err := tx.QueryRowContext(ctx, query, args...).Scan(&n, &first); err != nil {
		return 0, time.Time{}, err
	}
	return n, fromMS(first), nil
}

func networkVisitorOrder(ctx context.Context, tx *Tx, v app.LinkVisitor, now time.Time) (string, error) {
	var id string
	err := tx.QueryRowContext(ctx, networkVisitorOrderQuery, v.Network, ms(now), v.ID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return id, err
}

// OrderLink is what the checkout page needs of an order's payment link: the
// link's code ("" when the order came through none, or the link is gone),
// and the order that replaced it ("" when none).
func (db *DB) OrderLink(ctx context.Context, orderID string) (code, replacedBy string, err error) {
	var c, r sql.NullString
	err = db.read.QueryRowContext(ctx, `SELECT l.code, o.replaced_by FROM orders o LEFT JOIN payment_links l ON l.id = o.link_id WHERE o.id = ?`,
		orderID).Scan(&c, &r)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", nil
	}
	return c.String, r.String, err
}
