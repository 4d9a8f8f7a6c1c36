-- FedLearn schema, version 3: the ledger records the example-level (DP-SGD) guarantee beside the participant-level one,
-- and sessions that declare only the example level get a ledger too (docs/ledger.md, "Guarantee levels").

-- Participant level is optional: NULL for a session that declares only an example-level guarantee.
ALTER TABLE ledger_headers ALTER COLUMN epsilon_budget DROP NOT NULL;
ALTER TABLE ledger_headers ALTER COLUMN delta DROP NOT NULL;
ALTER TABLE ledger_headers ALTER COLUMN accountant DROP NOT NULL;

-- The example-level declaration; all NULL when the session declares none.
ALTER TABLE ledger_headers ADD COLUMN example_epsilon_budget double precision;
ALTER TABLE ledger_headers ADD COLUMN example_delta double precision;
ALTER TABLE ledger_headers ADD COLUMN example_accountant text;
ALTER TABLE ledger_headers ADD COLUMN example_clip_norm double precision;
ALTER TABLE ledger_headers ADD COLUMN example_noise_multiplier double precision;
ALTER TABLE ledger_headers ADD COLUMN example_expected_batch_size integer;
ALTER TABLE ledger_headers ADD CONSTRAINT ledger_headers_declare_a_level
    CHECK (epsilon_budget IS NOT NULL OR example_epsilon_budget IS NOT NULL);

-- Entries with mechanism 'none' carry no participant-level parameters or ε.
ALTER TABLE ledger_entries ALTER COLUMN sampling_rate DROP NOT NULL;
ALTER TABLE ledger_entries ALTER COLUMN noise_multiplier DROP NOT NULL;
ALTER TABLE ledger_entries ALTER COLUMN clip_norm DROP NOT NULL;
ALTER TABLE ledger_entries ALTER COLUMN sensitivity DROP NOT NULL;
ALTER TABLE ledger_entries ALTER COLUMN delta DROP NOT NULL;
ALTER TABLE ledger_entries ALTER COLUMN epsilon_rdp DROP NOT NULL;
ALTER TABLE ledger_entries ALTER COLUMN epsilon_pld DROP NOT NULL;

-- The largest example-level ε the round's aggregated participants reported; NULL when no example level is declared.
ALTER TABLE ledger_entries ADD COLUMN example_epsilon_max double precision;
