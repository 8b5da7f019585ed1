-- ssg-claims, SQLite schema 12: a lower-rank vendor's events, read directly.
--
-- A key narrowed to a lower-rank vendor reads only the events about that vendor's items;
-- without this index it filtered its parent's whole sequence row by row on every poll.
CREATE INDEX events_by_lower_rank ON events (spl_ven_id, lrnk_spl_ven_id, seq);
