-- 彩虹易支付 V2 (RSA): an order made through /api/pay/* is announced with an
-- RSA-signed notify (platform key, fresh timestamp per attempt) and its
-- return URL is signed when the payer is sent back, so the order remembers
-- the protocol it was asked for in. Orders made before are V1 (MD5).
-- The keys live in settings: merchant.epay_public_key (the shop's public
-- key, bare base64 SPKI) and epay.platform_private_key (paygate's, PKCS#8).

ALTER TABLE epay_orders ADD COLUMN protocol TEXT NOT NULL DEFAULT 'v1' CHECK (protocol IN ('v1', 'v2'));
