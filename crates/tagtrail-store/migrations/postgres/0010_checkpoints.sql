-- Signed checkpoints of the journal's head (see docs/checkpoints.md). The signing key stays
-- outside the database; only public keys and signatures are stored here, to publish them.
-- Both tables are append-only like the journal: a checkpoint, once published, is never changed.
CREATE FUNCTION checkpoints_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'checkpoints are append-only';
END
$$;

CREATE TABLE checkpoint_keys (
    key_id TEXT PRIMARY KEY,
    public_key TEXT NOT NULL UNIQUE,
    added_at TEXT NOT NULL
);
CREATE TRIGGER checkpoint_keys_no_update BEFORE UPDATE ON checkpoint_keys
    FOR EACH ROW EXECUTE FUNCTION checkpoints_append_only();
CREATE TRIGGER checkpoint_keys_no_delete BEFORE DELETE ON checkpoint_keys
    FOR EACH ROW EXECUTE FUNCTION checkpoints_append_only();
CREATE TRIGGER checkpoint_keys_no_truncate BEFORE TRUNCATE ON checkpoint_keys
    FOR EACH STATEMENT EXECUTE FUNCTION checkpoints_append_only();

-- One checkpoint per journal entry at most: two signers racing for the same head keep the first.
CREATE TABLE checkpoints (
    seq BIGINT PRIMARY KEY REFERENCES journal (seq),
    hash TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    signed_at TEXT NOT NULL,
    key_id TEXT NOT NULL REFERENCES checkpoint_keys (key_id),
    signature TEXT NOT NULL
);
CREATE TRIGGER checkpoints_no_update BEFORE UPDATE ON checkpoints
    FOR EACH ROW EXECUTE FUNCTION checkpoints_append_only();
CREATE TRIGGER checkpoints_no_delete BEFORE DELETE ON checkpoints
    FOR EACH ROW EXECUTE FUNCTION checkpoints_append_only();
CREATE TRIGGER checkpoints_no_truncate BEFORE TRUNCATE ON checkpoints
    FOR EACH STATEMENT EXECUTE FUNCTION checkpoints_append_only();
