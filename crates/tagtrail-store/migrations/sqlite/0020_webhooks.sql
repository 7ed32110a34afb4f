-- Webhook subscriptions (Metrc v2 Webhooks group) and their delivery log. Not journaled: a
-- subscription is a vendor's configuration, like a web session or an import upload, and changes
-- no regulated record; what was delivered is recorded in webhook_deliveries, and what changed is
-- the journal (and the change feed written in the same transaction as each entry, which is the
-- outbox deliveries read from, with a durable position per subscription and license).
-- Every text column is bounded, so nothing a vendor sends is stored unbounded; the URL's 2,000
-- characters stay far below PostgreSQL's btree limit should it ever be indexed.
CREATE TABLE webhook_subscriptions (
    id INTEGER PRIMARY KEY,
    vendor_key_id BIGINT NOT NULL,
    -- The user key the subscription acts for, and its employee: scope is re-resolved from them
    -- at every delivery, so a revoked key or an ended employment stops the data.
    user_key_id BIGINT NOT NULL,
    user_id BIGINT NOT NULL,
    -- Comma-separated, each as the change feed names it; '*' for all.
    object_types TEXT NOT NULL CHECK (length(object_types) BETWEEN 1 AND 1000),
    verbs TEXT NOT NULL CHECK (length(verbs) BETWEEN 1 AND 200),
    url TEXT NOT NULL CHECK (length(url) BETWEEN 1 AND 2000),
    status TEXT NOT NULL CHECK (status IN ('Active', 'Inactive')),
    disabled_reason TEXT CHECK (length(disabled_reason) <= 1000),
    disabled_at TEXT CHECK (length(disabled_at) <= 40),
    -- Metrc's subscription fields tagtrail stores and echoes but does not apply.
    server_public_key_fingerprint TEXT CHECK (length(server_public_key_fingerprint) <= 200),
    template TEXT CHECK (length(template) <= 8000),
    error_response_json_template TEXT CHECK (length(error_response_json_template) <= 8000),
    -- The signing secret, AES-256-GCM sealed under the ledger's webhook key (never in the
    -- database in the clear; shown once, when the subscription is created).
    secret_sealed TEXT NOT NULL CHECK (length(secret_sealed) <= 400),
    consecutive_failures BIGINT NOT NULL DEFAULT 0 CHECK (consecutive_failures >= 0),
    next_attempt_at TEXT NOT NULL CHECK (length(next_attempt_at) <= 40),
    last_attempt_at TEXT CHECK (length(last_attempt_at) <= 40),
    last_result TEXT CHECK (length(last_result) <= 1000),
    created_at TEXT NOT NULL CHECK (length(created_at) <= 40),
    updated_at TEXT NOT NULL CHECK (length(updated_at) <= 40)
);
CREATE INDEX webhook_subscriptions_vendor ON webhook_subscriptions (vendor_key_id, id);
CREATE INDEX webhook_subscriptions_due ON webhook_subscriptions (status, next_attempt_at);

-- Where each subscription stands in each license's change feed: the cursor of the last item
-- delivered (a 2xx answered), NULL before the first. One row per license the subscription names.
CREATE TABLE webhook_positions (
    subscription_id BIGINT NOT NULL REFERENCES webhook_subscriptions (id) ON DELETE CASCADE,
    license_number TEXT NOT NULL CHECK (length(license_number) BETWEEN 1 AND 100),
    cursor TEXT CHECK (length(cursor) <= 200),
    PRIMARY KEY (subscription_id, license_number)
);

-- Every delivery attempt: the batch (license, cursor range, item count), the attempt number
-- within the run of failures, the answer (HTTP status) or the error, and how long it took.
CREATE TABLE webhook_deliveries (
    id INTEGER PRIMARY KEY,
    subscription_id BIGINT NOT NULL REFERENCES webhook_subscriptions (id) ON DELETE CASCADE,
    delivery_id TEXT NOT NULL CHECK (length(delivery_id) <= 100),
    license_number TEXT NOT NULL CHECK (length(license_number) <= 100),
    after_cursor TEXT CHECK (length(after_cursor) <= 200),
    last_cursor TEXT NOT NULL CHECK (length(last_cursor) <= 200),
    items BIGINT NOT NULL CHECK (items >= 0),
    attempt BIGINT NOT NULL CHECK (attempt >= 1),
    attempted_at TEXT NOT NULL CHECK (length(attempted_at) <= 40),
    http_status BIGINT,
    error TEXT CHECK (length(error) <= 1000),
    duration_ms BIGINT NOT NULL CHECK (duration_ms >= 0)
);
CREATE INDEX webhook_deliveries_subscription ON webhook_deliveries (subscription_id, id);
