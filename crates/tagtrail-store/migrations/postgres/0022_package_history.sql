-- The history tier of packages (rule 72; the July 2020 bulletin's "data optimization": finished
-- data moved "to separate locations", still readable). A package's row lives in `packages` while
-- it is active and in `packages_history` once finished or discontinued (its `active` flag, which
-- each table checks); the store moves it in the transaction of the journal entry that changes the
-- flag, and back on an unfinish. Its identity — id, license, label — is in `package_keys`, which
-- never moves: the tables that reference a package (adjustments, links, lab samples, documents
-- and results, manifest lines) reference it there, and a label stays unique across both tiers.
--
-- PostgreSQL: the old table is renamed to be the keys table (foreign keys follow it), its other
-- columns dropped; the two tiers are new tables.
ALTER TABLE packages RENAME TO package_keys;
DROP TRIGGER lineage_sources_package ON package_keys;
ALTER INDEX packages_pkey RENAME TO package_keys_pkey;
ALTER INDEX packages_label_key RENAME TO package_keys_label_key;
DROP INDEX packages_active_id;
DROP INDEX packages_modified;
DROP INDEX packages_status;
DROP INDEX packages_item;
DROP INDEX packages_lab_state;
DROP INDEX packages_item_name;
DROP INDEX packages_location_name;

CREATE TABLE packages (
    id BIGINT PRIMARY KEY REFERENCES package_keys (id) DEFERRABLE INITIALLY DEFERRED,
    license_number TEXT,
    active BIGINT NOT NULL CHECK (active = 1),
    last_modified TEXT NOT NULL,
    schema BIGINT NOT NULL CHECK (schema > 0),
    data JSONB NOT NULL,
    label TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL CHECK (status IN ('Active', 'OnHold', 'InTransit', 'Finished', 'Discontinued')),
    item_id BIGINT NOT NULL REFERENCES items (id) DEFERRABLE INITIALLY DEFERRED,
    location_id BIGINT REFERENCES locations (id) DEFERRABLE INITIALLY DEFERRED,
    lab_state TEXT NOT NULL CHECK (lab_state IN ('NotSubmitted', 'SubmittedForTesting', 'TestFailed', 'TestPassed', 'TestingInProgress', 'AwaitingConfirmation', 'RetestFailed', 'RetestPassed', 'Remediated', 'SelectedForRandomTesting', 'NotRequired', 'ProcessValidated', 'Decontaminated', 'RandDCompleted')),
    quantity NUMERIC NOT NULL,
    item_name TEXT NOT NULL DEFAULT '',
    location_name TEXT,
    CHECK (quantity >= 0)
);
CREATE TABLE packages_history (
    id BIGINT PRIMARY KEY REFERENCES package_keys (id) DEFERRABLE INITIALLY DEFERRED,
    license_number TEXT,
    active BIGINT NOT NULL CHECK (active = 0),
    last_modified TEXT NOT NULL,
    schema BIGINT NOT NULL CHECK (schema > 0),
    data JSONB NOT NULL,
    label TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL CHECK (status IN ('Active', 'OnHold', 'InTransit', 'Finished', 'Discontinued')),
    item_id BIGINT NOT NULL REFERENCES items (id) DEFERRABLE INITIALLY DEFERRED,
    location_id BIGINT REFERENCES locations (id) DEFERRABLE INITIALLY DEFERRED,
    lab_state TEXT NOT NULL CHECK (lab_state IN ('NotSubmitted', 'SubmittedForTesting', 'TestFailed', 'TestPassed', 'TestingInProgress', 'AwaitingConfirmation', 'RetestFailed', 'RetestPassed', 'Remediated', 'SelectedForRandomTesting', 'NotRequired', 'ProcessValidated', 'Decontaminated', 'RandDCompleted')),
    quantity NUMERIC NOT NULL,
    item_name TEXT NOT NULL DEFAULT '',
    location_name TEXT,
    CHECK (quantity >= 0)
);
INSERT INTO packages (id, license_number, active, last_modified, schema, data, label, status, item_id, location_id, lab_state, quantity, item_name, location_name) SELECT id, license_number, active, last_modified, schema, data, label, status, item_id, location_id, lab_state, quantity, item_name, location_name FROM package_keys WHERE active = 1;
INSERT INTO packages_history (id, license_number, active, last_modified, schema, data, label, status, item_id, location_id, lab_state, quantity, item_name, location_name) SELECT id, license_number, active, last_modified, schema, data, label, status, item_id, location_id, lab_state, quantity, item_name, location_name FROM package_keys WHERE active = 0;
-- The copies' deferred foreign key checks run now: PostgreSQL alters no table with checks pending.
SET CONSTRAINTS ALL IMMEDIATE;
SET CONSTRAINTS ALL DEFERRED;
ALTER TABLE package_keys DROP COLUMN active, DROP COLUMN last_modified, DROP COLUMN schema,
    DROP COLUMN data, DROP COLUMN status, DROP COLUMN item_id, DROP COLUMN location_id,
    DROP COLUMN lab_state, DROP COLUMN quantity, DROP COLUMN item_name, DROP COLUMN location_name;
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
CREATE TRIGGER lineage_sources_package AFTER INSERT OR UPDATE OF data ON packages
    FOR EACH ROW EXECUTE FUNCTION lineage_sources_of_package();
CREATE TRIGGER lineage_sources_package_history AFTER INSERT OR UPDATE OF data ON packages_history
    FOR EACH ROW EXECUTE FUNCTION lineage_sources_of_package();
