-- The history tier of harvests (rule 72), as 0022 made for packages: an active harvest's row in
-- `harvests`, a finished one's in `harvests_history`, moved by the store in the entry that
-- finishes or unfinishes it; its identity (id, license, name) in `harvest_keys`, which never
-- moves, which waste rows reference, and where a name stays unique in its license across both
-- tiers (a finished harvest can be unfinished, so its name stays taken).
--
-- PostgreSQL: rename (foreign keys follow), drop the keys table's other columns (see 0022).
ALTER TABLE harvests RENAME TO harvest_keys;
DROP TRIGGER lineage_sources_harvest_insert ON harvest_keys;
DROP TRIGGER lineage_sources_harvest_update ON harvest_keys;
ALTER INDEX harvests_pkey RENAME TO harvest_keys_pkey;
ALTER INDEX harvests_name RENAME TO harvest_keys_name;
DROP INDEX harvests_active_id;
DROP INDEX harvests_modified;
DROP INDEX harvests_status;
DROP INDEX harvests_key;

CREATE TABLE harvests (
    id BIGINT PRIMARY KEY REFERENCES harvest_keys (id) DEFERRABLE INITIALLY DEFERRED,
    license_number TEXT,
    active BIGINT NOT NULL CHECK (active = 1),
    last_modified TEXT NOT NULL,
    schema BIGINT NOT NULL CHECK (schema > 0),
    data JSONB NOT NULL,
    name_key TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('Active', 'OnHold', 'Finished')),
    location_id BIGINT NOT NULL REFERENCES locations (id) DEFERRABLE INITIALLY DEFERRED,
    quantity NUMERIC NOT NULL,
    CHECK (quantity >= 0),
    CHECK ((status = 'Finished') = (active = 0))
);
CREATE TABLE harvests_history (
    id BIGINT PRIMARY KEY REFERENCES harvest_keys (id) DEFERRABLE INITIALLY DEFERRED,
    license_number TEXT,
    active BIGINT NOT NULL CHECK (active = 0),
    last_modified TEXT NOT NULL,
    schema BIGINT NOT NULL CHECK (schema > 0),
    data JSONB NOT NULL,
    name_key TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('Active', 'OnHold', 'Finished')),
    location_id BIGINT NOT NULL REFERENCES locations (id) DEFERRABLE INITIALLY DEFERRED,
    quantity NUMERIC NOT NULL,
    CHECK (quantity >= 0),
    CHECK ((status = 'Finished') = (active = 0))
);
CREATE INDEX harvests_active_id ON harvests (license_number, active, id);
CREATE INDEX harvests_modified ON harvests (license_number, active, last_modified);
CREATE INDEX harvests_status ON harvests (license_number, status, id);
CREATE INDEX harvests_key ON harvests (name_key);
CREATE INDEX harvests_history_active_id ON harvests_history (license_number, active, id);
CREATE INDEX harvests_history_modified ON harvests_history (license_number, active, last_modified);
CREATE INDEX harvests_history_status ON harvests_history (license_number, status, id);
CREATE INDEX harvests_history_key ON harvests_history (name_key);
INSERT INTO harvests (id, license_number, active, last_modified, schema, data, name_key, status, location_id, quantity) SELECT id, license_number, active, last_modified, schema, data, name_key, status, location_id, quantity FROM harvest_keys WHERE active = 1;
INSERT INTO harvests_history (id, license_number, active, last_modified, schema, data, name_key, status, location_id, quantity) SELECT id, license_number, active, last_modified, schema, data, name_key, status, location_id, quantity FROM harvest_keys WHERE active = 0;
-- The copies' deferred foreign key checks run now: PostgreSQL alters no table with checks pending.
SET CONSTRAINTS ALL IMMEDIATE;
SET CONSTRAINTS ALL DEFERRED;
ALTER TABLE harvest_keys DROP COLUMN active, DROP COLUMN last_modified, DROP COLUMN schema,
    DROP COLUMN data, DROP COLUMN status, DROP COLUMN location_id, DROP COLUMN quantity;

-- Lineage (0017) from either tier. A harvest arriving in a tier (new, or moved) replaces its
-- plant sources, as an update of them does.
CREATE OR REPLACE FUNCTION lineage_sources_of_harvest() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM lineage_sources WHERE source_kind = 'plant' AND child_id = NEW.id;
    INSERT INTO lineage_sources (source_kind, source_id, child_id)
    SELECT 'plant', s.value::BIGINT, NEW.id
    FROM jsonb_array_elements_text(COALESCE(NEW.data::jsonb -> 'plant_ids', '[]'::jsonb)) AS s (value)
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$;
CREATE TRIGGER lineage_sources_harvest_insert AFTER INSERT ON harvests
    FOR EACH ROW EXECUTE FUNCTION lineage_sources_of_harvest();
CREATE TRIGGER lineage_sources_harvest_update AFTER UPDATE OF data ON harvests
    FOR EACH ROW WHEN (OLD.data::jsonb -> 'plant_ids' IS DISTINCT FROM NEW.data::jsonb -> 'plant_ids')
    EXECUTE FUNCTION lineage_sources_of_harvest();
CREATE TRIGGER lineage_sources_harvest_history_insert AFTER INSERT ON harvests_history
    FOR EACH ROW EXECUTE FUNCTION lineage_sources_of_harvest();
CREATE TRIGGER lineage_sources_harvest_history_update AFTER UPDATE OF data ON harvests_history
    FOR EACH ROW WHEN (OLD.data::jsonb -> 'plant_ids' IS DISTINCT FROM NEW.data::jsonb -> 'plant_ids')
    EXECUTE FUNCTION lineage_sources_of_harvest();
