-- The web UI's lists and messages.
--
-- Packages carry the item and location names they show (folded), so a list can be sorted by
-- them and filtered by part of a name in the database, a page at a time. The projection is
-- rebuilt from the journal on the next open to fill them: the names are folded the way the
-- application folds them (Unicode lower case), which SQL's LOWER does not do alike on both
-- backends.
ALTER TABLE packages ADD COLUMN item_name TEXT NOT NULL DEFAULT '';
ALTER TABLE packages ADD COLUMN location_name TEXT;
CREATE INDEX packages_item_name ON packages (license_number, item_name, id);
CREATE INDEX packages_location_name ON packages (license_number, location_name, id);
-- Drivers are found and sorted by name as well as by their license number.
ALTER TABLE drivers ADD COLUMN name_key TEXT NOT NULL DEFAULT '';
CREATE INDEX drivers_name ON drivers (license_number, name_key, id);
UPDATE projection_state SET rebuild_from_journal = 1 WHERE id = 1;

-- The outcome of a session's last form (a message, the problems, what was typed), shown once
-- on the next page instead of travelling in its address, where a link could make a page say
-- anything.
ALTER TABLE web_sessions ADD COLUMN flash TEXT;

-- State inspectors' read-only access to licenses, granted by the operator.
CREATE TABLE inspections (
    id INTEGER PRIMARY KEY,
    license_number TEXT,
    active INTEGER NOT NULL CHECK (active IN (0, 1)),
    last_modified TEXT NOT NULL,
    schema INTEGER NOT NULL CHECK (schema > 0),
    data TEXT NOT NULL CHECK (json_valid(data)),
    user_id INTEGER NOT NULL REFERENCES users (id) DEFERRABLE INITIALLY DEFERRED,
    UNIQUE (license_number, user_id)
);
CREATE INDEX inspections_active_id ON inspections (license_number, active, id);
CREATE INDEX inspections_modified ON inspections (license_number, active, last_modified);
CREATE INDEX inspections_user ON inspections (user_id);
