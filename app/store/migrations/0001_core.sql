-- Core schema: settings, orders with amount slots, raw notifications, payments,
-- and the callback outbox. Times are unix milliseconds; amounts are fen.

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

CREATE TABLE orders (
    id                TEXT PRIMARY KEY,
    merchant_order_id TEXT,
    product_name      TEXT NOT NULL,
    method            TEXT NOT NULL CHECK (method IN ('alipay', 'wechat')),
    amount            INTEGER NOT NULL CHECK (amount > 0),
    pay_amount        INTEGER NOT NULL CHECK (pay_amount > 0),
    status            TEXT NOT NULL CHECK (status IN ('pending', 'success', 'expired', 'failed')),
    notify_url        TEXT NOT NULL DEFAULT '',
    return_url        TEXT NOT NULL DEFAULT '',
    attach            TEXT NOT NULL DEFAULT '',
    client_ip         TEXT NOT NULL DEFAULT '',
    created_at        INTEGER NOT NULL,
    expires_at        INTEGER NOT NULL,
    paid_at           INTEGER,
    closed_at         INTEGER,
    payment_id        TEXT UNIQUE,
    CHECK ((status = 'success') = (payment_id IS NOT NULL))
) STRICT;

-- The amount slot: no two pending orders may ask for the same money by the same method.
CREATE UNIQUE INDEX orders_slot ON orders (method, pay_amount) WHERE status = 'pending';
CREATE UNIQUE INDEX orders_merchant_order_id ON orders (merchant_order_id) WHERE merchant_order_id IS NOT NULL;
CREATE INDEX orders_pending_expiry ON orders (expires_at) WHERE status = 'pending';
CREATE INDEX orders_expired_slot ON orders (pay_amount, closed_at) WHERE status = 'expired';
CREATE INDEX orders_created ON orders (created_at);

CREATE TABLE notifications (
    id          INTEGER PRIMARY KEY,
    received_at INTEGER NOT NULL,
    endpoint    TEXT NOT NULL,
    http_method TEXT NOT NULL,
    remote_ip   TEXT NOT NULL,
    headers     TEXT NOT NULL,
    query       TEXT NOT NULL,
    body        BLOB NOT NULL,
    device_id   INTEGER,
    outcome     TEXT NOT NULL DEFAULT 'received',
    reason      TEXT NOT NULL DEFAULT '',
    sender_id   TEXT NOT NULL DEFAULT '',
    package     TEXT NOT NULL DEFAULT '',
    title       TEXT NOT NULL DEFAULT '',
    text        TEXT NOT NULL DEFAULT '',
    amount      INTEGER,
    method      TEXT NOT NULL DEFAULT '',
    customer_type TEXT NOT NULL DEFAULT '',
    payment_id  TEXT,
    -- set on the first notification with a sender id; a repeat finds it taken
    dedupe_key  TEXT UNIQUE
) STRICT;
CREATE INDEX notifications_received ON notifications (received_at);

CREATE TABLE payments (
    id                 TEXT PRIMARY KEY,
    notification_id    INTEGER REFERENCES notifications (id),
    method             TEXT NOT NULL DEFAULT '',
    amount             INTEGER NOT NULL CHECK (amount > 0),
    customer_type      TEXT NOT NULL DEFAULT '',
    status             TEXT NOT NULL CHECK (status IN ('success', 'unmatched', 'ignored')),
    order_id           TEXT UNIQUE REFERENCES orders (id),
    confidence         TEXT NOT NULL DEFAULT '',
    candidate_order_id TEXT,
    received_at        INTEGER NOT NULL,
    matched_at         INTEGER,
    matched_by         TEXT NOT NULL DEFAULT '',
    CHECK ((status = 'success') = (order_id IS NOT NULL))
) STRICT;
CREATE INDEX payments_received ON payments (received_at);
CREATE INDEX payments_unmatched ON payments (received_at) WHERE status = 'unmatched';

CREATE TABLE callbacks (
    id              INTEGER PRIMARY KEY,
    payment_id      TEXT NOT NULL REFERENCES payments (id),
    order_id        TEXT NOT NULL REFERENCES orders (id),
    kind            TEXT NOT NULL DEFAULT 'merchant',
    status          TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    claimed_at      INTEGER, -- set while an attempt is in flight
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    last_error      TEXT NOT NULL DEFAULT '',
    UNIQUE (payment_id, kind)
) STRICT;
CREATE INDEX callbacks_due ON callbacks (next_attempt_at) WHERE status = 'pending';

CREATE TABLE callback_attempts (
    id           INTEGER PRIMARY KEY,
    callback_id  INTEGER NOT NULL REFERENCES callbacks (id),
    url          TEXT NOT NULL,
    started_at   INTEGER NOT NULL,
    duration_ms  INTEGER NOT NULL,
    http_status  INTEGER NOT NULL,
    body_excerpt TEXT NOT NULL,
    error        TEXT NOT NULL,
    acked        INTEGER NOT NULL
) STRICT;
CREATE INDEX callback_attempts_callback ON callback_attempts (callback_id);
