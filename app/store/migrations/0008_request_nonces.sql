-- Nonces of signed API requests, each kept until its request's timestamp can
-- no longer pass the ±5 minute window, so a signed request cannot be
-- replayed, not even after a restart. Rows past expires_at are pruned as new
-- nonces arrive (nonce.go).
CREATE TABLE request_nonces (
    nonce      TEXT PRIMARY KEY,
    expires_at INTEGER NOT NULL -- unix ms
) STRICT, WITHOUT ROWID;

CREATE INDEX request_nonces_expiry ON request_nonces (expires_at);
