-- Production batches (issue 11, seed 003 §02): a manufacturing license's batch — its type, plan,
-- status, tolerance — and its lines (inputs drawn, process steps, outputs made, waste), an
-- explanation of an imbalance with who reviewed it, and the outbox submissions it made. The
-- lines are JSON of the model's types; the balance is computed from them, never stored.

CREATE TABLE batches (
    id INTEGER PRIMARY KEY,
    company_id INTEGER NOT NULL,
    license_id INTEGER NOT NULL,
    name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    batch_type TEXT NOT NULL CHECK (batch_type IN ('extraction', 'infusion', 'blending',
        'packaging', 'labeling', 'rework')),
    plan TEXT NOT NULL CHECK (length(plan) <= 4000),
    status TEXT NOT NULL CHECK (status IN ('planned', 'in_progress', 'completed', 'submitted',
        'accepted')),
    -- Percent of the inputs' weight, as an exact decimal.
    tolerance_percent TEXT NOT NULL CHECK (length(tolerance_percent) BETWEEN 1 AND 40),
    -- The declared process loss (JSON of an amount), if any.
    process_loss TEXT CHECK (length(process_loss) <= 1000),
    created_by INTEGER NOT NULL REFERENCES users (id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    completed_at TEXT,
    FOREIGN KEY (license_id, company_id) REFERENCES licenses (id, company_id),
    UNIQUE (license_id, name),
    CHECK ((status IN ('completed', 'submitted', 'accepted')) = (completed_at IS NOT NULL))
);
CREATE INDEX batches_license_status ON batches (license_id, status, id);

CREATE TABLE batch_lines (
    id INTEGER PRIMARY KEY,
    batch_id INTEGER NOT NULL REFERENCES batches (id),
    kind TEXT NOT NULL CHECK (kind IN ('input', 'output', 'waste', 'step')),
    data TEXT NOT NULL CHECK (length(data) <= 20000),
    recorded_by INTEGER NOT NULL REFERENCES users (id),
    recorded_at TEXT NOT NULL
);
CREATE INDEX batch_lines_batch ON batch_lines (batch_id, kind, id);

-- Why a batch is out of balance, and the second person who reviewed it (never its author).
CREATE TABLE batch_explanations (
    batch_id INTEGER PRIMARY KEY REFERENCES batches (id),
    text TEXT NOT NULL CHECK (length(text) BETWEEN 1 AND 4000),
    written_by INTEGER NOT NULL REFERENCES users (id),
    written_at TEXT NOT NULL,
    reviewed_by INTEGER REFERENCES users (id),
    reviewed_at TEXT,
    CHECK (reviewed_by IS NULL OR reviewed_by <> written_by),
    CHECK ((reviewed_by IS NULL) = (reviewed_at IS NULL))
);

CREATE TABLE batch_submissions (
    batch_id INTEGER NOT NULL REFERENCES batches (id),
    submission_id INTEGER NOT NULL UNIQUE,
    PRIMARY KEY (batch_id, submission_id)
);

-- Distribution's release gate (issue 11, seed 003 §02). Certificates of analysis per lot, each
-- revision a new version (the document itself, base64, at most 2 MB, with its SHA-256).
CREATE TABLE coa_documents (
    id INTEGER PRIMARY KEY,
    license_id INTEGER NOT NULL REFERENCES licenses (id),
    label TEXT NOT NULL CHECK (length(label) BETWEEN 1 AND 200),
    version INTEGER NOT NULL CHECK (version >= 1),
    lab TEXT NOT NULL CHECK (length(lab) BETWEEN 1 AND 200),
    file_name TEXT NOT NULL CHECK (length(file_name) BETWEEN 1 AND 200),
    content_type TEXT NOT NULL CHECK (length(content_type) BETWEEN 1 AND 100),
    body_base64 TEXT NOT NULL CHECK (length(body_base64) <= 2800000),
    sha256 TEXT NOT NULL CHECK (length(sha256) = 64),
    thc_percent TEXT CHECK (length(thc_percent) <= 40),
    cbd_percent TEXT CHECK (length(cbd_percent) <= 40),
    uploaded_by INTEGER NOT NULL REFERENCES users (id),
    uploaded_at TEXT NOT NULL,
    UNIQUE (license_id, label, version)
);

-- The potency a package's label carries (what a revised COA may contradict).
CREATE TABLE label_claims (
    license_id INTEGER NOT NULL REFERENCES licenses (id),
    label TEXT NOT NULL CHECK (length(label) BETWEEN 1 AND 200),
    -- The lot whose COA the label's potency came from.
    lot TEXT NOT NULL CHECK (length(lot) BETWEEN 1 AND 200),
    thc_percent TEXT CHECK (length(thc_percent) <= 40),
    cbd_percent TEXT CHECK (length(cbd_percent) <= 40),
    recorded_by INTEGER NOT NULL REFERENCES users (id),
    recorded_at TEXT NOT NULL,
    PRIMARY KEY (license_id, label)
);

-- Holds a person placed, with owner and reason; lifted only by a person (never by sync).
CREATE TABLE holds (
    id INTEGER PRIMARY KEY,
    license_id INTEGER NOT NULL REFERENCES licenses (id),
    label TEXT NOT NULL CHECK (length(label) BETWEEN 1 AND 200),
    reason TEXT NOT NULL CHECK (length(reason) BETWEEN 1 AND 1000),
    placed_by INTEGER NOT NULL REFERENCES users (id),
    placed_at TEXT NOT NULL,
    lifted_by INTEGER REFERENCES users (id),
    lifted_at TEXT,
    lift_reason TEXT CHECK (length(lift_reason) <= 1000),
    CHECK ((lifted_by IS NULL) = (lifted_at IS NULL))
);
CREATE INDEX holds_license_label ON holds (license_id, label);

-- A lot's QA review: the checklist its preparer ticked against one COA version, then the
-- release by a second person, or a rejection to remediation or destruction.
CREATE TABLE qa_reviews (
    id INTEGER PRIMARY KEY,
    license_id INTEGER NOT NULL REFERENCES licenses (id),
    label TEXT NOT NULL CHECK (length(label) BETWEEN 1 AND 200),
    coa_id INTEGER REFERENCES coa_documents (id),
    checklist TEXT NOT NULL CHECK (length(checklist) <= 2000),
    notes TEXT NOT NULL CHECK (length(notes) <= 4000),
    prepared_by INTEGER NOT NULL REFERENCES users (id),
    prepared_at TEXT NOT NULL,
    outcome TEXT CHECK (outcome IN ('released', 'remediation', 'destruction')),
    decided_by INTEGER REFERENCES users (id),
    decided_at TEXT,
    decision_reason TEXT CHECK (length(decision_reason) <= 1000),
    CHECK ((outcome IS NULL) = (decided_by IS NULL)),
    CHECK ((outcome IS NULL) = (decided_at IS NULL)),
    -- Release needs a second person (the model says so too; the database holds it).
    CHECK (decided_by IS NULL OR outcome <> 'released' OR decided_by <> prepared_by)
);
CREATE INDEX qa_reviews_license_label ON qa_reviews (license_id, label, id);
