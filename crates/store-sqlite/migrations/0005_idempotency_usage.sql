-- ssg-claims, SQLite schema 5: what each credential keeps for Idempotency-Key replays,
-- counted by triggers so that no write path can forget it, and read before a new key is
-- claimed to hold the credential to its quota. Counts are split over eight shards per
-- credential (by the key's last character), as on PostgreSQL, where one row per credential
-- would make every idempotent write of a busy credential wait for the others.

CREATE TABLE idempotency_usage (
    owner BLOB    NOT NULL,
    shard INTEGER NOT NULL,
    keys  INTEGER NOT NULL,
    bytes INTEGER NOT NULL,
    PRIMARY KEY (owner, shard)
) STRICT, WITHOUT ROWID;

INSERT INTO idempotency_usage (owner, shard, keys, bytes)
SELECT owner, unicode(substr(idem_key, -1)) % 8, count(*), coalesce(sum(length(body)), 0)
FROM idempotency_keys GROUP BY 1, 2;

CREATE TRIGGER idempotency_usage_on_insert AFTER INSERT ON idempotency_keys BEGIN
    INSERT INTO idempotency_usage (owner, shard, keys, bytes)
    VALUES (NEW.owner, unicode(substr(NEW.idem_key, -1)) % 8, 1, coalesce(length(NEW.body), 0))
    ON CONFLICT (owner, shard) DO UPDATE SET keys = keys + 1, bytes = bytes + excluded.bytes;
END;

CREATE TRIGGER idempotency_usage_on_update AFTER UPDATE OF body ON idempotency_keys BEGIN
    UPDATE idempotency_usage
    SET bytes = bytes - coalesce(length(OLD.body), 0) + coalesce(length(NEW.body), 0)
    WHERE owner = NEW.owner AND shard = unicode(substr(NEW.idem_key, -1)) % 8;
END;

CREATE TRIGGER idempotency_usage_on_delete AFTER DELETE ON idempotency_keys BEGIN
    UPDATE idempotency_usage
    SET keys = keys - 1, bytes = bytes - coalesce(length(OLD.body), 0)
    WHERE owner = OLD.owner AND shard = unicode(substr(OLD.idem_key, -1)) % 8;
    DELETE FROM idempotency_usage
    WHERE owner = OLD.owner AND shard = unicode(substr(OLD.idem_key, -1)) % 8 AND keys = 0;
END;
