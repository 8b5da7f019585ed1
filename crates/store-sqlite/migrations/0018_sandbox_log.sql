-- What a sandbox saw: every vendor call (its time on the sandbox clock and the real one,
-- what it asked, what it was answered, the cancellations its answer carried), every
-- feed read and acknowledged webhook delivery, and every scenario step as it ran. The
-- report is read from here, so every node sharing the database reports the same.
CREATE TABLE sandbox_log (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    spl_ven_id TEXT,
    at INTEGER NOT NULL,
    real_ms INTEGER NOT NULL,
    kind TEXT NOT NULL,
    body TEXT NOT NULL
) STRICT;

CREATE INDEX sandbox_log_by_vendor ON sandbox_log (spl_ven_id, seq);
