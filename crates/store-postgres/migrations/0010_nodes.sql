-- ssg-claims, PostgreSQL schema 10: the serve nodes sharing this database, each seen at its
-- last heartbeat, so that each takes its share of every rate limit.
CREATE TABLE nodes (
    node_id text COLLATE "C" NOT NULL PRIMARY KEY,
    seen_at timestamptz NOT NULL
);
