-- The history tier of transfers (rule 72): a manifest's row in `transfers` while it is active,
-- in `transfers_history` once received or voided (its `active` flag), moved by the store in the
-- entry that changes the flag. `transfer_keys` keeps every manifest's id, license and manifest
-- number, never moves, is what the deliveries, transports and manifest lines reference, and
-- keeps a manifest number unique across both tiers (as 0022 did for packages).
--
-- PostgreSQL: rename (foreign keys follow), drop the keys table's other columns (see 0022).
ALTER TABLE transfers RENAME TO transfer_keys;
ALTER INDEX transfers_pkey RENAME TO transfer_keys_pkey;
ALTER INDEX transfers_manifest_number_key RENAME TO transfer_keys_manifest_number_key;
DROP INDEX transfers_active_id;
DROP INDEX transfers_modified;
DROP INDEX transfers_status;
CREATE TABLE transfers (
    id BIGINT PRIMARY KEY REFERENCES transfer_keys (id) DEFERRABLE INITIALLY DEFERRED,
    license_number TEXT,
    active BIGINT NOT NULL CHECK (active = 1),
    last_modified TEXT NOT NULL,
    schema BIGINT NOT NULL CHECK (schema > 0),
    data JSONB NOT NULL,
    manifest_number TEXT UNIQUE,
    state TEXT NOT NULL CHECK (state IN ('Template', 'Outgoing', 'InTransit', 'Delivered', 'Received', 'Voided')),
    status TEXT NOT NULL,
    recipient_license TEXT NOT NULL,
    transporter_license TEXT NOT NULL
);
CREATE TABLE transfers_history (
    id BIGINT PRIMARY KEY REFERENCES transfer_keys (id) DEFERRABLE INITIALLY DEFERRED,
    license_number TEXT,
    active BIGINT NOT NULL CHECK (active = 0),
    last_modified TEXT NOT NULL,
    schema BIGINT NOT NULL CHECK (schema > 0),
    data JSONB NOT NULL,
    manifest_number TEXT UNIQUE,
    state TEXT NOT NULL CHECK (state IN ('Template', 'Outgoing', 'InTransit', 'Delivered', 'Received', 'Voided')),
    status TEXT NOT NULL,
    recipient_license TEXT NOT NULL,
    transporter_license TEXT NOT NULL
);
CREATE INDEX transfers_active_id ON transfers (license_number, active, id);
CREATE INDEX transfers_modified ON transfers (license_number, active, last_modified);
CREATE INDEX transfers_status ON transfers (license_number, status, id);
CREATE INDEX transfers_history_active_id ON transfers_history (license_number, active, id);
CREATE INDEX transfers_history_modified ON transfers_history (license_number, active, last_modified);
CREATE INDEX transfers_history_status ON transfers_history (license_number, status, id);
INSERT INTO transfers (id, license_number, active, last_modified, schema, data, manifest_number, state, status, recipient_license, transporter_license) SELECT id, license_number, active, last_modified, schema, data, manifest_number, state, status, recipient_license, transporter_license FROM transfer_keys WHERE active = 1;
INSERT INTO transfers_history (id, license_number, active, last_modified, schema, data, manifest_number, state, status, recipient_license, transporter_license) SELECT id, license_number, active, last_modified, schema, data, manifest_number, state, status, recipient_license, transporter_license FROM transfer_keys WHERE active = 0;
-- The copies' deferred foreign key checks run now: PostgreSQL alters no table with checks pending.
SET CONSTRAINTS ALL IMMEDIATE;
SET CONSTRAINTS ALL DEFERRED;
ALTER TABLE transfer_keys DROP COLUMN active, DROP COLUMN last_modified, DROP COLUMN schema,
    DROP COLUMN data, DROP COLUMN state, DROP COLUMN status, DROP COLUMN recipient_license,
    DROP COLUMN transporter_license;
