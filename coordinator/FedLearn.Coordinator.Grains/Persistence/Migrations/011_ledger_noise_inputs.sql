-- FedLearn schema: ledger accounting version 3 (docs/ledger.md, "Noise inputs"). Each participant-level entry records the
-- inputs its sensitivity, σ and sampler distance are derived from, so an auditor re-derives them: d, γ and σ_int² (central
-- noise and secure aggregation), and with secure aggregation D, t, s_min, the dropout allowance a and the corruption rate ρ.
-- All NULL in entries written before: those still verify as they were sealed (versions 1 and 2).

ALTER TABLE ledger_entries ADD COLUMN dimension integer;
ALTER TABLE ledger_entries ADD COLUMN grid_scale double precision;
ALTER TABLE ledger_entries ADD COLUMN integer_noise_variance bigint;
ALTER TABLE ledger_entries ADD COLUMN padded_dimension integer;
ALTER TABLE ledger_entries ADD COLUMN shamir_threshold integer;
ALTER TABLE ledger_entries ADD COLUMN minimum_survivors integer;
ALTER TABLE ledger_entries ADD COLUMN dropout_allowance double precision;
ALTER TABLE ledger_entries ADD COLUMN corruption_rate double precision;
