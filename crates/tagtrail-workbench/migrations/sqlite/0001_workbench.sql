-- The workbench's own database (seed 003 §07). It never holds the ledger's data: what it knows
-- of Metrc it learned over the Metrc v2 API, kept as snapshots with the sync run that saw them.
-- Times are TEXT in one fixed-width UTC format (sortable on both backends); quantities are
-- exact decimals as TEXT; every text column has a maximum so no index entry outgrows a page.

CREATE TABLE companies (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 200),
    -- The Metrc v2 API this company's licenses live in (real Metrc, a sandbox, a tagtrail ledger).
    metrc_url TEXT NOT NULL CHECK (length(metrc_url) BETWEEN 1 AND 300),
    created_at TEXT NOT NULL
);

CREATE TABLE licenses (
    id INTEGER PRIMARY KEY,
    company_id INTEGER NOT NULL REFERENCES companies (id),
    license_number TEXT NOT NULL UNIQUE CHECK (length(license_number) BETWEEN 1 AND 50),
    name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    kind TEXT NOT NULL CHECK (length(kind) BETWEEN 1 AND 50),
    -- The colour every page of this license's context carries (#rrggbb).
    colour TEXT NOT NULL CHECK (length(colour) = 7),
    created_at TEXT NOT NULL,
    UNIQUE (id, company_id)
);

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    -- NULL for the installation's own administrators, who belong to no company.
    company_id INTEGER REFERENCES companies (id),
    username TEXT NOT NULL UNIQUE CHECK (length(username) BETWEEN 1 AND 100),
    full_name TEXT NOT NULL CHECK (length(full_name) BETWEEN 1 AND 200),
    password_hash TEXT NOT NULL CHECK (length(password_hash) <= 200),
    -- The TOTP secret, encrypted like the Metrc keys (nonce:ciphertext, base64).
    totp_secret TEXT CHECK (length(totp_secret) <= 400),
    installation_admin INTEGER NOT NULL DEFAULT 0 CHECK (installation_admin IN (0, 1)),
    disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    created_at TEXT NOT NULL,
    CHECK ((installation_admin = 1) = (company_id IS NULL)),
    UNIQUE (id, company_id)
);

-- Roles are granted per license. The two composite references make the database refuse a grant
-- that would cross companies: the user and the license must belong to the same one.
CREATE TABLE roles (
    user_id INTEGER NOT NULL,
    license_id INTEGER NOT NULL,
    company_id INTEGER NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'compliance_manager', 'qa', 'operator', 'viewer')),
    granted_by INTEGER REFERENCES users (id),
    granted_at TEXT NOT NULL,
    PRIMARY KEY (user_id, license_id, role),
    FOREIGN KEY (user_id, company_id) REFERENCES users (id, company_id),
    FOREIGN KEY (license_id, company_id) REFERENCES licenses (id, company_id)
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY CHECK (length(token_hash) = 64),
    user_id INTEGER NOT NULL REFERENCES users (id),
    csrf_token TEXT NOT NULL CHECK (length(csrf_token) <= 100),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    -- When the person last confirmed their second factor in this session.
    second_factor_at TEXT,
    flash TEXT CHECK (length(flash) <= 2000)
);
CREATE INDEX sessions_user ON sessions (user_id);

-- Metrc keys, encrypted with AES-256-GCM under the operator's key-encryption key, which is never
-- in this database. The vendor key belongs to the company (no license); user keys to a license.
CREATE TABLE metrc_credentials (
    id INTEGER PRIMARY KEY,
    company_id INTEGER NOT NULL REFERENCES companies (id),
    license_id INTEGER REFERENCES licenses (id),
    kind TEXT NOT NULL CHECK (kind IN ('vendor', 'user')),
    sealed TEXT NOT NULL CHECK (length(sealed) <= 2000),
    last4 TEXT NOT NULL CHECK (length(last4) <= 4),
    -- A user key's holder, by employee license number (Metrc asks for it to list permissions).
    holder TEXT CHECK (length(holder) <= 100),
    -- Which environment the key is for; production keys are refused outside production.
    environment TEXT NOT NULL CHECK (environment IN ('dev', 'staging', 'prod')),
    created_by INTEGER REFERENCES users (id),
    created_at TEXT NOT NULL,
    expires_at TEXT,
    retired_at TEXT,
    CHECK ((kind = 'vendor') = (license_id IS NULL))
);
CREATE UNIQUE INDEX metrc_credentials_current
    ON metrc_credentials (company_id, kind, COALESCE(license_id, 0)) WHERE retired_at IS NULL;

CREATE TABLE sync_runs (
    id INTEGER PRIMARY KEY,
    license_id INTEGER NOT NULL REFERENCES licenses (id),
    trigger_kind TEXT NOT NULL CHECK (trigger_kind IN ('first', 'incremental', 'manual')),
    started_by INTEGER REFERENCES users (id),
    started_at TEXT NOT NULL,
    finished_at TEXT,
    status TEXT NOT NULL CHECK (status IN ('running', 'finished', 'failed', 'interrupted')),
    windows INTEGER NOT NULL DEFAULT 0,
    requests INTEGER NOT NULL DEFAULT 0,
    records INTEGER NOT NULL DEFAULT 0,
    new_versions INTEGER NOT NULL DEFAULT 0,
    errors TEXT CHECK (length(errors) <= 4000)
);
CREATE INDEX sync_runs_license ON sync_runs (license_id, id);

-- The end of the last window each entity group completed: a crashed run resumes from here.
CREATE TABLE sync_cursors (
    license_id INTEGER NOT NULL REFERENCES licenses (id),
    entity TEXT NOT NULL CHECK (length(entity) <= 50),
    completed_until TEXT NOT NULL,
    sync_run_id INTEGER NOT NULL REFERENCES sync_runs (id),
    PRIMARY KEY (license_id, entity)
);

-- The current version of every record synced (packages, items, strains, locations, facilities,
-- employees, transfers, deliveries, lab results, drivers, vehicles, tags...), one row per record.
CREATE TABLE metrc_records (
    license_id INTEGER NOT NULL REFERENCES licenses (id),
    entity TEXT NOT NULL CHECK (length(entity) <= 50),
    record_key TEXT NOT NULL CHECK (length(record_key) BETWEEN 1 AND 200),
    label TEXT CHECK (length(label) <= 200),
    list TEXT CHECK (length(list) <= 50),
    last_modified TEXT CHECK (length(last_modified) <= 40),
    sha256 TEXT NOT NULL CHECK (length(sha256) = 64),
    data TEXT NOT NULL,
    sync_run_id INTEGER NOT NULL REFERENCES sync_runs (id),
    synced_at TEXT NOT NULL,
    PRIMARY KEY (license_id, entity, record_key)
);
CREATE INDEX metrc_records_label ON metrc_records (license_id, entity, label);

-- Every version of every record, as first seen: de-duplicated by its key and content (which
-- includes LastModified), so the overlap of two windows adds nothing.
CREATE TABLE snapshots (
    id INTEGER PRIMARY KEY,
    license_id INTEGER NOT NULL REFERENCES licenses (id),
    entity TEXT NOT NULL CHECK (length(entity) <= 50),
    record_key TEXT NOT NULL CHECK (length(record_key) BETWEEN 1 AND 200),
    label TEXT CHECK (length(label) <= 200),
    list TEXT CHECK (length(list) <= 50),
    last_modified TEXT CHECK (length(last_modified) <= 40),
    sha256 TEXT NOT NULL CHECK (length(sha256) = 64),
    data TEXT NOT NULL,
    sync_run_id INTEGER NOT NULL REFERENCES sync_runs (id),
    seen_at TEXT NOT NULL,
    UNIQUE (license_id, entity, record_key, sha256)
);
CREATE INDEX snapshots_label ON snapshots (license_id, label, id);

CREATE TABLE package_lineage (
    license_id INTEGER NOT NULL REFERENCES licenses (id),
    child_label TEXT NOT NULL CHECK (length(child_label) <= 200),
    parent_label TEXT NOT NULL CHECK (length(parent_label) <= 200),
    PRIMARY KEY (license_id, child_label, parent_label)
);

CREATE TABLE metrc_api_response_hashes (
    sha256 TEXT PRIMARY KEY CHECK (length(sha256) = 64),
    bytes INTEGER NOT NULL,
    first_seen TEXT NOT NULL
);

-- Every request to Metrc: who (user, or the sync/outbox for them), which keys (by id, never the
-- keys), which endpoint, Metrc's status and the hash of its answer.
CREATE TABLE metrc_api_requests (
    id INTEGER PRIMARY KEY,
    company_id INTEGER NOT NULL REFERENCES companies (id),
    license_id INTEGER REFERENCES licenses (id),
    vendor_credential_id INTEGER REFERENCES metrc_credentials (id),
    user_credential_id INTEGER REFERENCES metrc_credentials (id),
    user_id INTEGER REFERENCES users (id),
    sync_run_id INTEGER REFERENCES sync_runs (id),
    submission_id INTEGER,
    method TEXT NOT NULL CHECK (length(method) <= 10),
    path TEXT NOT NULL CHECK (length(path) <= 300),
    query TEXT CHECK (length(query) <= 1000),
    request_sha256 TEXT CHECK (length(request_sha256) = 64),
    status INTEGER,
    response_sha256 TEXT REFERENCES metrc_api_response_hashes (sha256),
    elapsed_ms INTEGER NOT NULL,
    error TEXT CHECK (length(error) <= 1000),
    at TEXT NOT NULL
);
CREATE INDEX metrc_api_requests_license ON metrc_api_requests (license_id, id);

-- The outbox. The database holds its two rules that need no code: a final state is final only
-- with its time, and nobody approves their own submission.
CREATE TABLE submissions (
    id INTEGER PRIMARY KEY,
    company_id INTEGER NOT NULL,
    license_id INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('create_packages', 'move_packages', 'finish_packages',
        'create_strains', 'create_locations', 'outgoing_transfer_template')),
    state TEXT NOT NULL CHECK (state IN ('draft', 'review', 'approved', 'submitted', 'accepted',
        'rejected', 'withdrawn')),
    title TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    reason TEXT NOT NULL CHECK (length(reason) BETWEEN 1 AND 1000),
    intent TEXT NOT NULL CHECK (length(intent) <= 200000),
    preflight TEXT NOT NULL CHECK (length(preflight) <= 200000),
    author_id INTEGER NOT NULL REFERENCES users (id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    approved_by INTEGER REFERENCES users (id),
    approved_at TEXT,
    submitted_by INTEGER REFERENCES users (id),
    submitted_at TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    -- While set and in the future, one outbox worker owns the submission's next attempt; two
    -- workers never send the same submission at once.
    lease_until TEXT,
    -- When the first attempt was made: a later check for the effect reads from here.
    first_attempt_at TEXT,
    last_attempt_at TEXT,
    last_error TEXT CHECK (length(last_error) <= 4000),
    response_status INTEGER,
    response_body TEXT CHECK (length(response_body) <= 200000),
    response_sha256 TEXT CHECK (length(response_sha256) = 64),
    finished_at TEXT,
    FOREIGN KEY (license_id, company_id) REFERENCES licenses (id, company_id),
    CHECK (approved_by IS NULL OR approved_by <> author_id),
    CHECK ((state IN ('accepted', 'rejected', 'withdrawn')) = (finished_at IS NOT NULL))
);
CREATE INDEX submissions_license_state ON submissions (license_id, state, id);

-- What the workbench expects of each package: adopted from the first sync, then moved only by
-- its own accepted submissions and by people's decisions. Sync never changes it, so a hold a
-- person placed is never lifted by automation.
CREATE TABLE expectations (
    license_id INTEGER NOT NULL REFERENCES licenses (id),
    label TEXT NOT NULL CHECK (length(label) <= 200),
    quantity TEXT NOT NULL CHECK (length(quantity) <= 40),
    unit TEXT NOT NULL CHECK (length(unit) <= 50),
    location TEXT CHECK (length(location) <= 200),
    status TEXT NOT NULL CHECK (status IN ('active', 'in transit', 'inactive')),
    lab_state TEXT CHECK (length(lab_state) <= 50),
    on_hold INTEGER NOT NULL CHECK (on_hold IN (0, 1)),
    source TEXT NOT NULL CHECK (length(source) <= 200),
    updated_at TEXT NOT NULL,
    PRIMARY KEY (license_id, label)
);

CREATE TABLE physical_counts (
    id INTEGER PRIMARY KEY,
    license_id INTEGER NOT NULL REFERENCES licenses (id),
    label TEXT NOT NULL CHECK (length(label) BETWEEN 1 AND 200),
    quantity TEXT NOT NULL CHECK (length(quantity) <= 40),
    unit TEXT NOT NULL CHECK (length(unit) <= 50),
    counted_by INTEGER NOT NULL REFERENCES users (id),
    counted_at TEXT NOT NULL,
    source TEXT NOT NULL CHECK (source IN ('screen', 'csv')),
    sheet_sha256 TEXT CHECK (length(sheet_sha256) = 64)
);
CREATE INDEX physical_counts_label ON physical_counts (license_id, label, id);

CREATE TABLE reconciliation_reports (
    id INTEGER PRIMARY KEY,
    license_id INTEGER NOT NULL REFERENCES licenses (id),
    at TEXT NOT NULL,
    local_count INTEGER NOT NULL,
    metrc_count INTEGER NOT NULL,
    counted INTEGER NOT NULL,
    synced_at TEXT,
    discrepancies INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('agrees', 'discrepancies', 'never synced'))
);

CREATE TABLE exceptions (
    id INTEGER PRIMARY KEY,
    license_id INTEGER NOT NULL REFERENCES licenses (id),
    report_id INTEGER NOT NULL REFERENCES reconciliation_reports (id),
    label TEXT NOT NULL CHECK (length(label) <= 200),
    class TEXT NOT NULL CHECK (class IN ('missing_in_metrc', 'missing_locally', 'quantity',
        'status', 'lab_state', 'hold', 'location', 'unknown_package')),
    detail TEXT NOT NULL CHECK (length(detail) <= 1000),
    opened_at TEXT NOT NULL,
    resolved_at TEXT,
    resolved_by INTEGER REFERENCES users (id),
    resolution TEXT CHECK (length(resolution) <= 1000),
    CHECK ((resolved_at IS NULL) = (resolution IS NULL))
);
CREATE UNIQUE INDEX exceptions_open ON exceptions (license_id, label, class) WHERE resolved_at IS NULL;

-- The audit log (the seed's compliance_events): append-only and hash-chained; see
-- tagtrail-workbench-model's chain module. `workbench audit verify` walks it from genesis.
CREATE TABLE compliance_events (
    seq INTEGER PRIMARY KEY,
    prev_hash TEXT NOT NULL CHECK (length(prev_hash) = 64),
    hash TEXT NOT NULL UNIQUE CHECK (length(hash) = 64),
    at TEXT NOT NULL,
    company_id INTEGER,
    license_number TEXT CHECK (length(license_number) <= 50),
    user_id INTEGER,
    door TEXT NOT NULL CHECK (door IN ('web', 'cli', 'sync', 'outbox')),
    action TEXT NOT NULL CHECK (length(action) <= 100),
    reason TEXT NOT NULL CHECK (length(reason) <= 1000),
    endpoint TEXT CHECK (length(endpoint) <= 300),
    request TEXT CHECK (length(request) <= 200000),
    response_status INTEGER,
    response_sha256 TEXT CHECK (length(response_sha256) = 64)
);
CREATE INDEX compliance_events_license ON compliance_events (license_number, seq);
