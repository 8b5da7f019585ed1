-- ssg-claims, PostgreSQL schema 7: each vendor's events, in one sequence per vendor.
--
-- An event is written in the same transaction as its change. Its sequence comes from the
-- vendor's row in event_heads, which the writing transaction holds (row lock) until it
-- commits, so a vendor's events commit in sequence order on every node: a reader that sees
-- sequence n sees every event before it, and a cursor never passes an event that commits
-- later with a smaller sequence. Transactions take their vendors' rows in vendor order, so
-- they never wait on each other in a cycle.
CREATE TABLE event_heads (
    spl_ven_id     text COLLATE "C" NOT NULL PRIMARY KEY,
    last_seq       bigint NOT NULL CHECK (last_seq > 0),
    -- Events through this sequence were removed by retention: a cursor before it is expired.
    purged_through bigint NOT NULL DEFAULT 0
);

-- What each event is about (its rows are read from what it names, which never changes):
-- claim.created names a claim; cancel_request.* a request's lines (item_seqs, comma-
-- separated) with the status they took; order.instructed an order's items.
CREATE TABLE events (
    spl_ven_id      text COLLATE "C" NOT NULL,
    seq             bigint      NOT NULL,
    lrnk_spl_ven_id text COLLATE "C",
    event_type      text COLLATE "C" NOT NULL,
    occurred_at     timestamptz NOT NULL,
    oror_no         text COLLATE "C" NOT NULL,
    clm_no          text COLLATE "C",
    request_id      text COLLATE "C",
    line_status     text COLLATE "C",
    item_seqs       text,
    PRIMARY KEY (spl_ven_id, seq)
);

CREATE INDEX events_by_time ON events (occurred_at);
