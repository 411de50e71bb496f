-- orders.payment_id was declared UNIQUE: SQLite keeps such a column in an
-- automatic index, NULLs included, so every new order — pending, payment_id
-- NULL — went into one more B-tree on the single writer (issue #18). The rule
-- it keeps, "one payment pays at most one order", concerns paid orders only:
-- a partial unique index over the orders that have a payment keeps it, and a
-- pending order no longer enters it. No query reads orders by payment_id.
--
-- An automatic index cannot be dropped, and rebuilding orders is what
-- migration 0017 avoided (tables reference it; other migrations add its
-- columns and indexes). So, under writable_schema as 0017 and 0021 do:
--   1. the column loses UNIQUE in the table's CREATE statement;
--   2. in the same step, the automatic index becomes an ordinary index with
--      the same B-tree (its root page, its entries: payment_id, rowid), which
--      is exactly what CREATE UNIQUE INDEX … ON orders (payment_id) stores;
--   3. after RESET that index is dropped the ordinary way, freeing its pages,
--      and the partial index is built from the table.
-- Step 2 applies only when step 1 did (and names the index that indexes
-- payment_id), so on an unexpected schema the DROP INDEX fails and the whole
-- migration with it, leaving the database as it was.
PRAGMA writable_schema = ON;
UPDATE sqlite_schema
SET sql = replace(sql, 'payment_id        TEXT UNIQUE,', 'payment_id        TEXT,')
WHERE type = 'table' AND name = 'orders';
UPDATE sqlite_schema
SET name = 'orders_payment_id_automatic',
    sql = 'CREATE UNIQUE INDEX orders_payment_id_automatic ON orders (payment_id)'
WHERE type = 'index' AND name = 'sqlite_autoindex_orders_2'
  AND (SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = 'orders') LIKE '%payment_id        TEXT,%'
  AND (SELECT group_concat(name) FROM pragma_index_info('sqlite_autoindex_orders_2')) = 'payment_id';
PRAGMA writable_schema = RESET;
DROP INDEX orders_payment_id_automatic;

-- Orders by payment: one payment pays at most one order, by the database.
CREATE UNIQUE INDEX orders_payment_id ON orders (payment_id) WHERE payment_id IS NOT NULL;
