#!/usr/bin/env bash
# Runs the whole suite (scripts/test.sh) N times while CPU hogs keep every core busy, the way a shared CI machine
# is, and lists each test that failed with how many runs it failed in. A test that passes only on an idle machine
# shows up here before it costs a submission.
#   scripts/stress-tests.sh [RUNS]      RUNS defaults to 3; STRESS_HOGS (default 2) sets how many CPU hogs run.
# Ends with "Stress: R runs, F failed runs" and exits non-zero if any test failed in any run.
set -euo pipefail
cd "$(dirname "$0")/.."

runs=${1:-3}
hogs=${STRESS_HOGS:-2}
if ! command -v stress-ng >/dev/null 2>&1; then
  echo "Installing stress-ng…"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq stress-ng >/dev/null
fi

out=artifacts/stress
rm -rf "$out"
mkdir -p "$out"
stress-ng --cpu "$hogs" --timeout 0 --quiet &
hog_pid=$!
trap 'kill "$hog_pid" 2>/dev/null || true; wait "$hog_pid" 2>/dev/null || true' EXIT

failed_runs=0
for run in $(seq 1 "$runs"); do
  started=$(date +%s)
  if bash scripts/test.sh >"$out/run-$run.log" 2>&1; then result=passed; else result=FAILED; failed_runs=$((failed_runs + 1)); fi
  echo "run $run/$runs: $result in $(( $(date +%s) - started )) s — $(tail -n 1 "$out/run-$run.log")"
  # The failed tests' names, from every TRX file the run wrote (test.sh clears them at its start).
  for trx in artifacts/test-results/*/*.trx; do
    [ -e "$trx" ] || continue
    grep -o '<UnitTestResult [^>]*outcome="Failed"[^>]*>' "$trx" | sed -n 's/.* testName="\([^"]*\)".*/\1/p' \
      | sed "s|^|$(basename "$(dirname "$trx")"): |" >>"$out/failures.txt" || true
  done
done

if [ -s "$out/failures.txt" ]; then
  echo "Failed tests (runs failed in, test):"
  sort "$out/failures.txt" | uniq -c | sort -rn
fi
echo "Stress: $runs runs, $failed_runs failed runs"
[ "$failed_runs" -eq 0 ]
