-- ssg-claims, PostgreSQL schema 8: vendors' webhook endpoints and their recent delivery
-- attempts.
--
-- An endpoint walks its vendor's event sequence: `cursor` is the last sequence it is done
-- with. The node delivering to it holds a lease (lease_owner until lease_until), taken with
-- FOR UPDATE SKIP LOCKED so two nodes never take the same endpoint; another node takes it
-- over once the lease ran out. Secrets are kept so the server can sign.
CREATE TABLE webhooks (
    webhook_id          text COLLATE "C" NOT NULL PRIMARY KEY,
    spl_ven_id          text COLLATE "C" NOT NULL,
    lrnk_spl_ven_id     text COLLATE "C",
    url                 text        NOT NULL,
    -- Comma-separated event types; empty for every type.
    event_types         text        NOT NULL,
    status              text COLLATE "C" NOT NULL,
    secret              text        NOT NULL,
    previous_secret     text,
    previous_until      timestamptz,
    cursor              bigint      NOT NULL,
    failures            integer     NOT NULL DEFAULT 0,
    next_attempt_at     timestamptz NOT NULL,
    last_error          text,
    last_delivered_at   timestamptz,
    created_at          timestamptz NOT NULL,
    -- Attempts made so far: numbers the delivery log.
    attempts_made       bigint      NOT NULL DEFAULT 0,
    lease_owner         text,
    lease_until         timestamptz
);

CREATE INDEX webhooks_by_vendor ON webhooks (spl_ven_id);
CREATE INDEX webhooks_due ON webhooks (status, next_attempt_at);

-- The most recent attempts of each endpoint (older ones are dropped as new ones come).
CREATE TABLE webhook_deliveries (
    webhook_id   text COLLATE "C" NOT NULL,
    attempt_no   bigint      NOT NULL,
    event_id     text        NOT NULL,
    seq          bigint      NOT NULL,
    attempt      integer     NOT NULL,
    http_status  integer,
    error        text,
    duration_ms  bigint      NOT NULL,
    attempted_at timestamptz NOT NULL,
    PRIMARY KEY (webhook_id, attempt_no)
);
