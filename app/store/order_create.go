package store

import (
	"context"
	"database/sql"
	"errors"
	"math"
	"strings"
	"time"

	"paygate/app"
	"paygate/app/money"
)

// CreateOrder stores a new pending order on a free amount slot, in one
// transaction: the first payable amount in policy order that no live
// pending order holds and no order released within cooldown (the match
// grace period) is taken; an order past its lifetime that still holds it
// gives it back in the same transaction (pickSlot).
// An order without a method takes no slot: its payer picks the method, and
// the slot, on the checkout page (ChooseMethod).
// With a MerchantOrderID that exists already, the existing order is returned
// (created = false) if the request is the same (app.CheckOrderRepeat), else a
// conflict; see repeatOrderTx for what a repeat may still change.
func (db *DB) CreateOrder(ctx context.Context, newID func() string, in app.OrderInput, lifetime time.Duration, policy app.SlotPolicy, cooldown time.Duration) (order app.Order, created bool, err error) {
	id := newID()
	err = db.tx(ctx, func(tx *Tx) error {
		order, created, err = createOrderTx(ctx, tx, db.now(), idsFrom(id, newID), in, lifetime, policy, cooldown, nil)
		return err
	})
	return order, created, err
}

// idsFrom returns the ids a new order may take inside the writer: first,
// made by the caller before the transaction (an id comes from crypto/rand,
// work the single writer need not do), then, after a collision, new ones.
func idsFrom(first string, newID func() string) func() string {
	used := false
	return func() string {
		if used {
			return newID()
		}
		used = true
		return first
	}
}

// createOrderTx is CreateOrder inside tx. prepare, when not nil, may change the
// new order once its id is known, just before it is inserted.
func createOrderTx(ctx context.Context, tx *Tx, now time.Time, newID func() string, in app.OrderInput, lifetime time.Duration,
	policy app.SlotPolicy, cooldown time.Duration, prepare func(*app.Order)) (app.Order, bool, error) {
	if in.MerchantOrderID != "" {
		existing, found, err := orderByMerchantID(ctx, tx, in.MerchantOrderID)
		if err != nil {
			return app.Order{}, false, err
		}
		if found {
			if err := app.CheckOrderRepeat(existing, in); err != nil {
				return app.Order{}, false, err
			}
			o, err := repeatOrderTx(ctx, tx, now, existing, in, lifetime, policy, cooldown)
			return o, false, err
		}
	}

	o := app.Order{
		MerchantOrderID: in.MerchantOrderID,
		ProductName:     in.ProductName,
		Method:          in.Method,
		Amount:          in.Amount,
		PayAmount:       in.Amount,
		Status:          app.OrderPending,
		NotifyURL:       in.NotifyURL,
		ReturnURL:       in.ReturnURL,
		Attach:          in.Attach,
		ClientIP:        in.ClientIP,
		CreatedAt:       now,
		ExpiresAt:       now.Add(lifetime),
	}
	if in.Method != "" {
		payAmount, err := pickSlot(ctx, tx, in.Method, in.Amount, in.LinkID != 0, policy, cooldown, now, "")
		if err != nil {
			return app.Order{}, false, err
		}
		o.PayAmount = payAmount
	}
	var err error
	for try := 0; ; try++ {
		o.ID = newID()
		if prepare != nil {
			prepare(&o)
		}
		err = insertOrder(ctx, tx, o, in)
		if err == nil || try == 3 || !isUniqueViolation(err, "orders.id") {
			break
		}
	}
	if err != nil {
		return app.Order{}, false, err
	}
	return o, true, nil
}

// repeatOrderTx answers a repeat of existing (the same merchant order number,
// the same request but for the method, checked by the caller):
//   - pending, and in names another method: the order switches to it (a new
//     slot; the old one cools), as when its payer switches;
//   - expired unpaid within in.Reopen (app.Reopenable): reopened, the same
//     order with a fresh slot and lifetime, in the method in names, else the
//     one it had (none: its payer picks again);
//   - anything else: the order as it is (a pending order past its lifetime
//     reads as expired); the caller decides what a paid, expired or closed
//     order means to its client.
func repeatOrderTx(ctx context.Context, tx *Tx, now time.Time, existing app.Order, in app.OrderInput, lifetime time.Duration,
	policy app.SlotPolicy, cooldown time.Duration) (app.Order, error) {
	switch {
	case existing.Status == app.OrderPending && now.Before(existing.ExpiresAt):
		if in.Method == "" || in.Method == existing.Method {
			return existing, nil
		}
		switches, err := methodSwitches(ctx, tx, existing)
		if err != nil {
			return app.Order{}, err
		}
		if err := app.CheckMethodChoice(existing, in.Method, []app.Method{in.Method}, switches, now); err != nil {
			return app.Order{}, err
		}
		return switchMethodTx(ctx, tx, now, existing, in.Method, policy, cooldown)
	case app.Reopenable(existing, now, in.Reopen):
		method := in.Method
		if method == "" {
			method = existing.Method
		}
		return reopenOrderTx(ctx, tx, now, existing, method, lifetime, policy, cooldown)
	}
	if existing.Status == app.OrderPending && !now.Before(existing.ExpiresAt) {
		existing.Status, existing.ClosedAt = app.OrderExpired, existing.ExpiresAt
	}
	return existing, nil
}

func orderByMerchantID(ctx context.Context, tx *Tx, merchantID string) (app.Order, bool, error) {
	o, err := scanOrder(tx.QueryRowContext(ctx, `SELECT `+orderColumns+` FROM orders WHERE merchant_order_id = ?`, merchantID))
	if errors.Is(err, sql.ErrNoRows) {
		return app.Order{}, false, nil
	}
	return o, err == nil, err
}

// pickSlot chooses the payable amount for an order asking for asked by
// method: app.PickSlot over the candidates — for a payment-link order only
// app.LinkSlots of them — given the amounts pending orders hold and those
// still cooling. It runs on the single writer for every order, so its cost
// must not grow with the pending orders around the price (issue #18):
//   - when the best candidate is free, one statement finds it (slotFree);
//     the rest is for the orders whose best amount is taken or cooling;
//   - it looks at the nearSlots best candidates first and at all of them only
//     when those are taken, each time with one index-only range read of
//     orders_slot (slotHolders), at most 2×offset+1 entries;
//   - a pending order past its lifetime that the sweeper has not marked yet
//     is looked at (one seek by rowid) only when its amount is preferred
//     over the one PickSlot would take; if its slot is then the one taken, it
//     is expired in this transaction (releaseLapsedSlot), otherwise the
//     sweeper expires it — nothing is written for slots that are not taken;
//   - cooling is learned one candidate at a time, by one index seek on the
//     amount PickSlot would take (slotReleasedSince), so the usual order (the
//     asked amount free) costs one range read and one seek.
//
// self is the order taking the slot when it exists already (a method chosen
// or switched, a reopened order): the slots it released itself do not cool
// for it — a payment on them is its own payer's either way.
func pickSlot(ctx context.Context, tx *Tx, method app.Method, asked money.Fen, link bool, policy app.SlotPolicy, cooldown time.Duration, now time.Time, self string) (money.Fen, error) {
	candidates := policy.Candidates(asked)
	if link {
		candidates = app.LinkSlots(candidates)
	}
	// The usual order: its best candidate is free. One statement says so.
	free, err := slotFree(ctx, tx, method, candidates[0], now, cooldown, self)
	if err != nil || free {
		return candidates[0], err
	}
	s := slotSearch{tx: tx, method: method, now: now, cooldown: cooldown, self: self,
		held: map[money.Fen]bool{}, cooling: map[money.Fen]bool{}, holders: map[money.Fen]int64{}, lapsed: map[money.Fen]int64{}}
	near := candidates[:min(nearSlots, len(candidates))]
	amount, ok, err := s.pick(ctx, near)
	if err == nil && !ok && len(near) < len(candidates) {
		amount, ok, err = s.pick(ctx, candidates)
	}
	if err != nil {
		return 0, err
	}
	if !ok {
		return 0, app.SlotsExhausted(asked, policy, cooldown, candidates, s.held, s.cooling)
	}
	return amount, nil
}

// nearSlots is how many of the best candidates pickSlot probes first: with
// even half of a price range's slots held, one of eight is free 99.6 % of
// the time, so the full ±offset probe is the exception.
const nearSlots = 8

// slotSearch is what pickSlot has learned about one method's slots so far.
type slotSearch struct {
	tx       *Tx
	method   app.Method
	now      time.Time
	cooldown time.Duration
	self     string

	held    map[money.Fen]bool  // held by a pending order (past its lifetime or not, until looked at)
	cooling map[money.Fen]bool  // released within cooldown
	holders map[money.Fen]int64 // rowid of the pending order on a held amount not yet looked at
	lapsed  map[money.Fen]int64 // rowid of a pending order past its lifetime: free once expired
}

// pick returns the first of candidates (a best-first prefix of the policy's
// list) that is free, and false when none is.
func (s *slotSearch) pick(ctx context.Context, candidates []money.Fen) (money.Fen, bool, error) {
	lo, hi := candidates[0], candidates[0]
	for _, c := range candidates {
		lo, hi = min(lo, c), max(hi, c)
	}
	if err := s.readHolders(ctx, lo, hi); err != nil {
		return 0, false, err
	}
	for {
		amount, ok := app.PickSlot(candidates, s.held, s.cooling)
		// A held amount preferred over the pick may be held by an order
		// whose time is up: look at those first, best first.
		if c, found := s.unseenBefore(candidates, amount, ok); found {
			if err := s.lookAt(ctx, c); err != nil {
				return 0, false, err
			}
			continue
		}
		if !ok {
			return 0, false, nil
		}
		released, err := slotReleasedSince(ctx, s.tx, s.method, amount, s.now, s.cooldown, s.self)
		if err != nil {
			return 0, false, err
		}
		if released {
			s.cooling[amount] = true
			continue
		}
		if row, found := s.lapsed[amount]; found {
			if err := releaseLapsedSlot(s.tx, row); err != nil {
				return 0, false, err
			}
		}
		return amount, true, nil
	}
}

// slotFreeQuery tells whether no pending order holds the slot (method,
// pay_amount) and no order other than self left it within the cooldown
// (slotReleasedSinceQuery): one seek of orders_slot and those of the
// cooldown, in one statement. Most new orders need nothing more (issue #18:
// a statement is ~8 µs of the writer's time per order).
const slotFreeQuery = `SELECT NOT EXISTS (SELECT 1 FROM orders INDEXED BY orders_slot
		WHERE status = 'pending' AND method = ?1 AND pay_amount = ?2)
	AND NOT EXISTS (SELECT 1 FROM orders INDEXED BY orders_released_slot
		WHERE status <> 'pending' AND method = ?1 AND pay_amount = ?2 AND coalesce(paid_at, closed_at) >= ?3 AND id <> ?4)
	AND NOT EXISTS (SELECT 1 FROM slot_releases INDEXED BY slot_releases_slot
		WHERE method = ?1 AND pay_amount = ?2 AND released_at >= ?3 AND order_id <> ?4)`

// slotFree reports whether amount is free for self by method: held by no
// pending order and not cooling. False sends pickSlot to the full search,
// which also frees slots held by orders past their lifetime.
func slotFree(ctx context.Context, tx *Tx, method app.Method, amount money.Fen, now time.Time, cooldown time.Duration, self string) (bool, error) {
	since := int64(math.MaxInt64) // no cooldown: nothing released counts
	if cooldown > 0 {
		since = ms(now.Add(-cooldown))
	}
	var free bool
	err := tx.QueryRowContext(ctx, slotFreeQuery, string(method), int64(amount), since, self).Scan(&free)
	return free, err
}

// slotHoldersQuery reads the pending orders' slots in a range from
// orders_slot alone: the amount is in the index and so is the rowid.
const slotHoldersQuery = `SELECT pay_amount, rowid FROM orders INDEXED BY orders_slot
	WHERE status = 'pending' AND method = ? AND pay_amount BETWEEN ? AND ?`

// readHolders notes the amounts in lo..hi that pending orders hold, leaving
// alone those already looked at.
func (s *slotSearch) readHolders(ctx context.Context, lo, hi money.Fen) error {
	rows, err := s.tx.QueryContext(ctx, slotHoldersQuery, string(s.method), int64(lo), int64(hi))
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var amount, row int64
		if err := rows.Scan(&amount, &row); err != nil {
			return err
		}
		a := money.Fen(amount)
		if _, seen := s.lapsed[a]; seen || s.held[a] {
			continue
		}
		s.held[a], s.holders[a] = true, row
	}
	return rows.Err()
}

// unseenBefore returns the first held candidate not yet looked at among those
// preferred over pick (all candidates when there is no pick).
func (s *slotSearch) unseenBefore(candidates []money.Fen, pick money.Fen, ok bool) (money.Fen, bool) {
	for _, c := range candidates {
		if ok && c == pick {
			break
		}
		if _, unseen := s.holders[c]; unseen && s.held[c] {
			return c, true
		}
	}
	return 0, false
}

// lookAt reads the lifetime of the pending order holding amount: past it,
// the slot is no longer held; it cools from the end of that lifetime, as if
// the sweeper had expired the order then (but never for the order itself).
func (s *slotSearch) lookAt(ctx context.Context, amount money.Fen) error {
	row := s.holders[amount]
	delete(s.holders, amount)
	var id string
	var expires int64
	if err := s.tx.QueryRowContext(ctx, `SELECT id, expires_at FROM orders WHERE rowid = ?`, row).Scan(&id, &expires); err != nil {
		return err
	}
	if expires > ms(s.now) {
		return nil
	}
	delete(s.held, amount)
	s.lapsed[amount] = row
	if s.cooldown > 0 && id != s.self && expires >= ms(s.now.Add(-s.cooldown)) {
		s.cooling[amount] = true
	}
	return nil
}

// releaseLapsedSlot expires the pending order past its lifetime whose slot
// is about to be taken (DESIGN: expired orders release their slot in the
// transaction that needs it).
func releaseLapsedSlot(tx *Tx, row int64) error {
	_, err := expiredByMethod(tx, `UPDATE orders SET status = 'expired', closed_at = expires_at
		WHERE rowid = ? AND status = 'pending' RETURNING method`, row)
	return err
}

// slotReleasedSinceQuery seeks orders_released_slot (migration 0010) for
// one slot's releases since a time, and slot_releases (migration 0017) for
// the slots pending orders left (a switched method, a reopened order); both
// leave out the order asking (self).
const slotReleasedSinceQuery = `SELECT 1 FROM orders INDEXED BY orders_released_slot
	WHERE status <> 'pending' AND method = ? AND pay_amount = ? AND coalesce(paid_at, closed_at) >= ? AND id <> ?
	UNION ALL
	SELECT 1 FROM slot_releases INDEXED BY slot_releases_slot
	WHERE method = ? AND pay_amount = ? AND released_at >= ? AND order_id <> ?
	LIMIT 1`

// slotReleasedSince reports whether an order other than self on slot
// (method, amount) was paid, expired or closed, or left the slot, within
// cooldown before now. A cooldown of 0 turns the rule off.
func slotReleasedSince(ctx context.Context, tx *Tx, method app.Method, amount money.Fen, now time.Time, cooldown time.Duration, self string) (bool, error) {
	if cooldown <= 0 {
		return false, nil
	}
	since := ms(now.Add(-cooldown))
	var one int
	err := tx.QueryRowContext(ctx, slotReleasedSinceQuery, string(method), int64(amount), since, self,
		string(method), int64(amount), since, self).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

func insertOrder(ctx context.Context, tx *Tx, o app.Order, in app.OrderInput) error {
	visitor := app.LinkVisitor{}
	if in.LinkID != 0 {
		visitor = in.Visitor
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO orders (id, merchant_order_id, product_name, method, amount, pay_amount,
		status, notify_url, return_url, attach, client_ip, created_at, expires_at, link_id, link_visitor, link_network)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		o.ID, nullString(o.MerchantOrderID), o.ProductName, string(o.Method), int64(o.Amount), slotAmount(o),
		string(o.Status), o.NotifyURL, o.ReturnURL, o.Attach, o.ClientIP, ms(o.CreatedAt), ms(o.ExpiresAt), nullInt(in.LinkID),
		visitor.ID, visitor.Network)
	if err != nil {
		return err
	}
	method := o.Method
	tx.tell(func(ob Observer) { ob.OrderCreated(method) })
	return bumpDay(ctx, tx, dayNumber(o.CreatedAt), dayStats{orders: 1})
}

// slotAmount is the pay_amount column of o: NULL while it has no method
// (no slot), so that orders waiting for their payer's choice never collide
// in the slot index.
func slotAmount(o app.Order) sql.NullInt64 {
	return sql.NullInt64{Int64: int64(o.PayAmount), Valid: o.Method != ""}
}

func nullInt(v int64) sql.NullInt64 { return sql.NullInt64{Int64: v, Valid: v != 0} }

func isUniqueViolation(err error, column string) bool {
	return err != nil && strings.Contains(err.Error(), "UNIQUE constraint failed") && strings.Contains(err.Error(), column)
}
