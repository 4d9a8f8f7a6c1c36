#!/usr/bin/env bash
# A complete local federation: PostgreSQL, a coordinator, 10 participants with Dirichlet(0.5) label-skewed shards of
# Fashion-MNIST, a 30-round session watched live, the final test accuracy, the model exported to ONNX and checked.
#
# Environment: FEDLEARN_DB=<Npgsql connection string> uses an existing PostgreSQL instead of the private cluster;
# FEDLEARN_PARTICIPANTS (10), FEDLEARN_SESSION_CONFIG (examples/sessions/fashion-mnist-mlp.json),
# FEDLEARN_COORDINATOR_PORT (5100) change the federation.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"

participants="${FEDLEARN_PARTICIPANTS:-10}"
config="${FEDLEARN_SESSION_CONFIG:-$FL_ROOT/examples/sessions/fashion-mnist-mlp.json}"
port="${FEDLEARN_COORDINATOR_PORT:-5100}"
coordinator_url="http://127.0.0.1:$port"
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
if [ -n "${FEDLEARN_DB:-}" ]; then
  connection="$FEDLEARN_DB"
else
  fl_pg_start; started_pg=1
  connection="$(fl_pg_connection_string fedlearn)"
fi
fl_build
mkdir -p "$logs"

if [ ! -f "$shards/participant-00/train-labels-idx1-ubyte.gz" ]; then
  fl_log "Splitting Fashion-MNIST into $participants Dirichlet(0.5) label-skewed shards"
  dotnet "$(fl_artifact FedLearn.Participant fedlearn-participant.dll)" split-dataset \
    --source "$FL_DATASET_DIR" --parts "$participants" --alpha 0.5 --seed 7 --out "$shards"
fi

fl_log "Starting the coordinator on $coordinator_url (logs: $logs/coordinator.log)"
dotnet "$(fl_artifact FedLearn.Coordinator fedlearn-coordinator.dll)" \
  --urls "$coordinator_url" \
  --ConnectionStrings:FedLearn="$connection" \
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

fl_log "Starting $participants participants (logs: $logs/participant-NN.log)"
for i in $(seq 0 $((participants - 1))); do
  id=$(printf 'participant-%02d' "$i")
  dotnet "$(fl_artifact FedLearn.Participant fedlearn-participant.dll)" run \
    --coordinator "$coordinator_url" --id "$id" --data "$shards/$id" >"$logs/$id.log" 2>&1 &
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
fl_log "Done. The database keeps the session's checkpoints: ./fedlearn session list"
