-- Forwarders (phones). Each has its own key; the one with uses_api_key = 1
-- stands for every forwarder that authenticates with the merchant API key.

CREATE TABLE devices (
    id                INTEGER PRIMARY KEY,
    name              TEXT NOT NULL,
    key               TEXT UNIQUE,            -- NULL for the API-key device
    uses_api_key      INTEGER NOT NULL DEFAULT 0,
    created_at        INTEGER NOT NULL,
    last_seen_at      INTEGER,
    last_heartbeat_at INTEGER,
    last_ip           TEXT NOT NULL DEFAULT '',
    last_kind         TEXT NOT NULL DEFAULT '', -- smsforwarder, vmq, webhook
    CHECK ((uses_api_key = 1) = (key IS NULL))
) STRICT;
CREATE UNIQUE INDEX devices_api_key ON devices (uses_api_key) WHERE uses_api_key = 1;

CREATE INDEX notifications_device ON notifications (device_id, received_at);
CREATE INDEX notifications_outcome ON notifications (outcome, received_at);
