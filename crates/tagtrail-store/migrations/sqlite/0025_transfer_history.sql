-- The history tier of transfers (rule 72): a manifest's row in `transfers` while it is active,
-- in `transfers_history` once received or voided (its `active` flag), moved by the store in the
-- entry that changes the flag. `transfer_keys` keeps every manifest's id, license and manifest
-- number, never moves, is what the deliveries, transports and manifest lines reference, and
-- keeps a manifest number unique across both tiers (as 0022 did for packages).
--
-- SQLite: rename, then rebuild the keys table narrow under its name (see 0022).
ALTER TABLE transfers RENAME TO transfer_keys;
DROP INDEX transfers_active_id;
DROP INDEX transfers_modified;
DROP INDEX transfers_status;
CREATE TABLE transfers_live (
    id INTEGER PRIMARY KEY REFERENCES transfer_keys (id) DEFERRABLE INITIALLY DEFERRED,
    license_number TEXT,
    active INTEGER NOT NULL CHECK (active = 1),
    last_modified TEXT NOT NULL,
    schema INTEGER NOT NULL CHECK (schema > 0),
    data TEXT NOT NULL CHECK (json_valid(data)),
    manifest_number TEXT UNIQUE,
    state TEXT NOT NULL CHECK (state IN ('Template', 'Outgoing', 'InTransit', 'Delivered', 'Received', 'Voided')),
    status TEXT NOT NULL,
    recipient_license TEXT NOT NULL,
    transporter_license TEXT NOT NULL
);
CREATE TABLE transfers_history (
    id INTEGER PRIMARY KEY REFERENCES transfer_keys (id) DEFERRABLE INITIALLY DEFERRED,
    license_number TEXT,
    active INTEGER NOT NULL CHECK (active = 0),
    last_modified TEXT NOT NULL,
    schema INTEGER NOT NULL CHECK (schema > 0),
    data TEXT NOT NULL CHECK (json_valid(data)),
    manifest_number TEXT UNIQUE,
    state TEXT NOT NULL CHECK (state IN ('Template', 'Outgoing', 'InTransit', 'Delivered', 'Received', 'Voided')),
    status TEXT NOT NULL,
    recipient_license TEXT NOT NULL,
    transporter_license TEXT NOT NULL
);
INSERT INTO transfers_live (id, license_number, active, last_modified, schema, data, manifest_number, state, status, recipient_license, transporter_license) SELECT id, license_number, active, last_modified, schema, data, manifest_number, state, status, recipient_license, transporter_license FROM transfer_keys WHERE active = 1;
INSERT INTO transfers_history (id, license_number, active, last_modified, schema, data, manifest_number, state, status, recipient_license, transporter_license) SELECT id, license_number, active, last_modified, schema, data, manifest_number, state, status, recipient_license, transporter_license FROM transfer_keys WHERE active = 0;
CREATE TEMP TABLE transfer_keys_copy AS SELECT id, license_number, manifest_number FROM transfer_keys;
DROP TABLE transfer_keys;
CREATE TABLE transfer_keys (
    id INTEGER PRIMARY KEY,
    license_number TEXT,
    manifest_number TEXT UNIQUE
);
INSERT INTO transfer_keys (id, license_number, manifest_number)
SELECT id, license_number, manifest_number FROM transfer_keys_copy;
DROP TABLE transfer_keys_copy;
ALTER TABLE transfers_live RENAME TO transfers;
CREATE INDEX transfers_active_id ON transfers (license_number, active, id);
CREATE INDEX transfers_modified ON transfers (license_number, active, last_modified);
CREATE INDEX transfers_status ON transfers (license_number, status, id);
CREATE INDEX transfers_history_active_id ON transfers_history (license_number, active, id);
CREATE INDEX transfers_history_modified ON transfers_history (license_number, active, last_modified);
CREATE INDEX transfers_history_status ON transfers_history (license_number, status, id);
CREATE TEMP TABLE fk_problems AS SELECT * FROM pragma_foreign_key_check;
CREATE TEMP TRIGGER fk_problems_fail BEFORE DELETE ON fk_problems
    WHEN (SELECT COUNT(*) FROM fk_problems) > 0
    BEGIN SELECT RAISE(ABORT, 'transfer history tier: a foreign key is broken'); END;
DELETE FROM fk_problems;
DROP TABLE fk_problems;
