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
