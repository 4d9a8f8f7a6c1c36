# Shared shell functions for scripts/demo.sh and scripts/test.sh. Source it; do not run it.
# Everything the project needs is installed here: Debian packages, a private PostgreSQL cluster, the .NET build.

FL_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
FL_STATE="${FEDLEARN_STATE_DIR:-$FL_ROOT/.fedlearn}"
FL_PG_PORT="${FEDLEARN_PG_PORT:-55432}"
FL_PG_DIR="${FEDLEARN_PG_DIR:-/tmp/fedlearn-pg-$(id -u)-$FL_PG_PORT}"
FL_PG_USER=fedlearn            # the private cluster's superuser: creates the roles and databases below, nothing else
FL_PG_PASSWORD=fedlearn
# Least privilege (docs/ledger.md): the owner role owns the schema and applies migrations; the coordinator role owns
# nothing, so it cannot switch off the ledger's and the audit log's append-only triggers. The private cluster listens on
# 127.0.0.1 only; its role passwords are the role names.
FL_PG_OWNER=fedlearn_owner
FL_PG_COORDINATOR=fedlearn_coordinator
FL_PG_DATABASE=federation
FL_CONFIGURATION="${FEDLEARN_CONFIGURATION:-Release}"
FL_DATASET_DIR=/usr/share/datasets/fashion-mnist

fl_log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
fl_die() { printf 'error: %s\n' "$*" >&2; exit 1; }

fl_as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo "$@"
  else fl_die "need root (or sudo) to run: $*"
  fi
}

fl_pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

# Installs the Debian packages that are missing: PostgreSQL (unless an external database is given), the
# Fashion-MNIST data and python3-onnx (used to check exported models).
fl_ensure_packages() {
  local wanted=()
  if [ -z "${FEDLEARN_DB:-}" ] && [ -z "$(fl_pg_bin)" ]; then wanted+=(postgresql); fi
  if [ ! -f "$FL_DATASET_DIR/train-images-idx3-ubyte.gz" ]; then wanted+=(dataset-fashion-mnist); fi
  if ! /usr/bin/python3 -c 'import onnx' >/dev/null 2>&1; then wanted+=(python3-onnx); fi
  # notebooks/ledger_audit.py, the independent ledger check the tests hold to the C# encoding, verifies signatures with it.
  if ! /usr/bin/python3 -c 'import cryptography' >/dev/null 2>&1; then wanted+=(python3-cryptography); fi
  if [ ${#wanted[@]} -gt 0 ]; then
    fl_log "Installing ${wanted[*]}"
    fl_as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive fl_as_root apt-get install -y -qq "${wanted[@]}" >/dev/null
  fi
  command -v dotnet >/dev/null 2>&1 || fl_die "the .NET SDK is required (dotnet not on PATH)"
}

# What the notebooks need (notebooks/README.md); the tests execute them against a real session's database.
fl_ensure_notebook_packages() {
  if [ -x /usr/bin/jupyter ] && /usr/bin/python3 -c 'import nbconvert, ipykernel, pandas, matplotlib, psycopg2' >/dev/null 2>&1; then
    return 0
  fi
  fl_log "Installing Jupyter, pandas, matplotlib and psycopg2 for the notebooks"
  fl_as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive fl_as_root apt-get install -y -qq --no-install-recommends \
    jupyter-nbconvert python3-nbconvert python3-ipykernel python3-pandas python3-matplotlib python3-psycopg2 >/dev/null
}

# Runs a PostgreSQL tool as the cluster's owner: PostgreSQL refuses to run as root.
fl_pg_run() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# Starts (creating it on first use) a private PostgreSQL cluster on 127.0.0.1:$FL_PG_PORT, separate from any system one.
fl_pg_start() {
  local bin; bin="$(fl_pg_bin)"
  [ -n "$bin" ] || fl_die "PostgreSQL is not installed"
  if [ ! -f "$FL_PG_DIR/data/PG_VERSION" ]; then
    fl_log "Creating a private PostgreSQL cluster in $FL_PG_DIR"
    rm -rf "$FL_PG_DIR"; mkdir -p "$FL_PG_DIR"
    printf '%s\n' "$FL_PG_PASSWORD" > "$FL_PG_DIR/pwfile"
    chmod 600 "$FL_PG_DIR/pwfile"
    if [ "$(id -u)" -eq 0 ]; then chown -R postgres:postgres "$FL_PG_DIR"; fi
    fl_pg_run "$bin/initdb" -D "$FL_PG_DIR/data" -U "$FL_PG_USER" --pwfile="$FL_PG_DIR/pwfile" \
      --auth=scram-sha-256 --encoding=UTF8 --locale=C >"$FL_PG_DIR/initdb.log" 2>&1 \
      || { cat "$FL_PG_DIR/initdb.log" >&2; fl_die "initdb failed"; }
    rm -f "$FL_PG_DIR/pwfile"
  fi
  # FL_PG_STARTED tells the caller whether this call started the server, so it stops only a server it started.
  FL_PG_STARTED=0
  if ! fl_pg_run "$bin/pg_ctl" -D "$FL_PG_DIR/data" status >/dev/null 2>&1; then
    fl_log "Starting PostgreSQL on 127.0.0.1:$FL_PG_PORT"
    FL_PG_STARTED=1
    fl_pg_run "$bin/pg_ctl" -D "$FL_PG_DIR/data" -l "$FL_PG_DIR/server.log" -w -t 60 \
      -o "-p $FL_PG_PORT -c listen_addresses=127.0.0.1 -c unix_socket_directories=$FL_PG_DIR -c max_connections=200" start >/dev/null \
      || { tail -n 20 "$FL_PG_DIR/server.log" >&2; fl_die "PostgreSQL did not start"; }
  fi
  export PGPASSWORD="$FL_PG_PASSWORD"
  if ! "$bin/psql" -h 127.0.0.1 -p "$FL_PG_PORT" -U "$FL_PG_USER" -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'fedlearn'" | grep -q 1; then
    "$bin/psql" -h 127.0.0.1 -p "$FL_PG_PORT" -U "$FL_PG_USER" -d postgres -qc "CREATE DATABASE fedlearn" >/dev/null
  fi
  fl_pg_roles
}

# Creates (once) the schema-owner and coordinator roles and the federation's database, owned by the owner role.
fl_pg_roles() {
  local bin; bin="$(fl_pg_bin)"
  "$bin/psql" -h 127.0.0.1 -p "$FL_PG_PORT" -U "$FL_PG_USER" -d postgres -q -v ON_ERROR_STOP=1 >/dev/null <<SQL
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$FL_PG_OWNER') THEN
    CREATE ROLE $FL_PG_OWNER LOGIN PASSWORD '$FL_PG_OWNER' NOSUPERUSER NOCREATEDB NOCREATEROLE;
  END IF;
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$FL_PG_COORDINATOR') THEN
    CREATE ROLE $FL_PG_COORDINATOR LOGIN PASSWORD '$FL_PG_COORDINATOR' NOSUPERUSER NOCREATEDB NOCREATEROLE;
  END IF;
END \$\$;
SQL
  if ! "$bin/psql" -h 127.0.0.1 -p "$FL_PG_PORT" -U "$FL_PG_USER" -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$FL_PG_DATABASE'" | grep -q 1; then
    "$bin/psql" -h 127.0.0.1 -p "$FL_PG_PORT" -U "$FL_PG_USER" -d postgres -qc "CREATE DATABASE $FL_PG_DATABASE OWNER $FL_PG_OWNER" >/dev/null
  fi
}

fl_pg_stop() {
  local bin; bin="$(fl_pg_bin)"
  if [ -n "$bin" ] && [ -f "$FL_PG_DIR/data/PG_VERSION" ]; then
    fl_pg_run "$bin/pg_ctl" -D "$FL_PG_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
  fi
}

fl_pg_connection_string() { # fl_pg_connection_string [database] [role]: the superuser unless a role is named
  local database="${1:-fedlearn}" role="${2:-}"
  if [ -n "$role" ]; then
    echo "Host=127.0.0.1;Port=$FL_PG_PORT;Database=$database;Username=$role;Password=$role"
  else
    echo "Host=127.0.0.1;Port=$FL_PG_PORT;Database=$database;Username=$FL_PG_USER;Password=$FL_PG_PASSWORD"
  fi
}

fl_build() {
  fl_log "Building ($FL_CONFIGURATION)"
  (cd "$FL_ROOT" && dotnet build FedLearn.sln -c "$FL_CONFIGURATION" -nologo -v quiet -clp:ErrorsOnly) || fl_die "the build failed"
}

fl_artifact() { # fl_artifact Project assembly.dll
  echo "$FL_ROOT/artifacts/bin/$1/$(echo "$FL_CONFIGURATION" | tr '[:upper:]' '[:lower:]')/$2"
}
