-- ssg-claims, PostgreSQL schema 12: when each webhook endpoint was last replayed, so that a
-- vendor cannot have the service re-send its whole feed to a host of its choosing again and
-- again (a replay waits out a cooldown).
ALTER TABLE webhooks ADD COLUMN replayed_at timestamptz;
