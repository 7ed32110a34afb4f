-- Onboarding of a license (issue 9; seeds 000 and 001, steps 1 and 2): whether it is annual or
-- temporary, the user the operator named as its account manager, and the date the operator
-- recorded that person's account-manager training as complete. The columns carry the rules the
-- database can hold by itself: a known kind, an account manager who is a user, and a training
-- date (YYYY-MM-DD) only where there is an account manager to have trained.
--
-- Licenses issued before this existed are annual with no account manager: the operator
-- administers their people, who keep the access they had. The projection is rebuilt from the
-- journal on the next open, so each row's record carries its onboarding (the defaults above for
-- the old ones) exactly as `audit verify` rebuilds it.
ALTER TABLE facilities ADD COLUMN license_kind TEXT NOT NULL DEFAULT 'annual'
    CHECK (license_kind IN ('annual', 'temporary'));
ALTER TABLE facilities ADD COLUMN account_manager_id BIGINT
    REFERENCES users (id) DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE facilities ADD COLUMN training_completed TEXT;
ALTER TABLE facilities ADD CONSTRAINT facilities_training_needs_account_manager
    CHECK (training_completed IS NULL
           OR (account_manager_id IS NOT NULL
               AND training_completed ~ '^[0-9]{4}-[0-1][0-9]-[0-3][0-9]$'));
UPDATE projection_state SET rebuild_from_journal = 1 WHERE id = 1;
