-- ssg-claims, PostgreSQL schema 15: returns and exchanges after release (반품, 교환).
--
-- The vendor's return and exchange fees on an order (NULL: the defaults, the outbound fee
-- and twice it).
ALTER TABLE order_shipping_fees
    ADD COLUMN ret_shppcst bigint CHECK (ret_shppcst >= 0),
    ADD COLUMN exch_shppcst bigint CHECK (exch_shppcst >= 0);

-- A return or an exchange: a claim with its own number, from the cancellations' sequence.
CREATE TABLE pickup_claims (
    claim_id     bigint      NOT NULL PRIMARY KEY,
    clm_no       text COLLATE "C" NOT NULL UNIQUE,
    oror_no      text COLLATE "C" NOT NULL REFERENCES orders (ord_no),
    kind         text COLLATE "C" NOT NULL CHECK (kind IN ('return', 'exchange')),
    clm_rsn_cd   text COLLATE "C" NOT NULL,
    clm_rsn_cntt text        NOT NULL,
    customer_id  text,
    agent_id     text,
    filed_at     timestamptz NOT NULL,
    CHECK ((customer_id IS NULL) <> (agent_id IS NULL))
);
CREATE INDEX pickup_claims_by_order ON pickup_claims (oror_no, claim_id);

-- One row per pickup line, with its exchange's replacement beside it. Amounts are fixed at
-- filing. shpp_no and rpl_shpp_no come from the items' sequence.
CREATE TABLE pickups (
    clm_no             text COLLATE "C" NOT NULL REFERENCES pickup_claims (clm_no),
    line_seq           integer     NOT NULL,
    oror_no            text COLLATE "C" NOT NULL,
    ord_item_seq       integer     NOT NULL,
    qty                integer     NOT NULL CHECK (qty > 0),
    shpp_no            bigint      NOT NULL UNIQUE,
    spl_ven_id         text COLLATE "C" NOT NULL,
    lrnk_spl_ven_id    text COLLATE "C",
    status             text COLLATE "C" NOT NULL
        CHECK (status IN ('requested', 'confirmed', 'completed', 'refused', 'withdrawn')),
    shpmt_shppcst      bigint      NOT NULL,
    ret_shppcst        bigint      NOT NULL,
    exch_shppcst       bigint      NOT NULL,
    spl_ven_bdn_dc_amt bigint      NOT NULL,
    refund_amt         bigint      NOT NULL,
    filed_at           timestamptz NOT NULL,
    confirmed_at       timestamptz,
    shpp_type_dtl_cd   text COLLATE "C",
    delico_ven_id      text COLLATE "C",
    wbl_no             text COLLATE "C",
    resell_psbl_yn     text COLLATE "C",
    ret_impt_main_cd   text COLLATE "C",
    auto_complete_at   timestamptz,
    ended_at           timestamptz,
    ret_refus_rsn_cd   text COLLATE "C",
    ret_proc_memo_cntt text,
    withdrawn_at       timestamptz,
    rpl_line_seq       integer,
    rpl_shpp_no        bigint UNIQUE,
    rpl_uitem_id       text,
    rpl_uitem_nm       text,
    rpl_status         text COLLATE "C" CHECK (rpl_status IN ('waiting', 'normal', 'canceled')),
    rpl_confirmed_at   timestamptz,
    rpl_delico_ven_id  text COLLATE "C",
    rpl_wbl_no         text COLLATE "C",
    rpl_shipped_at     timestamptz,
    rpl_delivered_at   timestamptz,
    PRIMARY KEY (clm_no, line_seq)
);
CREATE INDEX pickups_by_order ON pickups (oror_no, ord_item_seq);
CREATE INDEX pickups_filed ON pickups (spl_ven_id, filed_at);
CREATE INDEX pickups_confirmed ON pickups (spl_ven_id, confirmed_at) WHERE confirmed_at IS NOT NULL;
CREATE INDEX pickups_ended ON pickups (spl_ven_id, ended_at) WHERE ended_at IS NOT NULL;
CREATE INDEX pickups_withdrawn ON pickups (spl_ven_id, withdrawn_at) WHERE withdrawn_at IS NOT NULL;
CREATE INDEX pickups_due ON pickups (auto_complete_at) WHERE status = 'confirmed';
