-- A stored notification is applied whatever happens to the request that
-- brought it: rows left 'received' (client gone, crash, a failed apply) are
-- applied again at start and by the sweeper. apply_attempts counts those
-- tries; after a few the row gets the outcome 'error' and waits for a person.
ALTER TABLE notifications ADD COLUMN apply_attempts INTEGER NOT NULL DEFAULT 0;
