-- FedLearn schema: ledger accounting version 5 (docs/ledger.md, "Adaptive clipping"). The entries of a session that adapts
-- its clip norm (Andrew et al. 2021) record its parameters γ, η_C, σ_b, the integer variance of the count's noise and the
-- released noisy count of unclipped updates, from which the next entry's clip_norm follows. NULL in every other entry.

ALTER TABLE ledger_entries ADD COLUMN clip_target_quantile double precision;
ALTER TABLE ledger_entries ADD COLUMN clip_learning_rate double precision;
ALTER TABLE ledger_entries ADD COLUMN bit_noise_stddev double precision;
ALTER TABLE ledger_entries ADD COLUMN report_noise_variance bigint;
ALTER TABLE ledger_entries ADD COLUMN noisy_unclipped_count double precision;
