-- Typed projections. Every column that is filtered, joined, summed or must be unique is a real
-- column with the constraints that make the database itself refuse a duplicate label, a second
-- active record of one name, a negative quantity, an unknown state or a dangling reference, even
-- if application code were wrong. The record's JSON stays in `data`; `schema` is the version of
-- its shape. Foreign keys are checked at commit, because one journal entry writes a package and
-- its lineage edge (or a manifest and its lines) in whatever order the entry lists them.
--
-- Projections are a fold over the journal, so the old untyped tables are dropped and rebuilt
-- from it: the row below asks `Store::open` to replay the journal into the new tables.

DROP TABLE transfer_packages;
DROP TABLE transfer_transports;
DROP TABLE transfer_deliveries;
DROP TABLE transfers;
DROP TABLE vehicles;
DROP TABLE drivers;
DROP TABLE lab_results;
DROP TABLE lab_documents;
DROP TABLE lab_samples;
DROP TABLE package_links;
DROP TABLE package_adjustments;
DROP TABLE packages;
DROP TABLE tags;
DROP TABLE tag_orders;
DROP TABLE sublocations;
DROP TABLE locations;
DROP TABLE items;
DROP TABLE item_brands;
DROP TABLE strains;
DROP TABLE user_keys;
DROP TABLE vendor_keys;
DROP TABLE employments;
DROP TABLE users;
DROP TABLE facilities;

CREATE TABLE facilities (
    id BIGINT PRIMARY KEY,
    license_number TEXT,
    active BIGINT NOT NULL CHECK (active IN (0, 1)),
    last_modified TEXT NOT NULL,
    schema BIGINT NOT NULL CHECK (schema > 0),
    data JSONB NOT NULL,
    license_key TEXT NOT NULL UNIQUE,
    license_type TEXT NOT NULL CHECK (license_type IN ('cultivator', 'manufacturer', 'distributor', 'testing_lab', 'retailer'))
);
CREATE INDEX facilities_active_id ON facilities (license_number, active, id);
CREATE INDEX facilities_modified ON facilities (license_number, active, last_modified);

CREATE TABLE users (
    id BIGINT PRIMARY KEY,
    license_number TEXT,
    active BIGINT NOT NULL CHECK (active IN (0, 1)),
    last_modified TEXT NOT NULL,
    schema BIGINT NOT NULL CHECK (schema > 0),
    data JSONB NOT NULL,
    username_key TEXT NOT NULL UNIQUE
);
CREATE INDEX users_active_id ON users (license_number, active, id);
CREATE INDEX users_modified ON users (license_number, active, last_modified);

CREATE TABLE employments (
    id BIGINT PRIMARY KEY,
    license_number TEXT,
    active BIGINT NOT NULL CHECK (active IN (0, 1)),
    last_modified TEXT NOT NULL,
    schema BIGINT NOT NULL CHECK (schema > 0),
    data JSONB NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users (id) DEFERRABLE INITIALLY DEFERRED,
    UNIQUE (license_number, user_id)
);
CREATE INDEX employments_active_id ON employments (license_number, active, id);
CREATE INDEX employments_modified ON employments (license_number, active, last_modified);
CREATE INDEX employments_user ON employments (user_id);

CREATE TABLE vendor_keys (
    id BIGINT PRIMARY KEY,
    license_number TEXT,
    active BIGINT NOT NULL CHECK (active IN (0, 1)),
    last_modified TEXT NOT NULL,
    schema BIGINT NOT NULL CHECK (schema > 0),
    data JSONB NOT NULL,
    key_hash TEXT NOT NULL UNIQUE
);
CREATE INDEX vendor_keys_active_id ON vendor_keys (license_number, active, id);
CREATE INDEX vendor_keys_modified ON vendor_keys (license_number, active, last_modified);

CREATE TABLE user_keys (
    id BIGINT PRIMARY KEY,
    license_number TEXT,
    active BIGINT NOT NULL CHECK (active IN (0, 1)),
    last_modified TEXT NOT NULL,
    schema BIGINT NOT NULL CHECK (schema > 0),
    data JSONB NOT NULL,
    key_hash TEXT NOT NULL UNIQUE,
    user_id BIGINT NOT NULL REFERENCES users (id) DEFERRABLE INITIALLY DEFERRED
);
CREATE INDEX user_keys_active_id ON user_keys (license_number, active, id);
CREATE INDEX user_keys_modified ON user_keys (license_number, active, last_modified);

CREATE TABLE strains (
    id BIGINT PRIMARY KEY,
    license_number TEXT,
    active BIGINT NOT NULL CHECK (active IN (0, 1)),
    last_modified TEXT NOT NULL,
    schema BIGINT NOT NULL CHECK (schema > 0),
    data JSONB NOT NULL,
    name_key TEXT NOT NULL
);
CREATE INDEX strains_active_id ON strains (license_number, active, id);
CREATE INDEX strains_modified ON strains (license_number, active, last_modified);
CREATE UNIQUE INDEX strains_name ON strains (license_number, name_key) WHERE active = 1;
CREATE INDEX strains_key ON strains (name_key);

CREATE TABLE item_brands (
    id BIGINT PRIMARY KEY,
    license_number TEXT,
    active BIGINT NOT NULL CHECK (active IN (0, 1)),
    last_modified TEXT NOT NULL,
    schema BIGINT NOT NULL CHECK (schema > 0),
    data JSONB NOT NULL,
    name_key TEXT NOT NULL
);
CREATE INDEX item_brands_active_id ON item_brands (license_number, active, id);
CREATE INDEX item_brands_modified ON item_brands (license_number, active, last_modified);
CREATE UNIQUE INDEX item_brands_name ON item_brands (license_number, name_key) WHERE active = 1;
CREATE INDEX item_brands_key ON item_brands (name_key);

CREATE TABLE items (
    id BIGINT PRIMARY KEY,
    license_number TEXT,
    active BIGINT NOT NULL CHECK (active IN (0, 1)),
    last_modified TEXT NOT NULL,
    schema BIGINT NOT NULL CHECK (schema > 0),
    data JSONB NOT NULL,
    name_key TEXT NOT NULL,
    category TEXT NOT NULL
);
CREATE INDEX items_active_id ON items (license_number, active, id);
CREATE INDEX items_modified ON items (license_number, active, last_modified);
CREATE UNIQUE INDEX items_name ON items (license_number, name_key) WHERE active = 1;
CREATE INDEX items_key ON items (name_key);

CREATE TABLE locations (
    id BIGINT PRIMARY KEY,
    license_number TEXT,
    active BIGINT NOT NULL CHECK (active IN (0, 1)),
    last_modified TEXT NOT NULL,
    schema BIGINT NOT NULL CHECK (schema > 0),
    data JSONB NOT NULL,
    name_key TEXT NOT NULL,
    location_type TEXT NOT NULL
);
CREATE INDEX locations_active_id ON locations (license_number, active, id);
CREATE INDEX locations_modified ON locations (license_number, active, last_modified);
CREATE UNIQUE INDEX locations_name ON locations (license_number, name_key) WHERE active = 1;
CREATE INDEX locations_key ON locations (name_key);

CREATE TABLE sublocations (
    id BIGINT PRIMARY KEY,
    license_number TEXT,
    active BIGINT NOT NULL CHECK (active IN (0, 1)),
    last_modified TEXT NOT NULL,
    schema BIGINT NOT NULL CHECK (schema > 0),
    data JSONB NOT NULL,
    name_key TEXT NOT NULL
);
CREATE INDEX sublocations_active_id ON sublocations (license_number, active, id);
CREATE INDEX sublocations_modified ON sublocations (license_number, active, last_modified);
CREATE UNIQUE INDEX sublocations_name ON sublocations (license_number, name_key) WHERE active = 1;
CREATE INDEX sublocations_key ON sublocations (name_key);

CREATE TABLE tag_orders (
    id BIGINT PRIMARY KEY,
    license_number TEXT,
    active BIGINT NOT NULL CHECK (active IN (0, 1)),
    last_modified TEXT NOT NULL,
    schema BIGINT NOT NULL CHECK (schema > 0),
    data JSONB NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('Ordered', 'Shipped', 'Received')),
    label_prefix TEXT
);
CREATE INDEX tag_orders_active_id ON tag_orders (license_number, active, id);
CREATE INDEX tag_orders_modified ON tag_orders (license_number, active, last_modified);
CREATE INDEX tag_orders_status ON tag_orders (license_number, status, id);

CREATE TABLE tags (
    id BIGINT PRIMARY KEY,
    license_number TEXT,
    active BIGINT NOT NULL CHECK (active IN (0, 1)),
    last_modified TEXT NOT NULL,
    schema BIGINT NOT NULL CHECK (schema > 0),
    data JSONB NOT NULL,
    label TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL CHECK (kind IN ('Plant', 'Package')),
    status TEXT NOT NULL CHECK (status IN ('Shipped', 'Received', 'Used', 'Voided')),
    order_id BIGINT NOT NULL REFERENCES tag_orders (id) DEFERRABLE INITIALLY DEFERRED
);
CREATE INDEX tags_active_id ON tags (license_number, active, id);
CREATE INDEX tags_modified ON tags (license_number, active, last_modified);
CREATE INDEX tags_available ON tags (license_number, kind, status, active, id);
CREATE INDEX tags_order ON tags (order_id);

CREATE TABLE packages (
    id BIGINT PRIMARY KEY,
    license_number TEXT,
    active BIGINT NOT NULL CHECK (active IN (0, 1)),
    last_modified TEXT NOT NULL,
    schema BIGINT NOT NULL CHECK (schema > 0),
    data JSONB NOT NULL,
    label TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL CHECK (status IN ('Active', 'OnHold', 'InTransit', 'Finished', 'Discontinued')),
    item_id BIGINT NOT NULL REFERENCES items (id) DEFERRABLE INITIALLY DEFERRED,
    location_id BIGINT REFERENCES locations (id) DEFERRABLE INITIALLY DEFERRED,
    lab_state TEXT NOT NULL CHECK (lab_state IN ('NotSubmitted', 'SubmittedForTesting', 'TestFailed', 'TestPassed', 'TestingInProgress', 'AwaitingConfirmation', 'RetestFailed', 'RetestPassed', 'Remediated', 'SelectedForRandomTesting', 'NotRequired', 'ProcessValidated', 'Decontaminated', 'RandDCompleted')),
    quantity NUMERIC NOT NULL,
    CHECK (quantity >= 0)
);
CREATE INDEX packages_active_id ON packages (license_number, active, id);
CREATE INDEX packages_modified ON packages (license_number, active, last_modified);
CREATE INDEX packages_status ON packages (license_number, status, id);
CREATE INDEX packages_item ON packages (license_number, item_id, id);
CREATE INDEX packages_lab_state ON packages (license_number, lab_state, id);

CREATE TABLE package_adjustments (
    id BIGINT PRIMARY KEY,
    license_number TEXT,
    active BIGINT NOT NULL CHECK (active IN (0, 1)),
    last_modified TEXT NOT NULL,
    schema BIGINT NOT NULL CHECK (schema > 0),
    data JSONB NOT NULL,
    package_id BIGINT NOT NULL REFERENCES packages (id) DEFERRABLE INITIALLY DEFERRED,
    reason TEXT NOT NULL
);
CREATE INDEX package_adjustments_active_id ON package_adjustments (license_number, active, id);
CREATE INDEX package_adjustments_modified ON package_adjustments (license_number, active, last_modified);
CREATE INDEX package_adjustments_package ON package_adjustments (package_id);

CREATE TABLE package_links (
    id BIGINT PRIMARY KEY,
    license_number TEXT,
    active BIGINT NOT NULL CHECK (active IN (0, 1)),
    last_modified TEXT NOT NULL,
    schema BIGINT NOT NULL CHECK (schema > 0),
    data JSONB NOT NULL,
    parent_id BIGINT NOT NULL REFERENCES packages (id) DEFERRABLE INITIALLY DEFERRED,
    child_id BIGINT NOT NULL REFERENCES packages (id) DEFERRABLE INITIALLY DEFERRED,
    CHECK (parent_id <> child_id)
);
CREATE INDEX package_links_active_id ON package_links (license_number, active, id);
CREATE INDEX package_links_modified ON package_links (license_number, active, last_modified);
CREATE INDEX package_links_parent ON package_links (parent_id);
CREATE INDEX package_links_child ON package_links (child_id);

CREATE TABLE lab_samples (
    id BIGINT PRIMARY KEY,
    license_number TEXT,
    active BIGINT NOT NULL CHECK (active IN (0, 1)),
    last_modified TEXT NOT NULL,
    schema BIGINT NOT NULL CHECK (schema > 0),
    data JSONB NOT NULL,
    owner_license TEXT NOT NULL,
    FOREIGN KEY (id) REFERENCES packages (id) DEFERRABLE INITIALLY DEFERRED
);
CREATE INDEX lab_samples_active_id ON lab_samples (license_number, active, id);
CREATE INDEX lab_samples_modified ON lab_samples (license_number, active, last_modified);
CREATE INDEX lab_samples_owner ON lab_samples (owner_license, active, id);

CREATE TABLE lab_documents (
    id BIGINT PRIMARY KEY,
    license_number TEXT,
    active BIGINT NOT NULL CHECK (active IN (0, 1)),
    last_modified TEXT NOT NULL,
    schema BIGINT NOT NULL CHECK (schema > 0),
    data JSONB NOT NULL,
    package_id BIGINT NOT NULL REFERENCES packages (id) DEFERRABLE INITIALLY DEFERRED,
    sha256 TEXT NOT NULL REFERENCES document_blobs (sha256) DEFERRABLE INITIALLY DEFERRED
);
CREATE INDEX lab_documents_active_id ON lab_documents (license_number, active, id);
CREATE INDEX lab_documents_modified ON lab_documents (license_number, active, last_modified);
CREATE INDEX lab_documents_package ON lab_documents (package_id);

CREATE TABLE lab_results (
    id BIGINT PRIMARY KEY,
    license_number TEXT,
    active BIGINT NOT NULL CHECK (active IN (0, 1)),
    last_modified TEXT NOT NULL,
    schema BIGINT NOT NULL CHECK (schema > 0),
    data JSONB NOT NULL,
    package_id BIGINT NOT NULL REFERENCES packages (id) DEFERRABLE INITIALLY DEFERRED,
    released BIGINT NOT NULL CHECK (released IN (0, 1)),
    owner_license TEXT NOT NULL,
    document_id BIGINT REFERENCES lab_documents (id) DEFERRABLE INITIALLY DEFERRED
);
CREATE INDEX lab_results_active_id ON lab_results (license_number, active, id);
CREATE INDEX lab_results_modified ON lab_results (license_number, active, last_modified);
CREATE INDEX lab_results_package ON lab_results (package_id);

CREATE TABLE drivers (
    id BIGINT PRIMARY KEY,
    license_number TEXT,
    active BIGINT NOT NULL CHECK (active IN (0, 1)),
    last_modified TEXT NOT NULL,
    schema BIGINT NOT NULL CHECK (schema > 0),
    data JSONB NOT NULL,
    drivers_license_key TEXT NOT NULL
);
CREATE INDEX drivers_active_id ON drivers (license_number, active, id);
CREATE INDEX drivers_modified ON drivers (license_number, active, last_modified);
CREATE UNIQUE INDEX drivers_license ON drivers (license_number, drivers_license_key) WHERE active = 1;
CREATE INDEX drivers_key ON drivers (drivers_license_key);

CREATE TABLE vehicles (
    id BIGINT PRIMARY KEY,
    license_number TEXT,
    active BIGINT NOT NULL CHECK (active IN (0, 1)),
    last_modified TEXT NOT NULL,
    schema BIGINT NOT NULL CHECK (schema > 0),
    data JSONB NOT NULL,
    plate_key TEXT NOT NULL
);
CREATE INDEX vehicles_active_id ON vehicles (license_number, active, id);
CREATE INDEX vehicles_modified ON vehicles (license_number, active, last_modified);
CREATE UNIQUE INDEX vehicles_plate ON vehicles (license_number, plate_key) WHERE active = 1;
CREATE INDEX vehicles_key ON vehicles (plate_key);

CREATE TABLE transfers (
    id BIGINT PRIMARY KEY,
    license_number TEXT,
    active BIGINT NOT NULL CHECK (active IN (0, 1)),
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

CREATE TABLE transfer_deliveries (
    id BIGINT PRIMARY KEY,
    license_number TEXT,
    active BIGINT NOT NULL CHECK (active IN (0, 1)),
    last_modified TEXT NOT NULL,
    schema BIGINT NOT NULL CHECK (schema > 0),
    data JSONB NOT NULL,
    shipper_license TEXT NOT NULL,
    status TEXT NOT NULL,
    FOREIGN KEY (id) REFERENCES transfers (id) DEFERRABLE INITIALLY DEFERRED
);
CREATE INDEX transfer_deliveries_active_id ON transfer_deliveries (license_number, active, id);
CREATE INDEX transfer_deliveries_modified ON transfer_deliveries (license_number, active, last_modified);
CREATE INDEX transfer_deliveries_status ON transfer_deliveries (license_number, status, id);
CREATE INDEX transfer_deliveries_shipper ON transfer_deliveries (shipper_license);

CREATE TABLE transfer_transports (
    id BIGINT PRIMARY KEY,
    license_number TEXT,
    active BIGINT NOT NULL CHECK (active IN (0, 1)),
    last_modified TEXT NOT NULL,
    schema BIGINT NOT NULL CHECK (schema > 0),
    data JSONB NOT NULL,
    shipper_license TEXT NOT NULL,
    status TEXT NOT NULL,
    FOREIGN KEY (id) REFERENCES transfers (id) DEFERRABLE INITIALLY DEFERRED
);
CREATE INDEX transfer_transports_active_id ON transfer_transports (license_number, active, id);
CREATE INDEX transfer_transports_modified ON transfer_transports (license_number, active, last_modified);
CREATE INDEX transfer_transports_status ON transfer_transports (license_number, status, id);
CREATE INDEX transfer_transports_shipper ON transfer_transports (shipper_license);

CREATE TABLE transfer_packages (
    id BIGINT PRIMARY KEY,
    license_number TEXT,
    active BIGINT NOT NULL CHECK (active IN (0, 1)),
    last_modified TEXT NOT NULL,
    schema BIGINT NOT NULL CHECK (schema > 0),
    data JSONB NOT NULL,
    package_label TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('Template', 'Planned', 'Shipped', 'Accepted', 'Rejected', 'Returned')),
    transfer_id BIGINT NOT NULL REFERENCES transfers (id) DEFERRABLE INITIALLY DEFERRED,
    package_id BIGINT NOT NULL REFERENCES packages (id) DEFERRABLE INITIALLY DEFERRED
);
CREATE INDEX transfer_packages_active_id ON transfer_packages (license_number, active, id);
CREATE INDEX transfer_packages_modified ON transfer_packages (license_number, active, last_modified);
CREATE INDEX transfer_packages_status ON transfer_packages (license_number, status, id);
CREATE INDEX transfer_packages_label ON transfer_packages (package_label);
CREATE INDEX transfer_packages_transfer ON transfer_packages (transfer_id);
CREATE UNIQUE INDEX transfer_packages_held ON transfer_packages (package_id) WHERE active = 1;
CREATE TABLE projection_state (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    rebuild_from_journal INTEGER NOT NULL
);
INSERT INTO projection_state (id, rebuild_from_journal) VALUES (1, 1);
