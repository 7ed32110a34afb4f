-- Manifest steps Metrc's API lacks (registering a manifest, receiving a delivery) become
-- submissions too: a manual task with a checklist against Metrc, or a request to a tagtrail
-- ledger's /tagtrail/v1 extensions when the company's Metrc URL is one.

-- Whether the company's Metrc URL is a tagtrail ledger, whose /tagtrail/v1 extensions the
-- outbox may use for those steps. Set by an installation administrator; off for real Metrc.
ALTER TABLE companies ADD COLUMN ledger_extensions INTEGER NOT NULL DEFAULT 0
    CHECK (ledger_extensions IN (0, 1));

-- SQLite cannot alter a CHECK, so the outbox table is rebuilt with the two new kinds and the
-- manual task's checklist (the steps ticked so far, with who and when). Nothing references
-- submissions by key, so the rebuild needs no foreign-key dance.
CREATE TABLE submissions_v2 (
    id INTEGER PRIMARY KEY,
    company_id INTEGER NOT NULL,
    license_id INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('create_packages', 'move_packages', 'finish_packages',
        'create_strains', 'create_locations', 'outgoing_transfer_template',
        'register_manifest', 'receive_delivery', 'create_testing_samples', 'destroy_packages', 'take_back_rejected')),
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
    lease_until TEXT,
    first_attempt_at TEXT,
    last_attempt_at TEXT,
    last_error TEXT CHECK (length(last_error) <= 4000),
    response_status INTEGER,
    response_body TEXT CHECK (length(response_body) <= 200000),
    response_sha256 TEXT CHECK (length(response_sha256) = 64),
    finished_at TEXT,
    checklist TEXT NOT NULL DEFAULT '[]' CHECK (length(checklist) <= 20000),
    FOREIGN KEY (license_id, company_id) REFERENCES licenses (id, company_id),
    CHECK (approved_by IS NULL OR approved_by <> author_id),
    CHECK ((state IN ('accepted', 'rejected', 'withdrawn')) = (finished_at IS NOT NULL))
);
INSERT INTO submissions_v2 (id, company_id, license_id, kind, state, title, reason, intent,
    preflight, author_id, created_at, updated_at, approved_by, approved_at, submitted_by,
    submitted_at, attempts, lease_until, first_attempt_at, last_attempt_at, last_error,
    response_status, response_body, response_sha256, finished_at)
SELECT id, company_id, license_id, kind, state, title, reason, intent, preflight, author_id,
    created_at, updated_at, approved_by, approved_at, submitted_by, submitted_at, attempts,
    lease_until, first_attempt_at, last_attempt_at, last_error, response_status, response_body,
    response_sha256, finished_at
FROM submissions;
DROP TABLE submissions;
ALTER TABLE submissions_v2 RENAME TO submissions;
CREATE INDEX submissions_license_state ON submissions (license_id, state, id);
