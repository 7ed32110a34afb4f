-- Web UI sign-in sessions, kept in the database so that a restart keeps employees signed in and
-- several ledger processes on one PostgreSQL share them. Only a hash of the session token is
-- stored. Sessions are not regulated actions, so they are not journaled.
CREATE TABLE web_sessions (
    token_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL,
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX web_sessions_expiry ON web_sessions (expires_at);
CREATE INDEX web_sessions_user ON web_sessions (user_id);
