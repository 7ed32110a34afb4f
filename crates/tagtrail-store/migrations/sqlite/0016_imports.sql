-- The Data Import page's uploads (rule 73; bulletin V-VII): a CSV file an employee uploaded,
-- what validating it found, and, once applied, the journal entries it became. Not journaled
-- itself: an upload changes nothing regulated until it is applied, and then the journal entries
-- (door `import`, with the file's name and SHA-256) are the record. The file is kept so that it
-- can be applied later, by any ledger process, and checked against the digest the journal names.
-- Every text column is bounded, so nothing an uploader sends is stored unbounded.
CREATE TABLE imports (
    id INTEGER PRIMARY KEY,
    license_number TEXT NOT NULL CHECK (length(license_number) <= 100),
    kind TEXT NOT NULL CHECK (length(kind) <= 40),
    file_name TEXT NOT NULL CHECK (length(file_name) <= 255),
    sha256 TEXT NOT NULL CHECK (length(sha256) = 64),
    content BLOB NOT NULL CHECK (length(content) <= 16777216),
    row_count BIGINT NOT NULL CHECK (row_count >= 0),
    status TEXT NOT NULL CHECK (status IN ('validating', 'failed', 'ready', 'applying', 'applied')),
    error_count BIGINT NOT NULL DEFAULT 0 CHECK (error_count >= 0),
    errors TEXT CHECK (length(errors) <= 200000),
    progress BIGINT NOT NULL DEFAULT 0 CHECK (progress >= 0),
    created_by TEXT NOT NULL CHECK (length(created_by) <= 300),
    created_at TEXT NOT NULL CHECK (length(created_at) <= 40),
    updated_at TEXT NOT NULL CHECK (length(updated_at) <= 40),
    journal_first BIGINT REFERENCES journal (seq),
    journal_last BIGINT REFERENCES journal (seq)
);
CREATE INDEX imports_license ON imports (license_number, id);
