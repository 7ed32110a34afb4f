-- Cultivation (Metrc's PlantBatches and Plants groups): immature plant batches, individually
-- tagged plants and plant waste. The database holds what it can by itself: a batch's count is
-- between 0 and 100 (rules 19 and 24), a plant's label is unique and its status and growth
-- phase are known values, a waste weight is not negative, and every strain, location and batch
-- id names a row. `harvest_id` has no foreign key here: harvests live in their own
-- migration, and a plant only ever names one the same entry or an earlier one wrote.
-- New tables start empty, so nothing is rebuilt.
CREATE TABLE plant_batches (
    id INTEGER PRIMARY KEY,
    license_number TEXT,
    active INTEGER NOT NULL CHECK (active IN (0, 1)),
    last_modified TEXT NOT NULL,
    schema INTEGER NOT NULL CHECK (schema > 0),
    data TEXT NOT NULL CHECK (json_valid(data)),
    name_key TEXT NOT NULL,
    label TEXT UNIQUE,
    strain_id INTEGER NOT NULL REFERENCES strains (id) DEFERRABLE INITIALLY DEFERRED,
    location_id INTEGER NOT NULL REFERENCES locations (id) DEFERRABLE INITIALLY DEFERRED,
    plant_count INTEGER NOT NULL CHECK (plant_count >= 0 AND plant_count <= 100)
);
CREATE INDEX plant_batches_active_id ON plant_batches (license_number, active, id);
CREATE INDEX plant_batches_modified ON plant_batches (license_number, active, last_modified);
CREATE UNIQUE INDEX plant_batches_name ON plant_batches (license_number, name_key) WHERE active = 1;
CREATE INDEX plant_batches_key ON plant_batches (name_key);

CREATE TABLE plants (
    id INTEGER PRIMARY KEY,
    license_number TEXT,
    active INTEGER NOT NULL CHECK (active IN (0, 1)),
    last_modified TEXT NOT NULL,
    schema INTEGER NOT NULL CHECK (schema > 0),
    data TEXT NOT NULL CHECK (json_valid(data)),
    label TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL CHECK (status IN ('Vegetative', 'Flowering', 'OnHold', 'Harvested', 'Destroyed')),
    growth_phase TEXT NOT NULL CHECK (growth_phase IN ('Vegetative', 'Flowering')),
    mother INTEGER NOT NULL CHECK (mother IN (0, 1)),
    plant_batch_id INTEGER NOT NULL REFERENCES plant_batches (id) DEFERRABLE INITIALLY DEFERRED,
    strain_id INTEGER NOT NULL REFERENCES strains (id) DEFERRABLE INITIALLY DEFERRED,
    location_id INTEGER NOT NULL REFERENCES locations (id) DEFERRABLE INITIALLY DEFERRED,
    harvest_id INTEGER
);
CREATE INDEX plants_active_id ON plants (license_number, active, id);
CREATE INDEX plants_modified ON plants (license_number, active, last_modified);
CREATE INDEX plants_status ON plants (license_number, status, id);
CREATE INDEX plants_mother ON plants (license_number, mother, active, id);
CREATE INDEX plants_batch ON plants (plant_batch_id);
CREATE INDEX plants_harvest ON plants (harvest_id);

CREATE TABLE plant_waste (
    id INTEGER PRIMARY KEY,
    license_number TEXT,
    active INTEGER NOT NULL CHECK (active IN (0, 1)),
    last_modified TEXT NOT NULL,
    schema INTEGER NOT NULL CHECK (schema > 0),
    data TEXT NOT NULL CHECK (json_valid(data)),
    kind TEXT NOT NULL CHECK (kind IN ('PlantBatch', 'Plant')),
    plant_batch_id INTEGER REFERENCES plant_batches (id) DEFERRABLE INITIALLY DEFERRED,
    reason TEXT NOT NULL,
    quantity TEXT NOT NULL,
    CHECK (CAST(quantity AS REAL) >= 0)
);
CREATE INDEX plant_waste_active_id ON plant_waste (license_number, active, id);
CREATE INDEX plant_waste_modified ON plant_waste (license_number, active, last_modified);
CREATE INDEX plant_waste_batch ON plant_waste (plant_batch_id);
CREATE INDEX plant_waste_kind ON plant_waste (license_number, kind, id);
