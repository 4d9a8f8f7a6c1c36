-- FedLearn schema: ledger accounting version 2 (docs/ledger.md). The header names the version (and, with an example
-- level, the attempts DP-SGD's σ is calibrated for); each participant-level
-- entry records its noise's total variation distance from exact discrete Gaussian noise and the δ each figure holds at
-- with that distance paid. All NULL in ledgers written before: those still verify as they were sealed (version 1).

ALTER TABLE ledger_headers ADD COLUMN accounting_version integer;
-- Example level: the attempts participants calibrate DP-SGD's σ for (planned rounds plus the rerun allowance).
ALTER TABLE ledger_headers ADD COLUMN example_calibration_attempts integer;

ALTER TABLE ledger_entries ADD COLUMN sampler_tv_distance double precision;
ALTER TABLE ledger_entries ADD COLUMN delta_total double precision;
ALTER TABLE ledger_entries ADD COLUMN delta_total_against_coordinator double precision;
