-- ssg-claims, SQLite schema 16: returns and exchanges after release (반품, 교환).
--
-- The vendor's return and exchange fees on an order (NULL: the defaults, the outbound fee
-- and twice it).
ALTER TABLE order_shipping_fees ADD COLUMN ret_shppcst INTEGER CHECK (ret_shppcst >= 0);
ALTER TABLE order_shipping_fees ADD COLUMN exch_shppcst INTEGER CHECK (exch_shppcst >= 0);

-- A return or an exchange: a claim with its own number, from the cancellations' numbering
-- (claim_id is taken after the largest of both tables, under the write lock).
CREATE TABLE pickup_claims (
    claim_id     INTEGER NOT NULL PRIMARY KEY,
    clm_no       TEXT    NOT NULL UNIQUE,
    oror_no      TEXT    NOT NULL REFERENCES orders (ord_no),
    kind         TEXT    NOT NULL CHECK (kind IN ('return', 'exchange')),
    clm_rsn_cd   TEXT    NOT NULL,
    clm_rsn_cntt TEXT    NOT NULL,
    customer_id  TEXT,
    agent_id     TEXT,
    filed_at     INTEGER NOT NULL,
    CHECK ((customer_id IS NULL) <> (agent_id IS NULL))
) STRICT;
CREATE INDEX pickup_claims_by_order ON pickup_claims (oror_no, claim_id);

-- One row per pickup line, with its exchange's replacement beside it. Amounts are fixed at
-- filing. shpp_no and rpl_shpp_no come from the items' numbering (the largest of every
-- shipping number plus one, under the write lock).
CREATE TABLE pickups (
    clm_no             TEXT    NOT NULL REFERENCES pickup_claims (clm_no),
    line_seq           INTEGER NOT NULL,
    oror_no            TEXT    NOT NULL,
    ord_item_seq       INTEGER NOT NULL,
    qty                INTEGER NOT NULL CHECK (qty > 0),
    shpp_no            INTEGER NOT NULL UNIQUE,
    spl_ven_id         TEXT    NOT NULL,
    lrnk_spl_ven_id    TEXT,
    status             TEXT    NOT NULL
        CHECK (status IN ('requested', 'confirmed', 'completed', 'refused', 'withdrawn')),
    shpmt_shppcst      INTEGER NOT NULL,
    ret_shppcst        INTEGER NOT NULL,
    exch_shppcst       INTEGER NOT NULL,
    spl_ven_bdn_dc_amt INTEGER NOT NULL,
    refund_amt         INTEGER NOT NULL,
    filed_at           INTEGER NOT NULL,
    confirmed_at       INTEGER,
    shpp_type_dtl_cd   TEXT,
    delico_ven_id      TEXT,
    wbl_no             TEXT,
    resell_psbl_yn     TEXT,
    ret_impt_main_cd   TEXT,
    auto_complete_at   INTEGER,
    ended_at           INTEGER,
    ret_refus_rsn_cd   TEXT,
    ret_proc_memo_cntt TEXT,
    withdrawn_at       INTEGER,
    rpl_line_seq       INTEGER,
    rpl_shpp_no        INTEGER UNIQUE,
    rpl_uitem_id       TEXT,
    rpl_uitem_nm       TEXT,
    rpl_status         TEXT CHECK (rpl_status IN ('waiting', 'normal', 'canceled')),
    rpl_confirmed_at   INTEGER,
    rpl_delico_ven_id  TEXT,
    rpl_wbl_no         TEXT,
    rpl_shipped_at     INTEGER,
    rpl_delivered_at   INTEGER,
    PRIMARY KEY (clm_no, line_seq)
) STRICT;
CREATE INDEX pickups_by_order ON pickups (oror_no, ord_item_seq);
CREATE INDEX pickups_filed ON pickups (spl_ven_id, filed_at);
CREATE INDEX pickups_confirmed ON pickups (spl_ven_id, confirmed_at) WHERE confirmed_at IS NOT NULL;
CREATE INDEX pickups_ended ON pickups (spl_ven_id, ended_at) WHERE ended_at IS NOT NULL;
CREATE INDEX pickups_withdrawn ON pickups (spl_ven_id, withdrawn_at) WHERE withdrawn_at IS NOT NULL;
CREATE INDEX pickups_due ON pickups (auto_complete_at) WHERE status = 'confirmed';
