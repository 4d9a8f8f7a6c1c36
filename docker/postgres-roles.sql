-- Least privilege (docs/ledger.md), run once by the postgres image when it creates its cluster: the owner role owns the
-- federation's database and applies migrations; the coordinator role owns nothing, so it cannot switch off the ledger's
-- and the audit log's append-only triggers. Change the passwords for anything but a local trial.
CREATE ROLE fedlearn_owner LOGIN PASSWORD 'fedlearn_owner' NOSUPERUSER NOCREATEDB NOCREATEROLE;
CREATE ROLE fedlearn_coordinator LOGIN PASSWORD 'fedlearn_coordinator' NOSUPERUSER NOCREATEDB NOCREATEROLE;
CREATE DATABASE federation OWNER fedlearn_owner;
