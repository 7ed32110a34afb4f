-- Harvests (Metrc's Harvests group): harvest batches and the waste recorded against them. The
-- database holds what it can by itself: a harvest's name is unique in its license, finished or
-- not (a finished harvest stays readable and can be unfinished, rule 72, so its name stays
-- taken); its status is a known value; its current weight (`quantity`: wet weight less waste,
-- packages and restored plants) is never negative; its drying location and each waste's
-- harvest name a row. Depends on no table of 0013 (plants name their harvest without a foreign
-- key there). New tables start empty, so nothing is rebuilt.
CREATE TABLE harvests (
    id BIGINT PRIMARY KEY,
    license_number TEXT,
    active BIGINT NOT NULL CHECK (active IN (0, 1)),
    last_modified TEXT NOT NULL,
    schema BIGINT NOT NULL CHECK (schema > 0),
    data JSONB NOT NULL,
    name_key TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('Active', 'OnHold', 'Finished')),
    location_id BIGINT NOT NULL REFERENCES locations (id) DEFERRABLE INITIALLY DEFERRED,
    quantity NUMERIC NOT NULL,
    CHECK (quantity >= 0),
    CHECK ((status = 'Finished') = (active = 0))
);
CREATE INDEX harvests_active_id ON harvests (license_number, active, id);
CREATE INDEX harvests_modified ON harvests (license_number, active, last_modified);
CREATE INDEX harvests_status ON harvests (license_number, status, id);
CREATE UNIQUE INDEX harvests_name ON harvests (license_number, name_key);
CREATE INDEX harvests_key ON harvests (name_key);

CREATE TABLE harvest_wastes (
    id BIGINT PRIMARY KEY,
    license_number TEXT,
    active BIGINT NOT NULL CHECK (active IN (0, 1)),
    last_modified TEXT NOT NULL,
    schema BIGINT NOT NULL CHECK (schema > 0),
    data JSONB NOT NULL,
    harvest_id BIGINT NOT NULL REFERENCES harvests (id) DEFERRABLE INITIALLY DEFERRED
);
CREATE INDEX harvest_wastes_active_id ON harvest_wastes (license_number, active, id);
CREATE INDEX harvest_wastes_modified ON harvest_wastes (license_number, active, last_modified);
CREATE INDEX harvest_wastes_harvest ON harvest_wastes (harvest_id, active, id);
