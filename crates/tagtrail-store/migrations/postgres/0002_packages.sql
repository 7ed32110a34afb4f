-- Packages (issue 3). Same columns as every projection table. Lists filter on
-- (license_number, active|status) and page in id order, so those indexes end in id: a page of
-- active packages never sorts the finished history (the July 2020 bulletin's failure mode).

CREATE TABLE packages (
    id BIGINT PRIMARY KEY,
    license_number TEXT,
    active BIGINT NOT NULL,
    last_modified TEXT NOT NULL,
    lookup TEXT,
    status TEXT,
    data TEXT NOT NULL
);
CREATE INDEX packages_active_id ON packages (license_number, active, id);
CREATE INDEX packages_status_id ON packages (license_number, status, id);
CREATE INDEX packages_modified ON packages (license_number, active, last_modified);
CREATE INDEX packages_lookup ON packages (lookup);

CREATE TABLE package_adjustments (
    id BIGINT PRIMARY KEY,
    license_number TEXT,
    active BIGINT NOT NULL,
    last_modified TEXT NOT NULL,
    lookup TEXT,
    status TEXT,
    data TEXT NOT NULL
);
CREATE INDEX package_adjustments_active_id ON package_adjustments (license_number, active, id);
CREATE INDEX package_adjustments_status_id ON package_adjustments (license_number, status, id);
CREATE INDEX package_adjustments_modified ON package_adjustments (license_number, active, last_modified);
CREATE INDEX package_adjustments_lookup ON package_adjustments (lookup);

CREATE TABLE package_links (
    id BIGINT PRIMARY KEY,
    license_number TEXT,
    active BIGINT NOT NULL,
    last_modified TEXT NOT NULL,
    lookup TEXT,
    status TEXT,
    data TEXT NOT NULL
);
CREATE INDEX package_links_active_id ON package_links (license_number, active, id);
CREATE INDEX package_links_status_id ON package_links (license_number, status, id);
CREATE INDEX package_links_modified ON package_links (license_number, active, last_modified);
CREATE INDEX package_links_lookup ON package_links (lookup);
