-- ssg-claims, SQLite schema 1.
-- Applied migrations are never edited; changes come as new files.
--
-- Times are Unix seconds (UTC); they are shown in KST only on the wire.
-- Amounts are whole won. Text columns hold values checked on the way in.

PRAGMA application_id = 1397966659; -- 'SSGC'

CREATE TABLE vendors (
    spl_ven_id        TEXT    NOT NULL PRIMARY KEY,
    name              TEXT    NOT NULL,
    -- Set for a lower-rank vendor: the vendor it ranks under (one level only).
    parent_spl_ven_id TEXT    REFERENCES vendors (spl_ven_id),
    created_at        INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

-- API keys are stored as SHA-256 hashes only.
CREATE TABLE api_keys (
    key_id          TEXT    NOT NULL PRIMARY KEY,
    key_hash        BLOB    NOT NULL UNIQUE,
    spl_ven_id      TEXT    NOT NULL REFERENCES vendors (spl_ven_id),
    lrnk_spl_ven_id TEXT    REFERENCES vendors (spl_ven_id),
    created_at      INTEGER NOT NULL,
    revoked_at      INTEGER
) STRICT, WITHOUT ROWID;

CREATE INDEX api_keys_by_vendor ON api_keys (spl_ven_id, created_at);

CREATE TABLE orders (
    ord_no           TEXT    NOT NULL PRIMARY KEY,
    ordpe_nm         TEXT    NOT NULL,
    customer_id      TEXT    NOT NULL,
    ord_rcp_media_cd TEXT    NOT NULL,
    ord_rcp_dts      INTEGER NOT NULL,
    created_at       INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE TABLE order_shipping_fees (
    ord_no     TEXT    NOT NULL REFERENCES orders (ord_no),
    spl_ven_id TEXT    NOT NULL REFERENCES vendors (spl_ven_id),
    amount     INTEGER NOT NULL CHECK (amount >= 0),
    PRIMARY KEY (ord_no, spl_ven_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE order_items (
    ord_no             TEXT    NOT NULL REFERENCES orders (ord_no),
    ord_item_seq       INTEGER NOT NULL,
    item_id            TEXT    NOT NULL,
    item_nm            TEXT    NOT NULL,
    uitem_id           TEXT    NOT NULL,
    uitem_nm           TEXT    NOT NULL,
    qty                INTEGER NOT NULL CHECK (qty > 0),
    unit_price         INTEGER NOT NULL CHECK (unit_price >= 0),
    spl_ven_id         TEXT    NOT NULL REFERENCES vendors (spl_ven_id),
    lrnk_spl_ven_id    TEXT    REFERENCES vendors (spl_ven_id),
    spl_ven_bdn_dc_amt INTEGER NOT NULL CHECK (spl_ven_bdn_dc_amt >= 0),
    canceled_qty       INTEGER NOT NULL DEFAULT 0,
    shipped_qty        INTEGER NOT NULL DEFAULT 0,
    refunded_dc_amt    INTEGER NOT NULL DEFAULT 0,
    shipped_at         INTEGER,
    last_canceled_at   INTEGER,
    PRIMARY KEY (ord_no, ord_item_seq),
    -- The invariant of the domain, kept by the database as a last line of defence.
    CHECK (canceled_qty >= 0 AND shipped_qty >= 0 AND canceled_qty + shipped_qty <= qty),
    CHECK (refunded_dc_amt BETWEEN 0 AND spl_ven_bdn_dc_amt)
) STRICT, WITHOUT ROWID;

-- One row per cancellation request. claim_id is the sequence behind the claim number.
CREATE TABLE claims (
    claim_id     INTEGER NOT NULL PRIMARY KEY,
    clm_no       TEXT    NOT NULL UNIQUE,
    oror_no      TEXT    NOT NULL REFERENCES orders (ord_no),
    ord_cncl_dts INTEGER NOT NULL,
    clm_rsn_cd   TEXT    NOT NULL,
    clm_rsn_cntt TEXT    NOT NULL,
    impt_div_cd  TEXT    NOT NULL,
    customer_id  TEXT,
    agent_id     TEXT,
    CHECK ((customer_id IS NULL) <> (agent_id IS NULL))
) STRICT;

CREATE INDEX claims_by_order ON claims (oror_no, claim_id);

-- One row per claim line: exactly one row of the inquiry's answer, with everything it shows.
-- Orders never change after they are placed, so copying their fields here is exact, and the
-- inquiry reads one table without joins.
--
-- The table is clustered on the answer's order within a vendor, so a period inquiry is one
-- range scan of the primary key; an original-order inquiry uses claim_lines_by_original.
CREATE TABLE claim_lines (
    spl_ven_id         TEXT    NOT NULL,
    ord_cncl_dts       INTEGER NOT NULL,
    clm_no             TEXT    NOT NULL,
    clm_item_seq       INTEGER NOT NULL,
    lrnk_spl_ven_id    TEXT,
    oror_no            TEXT    NOT NULL,
    oror_item_seq      INTEGER NOT NULL,
    ordpe_nm           TEXT    NOT NULL,
    ord_rcp_media_cd   TEXT    NOT NULL,
    ord_rcp_dts        INTEGER NOT NULL,
    item_id            TEXT    NOT NULL,
    item_nm            TEXT    NOT NULL,
    uitem_id           TEXT    NOT NULL,
    uitem_nm           TEXT    NOT NULL,
    dirc_item_qty      INTEGER NOT NULL,
    clm_rsn_cd         TEXT    NOT NULL,
    clm_rsn_cntt       TEXT    NOT NULL,
    impt_div_cd        TEXT    NOT NULL,
    cncl_item_qty      INTEGER NOT NULL CHECK (cncl_item_qty > 0),
    shpmt_shppcst      INTEGER NOT NULL,
    ret_shppcst        INTEGER NOT NULL,
    exch_shppcst       INTEGER NOT NULL,
    spl_ven_bdn_dc_amt INTEGER NOT NULL,
    PRIMARY KEY (spl_ven_id, ord_cncl_dts, clm_no, clm_item_seq)
) STRICT, WITHOUT ROWID;

CREATE INDEX claim_lines_by_original ON claim_lines (oror_no, oror_item_seq);
