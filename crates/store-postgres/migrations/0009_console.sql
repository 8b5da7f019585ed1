-- ssg-claims, PostgreSQL schema 9: the web console's users and sessions, and finding orders
-- by the orderer's name.
--
-- A user's password is kept as its Argon2id hash (PHC string); a session as the SHA-256 of
-- its cookie, so a copy of the table opens no session.
CREATE TABLE console_users (
    login           text COLLATE "C" NOT NULL PRIMARY KEY,
    role            text        NOT NULL CHECK (role IN ('admin', 'service-center', 'vendor')),
    spl_ven_id      text COLLATE "C" REFERENCES vendors (spl_ven_id),
    lrnk_spl_ven_id text COLLATE "C" REFERENCES vendors (spl_ven_id),
    password_hash   text        NOT NULL,
    created_at      timestamptz NOT NULL,
    CHECK ((role = 'vendor') = (spl_ven_id IS NOT NULL)),
    CHECK (lrnk_spl_ven_id IS NULL OR spl_ven_id IS NOT NULL)
);

CREATE TABLE console_sessions (
    session_hash bytea       NOT NULL PRIMARY KEY,
    login        text COLLATE "C" NOT NULL REFERENCES console_users (login) ON DELETE CASCADE,
    csrf         text        NOT NULL,
    created_at   timestamptz NOT NULL,
    last_seen_at timestamptz NOT NULL
);

CREATE INDEX console_sessions_by_login ON console_sessions (login);
CREATE INDEX console_sessions_by_age ON console_sessions (last_seen_at);

CREATE INDEX orders_by_orderer ON orders (ordpe_nm, ord_rcp_dts, ord_no);
