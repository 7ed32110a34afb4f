-- Which journal entries changed which projection row: the history of one record without
-- scanning the journal. Written with each entry, rebuilt and compared by `audit verify`.
CREATE TABLE journal_touches (
    table_name TEXT NOT NULL,
    row_id BIGINT NOT NULL,
    seq BIGINT NOT NULL,
    PRIMARY KEY (table_name, row_id, seq)
);
CREATE TRIGGER journal_touches_no_update BEFORE UPDATE ON journal_touches
    FOR EACH ROW EXECUTE FUNCTION journal_append_only();
CREATE TRIGGER journal_touches_no_delete BEFORE DELETE ON journal_touches
    FOR EACH ROW EXECUTE FUNCTION journal_append_only();
