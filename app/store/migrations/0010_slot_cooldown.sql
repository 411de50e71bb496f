-- Slot cooldown: an amount released by a paid, expired or closed order is not
-- handed out again until the match grace period has passed, and a payment that
-- fits a pending order while an earlier holder of its slot was released within
-- grace waits for a person. Both ask "was this slot released since T?" for
-- every order created and every payment received, inside the single writer, so
-- the answer must be one index seek however many orders a popular price has
-- had over the years: (method, pay_amount, release time). A scan by release
-- time alone would instead grow with the shop's traffic within the grace
-- period. The release time is paid_at for a paid order and closed_at for an
-- expired or closed one (paying an order clears closed_at); the queries spell
-- the same coalesce() so SQLite uses this index (they pin it with INDEXED BY).
CREATE INDEX orders_released_slot ON orders (method, pay_amount, coalesce(paid_at, closed_at)) WHERE status <> 'pending';

-- The late-payment lookup (an order expired within grace) reads
-- orders_released_slot now; the index that held only expired orders by
-- (pay_amount, closed_at) has no reader left, so expiring an order keeps one
-- index current instead of two.
DROP INDEX orders_expired_slot;
