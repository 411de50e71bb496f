-- Admin lists filter by status and sort by time; with a million rows they
-- need an index in that order to stay fast.
CREATE INDEX orders_status_created ON orders (status, created_at);
CREATE INDEX orders_method_created ON orders (method, created_at);
