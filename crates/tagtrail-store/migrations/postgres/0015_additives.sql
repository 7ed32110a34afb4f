-- Additives (Metrc's AdditivesTemplates group and the additive endpoints of PlantBatches and
-- Plants): a facility's additive templates and each recorded application. The database holds
-- what it can by itself: a template's name is unique among the license's active templates (an
-- archived one frees its name); every additive type is Fertilizer, Pesticide or Other; an
-- application's amount is above zero (rule 17), it treats at least one plant, and the batch it
-- names is a row. New tables start empty, so nothing is rebuilt.
CREATE TABLE additives_templates (
    id BIGINT PRIMARY KEY,
    license_number TEXT,
    active BIGINT NOT NULL CHECK (active IN (0, 1)),
    last_modified TEXT NOT NULL,
    schema BIGINT NOT NULL CHECK (schema > 0),
    data JSONB NOT NULL,
    name_key TEXT NOT NULL,
    additive_type TEXT NOT NULL CHECK (additive_type IN ('Fertilizer', 'Pesticide', 'Other'))
);
CREATE INDEX additives_templates_active_id ON additives_templates (license_number, active, id);
CREATE INDEX additives_templates_modified ON additives_templates (license_number, active, last_modified);
CREATE UNIQUE INDEX additives_templates_name ON additives_templates (license_number, name_key)
    WHERE active = 1;
CREATE INDEX additives_templates_key ON additives_templates (name_key);

CREATE TABLE plant_additives (
    id BIGINT PRIMARY KEY,
    license_number TEXT,
    active BIGINT NOT NULL CHECK (active IN (0, 1)),
    last_modified TEXT NOT NULL,
    schema BIGINT NOT NULL CHECK (schema > 0),
    data JSONB NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('PlantBatch', 'Plant')),
    additive_type TEXT NOT NULL CHECK (additive_type IN ('Fertilizer', 'Pesticide', 'Other')),
    plant_batch_id BIGINT REFERENCES plant_batches (id) DEFERRABLE INITIALLY DEFERRED,
    plant_count BIGINT NOT NULL CHECK (plant_count > 0),
    quantity NUMERIC NOT NULL,
    CHECK (quantity > 0)
);
CREATE INDEX plant_additives_active_id ON plant_additives (license_number, active, id);
CREATE INDEX plant_additives_modified ON plant_additives (license_number, active, last_modified);
CREATE INDEX plant_additives_batch ON plant_additives (plant_batch_id);
CREATE INDEX plant_additives_kind ON plant_additives (license_number, kind, id);
