-- FedLearn schema: the ledger header anchors the initial model (SHA-256 of the round-0 weights) and, for a session
-- created by `fedlearn audit run`, the audit commitment (docs/ledger.md, docs/audit.md), so an auditor checks both
-- offline. Both NULL in headers written before: those still encode and verify as they were sealed.

ALTER TABLE ledger_headers ADD COLUMN initial_model_sha256 text;
ALTER TABLE ledger_headers ADD COLUMN audit_commitment text;
