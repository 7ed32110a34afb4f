-- The history tier of sales receipts (rule 72; the July 2020 bulletin names sales receipts as
-- one of the two data sets whose size slowed Metrc down): an active receipt's row in
-- `sales_receipts`, a finalized or voided one's in `sales_receipts_history`, moved by the store
-- in the entry that finalizes, voids or unfinalizes it. `sales_receipt_keys` keeps every
-- receipt's id, license, external number and status, so an external number stays unique in its
-- license among receipts not voided, across both tiers. Nothing references a receipt, so the
-- old table is simply replaced.
CREATE TABLE sales_receipt_keys (
    id BIGINT PRIMARY KEY,
    license_number TEXT,
    external_number TEXT,
    status TEXT NOT NULL
);
CREATE UNIQUE INDEX sales_receipt_keys_external ON sales_receipt_keys (license_number, external_number)
    WHERE external_number IS NOT NULL AND status <> 'Voided';
INSERT INTO sales_receipt_keys (id, license_number, external_number, status)
SELECT id, license_number, external_number, status FROM sales_receipts;
ALTER TABLE sales_receipts RENAME TO sales_receipts_old;
DROP INDEX sales_receipts_active_id;
DROP INDEX sales_receipts_modified;
DROP INDEX sales_receipts_sales_date;
DROP INDEX sales_receipts_status;
DROP INDEX sales_receipts_external;
DROP INDEX sales_receipts_key;
ALTER INDEX sales_receipts_pkey RENAME TO sales_receipts_old_pkey;
CREATE TABLE sales_receipts (
    id BIGINT PRIMARY KEY REFERENCES sales_receipt_keys (id) DEFERRABLE INITIALLY DEFERRED,
    license_number TEXT,
    active BIGINT NOT NULL CHECK (active = 1),
    last_modified TEXT NOT NULL,
    schema BIGINT NOT NULL CHECK (schema > 0),
    data JSONB NOT NULL,
    external_number TEXT CHECK (length(external_number) BETWEEN 1 AND 250),
    sales_date TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('Active', 'Finalized', 'Voided')),
    quantity NUMERIC NOT NULL,
    CHECK (quantity >= 0),
    CHECK ((status = 'Active') = (active = 1))
);
CREATE TABLE sales_receipts_history (
    id BIGINT PRIMARY KEY REFERENCES sales_receipt_keys (id) DEFERRABLE INITIALLY DEFERRED,
    license_number TEXT,
    active BIGINT NOT NULL CHECK (active = 0),
    last_modified TEXT NOT NULL,
    schema BIGINT NOT NULL CHECK (schema > 0),
    data JSONB NOT NULL,
    external_number TEXT CHECK (length(external_number) BETWEEN 1 AND 250),
    sales_date TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('Active', 'Finalized', 'Voided')),
    quantity NUMERIC NOT NULL,
    CHECK (quantity >= 0),
    CHECK ((status = 'Active') = (active = 1))
);
CREATE INDEX sales_receipts_active_id ON sales_receipts (license_number, active, id);
CREATE INDEX sales_receipts_modified ON sales_receipts (license_number, active, last_modified);
CREATE INDEX sales_receipts_sales_date ON sales_receipts (license_number, active, sales_date);
CREATE INDEX sales_receipts_status ON sales_receipts (license_number, status, id);
CREATE INDEX sales_receipts_key ON sales_receipts (external_number);
CREATE INDEX sales_receipts_history_active_id ON sales_receipts_history (license_number, active, id);
CREATE INDEX sales_receipts_history_modified ON sales_receipts_history (license_number, active, last_modified);
CREATE INDEX sales_receipts_history_sales_date ON sales_receipts_history (license_number, active, sales_date);
CREATE INDEX sales_receipts_history_status ON sales_receipts_history (license_number, status, id);
CREATE INDEX sales_receipts_history_key ON sales_receipts_history (external_number);
INSERT INTO sales_receipts (id, license_number, active, last_modified, schema, data, external_number, sales_date, status, quantity) SELECT id, license_number, active, last_modified, schema, data, external_number, sales_date, status, quantity FROM sales_receipts_old WHERE active = 1;
INSERT INTO sales_receipts_history (id, license_number, active, last_modified, schema, data, external_number, sales_date, status, quantity) SELECT id, license_number, active, last_modified, schema, data, external_number, sales_date, status, quantity FROM sales_receipts_old WHERE active = 0;
DROP TABLE sales_receipts_old;
