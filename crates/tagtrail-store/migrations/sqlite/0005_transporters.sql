-- Transporters (issue 4): a distributor's drivers and vehicles.

CREATE TABLE drivers (
    id INTEGER PRIMARY KEY,
    license_number TEXT,
    active INTEGER NOT NULL,
    last_modified TEXT NOT NULL,
    lookup TEXT,
    status TEXT,
    data TEXT NOT NULL
);
CREATE INDEX drivers_active_id ON drivers (license_number, active, id);
CREATE INDEX drivers_lookup ON drivers (lookup);

CREATE TABLE vehicles (
    id INTEGER PRIMARY KEY,
    license_number TEXT,
    active INTEGER NOT NULL,
    last_modified TEXT NOT NULL,
    lookup TEXT,
    status TEXT,
    data TEXT NOT NULL
);
CREATE INDEX vehicles_active_id ON vehicles (license_number, active, id);
CREATE INDEX vehicles_lookup ON vehicles (lookup);
