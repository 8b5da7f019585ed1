-- ssg-claims, SQLite schema 3: idempotency keys of the platform API's writes. A key is per
-- caller (the SHA-256 of its credential); `status` is NULL while its request is in flight.

CREATE TABLE idempotency_keys (
    owner        BLOB    NOT NULL,
    idem_key     TEXT    NOT NULL,
    fingerprint  BLOB    NOT NULL,
    status       INTEGER,
    content_type TEXT,
    location     TEXT,
    body         BLOB,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    PRIMARY KEY (owner, idem_key)
) STRICT;

CREATE INDEX idempotency_keys_by_age ON idempotency_keys (created_at);
