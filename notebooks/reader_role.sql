-- A read-only role for the notebooks (notebooks/README.md): it may read the sessions, their rounds and attempts, the
-- checkpoints and the privacy ledger, and nothing else: not the identities, enrollment invitations, issued certificates,
-- the audit log or the participants' registered example counts. Run it as the schema's owner after the coordinator has
-- applied its migrations, for a role you created (CREATE ROLE fedlearn_reader LOGIN PASSWORD '…'):
--   psql "$OWNER_CONNECTION" -v reader=fedlearn_reader -f notebooks/reader_role.sql
GRANT USAGE ON SCHEMA public TO :"reader";
GRANT SELECT ON sessions, rounds, round_attempts, checkpoints, ledger_headers, ledger_entries TO :"reader";
