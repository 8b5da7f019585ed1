-- ssg-claims, SQLite schema 11: the serve nodes sharing this database, each seen at its last
-- heartbeat, so that each takes its share of every rate limit.
CREATE TABLE nodes (
    node_id TEXT    NOT NULL PRIMARY KEY,
    seen_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
