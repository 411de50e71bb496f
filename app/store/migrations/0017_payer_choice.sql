-- The payer chooses the method (issue #14). An order may be created without a
-- payment method (the REST API without paymentMethod, 易支付 without type): it
-- holds no amount slot until the payer picks 支付宝 or 微信 on the checkout
-- page, so its method is '' and its pay_amount NULL until then. The slot
-- index orders_slot (method, pay_amount) WHERE status = 'pending' stays as
-- it is: NULL amounts never collide, so it still makes two pending orders on
-- one chosen slot impossible.
--
-- The orders table's CHECK on method and NOT NULL on pay_amount are loosened
-- in place, by the procedure SQLite documents for removing CHECK and NOT NULL
-- constraints ("Making Other Kinds Of Table Schema Changes", alter table
-- docs): rewrite the table's CREATE statement in sqlite_schema under
-- writable_schema. Every existing row satisfies the looser rules and the file
-- format does not change. A rebuild (new table, copy, drop, rename) is not
-- used because payments, callbacks and epay_orders reference orders while
-- foreign keys are on inside this transaction, and a rebuild would have to
-- repeat every column and index other migrations add to orders.
PRAGMA writable_schema = ON;
UPDATE sqlite_schema
SET sql = replace(replace(sql,
        'CHECK (method IN (''alipay'', ''wechat''))',
        'CHECK (method IN ('''', ''alipay'', ''wechat''))'),
        'pay_amount        INTEGER NOT NULL CHECK (pay_amount > 0)',
        'pay_amount        INTEGER CHECK (pay_amount > 0)')
WHERE type = 'table' AND name = 'orders';
-- RESET turns writable_schema off and makes this connection read the schema
-- again; the CREATE TABLE below changes the schema cookie, so every other
-- connection reads it again too.
PRAGMA writable_schema = RESET;

-- Proof that the new rules took: an order without a method and amount can be
-- stored (the migration fails here otherwise), and is gone again.
INSERT INTO orders (id, product_name, method, amount, pay_amount, status, created_at, expires_at)
VALUES ('migration-0017-probe', 'probe', '', 1, NULL, 'pending', 0, 0);
DELETE FROM orders WHERE id = 'migration-0017-probe';

-- Slot releases that no order row records. A slot's cooldown is read from the
-- orders that were paid, expired or closed on it (orders_released_slot); an
-- order that stays pending but leaves its slot — the payer switches method, or
-- an expired order is reopened on a fresh slot — records the slot it left
-- here, so the slot cools all the same and a late payment for it still waits
-- for a person (with this order as the candidate).
CREATE TABLE slot_releases (
    id          INTEGER PRIMARY KEY,
    method      TEXT NOT NULL CHECK (method IN ('alipay', 'wechat')),
    pay_amount  INTEGER NOT NULL CHECK (pay_amount > 0),
    released_at INTEGER NOT NULL,
    order_id    TEXT NOT NULL REFERENCES orders (id)
) STRICT;
-- The cooldown and matching ask "was this slot released since T?": one seek.
CREATE INDEX slot_releases_slot ON slot_releases (method, pay_amount, released_at);
-- How often an order has switched (a bound on switching), and pruning.
CREATE INDEX slot_releases_order ON slot_releases (order_id);
CREATE INDEX slot_releases_time ON slot_releases (released_at);
