-- Lab testing (issue 3): samples at laboratories, results, certificate-of-analysis metadata.

CREATE TABLE lab_samples (
    id BIGINT PRIMARY KEY,
    license_number TEXT,
    active BIGINT NOT NULL,
    last_modified TEXT NOT NULL,
    lookup TEXT,
    status TEXT,
    data TEXT NOT NULL
);
CREATE INDEX lab_samples_active_id ON lab_samples (license_number, active, id);
CREATE INDEX lab_samples_modified ON lab_samples (license_number, active, last_modified);
CREATE INDEX lab_samples_lookup ON lab_samples (lookup);

CREATE TABLE lab_results (
    id BIGINT PRIMARY KEY,
    license_number TEXT,
    active BIGINT NOT NULL,
    last_modified TEXT NOT NULL,
    lookup TEXT,
    status TEXT,
    data TEXT NOT NULL
);
CREATE INDEX lab_results_active_id ON lab_results (license_number, active, id);
CREATE INDEX lab_results_modified ON lab_results (license_number, active, last_modified);
CREATE INDEX lab_results_lookup ON lab_results (lookup);

CREATE TABLE lab_documents (
    id BIGINT PRIMARY KEY,
    license_number TEXT,
    active BIGINT NOT NULL,
    last_modified TEXT NOT NULL,
    lookup TEXT,
    status TEXT,
    data TEXT NOT NULL
);
CREATE INDEX lab_documents_active_id ON lab_documents (license_number, active, id);
CREATE INDEX lab_documents_modified ON lab_documents (license_number, active, last_modified);
CREATE INDEX lab_documents_lookup ON lab_documents (lookup);

-- Document bytes (COA PDFs), addressed by their SHA-256. Journal entries carry the hash; the
-- bytes are written once, in the same transaction, and never changed or deleted.
CREATE TABLE document_blobs (
    sha256 TEXT PRIMARY KEY,
    size BIGINT NOT NULL,
    content BYTEA NOT NULL
);

CREATE TRIGGER document_blobs_no_update BEFORE UPDATE ON document_blobs
    FOR EACH ROW EXECUTE FUNCTION journal_append_only();
CREATE TRIGGER document_blobs_no_delete BEFORE DELETE ON document_blobs
    FOR EACH ROW EXECUTE FUNCTION journal_append_only();
