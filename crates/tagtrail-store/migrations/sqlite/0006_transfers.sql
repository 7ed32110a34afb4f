-- Transfer manifests (issue 4): the manifest, its recipient's and transporter's index rows
-- (same id as the manifest), and its package lines.

CREATE TABLE transfers (
    id INTEGER PRIMARY KEY,
    license_number TEXT,
    active INTEGER NOT NULL,
    last_modified TEXT NOT NULL,
    lookup TEXT,
    status TEXT,
    data TEXT NOT NULL
);
CREATE INDEX transfers_active_id ON transfers (license_number, active, id);
CREATE INDEX transfers_status_id ON transfers (license_number, status, id);
CREATE INDEX transfers_lookup ON transfers (lookup);

CREATE TABLE transfer_deliveries (
    id INTEGER PRIMARY KEY,
    license_number TEXT,
    active INTEGER NOT NULL,
    last_modified TEXT NOT NULL,
    lookup TEXT,
    status TEXT,
    data TEXT NOT NULL
);
CREATE INDEX transfer_deliveries_active_id ON transfer_deliveries (license_number, active, id);
CREATE INDEX transfer_deliveries_status_id ON transfer_deliveries (license_number, status, id);
CREATE INDEX transfer_deliveries_lookup ON transfer_deliveries (lookup);

CREATE TABLE transfer_transports (
    id INTEGER PRIMARY KEY,
    license_number TEXT,
    active INTEGER NOT NULL,
    last_modified TEXT NOT NULL,
    lookup TEXT,
    status TEXT,
    data TEXT NOT NULL
);
CREATE INDEX transfer_transports_active_id ON transfer_transports (license_number, active, id);
CREATE INDEX transfer_transports_status_id ON transfer_transports (license_number, status, id);
CREATE INDEX transfer_transports_lookup ON transfer_transports (lookup);

CREATE TABLE transfer_packages (
    id INTEGER PRIMARY KEY,
    license_number TEXT,
    active INTEGER NOT NULL,
    last_modified TEXT NOT NULL,
    lookup TEXT,
    status TEXT,
    data TEXT NOT NULL
);
CREATE INDEX transfer_packages_active_id ON transfer_packages (license_number, active, id);
CREATE INDEX transfer_packages_status_id ON transfer_packages (license_number, status, id);
CREATE INDEX transfer_packages_lookup ON transfer_packages (lookup);
