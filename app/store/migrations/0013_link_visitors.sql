-- Payment-link orders remember who asked for them (issue #11.3), so that one
-- visitor cannot hold every payable amount of a link's price:
--   link_visitor  a hash of the visitor's payment-link cookie ('' = none): the
--                 same visitor ordering again gets their open order back, or
--                 the new order replaces it;
--   link_network  the client's network (an IPv4 address, an IPv6 /64; '' for
--                 orders not made through a link): its open link orders count
--                 against links.max_pending_per_ip;
--   replaced_by   the order that replaced this one (status failed): its
--                 checkout page leads there, and its amount, cooling for
--                 match.grace, still counts against the network.
ALTER TABLE orders ADD COLUMN link_visitor TEXT NOT NULL DEFAULT '';
ALTER TABLE orders ADD COLUMN link_network TEXT NOT NULL DEFAULT '';
ALTER TABLE orders ADD COLUMN replaced_by TEXT;

-- The writer asks these for every payment-link order, so each is a seek into
-- a small partial index, however many orders the shop has had: a link's
-- pending orders, and a visitor's among them;
CREATE INDEX orders_link_pending ON orders (link_id, link_visitor) WHERE status = 'pending';
-- a network's pending link orders, by expiry;
CREATE INDEX orders_network_pending ON orders (link_network, expires_at) WHERE status = 'pending' AND link_network <> '';
-- a network's replaced orders, by the time they were replaced.
CREATE INDEX orders_network_replaced ON orders (link_network, closed_at) WHERE replaced_by IS NOT NULL;
