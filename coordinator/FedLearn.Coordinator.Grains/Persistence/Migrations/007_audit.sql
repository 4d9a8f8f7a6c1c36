-- FedLearn schema, version 7: the empirical privacy audit (docs/audit.md). One signed report per session, tied to the
-- session's ledger by the head entry's hash; append-only like the ledger, so a report cannot be swapped later.

CREATE TABLE audit_reports (
    session_id         text        PRIMARY KEY REFERENCES sessions (session_id),
    recorded_at        timestamptz NOT NULL,
    ledger_sequence    bigint      NOT NULL CHECK (ledger_sequence >= 1),
    ledger_entry_hash  text        NOT NULL CHECK (ledger_entry_hash ~ '^[0-9a-f]{64}$'),
    -- The signed document: its exact UTF-8 text, and the ledger key's ECDSA P-256 signature of it (base64).
    report_json        text        NOT NULL,
    signature          text        NOT NULL,
    public_key         text        NOT NULL
);

CREATE FUNCTION fedlearn_audit_reports_are_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit reports are append-only: % on % is not allowed', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE TRIGGER audit_reports_append_only BEFORE UPDATE OR DELETE ON audit_reports
    FOR EACH ROW EXECUTE FUNCTION fedlearn_audit_reports_are_append_only();
CREATE TRIGGER audit_reports_no_truncate BEFORE TRUNCATE ON audit_reports
    FOR EACH STATEMENT EXECUTE FUNCTION fedlearn_audit_reports_are_append_only();

REVOKE UPDATE, DELETE, TRUNCATE ON audit_reports FROM PUBLIC;
