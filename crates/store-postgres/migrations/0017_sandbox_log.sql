-- ssg-claims, PostgreSQL schema 17: what a sandbox saw — every vendor call (its time on
-- the sandbox clock and the real one, what it asked, what it was answered, the
-- cancellations its answer carried), every feed read and acknowledged webhook delivery,
-- and every scenario step as it ran. The report is read from here, so every node sharing
-- the database reports the same.
CREATE TABLE sandbox_log (
    seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    spl_ven_id text COLLATE "C",
    at timestamptz NOT NULL,
    real_ms bigint NOT NULL,
    kind text COLLATE "C" NOT NULL,
    body text NOT NULL
);

CREATE INDEX sandbox_log_by_vendor ON sandbox_log (spl_ven_id, seq);
