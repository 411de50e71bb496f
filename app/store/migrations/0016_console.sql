-- The owner console (issue 13): money a person records by hand, takings by
-- method on the dashboard, and the reasons of refused notifications in
-- Chinese as well.

-- Why a person recorded a payment that no phone reported (手动补单: the phone
-- was off, the notification was lost). '' for a phone's payment.
ALTER TABLE payments ADD COLUMN note TEXT NOT NULL DEFAULT '';

-- Matched payments per day by the method the money came by (the order's when
-- the notification did not say), so the dashboard shows Alipay and WeChat
-- side by side from the per-day counters instead of scanning payments.
ALTER TABLE daily_stats ADD COLUMN alipay_revenue INTEGER NOT NULL DEFAULT 0;
ALTER TABLE daily_stats ADD COLUMN alipay_payments INTEGER NOT NULL DEFAULT 0;
ALTER TABLE daily_stats ADD COLUMN wechat_revenue INTEGER NOT NULL DEFAULT 0;
ALTER TABLE daily_stats ADD COLUMN wechat_payments INTEGER NOT NULL DEFAULT 0;

INSERT INTO daily_stats (day, alipay_revenue, alipay_payments, wechat_revenue, wechat_payments)
SELECT (p.received_at + 28800000) / 86400000,
       coalesce(sum(CASE WHEN coalesce(nullif(p.method, ''), o.method) = 'alipay' THEN p.amount END), 0),
       coalesce(sum(coalesce(nullif(p.method, ''), o.method) = 'alipay'), 0),
       coalesce(sum(CASE WHEN coalesce(nullif(p.method, ''), o.method) = 'wechat' THEN p.amount END), 0),
       coalesce(sum(coalesce(nullif(p.method, ''), o.method) = 'wechat'), 0)
FROM payments p JOIN orders o ON o.id = p.order_id
WHERE p.status = 'success' GROUP BY 1
ON CONFLICT (day) DO UPDATE SET alipay_revenue = excluded.alipay_revenue, alipay_payments = excluded.alipay_payments,
    wechat_revenue = excluded.wechat_revenue, wechat_payments = excluded.wechat_payments;

-- A refused or unreadable request's reason in Chinese, beside the English
-- one (reason), so the console says it in the reader's language.
ALTER TABLE notifications ADD COLUMN reason_zh TEXT NOT NULL DEFAULT '';
