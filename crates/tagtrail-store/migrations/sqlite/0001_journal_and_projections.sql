-- The journal: one row per regulated action, hash-chained, append-only.
-- Projection tables: current state, each row the latest after-image the journal holds for it.
-- Every projection table has the same columns; `data` is the record's JSON.
CREATE TABLE journal (
    seq INTEGER PRIMARY KEY,
    recorded_at TEXT NOT NULL,
    license_number TEXT,
    employee_id INTEGER,
    vendor_key_id INTEGER,
    actor TEXT NOT NULL,
    endpoint TEXT NOT NULL,
    reason TEXT NOT NULL,
    request TEXT NOT NULL,
    result_ids TEXT NOT NULL,
    changes TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL UNIQUE
);
CREATE INDEX journal_license ON journal (license_number, seq);

CREATE TRIGGER journal_no_update BEFORE UPDATE ON journal
BEGIN
    SELECT RAISE(ABORT, 'the journal is append-only');
END;
CREATE TRIGGER journal_no_delete BEFORE DELETE ON journal
BEGIN
    SELECT RAISE(ABORT, 'the journal is append-only');
END;

CREATE TABLE facilities (
    id INTEGER PRIMARY KEY,
    license_number TEXT,
    active INTEGER NOT NULL,
    last_modified TEXT NOT NULL,
    lookup TEXT,
    status TEXT,
    data TEXT NOT NULL
);
CREATE INDEX facilities_scope ON facilities (license_number, active, last_modified);
CREATE INDEX facilities_lookup ON facilities (lookup);

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    license_number TEXT,
    active INTEGER NOT NULL,
    last_modified TEXT NOT NULL,
    lookup TEXT,
    status TEXT,
    data TEXT NOT NULL
);
CREATE INDEX users_scope ON users (license_number, active, last_modified);
CREATE INDEX users_lookup ON users (lookup);

CREATE TABLE employments (
    id INTEGER PRIMARY KEY,
    license_number TEXT,
    active INTEGER NOT NULL,
    last_modified TEXT NOT NULL,
    lookup TEXT,
    status TEXT,
    data TEXT NOT NULL
);
CREATE INDEX employments_scope ON employments (license_number, active, last_modified);
CREATE INDEX employments_lookup ON employments (lookup);

CREATE TABLE vendor_keys (
    id INTEGER PRIMARY KEY,
    license_number TEXT,
    active INTEGER NOT NULL,
    last_modified TEXT NOT NULL,
    lookup TEXT,
    status TEXT,
    data TEXT NOT NULL
);
CREATE INDEX vendor_keys_scope ON vendor_keys (license_number, active, last_modified);
CREATE INDEX vendor_keys_lookup ON vendor_keys (lookup);

CREATE TABLE user_keys (
    id INTEGER PRIMARY KEY,
    license_number TEXT,
    active INTEGER NOT NULL,
    last_modified TEXT NOT NULL,
    lookup TEXT,
    status TEXT,
    data TEXT NOT NULL
);
CREATE INDEX user_keys_scope ON user_keys (license_number, active, last_modified);
CREATE INDEX user_keys_lookup ON user_keys (lookup);

CREATE TABLE items (
    id INTEGER PRIMARY KEY,
    license_number TEXT,
    active INTEGER NOT NULL,
    last_modified TEXT NOT NULL,
    lookup TEXT,
    status TEXT,
    data TEXT NOT NULL
);
CREATE INDEX items_scope ON items (license_number, active, last_modified);
CREATE INDEX items_lookup ON items (lookup);

CREATE TABLE item_brands (
    id INTEGER PRIMARY KEY,
    license_number TEXT,
    active INTEGER NOT NULL,
    last_modified TEXT NOT NULL,
    lookup TEXT,
    status TEXT,
    data TEXT NOT NULL
);
CREATE INDEX item_brands_scope ON item_brands (license_number, active, last_modified);
CREATE INDEX item_brands_lookup ON item_brands (lookup);

CREATE TABLE strains (
    id INTEGER PRIMARY KEY,
    license_number TEXT,
    active INTEGER NOT NULL,
    last_modified TEXT NOT NULL,
    lookup TEXT,
    status TEXT,
    data TEXT NOT NULL
);
CREATE INDEX strains_scope ON strains (license_number, active, last_modified);
CREATE INDEX strains_lookup ON strains (lookup);

CREATE TABLE locations (
    id INTEGER PRIMARY KEY,
    license_number TEXT,
    active INTEGER NOT NULL,
    last_modified TEXT NOT NULL,
    lookup TEXT,
    status TEXT,
    data TEXT NOT NULL
);
CREATE INDEX locations_scope ON locations (license_number, active, last_modified);
CREATE INDEX locations_lookup ON locations (lookup);

CREATE TABLE sublocations (
    id INTEGER PRIMARY KEY,
    license_number TEXT,
    active INTEGER NOT NULL,
    last_modified TEXT NOT NULL,
    lookup TEXT,
    status TEXT,
    data TEXT NOT NULL
);
CREATE INDEX sublocations_scope ON sublocations (license_number, active, last_modified);
CREATE INDEX sublocations_lookup ON sublocations (lookup);

CREATE TABLE tag_orders (
    id INTEGER PRIMARY KEY,
    license_number TEXT,
    active INTEGER NOT NULL,
    last_modified TEXT NOT NULL,
    lookup TEXT,
    status TEXT,
    data TEXT NOT NULL
);
CREATE INDEX tag_orders_scope ON tag_orders (license_number, active, last_modified);
CREATE INDEX tag_orders_lookup ON tag_orders (lookup);

CREATE TABLE tags (
    id INTEGER PRIMARY KEY,
    license_number TEXT,
    active INTEGER NOT NULL,
    last_modified TEXT NOT NULL,
    lookup TEXT,
    status TEXT,
    data TEXT NOT NULL
);
CREATE INDEX tags_scope ON tags (license_number, active, last_modified);
CREATE INDEX tags_lookup ON tags (lookup);
