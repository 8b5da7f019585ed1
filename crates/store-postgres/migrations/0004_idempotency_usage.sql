-- ssg-claims, PostgreSQL schema 4: what each credential keeps for Idempotency-Key replays,
-- counted by a trigger so that no write path can forget it, and read before a new key is
-- claimed to hold the credential to its quota. Counts are split over eight rows per
-- credential (by the key's last character), so that concurrent idempotent writes of one busy
-- credential rarely wait for each other's count.

CREATE TABLE idempotency_usage (
    owner bytea    NOT NULL,
    shard smallint NOT NULL,
    keys  bigint   NOT NULL,
    bytes bigint   NOT NULL,
    PRIMARY KEY (owner, shard)
);

INSERT INTO idempotency_usage (owner, shard, keys, bytes)
SELECT owner, ascii(right(idem_key, 1)) % 8, count(*), coalesce(sum(octet_length(body)), 0)
FROM idempotency_keys GROUP BY 1, 2;

CREATE FUNCTION idempotency_usage_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE idempotency_usage
        SET keys = keys - 1, bytes = bytes - coalesce(octet_length(OLD.body), 0)
        WHERE owner = OLD.owner AND shard = ascii(right(OLD.idem_key, 1)) % 8;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO idempotency_usage AS u (owner, shard, keys, bytes)
        VALUES (NEW.owner, ascii(right(NEW.idem_key, 1)) % 8, 1,
                coalesce(octet_length(NEW.body), 0))
        ON CONFLICT (owner, shard)
        DO UPDATE SET keys = u.keys + 1, bytes = u.bytes + excluded.bytes;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER idempotency_usage_count
AFTER INSERT OR UPDATE OF body OR DELETE ON idempotency_keys
FOR EACH ROW EXECUTE FUNCTION idempotency_usage_count();
