-- ssg-claims, PostgreSQL schema 3: a lower-rank vendor's claim lines in the answer's order,
-- so that an inquiry with a key narrowed to a lower-rank vendor is a range scan of that
-- vendor's own rows, never a filter over its parent's whole week.
-- spl_ven_id is carried along so that counting those rows reads the index alone.
CREATE INDEX claim_lines_by_lower_rank
    ON claim_lines (lrnk_spl_ven_id, ord_cncl_dts, clm_no, clm_item_seq)
    INCLUDE (spl_ven_id)
    WHERE lrnk_spl_ven_id IS NOT NULL;
