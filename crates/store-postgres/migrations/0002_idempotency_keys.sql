-- ssg-claims, PostgreSQL schema 2: idempotency keys of the platform API's writes. A key is
-- per caller (the SHA-256 of its credential); `status` is NULL while its request is in
-- flight.

CREATE TABLE idempotency_keys (
    owner        bytea       NOT NULL,
    idem_key     text        NOT NULL,
    fingerprint  bytea       NOT NULL,
    status       integer,
    content_type text,
    location     text,
    body         bytea,
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL,
    PRIMARY KEY (owner, idem_key)
);

CREATE INDEX idempotency_keys_by_age ON idempotency_keys (created_at);
