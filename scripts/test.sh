#!/usr/bin/env bash
# Builds FedLearn, brings up a private PostgreSQL and runs the unit and integration tests.
# Set FEDLEARN_DB to an admin connection string to use an existing PostgreSQL instead.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"

fl_ensure_packages
fl_ensure_notebook_packages
if [ -z "${FEDLEARN_DB:-}" ]; then
  fl_pg_start
  export FEDLEARN_TEST_DB="$(fl_pg_connection_string postgres)"
else
  export FEDLEARN_TEST_DB="$FEDLEARN_DB"
fi
fl_build
fl_log "Running the tests"
cd "$FL_ROOT"
log="$FL_STATE/test-output.log"
mkdir -p "$FL_STATE"
status=0
dotnet test FedLearn.sln -c "$FL_CONFIGURATION" --no-build -nologo "$@" 2>&1 | tee "$log" || status=$?
# One closing line over all test projects ("Passed!  - Failed: 0, Passed: 70, Skipped: 0, Total: 70" per project).
passed=$(grep -oE 'Passed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
failed=$(grep -oE 'Failed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
skipped=$(grep -oE 'Skipped: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
echo "tests: $passed passed, $failed failed, $skipped skipped"
if [ "$passed" -eq 0 ] && [ "$status" -eq 0 ]; then fl_die "no test ran"; fi
exit "$status"
