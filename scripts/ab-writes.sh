#!/usr/bin/env bash
# A/B runs of the write case (POST /api/purchases) for changes too small for one bench.sh run to show: each build in
# turn, BENCH_ROUNDS times over (A, B, A, B…, since this machine drifts between runs), each on a fresh SQLite file with
# bench.sh's campaign; BENCH_SLOW_WARMUP (25) seconds of unmeasured load, then BENCH_SECONDS (10) measured. One line per
# run: rate, p99, the API's CPU per request (perf stat task-clock over the measured run), the single writer's use, and
# whether the ledger invariants hold afterwards. Nothing is written to docs/BENCHMARKS.md.
#   Usage: scripts/ab-writes.sh DIR [DIR…]   each DIR an API build: dotnet publish api/CharityPromo.Api -c Release -o DIR
#   BENCH_ROUNDS (3), BENCH_CONNECTIONS (64), BENCH_THREADS (2),
#   BENCH_CUSTOMERS (1000): distinct customer references (fewer: longer histories; 0: none sent),
#   BENCH_PREP: SQL that sqlite3 runs on the fresh schema before the API starts (a bound such as a dropped index),
#   BENCH_POSTGRES (0): 1 runs every build on PostgreSQL instead, a fresh database per run on one throwaway cluster
#   (scripts/postgres.sh, as bench.sh's PostgreSQL case).
set -euo pipefail
# Each run is a fresh database: a fresh customer-reference key too (the API runs as in production, which requires one).
export Security__CustomerRefKey="base64:$(head -c 32 /dev/urandom | base64 -w0)"
cd "$(dirname "$0")/.."
root=$PWD
[ $# -ge 1 ] || { sed -n '2,13p' "$0" >&2; exit 2; }
rounds=${BENCH_ROUNDS:-3}
seconds=${BENCH_SECONDS:-10}
[ "$seconds" -ge 3 ] || { echo "BENCH_SECONDS must be at least 3." >&2; exit 2; }
warmup=${BENCH_SLOW_WARMUP:-25}
connections=${BENCH_CONNECTIONS:-64}
threads=${BENCH_THREADS:-2}
source scripts/bench/common.sh
ensure_installed wrk wrk
ensure_installed perf linux-perf
[ -z "${BENCH_PREP:-}" ] || ensure_installed sqlite3 sqlite3

api=http://127.0.0.1:5180
export Logging__LogLevel__Default=Warning Logging__LogLevel__Microsoft=Warning
export BENCH_DIR="$root/scripts/bench"
work=$(mktemp -d)
api_pid=""
pg_dir=""
trap '[ -z "$api_pid" ] || kill "$api_pid" 2>/dev/null; wait 2>/dev/null; [ -z "$pg_dir" ] || { bash scripts/postgres.sh stop "$pg_dir"; rm -rf "$pg_dir"; }; rm -rf "$work"' EXIT INT TERM
if [ "${BENCH_POSTGRES:-0}" = 1 ]; then
  pg_dir=$(mktemp -d /tmp/charitypromo-ab-pg.XXXXXX) # not under $work: the server runs as another user
  pg_port=$(sed -n 's/.*Port=\([0-9]*\).*/\1/p' <<<"$(bash scripts/postgres.sh start "$pg_dir" 25533)")
  export Database__Provider=Postgres
fi
runs=0

one_run() { # DIR LABEL
  local dir=$1 label=$2 db="$work/run.db"
  rm -f "$db"*
  export ConnectionStrings__Default="Data Source=$db"
  if [ -n "$pg_dir" ]; then
    runs=$((runs + 1))
    psql -q -h 127.0.0.1 -p "$pg_port" -U postgres -c "CREATE DATABASE ab_$runs" postgres
    export ConnectionStrings__Default="Host=127.0.0.1;Port=$pg_port;Username=postgres;Database=ab_$runs"
  fi
  admin_key=$(dotnet "$dir/CharityPromo.Api.dll" keys create --name ab --scopes admin,checkout,finance 2>/dev/null | tail -n 1)
  [ -z "${BENCH_PREP:-}" ] || sqlite3 "$db" "$BENCH_PREP"
  (cd "$dir" && exec dotnet CharityPromo.Api.dll --urls "$api") >"$work/api.log" 2>&1 &
  api_pid=$!
  for _ in $(seq 1 120); do curl -s -o /dev/null "$api/health/ready" && break; sleep 0.5; done
  setup_campaign
  export BENCH_KEY=$admin_key
  BENCH_RUN="ab$RANDOM-warm" wrk -t"$threads" -c"$connections" -d"${warmup}s" -s "$BENCH_DIR/purchase.lua" "$api/api/purchases" >/dev/null 2>&1 || true
  local before out cpu_ms rps p99
  before=$(writer_report)
  # CPU over the middle of the measured run: its first and last second left out
  (sleep 1; perf stat -x, -e task-clock -p "$api_pid" -o "$work/perf.txt" -- sleep $((seconds - 2)) >/dev/null 2>&1) &
  local perf_pid=$!
  out=$(BENCH_RUN="ab$RANDOM" wrk -t"$threads" -c"$connections" -d"${seconds}s" --latency -s "$BENCH_DIR/purchase.lua" "$api/api/purchases" 2>&1)
  wait "$perf_pid" || true
  rps=$(awk '/^Requests\/sec:/ {printf "%.0f", $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  cpu_ms=$(awk -F, '/task-clock/ {print $1}' "$work/perf.txt")
  printf '%s  %6s req/s  p99 %-8s  %s µs CPU a request  writer %s  invariants ok: %s\n' "$label" "$rps" "$p99" \
    "$(awk -v ms="$cpu_ms" -v r="$rps" -v s=$((seconds - 2)) 'BEGIN {printf "%.0f", 1000 * ms / (r * s)}')" \
    "$(writer_use "$before" "$(writer_report)")" \
    "$(curl -fsS -H "Authorization: Bearer $admin_key" "$api/api/admin/invariants" | sed -n 's/.*"ok":\([a-z]*\).*/\1/p')"
  kill "$api_pid"; wait "$api_pid" 2>/dev/null || true; api_pid=""
}

labels=(A B C D E F G H)
[ $# -le ${#labels[@]} ] || { echo "At most ${#labels[@]} builds." >&2; exit 2; }
customers=${BENCH_CUSTOMERS:-1000}; [ "$customers" != 0 ] || customers="no"
echo "Write case, $customers customers, $connections connections, ${warmup} s warm-up, ${seconds} s measured, $rounds rounds:"
for round in $(seq 1 "$rounds"); do
  n=0
  for dir in "$@"; do
    one_run "$(cd "$dir" && pwd)" "${labels[n]}$round $(basename "$dir")"
    n=$((n + 1))
  done
done
