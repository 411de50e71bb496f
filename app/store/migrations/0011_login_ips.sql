-- The addresses the admin has signed in from lately. A login from one of them
-- is judged by its own throttle bucket, so a stranger failing from elsewhere
-- cannot lock the owner out (the console's known-device cookie does the same
-- for a browser that moves between networks).

CREATE TABLE admin_login_ips (
    admin_id      INTEGER NOT NULL REFERENCES admins (id) ON DELETE CASCADE,
    ip            TEXT NOT NULL,
    last_login_at INTEGER NOT NULL,
    PRIMARY KEY (admin_id, ip)
) STRICT;
