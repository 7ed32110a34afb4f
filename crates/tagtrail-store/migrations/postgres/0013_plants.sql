-- Cultivation (Metrc's PlantBatches and Plants groups): immature plant batches, individually
-- tagged plants and plant waste. The database holds what it can by itself: a batch's count is
-- between 0 and 100 (rules 19 and 24), a plant's label is unique and its status and growth
-- phase are known values, a waste weight is not negative, and every strain, location and batch
-- id names a row. `harvest_id` has no foreign key here: harvests live in their own
-- migration, and a plant only ever names one the same entry or an earlier one wrote.
-- New tables start empty, so nothing is rebuilt.
CREATE TABLE plant_batches (
    id BIGINT PRIMARY KEY,
    license_number TEXT,
    active BIGINT NOT NULL CHECK (active IN (0, 1)),
    last_modified TEXT NOT NULL,
    schema BIGINT NOT NULL CHECK (schema > 0),
    data JSONB NOT NULL,
    name_key TEXT NOT NULL,
    label TEXT UNIQUE,
    strain_id BIGINT NOT NULL REFERENCES strains (id) DEFERRABLE INITIALLY DEFERRED,
    location_id BIGINT NOT NULL REFERENCES locations (id) DEFERRABLE INITIALLY DEFERRED,
    plant_count BIGINT NOT NULL CHECK (plant_count >= 0 AND plant_count <= 100)
);
CREATE INDEX plant_batches_active_id ON plant_batches (license_number, active, id);
CREATE INDEX plant_batches_modified ON plant_batches (license_number, active, last_modified);
CREATE UNIQUE INDEX plant_batches_name ON plant_batches (license_number, name_key) WHERE active = 1;
CREATE INDEX plant_batches_key ON plant_batches (name_key);

CREATE TABLE plants (
    id BIGINT PRIMARY KEY,
    license_number TEXT,
    active BIGINT NOT NULL CHECK (active IN (0, 1)),
    last_modified TEXT NOT NULL,
    schema BIGINT NOT NULL CHECK (schema > 0),
    data JSONB NOT NULL,
    label TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL CHECK (status IN ('Vegetative', 'Flowering', 'OnHold', 'Harvested', 'Destroyed')),
    growth_phase TEXT NOT NULL CHECK (growth_phase IN ('Vegetative', 'Flowering')),
    mother BIGINT NOT NULL CHECK (mother IN (0, 1)),
    plant_batch_id BIGINT NOT NULL REFERENCES plant_batches (id) DEFERRABLE INITIALLY DEFERRED,
    strain_id BIGINT NOT NULL REFERENCES strains (id) DEFERRABLE INITIALLY DEFERRED,
    location_id BIGINT NOT NULL REFERENCES locations (id) DEFERRABLE INITIALLY DEFERRED,
    harvest_id BIGINT
);
CREATE INDEX plants_active_id ON plants (license_number, active, id);
CREATE INDEX plants_modified ON plants (license_number, active, last_modified);
CREATE INDEX plants_status ON plants (license_number, status, id);
CREATE INDEX plants_mother ON plants (license_number, mother, active, id);
CREATE INDEX plants_batch ON plants (plant_batch_id);
CREATE INDEX plants_harvest ON plants (harvest_id);

CREATE TABLE plant_waste (
    id BIGINT PRIMARY KEY,
    license_number TEXT,
    active BIGINT NOT NULL CHECK (active IN (0, 1)),
    last_modified TEXT NOT NULL,
    schema BIGINT NOT NULL CHECK (schema > 0),
    data JSONB NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('PlantBatch', 'Plant')),
    plant_batch_id BIGINT REFERENCES plant_batches (id) DEFERRABLE INITIALLY DEFERRED,
    reason TEXT NOT NULL,
    quantity NUMERIC NOT NULL,
    CHECK (quantity >= 0)
);
CREATE INDEX plant_waste_active_id ON plant_waste (license_number, active, id);
CREATE INDEX plant_waste_modified ON plant_waste (license_number, active, last_modified);
CREATE INDEX plant_waste_batch ON plant_waste (plant_batch_id);
CREATE INDEX plant_waste_kind ON plant_waste (license_number, kind, id);
