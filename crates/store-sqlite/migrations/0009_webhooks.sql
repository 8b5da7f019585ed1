-- ssg-claims, SQLite schema 9: vendors' webhook endpoints and their recent delivery attempts.
--
-- An endpoint walks its vendor's event sequence: `cursor` is the last sequence it is done
-- with. The node delivering to it holds a lease (lease_owner until lease_until); another
-- node takes it over once the lease ran out. Secrets are kept so the server can sign.
CREATE TABLE webhooks (
    webhook_id          TEXT    NOT NULL PRIMARY KEY,
    spl_ven_id          TEXT    NOT NULL,
    lrnk_spl_ven_id     TEXT,
    url                 TEXT    NOT NULL,
    -- Comma-separated event types; empty for every type.
    event_types         TEXT    NOT NULL,
    status              TEXT    NOT NULL,
    secret              TEXT    NOT NULL,
    previous_secret     TEXT,
    previous_until      INTEGER,
    cursor              INTEGER NOT NULL,
    failures            INTEGER NOT NULL DEFAULT 0,
    next_attempt_at     INTEGER NOT NULL,
    last_error          TEXT,
    last_delivered_at   INTEGER,
    created_at          INTEGER NOT NULL,
    -- Attempts made so far: numbers the delivery log.
    attempts_made       INTEGER NOT NULL DEFAULT 0,
    lease_owner         TEXT,
    lease_until         INTEGER
) STRICT;

CREATE INDEX webhooks_by_vendor ON webhooks (spl_ven_id);
CREATE INDEX webhooks_due ON webhooks (status, next_attempt_at);

-- The most recent attempts of each endpoint (older ones are dropped as new ones come).
CREATE TABLE webhook_deliveries (
    webhook_id   TEXT    NOT NULL,
    attempt_no   INTEGER NOT NULL,
    event_id     TEXT    NOT NULL,
    seq          INTEGER NOT NULL,
    attempt      INTEGER NOT NULL,
    http_status  INTEGER,
    error        TEXT,
    duration_ms  INTEGER NOT NULL,
    attempted_at INTEGER NOT NULL,
    PRIMARY KEY (webhook_id, attempt_no)
) STRICT, WITHOUT ROWID;
