-- Manifest steps Metrc's API lacks (registering a manifest, receiving a delivery) become
-- submissions too: a manual task with a checklist against Metrc, or a request to a tagtrail
-- ledger's /tagtrail/v1 extensions when the company's Metrc URL is one.

-- Whether the company's Metrc URL is a tagtrail ledger, whose /tagtrail/v1 extensions the
-- outbox may use for those steps. Set by an installation administrator; off for real Metrc.
ALTER TABLE companies ADD COLUMN ledger_extensions BIGINT NOT NULL DEFAULT 0
    CHECK (ledger_extensions IN (0, 1));

ALTER TABLE submissions DROP CONSTRAINT submissions_kind_check;
ALTER TABLE submissions ADD CONSTRAINT submissions_kind_check CHECK (kind IN ('create_packages',
    'move_packages', 'finish_packages', 'create_strains', 'create_locations',
    'outgoing_transfer_template', 'register_manifest', 'receive_delivery', 'create_testing_samples', 'destroy_packages', 'take_back_rejected'));

-- The manual task's checklist: the steps ticked so far, with who and when.
ALTER TABLE submissions ADD COLUMN checklist TEXT NOT NULL DEFAULT '[]'
    CHECK (length(checklist) <= 20000);
