-- Staying connected: alerts to the owner and the "check from outside" page.

-- Where alerts go: one row per channel the owner set up in the console.
-- config is the channel's fields as JSON (app.AlertChannelConfig), secrets
-- included: like the API key, they live in the database.
CREATE TABLE alert_channels (
    id         INTEGER PRIMARY KEY,
    kind       TEXT NOT NULL CHECK (kind IN ('bark', 'serverchan', 'wecom', 'dingtalk', 'telegram', 'email', 'webhook')),
    name       TEXT NOT NULL,
    config     TEXT NOT NULL,
    enabled    INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    created_at INTEGER NOT NULL
) STRICT;

-- Something that needs the owner, from when it started to when it cleared.
-- At most one incident of a kind and key is open: that is the de-duplication,
-- one message when it starts and one when it clears, however often it is seen.
CREATE TABLE alert_incidents (
    id        INTEGER PRIMARY KEY,
    kind      TEXT NOT NULL,
    key       TEXT NOT NULL,
    text      TEXT NOT NULL,
    opened_at INTEGER NOT NULL,
    closed_at INTEGER
) STRICT;
CREATE UNIQUE INDEX alert_incidents_open ON alert_incidents (kind, key) WHERE closed_at IS NULL;
CREATE INDEX alert_incidents_recent ON alert_incidents (kind, key, closed_at);

-- The durable queue of alert messages: one row per incident event and
-- channel, retried until sent or out of attempts, like the callback outbox.
CREATE TABLE alert_messages (
    id              INTEGER PRIMARY KEY,
    channel_id      INTEGER NOT NULL REFERENCES alert_channels (id) ON DELETE CASCADE,
    incident_id     INTEGER NOT NULL REFERENCES alert_incidents (id),
    event           TEXT NOT NULL CHECK (event IN ('open', 'clear', 'resolved')),
    status          TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed', 'dropped')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    claimed_at      INTEGER,
    last_error      TEXT NOT NULL DEFAULT '',
    created_at      INTEGER NOT NULL,
    sent_at         INTEGER
) STRICT;
CREATE INDEX alert_messages_due ON alert_messages (next_attempt_at) WHERE status = 'pending';
CREATE INDEX alert_messages_incident ON alert_messages (incident_id);
CREATE INDEX alert_messages_sent ON alert_messages (channel_id, sent_at) WHERE status = 'sent';
CREATE INDEX alert_messages_created ON alert_messages (created_at);

-- "Check from outside": a one-time address the owner opens on the phone;
-- the console shows it reached as soon as the phone opens it.
CREATE TABLE reach_checks (
    token      TEXT PRIMARY KEY,
    url        TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    hit_at     INTEGER,
    hit_ip     TEXT NOT NULL DEFAULT '',
    hit_host   TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX reach_checks_created ON reach_checks (created_at);
