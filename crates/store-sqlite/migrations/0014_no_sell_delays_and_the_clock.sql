-- ssg-claims, SQLite schema 14: the vendor's own cancellations and delays, and the clock a
-- sandbox can move.
--
-- Each item keeps its latest out-of-stock registration (판매불가): registered, then
-- withdrawn, executed or void, once; a registered one is due at no_sell_due (17:00 KST the
-- next day), found through its own index. And its latest delay notice (출고지연): the reason,
-- the new release date (yyyymmdd, KST) and how many notices were sent.
ALTER TABLE order_items ADD COLUMN no_sell_status TEXT
    CHECK (no_sell_status IN ('registered', 'withdrawn', 'executed', 'void'));
ALTER TABLE order_items ADD COLUMN no_sell_rsn_cd TEXT;
ALTER TABLE order_items ADD COLUMN no_sell_text TEXT;
ALTER TABLE order_items ADD COLUMN no_sell_at INTEGER;
ALTER TABLE order_items ADD COLUMN no_sell_due INTEGER;
ALTER TABLE order_items ADD COLUMN no_sell_ended_at INTEGER;
ALTER TABLE order_items ADD COLUMN delay_rsn_cd TEXT;
ALTER TABLE order_items ADD COLUMN whin_expc_dt TEXT;
ALTER TABLE order_items ADD COLUMN delay_nts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE order_items ADD COLUMN delayed_at INTEGER;
CREATE INDEX order_items_no_sell_due ON order_items (no_sell_due)
    WHERE no_sell_status = 'registered';

-- A claim is made by exactly one of a customer, an agent, or (an out-of-stock registration
-- executed) the item's vendor. SQLite cannot change a CHECK in place: the table is rebuilt.
CREATE TABLE claims_by_actor (
    claim_id     INTEGER NOT NULL PRIMARY KEY,
    clm_no       TEXT    NOT NULL UNIQUE,
    oror_no      TEXT    NOT NULL REFERENCES orders (ord_no),
    ord_cncl_dts INTEGER NOT NULL,
    clm_rsn_cd   TEXT    NOT NULL,
    clm_rsn_cntt TEXT    NOT NULL,
    impt_div_cd  TEXT    NOT NULL,
    customer_id  TEXT,
    agent_id     TEXT,
    spl_ven_id   TEXT,
    CHECK ((customer_id IS NOT NULL) + (agent_id IS NOT NULL) + (spl_ven_id IS NOT NULL) = 1)
) STRICT;
INSERT INTO claims_by_actor
    SELECT claim_id, clm_no, oror_no, ord_cncl_dts, clm_rsn_cd, clm_rsn_cntt, impt_div_cd,
           customer_id, agent_id, NULL
    FROM claims;
DROP TABLE claims;
ALTER TABLE claims_by_actor RENAME TO claims;
CREATE INDEX claims_by_order ON claims (oror_no, claim_id);

-- The sandbox clock, when one runs (`sandbox = true`): the time it showed at a moment of the
-- real clock (milliseconds), and how fast it runs since (per mille of real time).
CREATE TABLE sandbox_clock (
    id             INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    anchor_real_ms INTEGER NOT NULL,
    anchor_at      INTEGER NOT NULL,
    speed_milli    INTEGER NOT NULL CHECK (speed_milli >= 0)
) STRICT;
