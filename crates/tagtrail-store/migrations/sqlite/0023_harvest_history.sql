-- The history tier of harvests (rule 72), as 0022 made for packages: an active harvest's row in
-- `harvests`, a finished one's in `harvests_history`, moved by the store in the entry that
-- finishes or unfinishes it; its identity (id, license, name) in `harvest_keys`, which never
-- moves, which waste rows reference, and where a name stays unique in its license across both
-- tiers (a finished harvest can be unfinished, so its name stays taken).
--
-- SQLite: rename, then rebuild the keys table narrow under its name (see 0022).
ALTER TABLE harvests RENAME TO harvest_keys;
DROP TRIGGER lineage_sources_harvest_insert;
DROP TRIGGER lineage_sources_harvest_update;
DROP INDEX harvests_active_id;
DROP INDEX harvests_modified;
DROP INDEX harvests_status;
DROP INDEX harvests_name;
DROP INDEX harvests_key;

CREATE TABLE harvests_live (
    id INTEGER PRIMARY KEY REFERENCES harvest_keys (id) DEFERRABLE INITIALLY DEFERRED,
    license_number TEXT,
    active INTEGER NOT NULL CHECK (active = 1),
    last_modified TEXT NOT NULL,
    schema INTEGER NOT NULL CHECK (schema > 0),
    data TEXT NOT NULL CHECK (json_valid(data)),
    name_key TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('Active', 'OnHold', 'Finished')),
    location_id INTEGER NOT NULL REFERENCES locations (id) DEFERRABLE INITIALLY DEFERRED,
    quantity TEXT NOT NULL,
    CHECK (CAST(quantity AS REAL) >= 0),
    CHECK ((status = 'Finished') = (active = 0))
);
CREATE TABLE harvests_history (
    id INTEGER PRIMARY KEY REFERENCES harvest_keys (id) DEFERRABLE INITIALLY DEFERRED,
    license_number TEXT,
    active INTEGER NOT NULL CHECK (active = 0),
    last_modified TEXT NOT NULL,
    schema INTEGER NOT NULL CHECK (schema > 0),
    data TEXT NOT NULL CHECK (json_valid(data)),
    name_key TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('Active', 'OnHold', 'Finished')),
    location_id INTEGER NOT NULL REFERENCES locations (id) DEFERRABLE INITIALLY DEFERRED,
    quantity TEXT NOT NULL,
    CHECK (CAST(quantity AS REAL) >= 0),
    CHECK ((status = 'Finished') = (active = 0))
);
INSERT INTO harvests_live (id, license_number, active, last_modified, schema, data, name_key, status, location_id, quantity) SELECT id, license_number, active, last_modified, schema, data, name_key, status, location_id, quantity FROM harvest_keys WHERE active = 1;
INSERT INTO harvests_history (id, license_number, active, last_modified, schema, data, name_key, status, location_id, quantity) SELECT id, license_number, active, last_modified, schema, data, name_key, status, location_id, quantity FROM harvest_keys WHERE active = 0;
CREATE TEMP TABLE harvest_keys_copy AS SELECT id, license_number, name_key FROM harvest_keys;
DROP TABLE harvest_keys;
CREATE TABLE harvest_keys (
    id INTEGER PRIMARY KEY,
    license_number TEXT,
    name_key TEXT NOT NULL
);
CREATE UNIQUE INDEX harvest_keys_name ON harvest_keys (license_number, name_key);
INSERT INTO harvest_keys (id, license_number, name_key)
SELECT id, license_number, name_key FROM harvest_keys_copy;
DROP TABLE harvest_keys_copy;
ALTER TABLE harvests_live RENAME TO harvests;
CREATE INDEX harvests_active_id ON harvests (license_number, active, id);
CREATE INDEX harvests_modified ON harvests (license_number, active, last_modified);
CREATE INDEX harvests_status ON harvests (license_number, status, id);
CREATE INDEX harvests_key ON harvests (name_key);
CREATE INDEX harvests_history_active_id ON harvests_history (license_number, active, id);
CREATE INDEX harvests_history_modified ON harvests_history (license_number, active, last_modified);
CREATE INDEX harvests_history_status ON harvests_history (license_number, status, id);
CREATE INDEX harvests_history_key ON harvests_history (name_key);
-- Lineage (0017) from either tier. A harvest arriving in a tier (new, or moved) replaces its
-- plant sources, as an update of them does.
CREATE TRIGGER lineage_sources_harvest_insert AFTER INSERT ON harvests BEGIN
    DELETE FROM lineage_sources WHERE source_kind = 'plant' AND child_id = NEW.id;
    INSERT INTO lineage_sources (source_kind, source_id, child_id)
    SELECT DISTINCT 'plant', s.value, NEW.id FROM json_each(NEW.data, '$.plant_ids') AS s;
END;
CREATE TRIGGER lineage_sources_harvest_update AFTER UPDATE OF data ON harvests
WHEN json_extract(OLD.data, '$.plant_ids') IS NOT json_extract(NEW.data, '$.plant_ids') BEGIN
    DELETE FROM lineage_sources WHERE source_kind = 'plant' AND child_id = NEW.id;
    INSERT INTO lineage_sources (source_kind, source_id, child_id)
    SELECT DISTINCT 'plant', s.value, NEW.id FROM json_each(NEW.data, '$.plant_ids') AS s;
END;

CREATE TRIGGER lineage_sources_harvest_history_insert AFTER INSERT ON harvests_history BEGIN
    DELETE FROM lineage_sources WHERE source_kind = 'plant' AND child_id = NEW.id;
    INSERT INTO lineage_sources (source_kind, source_id, child_id)
    SELECT DISTINCT 'plant', s.value, NEW.id FROM json_each(NEW.data, '$.plant_ids') AS s;
END;
CREATE TRIGGER lineage_sources_harvest_history_update AFTER UPDATE OF data ON harvests_history
WHEN json_extract(OLD.data, '$.plant_ids') IS NOT json_extract(NEW.data, '$.plant_ids') BEGIN
    DELETE FROM lineage_sources WHERE source_kind = 'plant' AND child_id = NEW.id;
    INSERT INTO lineage_sources (source_kind, source_id, child_id)
    SELECT DISTINCT 'plant', s.value, NEW.id FROM json_each(NEW.data, '$.plant_ids') AS s;
END;

CREATE TEMP TABLE fk_problems AS SELECT * FROM pragma_foreign_key_check;
CREATE TEMP TRIGGER fk_problems_fail BEFORE DELETE ON fk_problems
    WHEN (SELECT COUNT(*) FROM fk_problems) > 0
    BEGIN SELECT RAISE(ABORT, 'harvest history tier: a foreign key is broken'); END;
DELETE FROM fk_problems;
DROP TABLE fk_problems;
