-- FedLearn schema: ledger accounting version 5 (docs/ledger.md, "Noise inputs"; review-10 S2). A secure-aggregation entry
-- credits the noise of s_min − c(n) survivors, c(n) the colluders its cohort may hold when a fraction ρ of the connected
-- population colludes, and records c(n) and δ_c, the bound on the chance that the cohort held more (added to delta_total).
-- NULL in entries written before: those still verify as they were sealed (versions 1 to 4).
ALTER TABLE ledger_entries ADD COLUMN assumed_colluders integer;
ALTER TABLE ledger_entries ADD COLUMN colluder_tail_probability double precision;

-- Each attempt keeps what its ledger entry records, computed from the attempt's own plan when it opened (review-10 S8d),
-- so a commit after a crash does not rebuild the plan: the samplers' distance η and the noise inputs (one JSON object).
-- NULL for attempts opened before: their entries rebuild them as before.
ALTER TABLE round_attempts ADD COLUMN charged_sampler_distance double precision CHECK (charged_sampler_distance >= 0 AND charged_sampler_distance <= 1);
ALTER TABLE round_attempts ADD COLUMN charged_noise_inputs jsonb;
