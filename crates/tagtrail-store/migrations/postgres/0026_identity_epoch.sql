-- The identity epoch: a number every journal entry that changes who may do what (a facility, a
-- user, an employment, an inspection, a vendor or user key) raises, in its own transaction. A
-- server caches callers and their scopes under the epoch it read, and one read of this row per
-- request tells it whether they still hold, on every node that shares the database.
CREATE TABLE identity_epoch (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    epoch BIGINT NOT NULL CHECK (epoch >= 0)
);
INSERT INTO identity_epoch (id, epoch) VALUES (1, 0);

-- GET rate limits shared by every node on this database (rule 69): each key's theoretical
-- arrival time (GCRA) in microseconds of the database's clock, so nodes agree on time. Unlogged:
-- a crash forgets who was recently busy, which only gives a burst back; every GET writes here,
-- and none of it belongs in the WAL. (SQLite serves one node; its limits stay in the process.)
CREATE UNLOGGED TABLE rate_cells (
    key TEXT PRIMARY KEY,
    tat_us BIGINT NOT NULL
);

-- Admits one request against every key or none: -1 when admitted (each key charged), else the
-- 0-based index of the first key without room (nothing charged). Rows are locked in key order,
-- so two requests naming the same keys cannot deadlock.
CREATE FUNCTION rate_admit(keys TEXT[], interval_us BIGINT[], tolerance_us BIGINT[])
RETURNS INTEGER
LANGUAGE plpgsql AS $$
DECLARE
    now_us BIGINT := (extract(epoch FROM clock_timestamp()) * 1000000)::BIGINT;
    i INTEGER;
    cur BIGINT;
    next BIGINT[] := '{}';
BEGIN
    INSERT INTO rate_cells (key, tat_us)
        SELECT k, 0 FROM unnest(keys) AS k ORDER BY k
        ON CONFLICT (key) DO NOTHING;
    PERFORM 1 FROM rate_cells WHERE key = ANY(keys) ORDER BY key FOR UPDATE;
    FOR i IN 1 .. array_length(keys, 1) LOOP
        SELECT tat_us INTO cur FROM rate_cells WHERE key = keys[i];
        cur := GREATEST(cur, now_us) + interval_us[i];
        IF cur > now_us + tolerance_us[i] THEN
            RETURN i - 1;
        END IF;
        next := next || cur;
    END LOOP;
    FOR i IN 1 .. array_length(keys, 1) LOOP
        UPDATE rate_cells SET tat_us = next[i] WHERE key = keys[i];
    END LOOP;
    RETURN -1;
END
$$;
