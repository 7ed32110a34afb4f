-- Sales receipts (Metrc's Sales group, the receipt endpoints; cctt-rules 63 and 64). The lines
-- stay in the record's JSON; the table holds what is filtered or must be unique: the external
-- receipt number (unique per license among receipts not voided, so a voided receipt frees its
-- number), the sale's instant (the salesDate filters), the status, and the total price, which is
-- never negative. Active means neither finalized nor voided (rule 64), and the database keeps
-- `active` and `status` in step. New table, empty: nothing is rebuilt.
CREATE TABLE sales_receipts (
    id BIGINT PRIMARY KEY,
    license_number TEXT,
    active BIGINT NOT NULL CHECK (active IN (0, 1)),
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
CREATE UNIQUE INDEX sales_receipts_external ON sales_receipts (license_number, external_number)
    WHERE external_number IS NOT NULL AND status <> 'Voided';
CREATE INDEX sales_receipts_key ON sales_receipts (external_number);
