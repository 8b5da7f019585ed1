-- ssg-claims, SQLite schema 2: bearer tokens of the platform API, stored as SHA-256 hashes.

CREATE TABLE api_tokens (
    token_id   TEXT    NOT NULL PRIMARY KEY,
    token_hash BLOB    NOT NULL UNIQUE,
    role       TEXT    NOT NULL CHECK (role IN ('admin', 'storefront', 'service-center')),
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
) STRICT, WITHOUT ROWID;
