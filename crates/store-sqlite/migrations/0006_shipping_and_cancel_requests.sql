-- ssg-claims, SQLite schema 6: an item's way to the customer (instructed → confirmed by its
-- vendor → released) and cancel requests for confirmed items.
--
-- Existing data keeps its meaning: an unshipped item becomes instructed (not confirmed), a
-- shipped one released, confirmed when it shipped.

-- The recipient, as the storefront took it; empty when not given.
ALTER TABLE orders ADD COLUMN rcptpe_nm        TEXT NOT NULL DEFAULT '';
ALTER TABLE orders ADD COLUMN rcptpe_hpno      TEXT NOT NULL DEFAULT '';
ALTER TABLE orders ADD COLUMN shpploc_basc_addr TEXT NOT NULL DEFAULT '';
ALTER TABLE orders ADD COLUMN shpploc_dtl_addr TEXT NOT NULL DEFAULT '';
ALTER TABLE orders ADD COLUMN shpploc_zp_cd    TEXT NOT NULL DEFAULT '';
ALTER TABLE orders ADD COLUMN ord_memo_cntt    TEXT NOT NULL DEFAULT '';

-- shpp_no: the item's shipping number, unique, issued when the order is placed (the largest
-- so far plus one, under the write lock). ord_rcp_dts is the order's, copied so that the
-- vendor's shipping lists read one index. confirmed_at: when the vendor confirmed it.
ALTER TABLE order_items ADD COLUMN shpp_no       INTEGER;
ALTER TABLE order_items ADD COLUMN ord_rcp_dts   INTEGER;
ALTER TABLE order_items ADD COLUMN confirmed_at  INTEGER;
ALTER TABLE order_items ADD COLUMN wbl_no        TEXT;
ALTER TABLE order_items ADD COLUMN delico_ven_id TEXT;

UPDATE order_items
SET shpp_no = numbered.n, ord_rcp_dts = numbered.ord_rcp_dts
FROM (
    SELECT i.ord_no, i.ord_item_seq, o.ord_rcp_dts,
           row_number() OVER (ORDER BY i.ord_no, i.ord_item_seq) AS n
    FROM order_items AS i JOIN orders AS o ON o.ord_no = i.ord_no
) AS numbered
WHERE order_items.ord_no = numbered.ord_no AND order_items.ord_item_seq = numbered.ord_item_seq;

UPDATE order_items SET confirmed_at = shipped_at WHERE shipped_qty > 0;

CREATE UNIQUE INDEX order_items_by_shpp_no ON order_items (shpp_no);

-- The vendor's shipping lists: open items to confirm, and confirmed ones to release.
CREATE INDEX order_items_to_confirm ON order_items (spl_ven_id, ord_rcp_dts)
    WHERE confirmed_at IS NULL AND shipped_qty = 0 AND canceled_qty < qty;
CREATE INDEX order_items_to_release ON order_items (spl_ven_id, ord_rcp_dts)
    WHERE confirmed_at IS NOT NULL AND shipped_qty = 0 AND canceled_qty < qty;

-- A cancel request, filed by a service-center agent for confirmed items of one order.
CREATE TABLE cancel_requests (
    request_id    TEXT    NOT NULL PRIMARY KEY,
    oror_no       TEXT    NOT NULL REFERENCES orders (ord_no),
    clm_demnd_dts INTEGER NOT NULL,
    clm_rsn_cd    TEXT    NOT NULL,
    clm_rsn_cntt  TEXT    NOT NULL,
    impt_div_cd   TEXT    NOT NULL,
    agent_id      TEXT    NOT NULL
) STRICT, WITHOUT ROWID;

CREATE INDEX cancel_requests_by_order ON cancel_requests (oror_no, clm_demnd_dts);

-- One line per item of a request. clm_prog_stat_cd: 10 requested, 20 approved (clm_no is
-- the claim it made), 30 withdrawn, 40 rejected (the item shipped). A line ends once.
-- The item's vendor and the filing time are copied for the vendor's list of pending lines.
CREATE TABLE cancel_request_lines (
    request_id       TEXT    NOT NULL REFERENCES cancel_requests (request_id),
    oror_no          TEXT    NOT NULL,
    ord_item_seq     INTEGER NOT NULL,
    spl_ven_id       TEXT    NOT NULL,
    lrnk_spl_ven_id  TEXT,
    clm_demnd_dts    INTEGER NOT NULL,
    qty              INTEGER NOT NULL CHECK (qty > 0),
    clm_prog_stat_cd TEXT    NOT NULL CHECK (clm_prog_stat_cd IN ('10', '20', '30', '40')),
    ended_at         INTEGER,
    clm_no           TEXT,
    PRIMARY KEY (request_id, ord_item_seq),
    FOREIGN KEY (oror_no, ord_item_seq) REFERENCES order_items (ord_no, ord_item_seq),
    CHECK ((clm_prog_stat_cd = '10') = (ended_at IS NULL)),
    CHECK ((clm_prog_stat_cd = '20') = (clm_no IS NOT NULL))
) STRICT, WITHOUT ROWID;

-- At most one pending line per item: SSG's calls name a line by its item.
CREATE UNIQUE INDEX cancel_request_lines_pending ON cancel_request_lines (oror_no, ord_item_seq)
    WHERE clm_prog_stat_cd = '10';
CREATE INDEX cancel_request_lines_by_order ON cancel_request_lines (oror_no);
CREATE INDEX cancel_request_lines_pending_by_vendor
    ON cancel_request_lines (spl_ven_id, clm_demnd_dts) WHERE clm_prog_stat_cd = '10';
