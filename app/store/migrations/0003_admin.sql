-- Admin console: the shop owner's account, login sessions, the audit log of
-- what people did, and the 收款码 pictures shown on the checkout page.

CREATE TABLE admins (
    id            INTEGER PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
) STRICT;

-- Only the SHA-256 of a session token is stored: a copy of the database
-- does not let anyone log in.
CREATE TABLE sessions (
    token_hash  TEXT PRIMARY KEY,
    admin_id    INTEGER NOT NULL REFERENCES admins (id) ON DELETE CASCADE,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    remote_ip   TEXT NOT NULL DEFAULT '',
    user_agent  TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX sessions_expires ON sessions (expires_at);

CREATE TABLE audit_log (
    id      INTEGER PRIMARY KEY,
    at      INTEGER NOT NULL,
    actor   TEXT NOT NULL,   -- admin username, "api", or "system"
    action  TEXT NOT NULL,   -- e.g. payment.confirm, order.close, settings.api_key
    subject TEXT NOT NULL DEFAULT '',  -- the id acted on
    detail  TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_subject ON audit_log (subject) WHERE subject <> '';

-- One 收款码 per payment method: the picture as uploaded and the payload decoded from it.
CREATE TABLE pay_qr_codes (
    method       TEXT PRIMARY KEY CHECK (method IN ('alipay', 'wechat')),
    image        BLOB NOT NULL,
    content_type TEXT NOT NULL,
    payload      TEXT NOT NULL,
    updated_at   INTEGER NOT NULL
) STRICT;

CREATE INDEX payments_status_received ON payments (status, received_at);
CREATE INDEX orders_paid ON orders (paid_at) WHERE status = 'success';
CREATE INDEX callbacks_status ON callbacks (status, updated_at);
