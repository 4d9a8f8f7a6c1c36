-- FedLearn schema, version 4: the ledger header names the neighbouring relation and the adversary each figure holds
-- against, and entries of secure-aggregation sessions record the worst-case ε against the coordinator (docs/ledger.md,
-- docs/threat-model.md). All NULL in ledgers written before: those still verify as they were sealed.

ALTER TABLE ledger_headers ADD COLUMN neighbouring_relation text;
ALTER TABLE ledger_headers ADD COLUMN epsilon_against text;
ALTER TABLE ledger_headers ADD COLUMN against_coordinator text;
ALTER TABLE ledger_headers ADD COLUMN example_epsilon_against text;

ALTER TABLE ledger_entries ADD COLUMN epsilon_against_coordinator_rdp double precision;
ALTER TABLE ledger_entries ADD COLUMN epsilon_against_coordinator_pld double precision;
