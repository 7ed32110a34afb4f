-- Storage at scale (issue 14: a package all-in under 1.5 KB at a million packages).
--
-- 1. Packed JSON (src/packing.rs): the `data` of the history tier of packages, of package
--    adjustments and links and of lab results may hold the record packed ("~1" and base64 of a
--    zstd frame) instead of plain JSON. The tables are rebuilt because SQLite cannot change a
--    CHECK in place; the check now takes either form. Rows already written keep their JSON.
-- 2. The history tier keeps only the indexes its own reads use (by id and by lastModified
--    window, and its label); lists filtered by status, item, lab state or location are the
--    active inventory's, and over history they read the facility's rows in id order instead.
--    Package links are read by parent or child only (lineage), never listed by license, so
--    they lose their license indexes; adjustments are listed by license but never by a
--    lastModified window, so they lose that index.
-- 3. The lineage of a package entering history (rule 72) is kept by the store itself
--    (src/write.rs), since a packed record cannot be read by `json_each`; the triggers on the
--    active table are unchanged.
-- 4. The touches and the change feed are stored in their primary key's order (WITHOUT ROWID),
--    instead of a table and an index repeating every row.
DROP TRIGGER lineage_sources_package_history_insert;
DROP TRIGGER lineage_sources_package_history_update;

CREATE TABLE packages_history_packed (
    id INTEGER PRIMARY KEY REFERENCES package_keys (id) DEFERRABLE INITIALLY DEFERRED,
    license_number TEXT,
    active INTEGER NOT NULL CHECK (active = 0),
    last_modified TEXT NOT NULL,
    schema INTEGER NOT NULL CHECK (schema > 0),
    data TEXT NOT NULL CHECK (json_valid(data) OR substr(data, 1, 2) = '~1'),
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
INSERT INTO packages_history_packed SELECT id, license_number, active, last_modified, schema, data, label, status, item_id, location_id, lab_state, quantity, item_name, location_name FROM packages_history;
DROP TABLE packages_history;
ALTER TABLE packages_history_packed RENAME TO packages_history;
CREATE INDEX packages_history_active_id ON packages_history (license_number, active, id);
CREATE INDEX packages_history_modified ON packages_history (license_number, active, last_modified);

CREATE TABLE package_adjustments_packed (
    id INTEGER PRIMARY KEY,
    license_number TEXT,
    active INTEGER NOT NULL CHECK (active IN (0, 1)),
    last_modified TEXT NOT NULL,
    schema INTEGER NOT NULL CHECK (schema > 0),
    data TEXT NOT NULL CHECK (json_valid(data) OR substr(data, 1, 2) = '~1'),
    package_id INTEGER NOT NULL REFERENCES package_keys (id) DEFERRABLE INITIALLY DEFERRED,
    reason TEXT NOT NULL
);
INSERT INTO package_adjustments_packed SELECT id, license_number, active, last_modified, schema, data, package_id, reason FROM package_adjustments;
DROP TABLE package_adjustments;
ALTER TABLE package_adjustments_packed RENAME TO package_adjustments;
CREATE INDEX package_adjustments_active_id ON package_adjustments (license_number, active, id);
CREATE INDEX package_adjustments_package ON package_adjustments (package_id);

CREATE TABLE package_links_packed (
    id INTEGER PRIMARY KEY,
    license_number TEXT,
    active INTEGER NOT NULL CHECK (active IN (0, 1)),
    last_modified TEXT NOT NULL,
    schema INTEGER NOT NULL CHECK (schema > 0),
    data TEXT NOT NULL CHECK (json_valid(data) OR substr(data, 1, 2) = '~1'),
    parent_id INTEGER NOT NULL REFERENCES package_keys (id) DEFERRABLE INITIALLY DEFERRED,
    child_id INTEGER NOT NULL REFERENCES package_keys (id) DEFERRABLE INITIALLY DEFERRED,
    CHECK (parent_id <> child_id)
);
INSERT INTO package_links_packed SELECT id, license_number, active, last_modified, schema, data, parent_id, child_id FROM package_links;
DROP TABLE package_links;
ALTER TABLE package_links_packed RENAME TO package_links;
CREATE INDEX package_links_parent ON package_links (parent_id);
CREATE INDEX package_links_child ON package_links (child_id);

CREATE TABLE lab_results_packed (
    id INTEGER PRIMARY KEY,
    license_number TEXT,
    active INTEGER NOT NULL CHECK (active IN (0, 1)),
    last_modified TEXT NOT NULL,
    schema INTEGER NOT NULL CHECK (schema > 0),
    data TEXT NOT NULL CHECK (json_valid(data) OR substr(data, 1, 2) = '~1'),
    package_id INTEGER NOT NULL REFERENCES package_keys (id) DEFERRABLE INITIALLY DEFERRED,
    released INTEGER NOT NULL CHECK (released IN (0, 1)),
    owner_license TEXT NOT NULL,
    document_id INTEGER REFERENCES lab_documents (id) DEFERRABLE INITIALLY DEFERRED
);
INSERT INTO lab_results_packed SELECT id, license_number, active, last_modified, schema, data, package_id, released, owner_license, document_id FROM lab_results;
DROP TABLE lab_results;
ALTER TABLE lab_results_packed RENAME TO lab_results;
CREATE INDEX lab_results_active_id ON lab_results (license_number, active, id);
CREATE INDEX lab_results_modified ON lab_results (license_number, active, last_modified);
CREATE INDEX lab_results_package ON lab_results (package_id);

DROP TRIGGER journal_touches_no_update;
DROP TRIGGER journal_touches_no_delete;
CREATE TABLE journal_touches_by_key (
    table_name TEXT NOT NULL,
    row_id INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    PRIMARY KEY (table_name, row_id, seq)
) WITHOUT ROWID;
INSERT INTO journal_touches_by_key SELECT table_name, row_id, seq FROM journal_touches;
DROP TABLE journal_touches;
ALTER TABLE journal_touches_by_key RENAME TO journal_touches;
CREATE TRIGGER journal_touches_no_update BEFORE UPDATE ON journal_touches
BEGIN
    SELECT RAISE(ABORT, 'the journal is append-only');
END;
CREATE TRIGGER journal_touches_no_delete BEFORE DELETE ON journal_touches
BEGIN
    SELECT RAISE(ABORT, 'the journal is append-only');
END;

DROP TRIGGER change_feed_no_update;
DROP TRIGGER change_feed_no_delete;
CREATE TABLE change_feed_by_key (
    license_number TEXT NOT NULL,
    seq INTEGER NOT NULL,
    ordinal INTEGER NOT NULL,
    table_name TEXT NOT NULL,
    row_id INTEGER NOT NULL,
    PRIMARY KEY (license_number, seq, ordinal)
) WITHOUT ROWID;
INSERT INTO change_feed_by_key SELECT license_number, seq, ordinal, table_name, row_id FROM change_feed;
DROP TABLE change_feed;
ALTER TABLE change_feed_by_key RENAME TO change_feed;
CREATE INDEX change_feed_by_seq ON change_feed (seq);
CREATE TRIGGER change_feed_no_update BEFORE UPDATE ON change_feed
BEGIN
    SELECT RAISE(ABORT, 'the journal is append-only');
END;
CREATE TRIGGER change_feed_no_delete BEFORE DELETE ON change_feed
BEGIN
    SELECT RAISE(ABORT, 'the journal is append-only');
END;

-- Nothing may reference a row that is not there (as in 0022).
CREATE TEMP TABLE fk_problems AS SELECT * FROM pragma_foreign_key_check;
CREATE TEMP TRIGGER fk_problems_fail BEFORE DELETE ON fk_problems
    WHEN (SELECT COUNT(*) FROM fk_problems) > 0
    BEGIN SELECT RAISE(ABORT, 'packed storage: a foreign key is broken'); END;
DELETE FROM fk_problems;
DROP TABLE fk_problems;
