-- Which journal entries changed which projection row: the history of one record without
-- scanning the journal. Written with each entry, rebuilt and compared by `audit verify`.
CREATE TABLE journal_touches (
    table_name TEXT NOT NULL,
    row_id INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    PRIMARY KEY (table_name, row_id, seq)
);
CREATE TRIGGER journal_touches_no_update BEFORE UPDATE ON journal_touches
BEGIN
    SELECT RAISE(ABORT, 'the journal is append-only');
END;
CREATE TRIGGER journal_touches_no_delete BEFORE DELETE ON journal_touches
BEGIN
    SELECT RAISE(ABORT, 'the journal is append-only');
END;
