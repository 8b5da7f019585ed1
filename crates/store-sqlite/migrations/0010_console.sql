-- ssg-claims, SQLite schema 10: the web console's users and sessions, and finding orders
-- by the orderer's name.
--
-- A user's password is kept as its Argon2id hash (PHC string); a session as the SHA-256 of
-- its cookie, so a copy of the table opens no session.
CREATE TABLE console_users (
    login           TEXT    NOT NULL PRIMARY KEY,
    role            TEXT    NOT NULL CHECK (role IN ('admin', 'service-center', 'vendor')),
    spl_ven_id      TEXT    REFERENCES vendors (spl_ven_id),
    lrnk_spl_ven_id TEXT    REFERENCES vendors (spl_ven_id),
    password_hash   TEXT    NOT NULL,
    created_at      INTEGER NOT NULL,
    CHECK ((role = 'vendor') = (spl_ven_id IS NOT NULL)),
    CHECK (lrnk_spl_ven_id IS NULL OR spl_ven_id IS NOT NULL)
) STRICT, WITHOUT ROWID;

CREATE TABLE console_sessions (
    session_hash BLOB    NOT NULL PRIMARY KEY,
    login        TEXT    NOT NULL REFERENCES console_users (login) ON DELETE CASCADE,
    csrf         TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE INDEX console_sessions_by_login ON console_sessions (login);
CREATE INDEX console_sessions_by_age ON console_sessions (last_seen_at);

CREATE INDEX orders_by_orderer ON orders (ordpe_nm, ord_rcp_dts, ord_no);
