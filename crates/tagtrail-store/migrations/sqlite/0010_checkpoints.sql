-- Signed checkpoints of the journal's head (see docs/checkpoints.md). The signing key stays
-- outside the database; only public keys and signatures are stored here, to publish them.
-- Both tables are append-only like the journal: a checkpoint, once published, is never changed.
CREATE TABLE checkpoint_keys (
    key_id TEXT PRIMARY KEY,
    public_key TEXT NOT NULL UNIQUE,
    added_at TEXT NOT NULL
);
CREATE TRIGGER checkpoint_keys_no_update BEFORE UPDATE ON checkpoint_keys
BEGIN
    SELECT RAISE(ABORT, 'checkpoints are append-only');
END;
CREATE TRIGGER checkpoint_keys_no_delete BEFORE DELETE ON checkpoint_keys
BEGIN
    SELECT RAISE(ABORT, 'checkpoints are append-only');
END;

-- One checkpoint per journal entry at most: two signers racing for the same head keep the first.
CREATE TABLE checkpoints (
    seq INTEGER PRIMARY KEY REFERENCES journal (seq),
    hash TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    signed_at TEXT NOT NULL,
    key_id TEXT NOT NULL REFERENCES checkpoint_keys (key_id),
    signature TEXT NOT NULL
);
CREATE TRIGGER checkpoints_no_update BEFORE UPDATE ON checkpoints
BEGIN
    SELECT RAISE(ABORT, 'checkpoints are append-only');
END;
CREATE TRIGGER checkpoints_no_delete BEFORE DELETE ON checkpoints
BEGIN
    SELECT RAISE(ABORT, 'checkpoints are append-only');
END;
