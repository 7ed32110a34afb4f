-- The history tier of packages (rule 72; the July 2020 bulletin's "data optimization": finished
-- data moved "to separate locations", still readable). A package's row lives in `packages` while
-- it is active and in `packages_history` once finished or discontinued (its `active` flag, which
-- each table checks); the store moves it in the transaction of the journal entry that changes the
-- flag, and back on an unfinish. Its identity — id, license, label — is in `package_keys`, which
-- never moves: the tables that reference a package (adjustments, links, lab samples, documents
-- and results, manifest lines) reference it there, and a label stays unique across both tiers.
--
-- SQLite: the old table is renamed to be the keys table (every REFERENCES packages follows the
-- rename), then rebuilt narrow under that name. The migration's transaction runs with foreign
-- keys on and every reference deferred: dropping the wide table orphans the references until
-- the narrow one takes its rows back, and the commit fails if any stays orphaned.
ALTER TABLE packages RENAME TO package_keys;
DROP TRIGGER lineage_sources_package_insert;
DROP TRIGGER lineage_sources_package_update;
DROP INDEX packages_active_id;
DROP INDEX packages_modified;
DROP INDEX packages_status;
DROP INDEX packages_item;
DROP INDEX packages_lab_state;
DROP INDEX packages_item_name;
DROP INDEX packages_location_name;


CREATE TABLE packages_live (
    id INTEGER PRIMARY KEY REFERENCES package_keys (id) DEFERRABLE INITIALLY DEFERRED,
    license_number TEXT,
    active INTEGER NOT NULL CHECK (active = 1),
    last_modified TEXT NOT NULL,
    schema INTEGER NOT NULL CHECK (schema > 0),
    data TEXT NOT NULL CHECK (json_valid(data)),
    label TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL CHECK (status IN ('Active', 'OnHold', 'InTransit', 'Finished', 'Discontinued')),
    item_id INTEGER NOT NULL REFERENCES items (id) DEFERRABLE INITIALLY DEFERRED,
    location_id INTEGER REFERENCES locations (id) DEFERRABLE INITIALLY DEFERRED,
    lab_state TEXT NOT NULL CHECK (lab_state IN ('NotSubmitted', 'SubmittedForTesting', 'TestFailed', 'TestPassed', 'TestingInProgress', 'AwaitingConfirmation', 'RetestFailed', 'RetestPassed', 'Remediated', 'SelectedForRandomTesting', 'NotRequired', 'ProcessValidated', 'Decontaminated', 'RandDCompleted')),
    quantity TEXT NOT NULL,
    item_name TEXT NOT NULL DEFAULT '',
    location_name TEXT,
    CHECK (CAST(quantity AS REAL) >= 0)
);
CREATE TABLE packages_history (
    id INTEGER PRIMARY KEY REFERENCES package_keys (id) DEFERRABLE INITIALLY DEFERRED,
    license_number TEXT,
    active INTEGER NOT NULL CHECK (active = 0),
    last_modified TEXT NOT NULL,
    schema INTEGER NOT NULL CHECK (schema > 0),
    data TEXT NOT NULL CHECK (json_valid(data)),
    label TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL CHECK (status IN ('Active', 'OnHold', 'InTransit', 'Finished', 'Discontinued')),
    item_id INTEGER NOT NULL REFERENCES items (id) DEFERRABLE INITIALLY DEFERRED,
    location_id INTEGER REFERENCES locations (id) DEFERRABLE INITIALLY DEFERRED,
    lab_state TEXT NOT NULL CHECK (lab_state IN ('NotSubmitted', 'SubmittedForTesting', 'TestFailed', 'TestPassed', 'TestingInProgress', 'AwaitingConfirmation', 'RetestFailed', 'RetestPassed', 'Remediated', 'SelectedForRandomTesting', 'NotRequired', 'ProcessValidated', 'Decontaminated', 'RandDCompleted')),
    quantity TEXT NOT NULL,
    item_name TEXT NOT NULL DEFAULT '',
    location_name TEXT,
    CHECK (CAST(quantity AS REAL) >= 0)
);
INSERT INTO packages_live (id, license_number, active, last_modified, schema, data, label, status, item_id, location_id, lab_state, quantity, item_name, location_name) SELECT id, license_number, active, last_modified, schema, data, label, status, item_id, location_id, lab_state, quantity, item_name, location_name FROM package_keys WHERE active = 1;
INSERT INTO packages_history (id, license_number, active, last_modified, schema, data, label, status, item_id, location_id, lab_state, quantity, item_name, location_name) SELECT id, license_number, active, last_modified, schema, data, label, status, item_id, location_id, lab_state, quantity, item_name, location_name FROM package_keys WHERE active = 0;
CREATE TEMP TABLE package_keys_copy AS SELECT id, license_number, label FROM package_keys;
DROP TABLE package_keys;
CREATE TABLE package_keys (
    id INTEGER PRIMARY KEY,
    license_number TEXT,
    label TEXT NOT NULL UNIQUE
);
INSERT INTO package_keys (id, license_number, label) SELECT id, license_number, label FROM package_keys_copy;
DROP TABLE package_keys_copy;
ALTER TABLE packages_live RENAME TO packages;
CREATE INDEX packages_active_id ON packages (license_number, active, id);
CREATE INDEX packages_modified ON packages (license_number, active, last_modified);
CREATE INDEX packages_status ON packages (license_number, status, id);
CREATE INDEX packages_item ON packages (license_number, item_id, id);
CREATE INDEX packages_lab_state ON packages (license_number, lab_state, id);
CREATE INDEX packages_item_name ON packages (license_number, item_name, id);
CREATE INDEX packages_location_name ON packages (license_number, location_name, id);
CREATE INDEX packages_history_active_id ON packages_history (license_number, active, id);
CREATE INDEX packages_history_modified ON packages_history (license_number, active, last_modified);
CREATE INDEX packages_history_status ON packages_history (license_number, status, id);
CREATE INDEX packages_history_item ON packages_history (license_number, item_id, id);
CREATE INDEX packages_history_lab_state ON packages_history (license_number, lab_state, id);
CREATE INDEX packages_history_item_name ON packages_history (license_number, item_name, id);
CREATE INDEX packages_history_location_name ON packages_history (license_number, location_name, id);
-- Lineage (0017) is kept from either tier.
CREATE TRIGGER lineage_sources_package_insert AFTER INSERT ON packages BEGIN
    INSERT INTO lineage_sources (source_kind, source_id, child_id)
    SELECT DISTINCT 'harvest', json_extract(s.value, '$.harvest_id'), NEW.id
    FROM json_each(NEW.data, '$.source_harvests') AS s
    WHERE json_extract(s.value, '$.harvest_id') IS NOT NULL
    AND NOT EXISTS (SELECT 1 FROM lineage_sources AS l WHERE l.source_kind = 'harvest'
        AND l.source_id = json_extract(s.value, '$.harvest_id') AND l.child_id = NEW.id);
END;
CREATE TRIGGER lineage_sources_package_update AFTER UPDATE OF data ON packages BEGIN
    INSERT INTO lineage_sources (source_kind, source_id, child_id)
    SELECT DISTINCT 'harvest', json_extract(s.value, '$.harvest_id'), NEW.id
    FROM json_each(NEW.data, '$.source_harvests') AS s
    WHERE json_extract(s.value, '$.harvest_id') IS NOT NULL
    AND NOT EXISTS (SELECT 1 FROM lineage_sources AS l WHERE l.source_kind = 'harvest'
        AND l.source_id = json_extract(s.value, '$.harvest_id') AND l.child_id = NEW.id);
END;

CREATE TRIGGER lineage_sources_package_history_insert AFTER INSERT ON packages_history BEGIN
    INSERT INTO lineage_sources (source_kind, source_id, child_id)
    SELECT DISTINCT 'harvest', json_extract(s.value, '$.harvest_id'), NEW.id
    FROM json_each(NEW.data, '$.source_harvests') AS s
    WHERE json_extract(s.value, '$.harvest_id') IS NOT NULL
    AND NOT EXISTS (SELECT 1 FROM lineage_sources AS l WHERE l.source_kind = 'harvest'
        AND l.source_id = json_extract(s.value, '$.harvest_id') AND l.child_id = NEW.id);
END;
CREATE TRIGGER lineage_sources_package_history_update AFTER UPDATE OF data ON packages_history BEGIN
    INSERT INTO lineage_sources (source_kind, source_id, child_id)
    SELECT DISTINCT 'harvest', json_extract(s.value, '$.harvest_id'), NEW.id
    FROM json_each(NEW.data, '$.source_harvests') AS s
    WHERE json_extract(s.value, '$.harvest_id') IS NOT NULL
    AND NOT EXISTS (SELECT 1 FROM lineage_sources AS l WHERE l.source_kind = 'harvest'
        AND l.source_id = json_extract(s.value, '$.harvest_id') AND l.child_id = NEW.id);
END;

-- Nothing may reference a row that is not there; SQLite reports what does, and the check below
-- turns a report into a failed migration.
CREATE TEMP TABLE fk_problems AS SELECT * FROM pragma_foreign_key_check;
CREATE TEMP TRIGGER fk_problems_fail BEFORE DELETE ON fk_problems
    WHEN (SELECT COUNT(*) FROM fk_problems) > 0
    BEGIN SELECT RAISE(ABORT, 'package history tier: a foreign key is broken'); END;
DELETE FROM fk_problems;
DROP TABLE fk_problems;
