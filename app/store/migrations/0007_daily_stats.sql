-- Per-day counters for the dashboard, kept current by every write that
-- changes them (daily_stats.go), so a 30-day dashboard reads 30 rows instead
-- of scanning a million. day = Shanghai calendar day number:
-- (unix ms + 8 h) / 1 day.
CREATE TABLE daily_stats (
    day       INTEGER PRIMARY KEY,
    orders    INTEGER NOT NULL DEFAULT 0, -- orders created that day
    paid      INTEGER NOT NULL DEFAULT 0, -- of those, paid (whenever)
    pay_ms    INTEGER NOT NULL DEFAULT 0, -- sum of their time from creation to payment
    revenue   INTEGER NOT NULL DEFAULT 0, -- matched payments received that day, fen
    payments  INTEGER NOT NULL DEFAULT 0, -- how many of those
    unmatched INTEGER NOT NULL DEFAULT 0  -- payments received that day still waiting for a person
) STRICT;

INSERT INTO daily_stats (day, orders, paid, pay_ms)
SELECT (created_at + 28800000) / 86400000, count(*), sum(status = 'success'),
       coalesce(sum(CASE WHEN status = 'success' THEN paid_at - created_at END), 0)
FROM orders GROUP BY 1;

INSERT INTO daily_stats (day, revenue, payments, unmatched)
SELECT (received_at + 28800000) / 86400000, coalesce(sum(CASE WHEN status = 'success' THEN amount END), 0),
       sum(status = 'success'), sum(status = 'unmatched')
FROM payments WHERE true GROUP BY 1
ON CONFLICT (day) DO UPDATE SET revenue = excluded.revenue, payments = excluded.payments, unmatched = excluded.unmatched;
