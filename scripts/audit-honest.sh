#!/usr/bin/env bash
# The empirical audit's honest-session check (docs/audit.md, "Honest sessions at ε = 1, 4 and 16"): a local federation
# of real participants on Fashion-MNIST shards, and for each ε one `fedlearn audit run` of a central-noise session whose σ
# the coordinator calibrates to that ε, with K canary participants and K' unseen ones. Prints ε_bound (the ledger's) next
# to ε_est and its lower limit per threat model, and exits 6 if any session is flagged.
#
# It runs on its own PostgreSQL cluster (port FEDLEARN_PG_PORT, default 55470; created on first use under /tmp and
# stopped at the end if this script started it) and its own state directory, so it never touches a demo's or the test
# suite's database. Environment (defaults in brackets): FEDLEARN_AUDIT_EPSILONS ["1 4 16"], FEDLEARN_AUDIT_CANARIES [50],
# FEDLEARN_AUDIT_UNSEEN [= canaries], FEDLEARN_AUDIT_ROUNDS [5], FEDLEARN_AUDIT_HIDDEN [32: d = 25,450],
# FEDLEARN_PARTICIPANTS [4], FEDLEARN_COORDINATOR_PORT [5190], FEDLEARN_STATE_DIR [.fedlearn/audit-honest].
set -euo pipefail
export FEDLEARN_PG_PORT="${FEDLEARN_PG_PORT:-55470}"
export FEDLEARN_STATE_DIR="${FEDLEARN_STATE_DIR:-$(cd "$(dirname "$0")/.." && pwd)/.fedlearn/audit-honest}"
source "$(dirname "$0")/lib/common.sh"

epsilons="${FEDLEARN_AUDIT_EPSILONS:-1 4 16}"
canaries="${FEDLEARN_AUDIT_CANARIES:-50}"
unseen="${FEDLEARN_AUDIT_UNSEEN:-$canaries}"
rounds="${FEDLEARN_AUDIT_ROUNDS:-5}"
hidden="${FEDLEARN_AUDIT_HIDDEN:-32}"
participants="${FEDLEARN_PARTICIPANTS:-4}"
port="${FEDLEARN_COORDINATOR_PORT:-5190}"
coordinator_url="https://127.0.0.1:$port"
federation="$FL_STATE/federation"
logs="$FL_STATE/logs"
shards="$FL_STATE/shards/fashion-mnist-$participants-alpha0.5"
pids=()
started_pg=0

shutdown() {
  local code=$?
  if [ ${#pids[@]} -gt 0 ]; then
    kill -TERM "${pids[@]}" 2>/dev/null || true
    wait "${pids[@]}" 2>/dev/null || true
  fi
  if [ "$started_pg" -eq 1 ]; then fl_pg_stop; fi
  exit "$code"
}
trap shutdown EXIT INT TERM

fl_ensure_packages
fl_pg_start; started_pg=$FL_PG_STARTED
connection="$(fl_pg_connection_string "$FL_PG_DATABASE" "$FL_PG_COORDINATOR")"
migrations="$(fl_pg_connection_string "$FL_PG_DATABASE" "$FL_PG_OWNER")"
fl_build
mkdir -p "$logs"
cli=(dotnet "$(fl_artifact FedLearn.Cli fedlearn.dll)")
participant_tool="$(fl_artifact FedLearn.Participant fedlearn-participant.dll)"

if [ ! -f "$shards/participant-00/train-labels-idx1-ubyte.gz" ]; then
  fl_log "Splitting Fashion-MNIST into $participants Dirichlet(0.5) label-skewed shards"
  dotnet "$participant_tool" split-dataset --source "$FL_DATASET_DIR" --parts "$participants" --alpha 0.5 --seed 7 --out "$shards"
fi
if [ ! -f "$federation/ca.key" ]; then
  "${cli[@]}" federation init --out "$federation" --server-name localhost --server-name 127.0.0.1 >/dev/null
fi
export FEDLEARN_CREDENTIALS="$federation/admin" FEDLEARN_COORDINATOR="$coordinator_url"

fl_log "Starting the coordinator on $coordinator_url (logs: $logs)"
dotnet "$(fl_artifact FedLearn.Coordinator fedlearn-coordinator.dll)" --urls "$coordinator_url" \
  --Coordinator:FederationDirectory="$federation" --ConnectionStrings:FedLearn="$connection" \
  --ConnectionStrings:FedLearnMigrations="$migrations" --Coordinator:TestData="$FL_DATASET_DIR" \
  --Coordinator:LogDirectory="$logs" --Coordinator:LedgerKeyPath="$FL_STATE/keys/ledger-signing-key.pem" \
  >"$logs/coordinator.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 120); do
  if "${cli[@]}" session list >/dev/null 2>&1; then break; fi
  kill -0 "${pids[0]}" 2>/dev/null || { tail -n 30 "$logs/coordinator.log" >&2; fl_die "the coordinator exited"; }
  sleep 0.5
done

fl_log "Enrolling and starting $participants participants"
for i in $(seq 0 $((participants - 1))); do
  id=$(printf 'participant-%02d' "$i")
  credentials="$FL_STATE/participants/$id"
  if ! dotnet "$participant_tool" renew --coordinator "$coordinator_url" --credentials "$credentials" >/dev/null 2>&1; then
    token="$("${cli[@]}" participant invite "$id" --valid-hours 1 2>/dev/null)" || fl_die "could not invite $id"
    dotnet "$participant_tool" enroll --coordinator "$coordinator_url" --token "$token" --credentials "$credentials" >/dev/null \
      || fl_die "$id could not enroll"
  fi
  dotnet "$participant_tool" run --coordinator "$coordinator_url" --credentials "$credentials" --data "$shards/$id" \
    >"$logs/$id.log" 2>&1 &
  pids+=($!)
done
# The real participants must be connected before a session starts (docs/audit.md, "Commands").
for i in $(seq 0 $((participants - 1))); do
  log="$logs/$(printf 'participant-%02d' "$i").log"
  for _ in $(seq 1 240); do grep -q "connected to" "$log" 2>/dev/null && break; sleep 0.5; done
  grep -q "connected to" "$log" || fl_die "participant $i did not connect; see $log"
done

results="$FL_STATE/results"
mkdir -p "$results"
flagged=0
printf '\n%-6s %-8s %-9s %-34s %-34s %s\n' "ε" "ε_bound" "verdict" "final model: ε_est (≥ lower)" "all iterates: ε_est (≥ lower)" "session"
for epsilon in $epsilons; do
  config="$results/session-eps$epsilon.json"
  # σ = 0: the coordinator calibrates the smallest σ that fits all rounds into ε at q = 1; every canary in every round
  # (sampling_rate 1) is the audit's strongest setting (docs/audit.md, "Power").
  cat >"$config" <<JSON
{
  "name": "audit-honest-eps$epsilon",
  "model": { "kind": "mlp", "input_size": 784, "num_classes": 10, "hidden_sizes": [$hidden], "activation": "relu" },
  "rounds": $rounds,
  "participants_per_round": 1000,
  "min_participants": 2,
  "training": { "local_epochs": 1, "batch_size": 32, "learning_rate": 0.05 },
  "server_learning_rate": 1.0,
  "seed": 42,
  "round_deadline_seconds": 120,
  "privacy": { "epsilon_budget": $epsilon, "delta": 1e-5, "accountant": "rdp", "noise_multiplier": 0, "clip_norm": 1.0,
               "sampling_rate": 1.0, "central_noise": true }
}
JSON
  out="$results/audit-eps$epsilon.json"
  set +e
  "${cli[@]}" audit run --config "$config" --canaries "$canaries" --unseen "$unseen" --json \
    --plot "$results/audit-eps$epsilon.png" --timeout-minutes 60 >"$out" 2>"$results/audit-eps$epsilon.log"
  code=$?
  set -e
  [ "$code" -eq 0 ] || [ "$code" -eq 6 ] || { cat "$results/audit-eps$epsilon.log" >&2; fl_die "audit run failed (exit $code) at ε = $epsilon"; }
  [ "$code" -eq 0 ] || flagged=1
  /usr/bin/python3 - "$epsilon" "$out" <<'PY'
import json, sys
line = next(l for l in open(sys.argv[2]) if l.startswith("{"))
doc = json.loads(line)
r = doc["report"]
cells = {t["name"]: "%.3f (≥ %.3f)%s" % (t["epsilon_estimate"], t["epsilon_lower"], " FLAGGED" if t["flagged"] else "")
         for t in r["threat_models"]}
print("%-6s %-8.3f %-9s %-34s %-34s %s" % (sys.argv[1], r["epsilon_bound"], r["verdict"], cells["final_model"],
                                           cells["all_iterates"], doc["session_id"]))
PY
done
printf '\nK = %s canaries, K'"'"' = %s unseen, %s rounds, d = %s, q = 1, central noise, δ = 1e-5, 95%% confidence; reports in %s\n' \
  "$canaries" "$unseen" "$rounds" "$((784 * hidden + hidden + hidden * 10 + 10))" "$results"
exit $((flagged * 6))
