-- Checkout: fixed-amount 收款码 and payment links.

-- Extra 收款码 each tied to one amount (a fixed-amount code: the payer does not
-- type the amount). The checkout page shows one when the payable amount equals it.
CREATE TABLE pay_qr_amounts (
    method       TEXT NOT NULL CHECK (method IN ('alipay', 'wechat')),
    amount       INTEGER NOT NULL CHECK (amount > 0),
    image        BLOB NOT NULL,
    content_type TEXT NOT NULL,
    payload      TEXT NOT NULL,
    updated_at   INTEGER NOT NULL,
    PRIMARY KEY (method, amount)
) STRICT;

-- Payment links for shops without a website: /l/{code} → an order → checkout.
-- amount NULL: the buyer enters an amount between min_amount and max_amount.
CREATE TABLE payment_links (
    id           INTEGER PRIMARY KEY,
    code         TEXT NOT NULL UNIQUE,
    product_name TEXT NOT NULL,
    amount       INTEGER CHECK (amount IS NULL OR amount > 0),
    min_amount   INTEGER NOT NULL DEFAULT 0,
    max_amount   INTEGER NOT NULL DEFAULT 0,
    methods      TEXT NOT NULL CHECK (methods IN ('alipay', 'wechat', 'alipay,wechat')),
    enabled      INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    CHECK (amount IS NOT NULL OR (min_amount > 0 AND max_amount >= min_amount))
) STRICT;

-- The link an order came from; a deleted link leaves its orders alone.
ALTER TABLE orders ADD COLUMN link_id INTEGER REFERENCES payment_links (id) ON DELETE SET NULL;
CREATE INDEX orders_link ON orders (link_id) WHERE link_id IS NOT NULL;
