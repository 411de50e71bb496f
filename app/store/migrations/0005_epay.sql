-- 易支付 (epay) compatibility: what an epay client sent with each order it
-- created through submit.php or mapi.php, kept verbatim so the notify, the
-- return URL and api.php answer it in its own terms. The order itself is an
-- ordinary row in orders (merchant_order_id = 'epay:' || out_trade_no); a
-- payment of an order that has a row here is announced with a callbacks row
-- of kind 'epay' (a GET to notify_url) instead of the merchant JSON callback.

CREATE TABLE epay_orders (
    order_id     TEXT PRIMARY KEY REFERENCES orders (id),
    pid          TEXT NOT NULL,
    out_trade_no TEXT NOT NULL UNIQUE,
    type         TEXT NOT NULL,              -- as sent: alipay, wxpay or wechat
    name         TEXT NOT NULL,              -- as sent, cut to 127 bytes
    money        TEXT NOT NULL,              -- as sent, e.g. '10' or '10.00'; echoed in the notify
    param        TEXT NOT NULL DEFAULT '',
    notify_url   TEXT NOT NULL,
    return_url   TEXT NOT NULL DEFAULT '',   -- as sent, without the signed query
    created_at   INTEGER NOT NULL
) STRICT;
