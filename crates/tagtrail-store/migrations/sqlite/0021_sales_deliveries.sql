-- Retail delivery (Metrc's Sales group, the delivery endpoints; cctt-rule 65, §15049.3). A
-- retailer delivery is the delivery inventory ledger of a route; a sales delivery is one delivery
-- to one customer, recorded directly or sold from a route. The lines, packages and addresses stay
-- in the records' JSON; the tables hold what is filtered or checked: each status agrees with
-- `active`; a route never has more sold or returned of a package than was loaded on it (its
-- `quantity` is the least of loaded − sold − returned over its packages); a delivery's total
-- price is not negative, its sale instant is a formatted instant, and the route it was sold
-- from is a row. New tables, empty: nothing is rebuilt.
CREATE TABLE retailer_deliveries (
    id INTEGER PRIMARY KEY,
    license_number TEXT,
    active INTEGER NOT NULL CHECK (active IN (0, 1)),
    last_modified TEXT NOT NULL,
    schema INTEGER NOT NULL CHECK (schema > 0),
    data TEXT NOT NULL CHECK (json_valid(data)),
    status TEXT NOT NULL CHECK (status IN ('Pending', 'InTransit', 'Ended', 'Voided')),
    quantity TEXT NOT NULL,
    CHECK (CAST(quantity AS REAL) >= 0),
    CHECK ((status IN ('Pending', 'InTransit')) = (active = 1))
);
CREATE INDEX retailer_deliveries_active_id ON retailer_deliveries (license_number, active, id);
CREATE INDEX retailer_deliveries_modified ON retailer_deliveries (license_number, active, last_modified);
CREATE INDEX retailer_deliveries_status ON retailer_deliveries (license_number, status, id);

CREATE TABLE sales_deliveries (
    id INTEGER PRIMARY KEY,
    license_number TEXT,
    active INTEGER NOT NULL CHECK (active IN (0, 1)),
    last_modified TEXT NOT NULL,
    schema INTEGER NOT NULL CHECK (schema > 0),
    data TEXT NOT NULL CHECK (json_valid(data)),
    sales_date TEXT NOT NULL CHECK (length(sales_date) = 32),
    status TEXT NOT NULL CHECK (status IN ('InTransit', 'Delivered', 'Voided')),
    retailer_delivery_id INTEGER REFERENCES retailer_deliveries (id) DEFERRABLE INITIALLY DEFERRED,
    quantity TEXT NOT NULL,
    CHECK (CAST(quantity AS REAL) >= 0),
    CHECK ((status = 'InTransit') = (active = 1))
);
CREATE INDEX sales_deliveries_active_id ON sales_deliveries (license_number, active, id);
CREATE INDEX sales_deliveries_modified ON sales_deliveries (license_number, active, last_modified);
CREATE INDEX sales_deliveries_sales_date ON sales_deliveries (license_number, active, sales_date);
CREATE INDEX sales_deliveries_status ON sales_deliveries (license_number, status, id);
CREATE INDEX sales_deliveries_route ON sales_deliveries (retailer_delivery_id);
