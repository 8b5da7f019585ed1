-- ssg-claims, PostgreSQL schema 13: the vendor's own cancellations and delays, and the clock
-- a sandbox can move.
--
-- Each item keeps its latest out-of-stock registration (판매불가): registered, then
-- withdrawn, executed or void, once; a registered one is due at no_sell_due (17:00 KST the
-- next day), found through its own index. And its latest delay notice (출고지연): the reason,
-- the new release date (yyyymmdd, KST) and how many notices were sent.
ALTER TABLE order_items
    ADD COLUMN no_sell_status text COLLATE "C"
        CHECK (no_sell_status IN ('registered', 'withdrawn', 'executed', 'void')),
    ADD COLUMN no_sell_rsn_cd text COLLATE "C",
    ADD COLUMN no_sell_text text,
    ADD COLUMN no_sell_at timestamptz,
    ADD COLUMN no_sell_due timestamptz,
    ADD COLUMN no_sell_ended_at timestamptz,
    ADD COLUMN delay_rsn_cd text COLLATE "C",
    ADD COLUMN whin_expc_dt text COLLATE "C",
    ADD COLUMN delay_nts integer NOT NULL DEFAULT 0,
    ADD COLUMN delayed_at timestamptz;
CREATE INDEX order_items_no_sell_due ON order_items (no_sell_due)
    WHERE no_sell_status = 'registered';

-- A claim is made by exactly one of a customer, an agent, or (an out-of-stock registration
-- executed) the item's vendor.
ALTER TABLE claims
    ADD COLUMN spl_ven_id text COLLATE "C",
    DROP CONSTRAINT claims_check,
    ADD CONSTRAINT claims_one_actor CHECK (num_nonnulls(customer_id, agent_id, spl_ven_id) = 1);

-- The sandbox clock, when one runs (`sandbox = true`): the time it showed at a moment of the
-- real clock (milliseconds), and how fast it runs since (per mille of real time). Every node
-- reads it here, so all show the same time.
CREATE TABLE sandbox_clock (
    id             smallint    NOT NULL PRIMARY KEY CHECK (id = 1),
    anchor_real_ms bigint      NOT NULL,
    anchor_at      timestamptz NOT NULL,
    speed_milli    integer     NOT NULL CHECK (speed_milli >= 0)
);
