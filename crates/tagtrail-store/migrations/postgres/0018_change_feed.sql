-- The change feed: for each license, the rows each journal entry changed that belong to it (its
-- own rows, and the manifests naming it as recipient or transporter), in journal order. `ordinal`
-- is the row's place among the distinct rows its entry changed, the same for every license, so
-- (seq, ordinal) is a cursor that neither skips nor repeats. Derived from the journal: written
-- with each entry, rebuilt and compared by `audit verify`, refilled on open if behind.
CREATE TABLE change_feed (
    license_number TEXT NOT NULL,
    seq BIGINT NOT NULL,
    ordinal BIGINT NOT NULL,
    table_name TEXT NOT NULL,
    row_id BIGINT NOT NULL,
    PRIMARY KEY (license_number, seq, ordinal)
);
CREATE INDEX change_feed_by_seq ON change_feed (seq);
CREATE TRIGGER change_feed_no_update BEFORE UPDATE ON change_feed
    FOR EACH ROW EXECUTE FUNCTION journal_append_only();
CREATE TRIGGER change_feed_no_delete BEFORE DELETE ON change_feed
    FOR EACH ROW EXECUTE FUNCTION journal_append_only();
