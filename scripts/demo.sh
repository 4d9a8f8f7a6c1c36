#!/usr/bin/env bash
# A complete local federation in its secure configuration: a federation CA, a coordinator serving mutual TLS 1.3,
# 10 participants invited with single-use tokens and enrolled with their own keys, each with a Dirichlet(0.5)
# label-skewed shard of Fashion-MNIST; a 30-round session watched live, the final test accuracy, the model exported to
# ONNX and checked, and the audit log of who did it verified.
#
# Environment: FEDLEARN_DB=<Npgsql connection string> uses an existing PostgreSQL instead of the private cluster (with
# FEDLEARN_DB_MIGRATIONS=<the schema owner's connection string> for least privilege, see docs/ledger.md);
# FEDLEARN_PARTICIPANTS (10), FEDLEARN_SESSION_CONFIG (examples/sessions/fashion-mnist-mlp.json),
# FEDLEARN_COORDINATOR_PORT (5100) change the federation.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"

participants="${FEDLEARN_PARTICIPANTS:-10}"
config="${FEDLEARN_SESSION_CONFIG:-$FL_ROOT/examples/sessions/fashion-mnist-mlp.json}"
port="${FEDLEARN_COORDINATOR_PORT:-5100}"
coordinator_url="https://127.0.0.1:$port"
federation="$FL_STATE/federation"
logs="$FL_STATE/logs"
shards="$FL_STATE/shards/fashion-mnist-$participants-alpha0.5"
pids=()
started_pg=0
session_id=""

shutdown() {
  local code=$?
  if [ -n "$session_id" ] && [ "$code" -ne 0 ]; then
    # Interrupted: stop the session, or the coordinator would resume it the next time it starts.
    "$FL_ROOT/fedlearn" session stop "$session_id" >/dev/null 2>&1 || true
  fi
  if [ ${#pids[@]} -gt 0 ]; then
    fl_log "Shutting down the coordinator and participants"
    kill -TERM "${pids[@]}" 2>/dev/null || true
    wait "${pids[@]}" 2>/dev/null || true
  fi
  if [ "$started_pg" -eq 1 ]; then fl_pg_stop; fi
  exit "$code"
}
trap shutdown EXIT INT TERM

fl_ensure_packages
migrations=""
if [ -n "${FEDLEARN_DB:-}" ]; then
  connection="$FEDLEARN_DB"
  migrations="${FEDLEARN_DB_MIGRATIONS:-}"
else
  fl_pg_start; started_pg=$FL_PG_STARTED   # a server that was already running (tests, another demo) keeps running
  # The coordinator serves as a role that owns nothing; the schema's owner only applies the migrations at start-up.
  connection="$(fl_pg_connection_string "$FL_PG_DATABASE" "$FL_PG_COORDINATOR")"
  migrations="$(fl_pg_connection_string "$FL_PG_DATABASE" "$FL_PG_OWNER")"
fi
fl_build
mkdir -p "$logs"

if [ ! -f "$shards/participant-00/train-labels-idx1-ubyte.gz" ]; then
  fl_log "Splitting Fashion-MNIST into $participants Dirichlet(0.5) label-skewed shards"
  dotnet "$(fl_artifact FedLearn.Participant fedlearn-participant.dll)" split-dataset \
    --source "$FL_DATASET_DIR" --parts "$participants" --alpha 0.5 --seed 7 --out "$shards"
fi

if [ ! -f "$federation/ca.key" ]; then
  fl_log "Creating the federation's CA, the coordinator's TLS certificate and a first admin ($federation)"
  "$FL_ROOT/fedlearn" federation init --out "$federation" --server-name localhost --server-name 127.0.0.1
fi
# The operator's CLI calls as the first admin.
export FEDLEARN_CREDENTIALS="$federation/admin"

fl_log "Starting the coordinator on $coordinator_url, mutual TLS 1.3 (logs: $logs/coordinator.log)"
dotnet "$(fl_artifact FedLearn.Coordinator fedlearn-coordinator.dll)" \
  --urls "$coordinator_url" \
  --Coordinator:FederationDirectory="$federation" \
  --ConnectionStrings:FedLearn="$connection" \
  ${migrations:+--ConnectionStrings:FedLearnMigrations="$migrations"} \
  --Coordinator:TestData="$FL_DATASET_DIR" \
  --Coordinator:LogDirectory="$logs" \
  --Coordinator:LedgerKeyPath="$FL_STATE/keys/ledger-signing-key.pem" >"$logs/coordinator.log" 2>&1 &
pids+=($!)
export FEDLEARN_COORDINATOR="$coordinator_url"
for _ in $(seq 1 120); do
  if "$FL_ROOT/fedlearn" session list >/dev/null 2>&1; then break; fi
  kill -0 "${pids[0]}" 2>/dev/null || { tail -n 30 "$logs/coordinator.log" >&2; fl_die "the coordinator exited"; }
  sleep 0.5
done
"$FL_ROOT/fedlearn" session list >/dev/null || fl_die "the coordinator did not come up; see $logs/coordinator.log"

fl_log "Enrolling $participants participants: an invitation token each, a key made locally, a 7-day certificate"
participant_tool="$(fl_artifact FedLearn.Participant fedlearn-participant.dll)"
for i in $(seq 0 $((participants - 1))); do
  id=$(printf 'participant-%02d' "$i")
  credentials="$FL_STATE/participants/$id"
  # A participant enrolled by an earlier run renews its certificate; one that cannot (new, expired) is invited again.
  if ! dotnet "$participant_tool" renew --coordinator "$coordinator_url" --credentials "$credentials" >/dev/null 2>&1; then
    token="$("$FL_ROOT/fedlearn" participant invite "$id" --valid-hours 1 2>/dev/null)" || fl_die "could not invite $id"
    dotnet "$participant_tool" enroll --coordinator "$coordinator_url" --token "$token" --credentials "$credentials" >/dev/null \
      || fl_die "$id could not enroll"
  fi
done

fl_log "Starting $participants participants (logs: $logs/participant-NN.log)"
for i in $(seq 0 $((participants - 1))); do
  id=$(printf 'participant-%02d' "$i")
  dotnet "$participant_tool" run \
    --coordinator "$coordinator_url" --credentials "$FL_STATE/participants/$id" --data "$shards/$id" >"$logs/$id.log" 2>&1 &
  pids+=($!)
done

fl_log "Creating and starting the session ($config)"
session_json="$("$FL_ROOT/fedlearn" session create --config "$config" --start --json)"
session_id="$(printf '%s' "$session_json" | grep -oE '"sessionId": *"[^"]+"' | head -n 1 | sed -E 's/.*"([^"]+)"$/\1/')"
[ -n "$session_id" ] || fl_die "could not read the session id from: $session_json"
echo "session id: $session_id"

fl_log "Training (Ctrl+C stops the demo)"
"$FL_ROOT/fedlearn" session watch "$session_id" || fl_die "the session did not complete; see $logs/"

accuracy="$("$FL_ROOT/fedlearn" session status "$session_id" --json | grep -oE '"testAccuracy": *[0-9.eE+-]+' | head -n 1 | sed -E 's/.*: *//')"
awk -v a="${accuracy:-0}" 'BEGIN { printf "\nFinal test accuracy on the 10,000 Fashion-MNIST test images: %.2f%%\n", a * 100 }'

# A session with differential privacy (participant or example level) has a signed ledger: show and verify it.
# (No key in the status of a session without differential privacy: grep finds nothing, which is not an error here.)
ledger_key="$("$FL_ROOT/fedlearn" session status "$session_id" --json | { grep -oE '"ledgerPublicKey": *"[^"]+"' || true; } | head -n 1 | sed -E 's/.*"([^"]+)"$/\1/')"
if [ -n "$ledger_key" ]; then
  fl_log "Privacy ledger (./fedlearn ledger show $session_id prints every round)"
  # Only the declaration lines; `|| true` because head closing the pipe early may end the CLI with SIGPIPE.
  { "$FL_ROOT/fedlearn" ledger show "$session_id" || true; } | head -n 4
  "$FL_ROOT/fedlearn" ledger verify "$session_id" --public-key "$ledger_key" || fl_die "the privacy ledger did not verify"
fi

model="$FL_STATE/models/$session_id.onnx"
mkdir -p "$(dirname "$model")"
"$FL_ROOT/fedlearn" model export --session "$session_id" --out "$model"
/usr/bin/python3 - "$model" <<'PY'
import sys, onnx
model = onnx.load(sys.argv[1])
onnx.checker.check_model(model)
print(f"onnx.checker: {sys.argv[1]} is a valid ONNX model (opset {model.opset_import[0].version})")
PY
if [ -n "$ledger_key" ]; then
  # The auditor's second opinion: the Python re-implementation checks the export and ties the model file to its entry.
  ledger_file="$FL_STATE/ledgers/$session_id.json"
  mkdir -p "$(dirname "$ledger_file")"
  "$FL_ROOT/fedlearn" ledger export "$session_id" --out "$ledger_file"
  audit="$(/usr/bin/python3 "$FL_ROOT/notebooks/ledger_audit.py" "$ledger_file" --public-key "$ledger_key" --model "$model")" \
    || { printf '%s\n' "$audit"; fl_die "the independent ledger audit (notebooks/ledger_audit.py) found problems"; }
  printf 'ledger_audit.py: %s\n' "$(printf '%s\n' "$audit" | tail -n 1)"
  # And the data owners' check: the demo's daemons share one spend log beside their shards.
  dotnet "$(fl_artifact FedLearn.Participant fedlearn-participant.dll)" check-ledger --ledger "$ledger_file" \
    --public-key "$ledger_key" --data "$shards/participant-00" || fl_die "the participants' spend log disagrees with the ledger"
fi
fl_log "Audit log: who did what (./fedlearn audit-log show)"
{ "$FL_ROOT/fedlearn" audit-log show || true; } | tail -n 4
"$FL_ROOT/fedlearn" audit-log verify || fl_die "the audit log did not verify"
fl_log "Done. The database keeps the session's checkpoints: ./fedlearn session list"
