-- FedLearn schema: who may talk to the coordinator (docs/security.md) and the audit log of operator actions.

-- Every name the federation knows: a participant (its id) or a CLI user. A name has exactly one role.
CREATE TABLE identities (
    name        text        PRIMARY KEY CHECK (name ~ '^[A-Za-z0-9._-]{1,64}$'),
    role        text        NOT NULL CHECK (role IN ('participant', 'engineer', 'auditor', 'admin')),
    status      text        NOT NULL CHECK (status IN ('invited', 'enrolled', 'revoked')),
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL,
    updated_by  text        NOT NULL
);

-- Single-use enrollment tokens. Only the SHA-256 of the secret is stored: the database never holds a usable token.
CREATE TABLE enrollment_invitations (
    secret_sha256  bytea       PRIMARY KEY CHECK (length(secret_sha256) = 32),
    name           text        NOT NULL REFERENCES identities (name),
    role           text        NOT NULL,
    created_at     timestamptz NOT NULL,
    created_by     text        NOT NULL,
    expires_at     timestamptz NOT NULL,
    used_at        timestamptz
);

-- Every certificate the coordinator signed; revocation marks them all.
CREATE TABLE issued_certificates (
    serial_number  text        PRIMARY KEY,
    name           text        NOT NULL REFERENCES identities (name),
    role           text        NOT NULL,
    issued_at      timestamptz NOT NULL,
    not_after      timestamptz NOT NULL,
    revoked_at     timestamptz
);
CREATE INDEX issued_certificates_by_name ON issued_certificates (name);

-- Operator actions, hash-chained like the privacy ledger (entry_hash covers previous_hash; docs/security.md).
CREATE TABLE audit_log (
    sequence       bigint      PRIMARY KEY CHECK (sequence >= 1),
    at             timestamptz NOT NULL,
    actor          text        NOT NULL,
    actor_role     text        NOT NULL,
    action         text        NOT NULL,
    target         text        NOT NULL,
    details        text        NOT NULL,
    previous_hash  text        NOT NULL,
    entry_hash     text        NOT NULL
);

CREATE FUNCTION fedlearn_audit_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only: % on % is not allowed', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION fedlearn_audit_log_is_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION fedlearn_audit_log_is_append_only();

REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM PUBLIC;
