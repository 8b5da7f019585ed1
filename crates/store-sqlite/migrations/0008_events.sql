-- ssg-claims, SQLite schema 8: each vendor's events, in one sequence per vendor.
--
-- An event is written in the same transaction as its change. Its sequence comes from the
-- vendor's row in event_heads, which the writing transaction holds until it commits, so a
-- vendor's events commit in sequence order: a reader that sees sequence n sees every event
-- before it. (SQLite's single writer gives this anyway; PostgreSQL relies on the row lock.)
CREATE TABLE event_heads (
    spl_ven_id     TEXT    NOT NULL PRIMARY KEY,
    last_seq       INTEGER NOT NULL CHECK (last_seq > 0),
    -- Events through this sequence were removed by retention: a cursor before it is expired.
    purged_through INTEGER NOT NULL DEFAULT 0
) STRICT, WITHOUT ROWID;

-- What each event is about (its rows are read from what it names, which never changes):
-- claim.created names a claim; cancel_request.* a request's lines (item_seqs, comma-
-- separated) with the status they took; order.instructed an order's items.
CREATE TABLE events (
    spl_ven_id      TEXT    NOT NULL,
    seq             INTEGER NOT NULL,
    lrnk_spl_ven_id TEXT,
    event_type      TEXT    NOT NULL,
    occurred_at     INTEGER NOT NULL,
    oror_no         TEXT    NOT NULL,
    clm_no          TEXT,
    request_id      TEXT,
    line_status     TEXT,
    item_seqs       TEXT,
    PRIMARY KEY (spl_ven_id, seq)
) STRICT, WITHOUT ROWID;

CREATE INDEX events_by_time ON events (occurred_at);
