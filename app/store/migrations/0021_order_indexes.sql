-- Every index on orders is a B-tree the single writer updates for each new
-- order (issue #18). An order created through the API now enters only those a
-- query needs for it; each index on orders and the query that uses it:
--
--   (primary key id)       an order by its id: status page, API, matching.
--   (UNIQUE payment_id)    an order is paid at most once, by the database.
--   orders_slot            the slot rule (UNIQUE over pending orders) and the
--                          slot probe of every new order (pickSlot,
--                          slotHoldersQuery: index-only); matching.
--   orders_merchant_order_id  repeats of a merchant order number (only orders
--                          that have one).
--   orders_pending_expiry  the sweeper's UPDATE of orders whose time is up;
--                          the pending count in /health and /metrics.
--   orders_created         console lists and exports newest/oldest first,
--                          and by date.
--   orders_status_created  the same lists filtered by status; the dashboard's
--                          pending count.
--   orders_method_created  the same lists filtered by method: without it
--                          SQLite sorts the whole table for a page (it does
--                          not know a method has two values).
--   orders_released_slot   the cooldown seek (slotReleasedSinceQuery) and
--                          late-payment matching (only orders no longer pending).
--   orders_paid            payments by time of payment (only paid orders).
--   orders_link            a deleted link's orders (only link orders).
--   orders_link_pending    a link visitor's open order and a link's pending
--                          count (only link orders, below).
--   orders_network_pending, orders_network_replaced  link limits per network
--                          (only link orders).

-- The CHECKs the writer evaluates for every order, payment and callback
-- named their allowed values as IN lists. SQLite builds a temporary B-tree
-- for every IN list of more than two constants, each time the statement runs
-- (two per new order: a tenth of its insert). The same rules as comparisons
-- cost nothing. They are rewritten in place, as migration 0017 loosened the
-- orders table: the new CHECKs accept exactly the values the old ones did,
-- so every existing row satisfies them and the file format does not change.
PRAGMA writable_schema = ON;
UPDATE sqlite_schema
SET sql = replace(replace(sql,
        'CHECK (method IN ('''', ''alipay'', ''wechat''))',
        'CHECK (method = '''' OR method = ''alipay'' OR method = ''wechat'')'),
        'CHECK (status IN (''pending'', ''success'', ''expired'', ''failed''))',
        'CHECK (status = ''pending'' OR status = ''success'' OR status = ''expired'' OR status = ''failed'')')
WHERE type = 'table' AND name = 'orders';
UPDATE sqlite_schema
SET sql = replace(sql,
        'CHECK (status IN (''success'', ''unmatched'', ''ignored''))',
        'CHECK (status = ''success'' OR status = ''unmatched'' OR status = ''ignored'')')
WHERE type = 'table' AND name = 'payments';
UPDATE sqlite_schema
SET sql = replace(sql,
        'CHECK (status IN (''pending'', ''sent'', ''failed''))',
        'CHECK (status = ''pending'' OR status = ''sent'' OR status = ''failed'')')
WHERE type = 'table' AND name = 'callbacks';
-- RESET turns writable_schema off and makes this connection read the schema
-- again; the index changes below change the schema cookie, so every other
-- connection reads it again too.
PRAGMA writable_schema = RESET;

-- Link lookups always name a link (link_id = ?, which implies the index's
-- link_id IS NOT NULL), so orders that did not come from a link — the API,
-- 易支付 — no longer get an entry: before, every pending order had one.
DROP INDEX orders_link_pending;
CREATE INDEX orders_link_pending ON orders (link_id, link_visitor) WHERE status = 'pending' AND link_id IS NOT NULL;
