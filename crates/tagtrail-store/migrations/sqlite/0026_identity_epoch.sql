-- The identity epoch: a number every journal entry that changes who may do what (a facility, a
-- user, an employment, an inspection, a vendor or user key) raises, in its own transaction. A
-- server caches callers and their scopes under the epoch it read, and one read of this row per
-- request tells it whether they still hold, on every node that shares the database.
CREATE TABLE identity_epoch (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    epoch BIGINT NOT NULL CHECK (epoch >= 0)
);
INSERT INTO identity_epoch (id, epoch) VALUES (1, 0);
