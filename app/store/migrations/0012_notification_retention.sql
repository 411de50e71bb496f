-- Stored forwarder requests stay bounded. Every request is still stored whole
-- before it is read (an authentic payment is never lost), but one that no
-- known phone sent — refused, or unreadable without a valid key — is then cut
-- short, and only the newest of those are kept (notification.go). Requests
-- that made no payment are pruned after notifications.retention.

-- The original size in bytes (headers, query and body) of a request that was
-- cut short; NULL when it is stored whole.
ALTER TABLE notifications ADD COLUMN cut_from INTEGER;

-- How many stored requests there are and the bytes their headers, query and
-- body take, per outcome and by whether a known phone sent them. Triggers
-- keep it current, so the console and the cap on strangers' requests read a
-- few rows instead of scanning the table.
CREATE TABLE notification_totals (
    outcome     TEXT NOT NULL,
    from_device INTEGER NOT NULL, -- 1: device_id is set
    requests    INTEGER NOT NULL,
    bytes       INTEGER NOT NULL,
    PRIMARY KEY (outcome, from_device)
) STRICT;

INSERT INTO notification_totals (outcome, from_device, requests, bytes)
SELECT outcome, device_id IS NOT NULL, count(*), sum(octet_length(headers) + octet_length(query) + octet_length(body))
FROM notifications GROUP BY 1, 2;

CREATE TRIGGER notification_totals_insert AFTER INSERT ON notifications BEGIN
    INSERT INTO notification_totals (outcome, from_device, requests, bytes)
    VALUES (NEW.outcome, NEW.device_id IS NOT NULL, 1, octet_length(NEW.headers) + octet_length(NEW.query) + octet_length(NEW.body))
    ON CONFLICT (outcome, from_device) DO UPDATE SET requests = requests + 1, bytes = bytes + excluded.bytes;
END;

CREATE TRIGGER notification_totals_delete AFTER DELETE ON notifications BEGIN
    UPDATE notification_totals SET requests = requests - 1,
        bytes = bytes - (octet_length(OLD.headers) + octet_length(OLD.query) + octet_length(OLD.body))
    WHERE outcome = OLD.outcome AND from_device = (OLD.device_id IS NOT NULL);
END;

CREATE TRIGGER notification_totals_update AFTER UPDATE OF outcome, device_id, headers, query, body ON notifications BEGIN
    UPDATE notification_totals SET requests = requests - 1,
        bytes = bytes - (octet_length(OLD.headers) + octet_length(OLD.query) + octet_length(OLD.body))
    WHERE outcome = OLD.outcome AND from_device = (OLD.device_id IS NOT NULL);
    INSERT INTO notification_totals (outcome, from_device, requests, bytes)
    VALUES (NEW.outcome, NEW.device_id IS NOT NULL, 1, octet_length(NEW.headers) + octet_length(NEW.query) + octet_length(NEW.body))
    ON CONFLICT (outcome, from_device) DO UPDATE SET requests = requests + 1, bytes = bytes + excluded.bytes;
END;

-- Strangers' requests, oldest first: the ones deleted beyond the cap.
CREATE INDEX notifications_strangers ON notifications (id) WHERE outcome IN ('refused', 'invalid') AND device_id IS NULL;

-- Deleting a notification checks that no payment refers to it (the foreign
-- key, and the pruning's own test): without this index, a scan of payments.
CREATE INDEX payments_notification ON payments (notification_id);
