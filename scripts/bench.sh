#!/usr/bin/env bash
# Benchmarks CharityPromo on this machine and writes the figures to docs/BENCHMARKS.md.
# Builds Release, starts a Kestrel baseline, the API (fresh SQLite file) and the site on 127.0.0.1,
# drives each case with wrk, and reports every figure beside the baseline measured in the same run.
# After the write case it checks the ledger invariants and that purchases in the database = 201s seen, and
# prints how the single writer spent the measured run (busy share, commit share, batches: GET /api/admin/writer).
# Then purchases and the public totals read at once (the mixed case: each committed batch evicts the cached totals).
# Then the write case again with one webhook endpoint registered, against the baseline's echo (the outbox's cost).
# Then, at the largest BENCH_SCALE, the CSV export and a remittance over the whole backlog (one batch and its payment).
# Last, the write case again on PostgreSQL (a throwaway cluster from scripts/postgres.sh), beside SQLite's, then on two
# API instances sharing that database.
#   BENCH_SECONDS (10) per case, BENCH_WARMUP (8) seconds of unmeasured load before each case (the JIT
#   tiers up under load: a cold 3 s run of a trivial endpoint measured a quarter of a warm one),
#   BENCH_SLOW_WARMUP (30) for the cases that run at a few thousand requests a second or less (the writes, and
#   the first uncached totals read after a restart), the site's first page (the first load on that process) and
#   the first cached read after the writes: there the JIT kept compiling (~800 methods/s) for ~20 s, and an 8 s
#   warm-up measured half the steady write rate (the site page: 37–58% of the baseline after 8 s, 66–70% after
#   30 s; cached totals right after the writes 71.6k req/s, then 77.8k and 77.5k, level with receipts),
#   BENCH_CONNECTIONS (64), BENCH_THREADS (2),
#   BENCH_PROFILE (0): 1 also profiles the SQLite write case with perf (scripts/profile.sh) after measuring it,
#   BENCH_SCALE ("10000 1000000"): purchase counts at which the uncached totals read is measured again after
#   bulk seeding (`seed-bulk`); the CSV export is timed at the largest. "10000 1000000 10000000" adds 10M
#   (about 10 more minutes and several GB of disk).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
# Each run is a fresh database: a fresh customer-reference key too (the API runs as in production, which requires one).
export Security__CustomerRefKey="base64:$(head -c 32 /dev/urandom | base64 -w0)"
# The remittance case batches pledges the run itself confirmed: no hold (Remittances__HoldDays) before they are due.
export Remittances__HoldDays=0
seconds=${BENCH_SECONDS:-10}
warmup=${BENCH_WARMUP:-8}
slow_warmup=${BENCH_SLOW_WARMUP:-30}
profile=${BENCH_PROFILE:-0}
connections=${BENCH_CONNECTIONS:-64}
threads=${BENCH_THREADS:-2}

source scripts/bench/common.sh
ensure_installed wrk wrk

echo "Building Release…"
dotnet build CharityPromo.sln -c Release -v quiet -nologo >/dev/null
dotnet build scripts/baseline/Baseline.csproj -c Release -v quiet -nologo >/dev/null

work=$(mktemp -d)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT INT TERM

base=http://127.0.0.1:5190
api=http://127.0.0.1:5180
site=http://127.0.0.1:5181
export ConnectionStrings__Default="Data Source=$work/bench.db"
export Logging__LogLevel__Default=Warning Logging__LogLevel__Microsoft=Warning
export Webhooks__AllowLoopback=true # the webhook case's receiver is the baseline on 127.0.0.1

api_dll=api/CharityPromo.Api/bin/Release/net10.0/CharityPromo.Api.dll
admin_key=$(dotnet "$api_dll" keys create --name bench-admin --scopes admin,checkout,finance 2>/dev/null | tail -n 1)

dotnet scripts/baseline/bin/Release/net10.0/Baseline.dll --urls "$base" >"$work/baseline.log" 2>&1 & pids+=($!)
perf_env=()
[ "$profile" = 1 ] && perf_env=(DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0) # lets perf name JIT-compiled methods
(cd api/CharityPromo.Api && exec env "${perf_env[@]}" dotnet "$root/$api_dll" --urls "$api") >"$work/api.log" 2>&1 & pids+=($!)
# wrk is one client address: the site's per-address limit (Site__RequestsPerSecond) would answer it 429, so it is lifted here.
(cd site/CharityPromo.Site && Site__ApiBaseUrl="$api" Site__RequestsPerSecond=100000 Site__RequestBurst=100000 Logging__LogLevel__Default=Warning exec dotnet "$root/site/CharityPromo.Site/bin/Release/net10.0/CharityPromo.Site.dll" --urls "$site") >"$work/site.log" 2>&1 & pids+=($!)
for url in "$base/json" "$api/health/ready" "$site/not-found"; do
  for _ in $(seq 1 60); do curl -s -o /dev/null "$url" && break; sleep 0.5; done
done

setup_campaign
auth=(-H "Authorization: Bearer $admin_key" -H 'Content-Type: application/json')
receipt=$(curl -fsS "${auth[@]}" -H "Idempotency-Key: bench-receipt" "$api/api/purchases" \
  -d '{"campaign":"bench","orderId":"R-1","currency":"usd","amount":4999,"roundUp":true,"addOn":100,"payment":{"method":"external","reference":"R-1"}}' \
  | sed -n 's/.*"receiptCode":"\([^"]*\)".*/\1/p')

export BENCH_DIR="$root/scripts/bench" BENCH_KEY="$admin_key" BENCH_RUN="r$(date +%s)"
rows=()
baseline_get=""
baseline_post=""
purchases_recorded() { # purchases in the database, as the invariant check counts them
  curl -fsS -H "Authorization: Bearer $admin_key" "$api/api/admin/invariants" | sed -n 's/.*"purchasesChecked":\([0-9]*\).*/\1/p'
}
# run NAME URL [LUA]: one wrk case; appends a table row; prints a line as it goes.
run() {
  local name=$1 url=$2 lua=${3:-}
  local args=(-t"$threads" -c"$connections" -d"${seconds}s" --latency)
  [ -n "$lua" ] && args+=(-s "$BENCH_DIR/$lua")
  local out
  # Its own run id: the measured run must not resend the warm-up's Idempotency-Keys (they would be replays).
  local warm=$warmup
  [ "$lua" = purchase.lua ] && warm=$slow_warmup
  [ "${first_load:-}" = 1 ] && warm=$slow_warmup # the first load on a process that has just started: the JIT is still at work
  BENCH_RUN="${BENCH_RUN}-warm" wrk -t"$threads" -c"$connections" -d"${warm}s" ${lua:+-s "$BENCH_DIR/$lua"} "$url" >/dev/null 2>&1 || true
  local writer_before=""
  [ "$lua" = purchase.lua ] && warm_created=$(purchases_recorded) && writer_before=$(writer_report)
  out=$(wrk "${args[@]}" "$url" 2>&1)
  [ -n "$writer_before" ] && LAST_WRITER=$(writer_use "$writer_before" "$(writer_report)")
  record "$name" "$out" "$lua"
}
# record NAME WRK_OUTPUT [LUA]: appends the table row for one wrk run and prints it.
record() {
  local name=$1 out=$2 lua=${3:-}
  local rps p50 p99 non2xx created
  rps=$(awk '/^Requests\/sec:/ {printf "%.0f", $2}' <<<"$out")
  p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  non2xx=$(awk '/Non-2xx or 3xx responses:/ {print $5}' <<<"$out")
  created=$(awk '/^CREATED/ {print $2}' <<<"$out")
  local ratio="—"
  case "$name" in
    *"(baseline)"*) ;;
    *) local ref=$baseline_get; [ -n "$lua" ] && ref=$baseline_post
       [ -n "$ref" ] && ratio=$(awk -v a="$rps" -v b="$ref" 'BEGIN {printf "%.0f%%", 100 * a / b}') ;;
  esac
  rows+=("| $name | $rps | $ratio | $p50 | $p99 | ${non2xx:-0} |")
  echo "  $name: $rps req/s (p50 $p50, p99 $p99) ${created:+created $created}"
  LAST_RPS=$rps
  LAST_CREATED=${created:-0}
}
warm_created=0

echo "Running ${seconds}s per case, $connections connections, $threads wrk threads…"
run "Kestrel JSON GET (baseline)" "$base/json";            baseline_get=$LAST_RPS
run "Kestrel JSON POST echo (baseline)" "$base/echo" echo.lua; baseline_post=$LAST_RPS
run "Record purchase: POST /api/purchases" "$api/api/purchases" purchase.lua
purchases_created=$LAST_CREATED
writer_sqlite=$LAST_WRITER
write_rps=$LAST_RPS
echo "  The writer: $writer_sqlite"
sleep 1 # the requests wrk left in flight finish
after_write=$(purchases_recorded)
profile_out=""
if [ "$profile" = 1 ]; then # under the same load again, unmeasured (perf slows it); its purchases count as warm-up
  echo "Profiling the write case…"
  BENCH_RUN="${BENCH_RUN}-profile" wrk -t"$threads" -c"$connections" -d"$((seconds + 4))s" -s "$BENCH_DIR/purchase.lua" "$api/api/purchases" >/dev/null 2>&1 &
  wrk_pid=$!
  sleep 2
  profile_out=$(bash scripts/profile.sh "${pids[1]}" "$seconds" 20)
  wait "$wrk_pid" || true
  echo "$profile_out"
fi
run "Quote: POST /api/pledges/quote" "$api/api/pledges/quote" quote.lua
first_load=1 run "Public totals: GET /api/campaigns/bench" "$api/api/campaigns/bench" # the first cached read, after the writes
run "Receipt: GET /api/receipts/{code}" "$api/api/receipts/$receipt"
first_load=1 run "Site campaign page: GET /campaigns/bench" "$site/campaigns/bench"
run "Site badge: GET /badge/bench.svg" "$site/badge/bench.svg"

# Mixed: purchases and the public totals read at once, as while shoppers watch a sale; every committed write batch
# evicts the cached totals, so some reads go to the database. Three quarters of the connections write.
writers=$((connections * 3 / 4))
readers=$((connections - writers))
mixed_wrk() { # SECONDS WRITE_OUT READ_OUT
  BENCH_RUN="${BENCH_RUN}-mixed$1" wrk -t1 -c"$writers" -d"$1s" --latency -s "$BENCH_DIR/purchase.lua" "$api/api/purchases" >"$2" 2>&1 &
  local writer=$!
  wrk -t1 -c"$readers" -d"$1s" --latency "$api/api/campaigns/bench" >"$3" 2>&1 || true
  wait "$writer" || true
}
mixed_wrk "$warmup" /dev/null /dev/null
mixed_wrk "$seconds" "$work/mixed-write.txt" "$work/mixed-read.txt"
record "Mixed, $writers connections: POST /api/purchases" "$(cat "$work/mixed-write.txt")" purchase.lua
record "Mixed, $readers connections: GET /api/campaigns/bench" "$(cat "$work/mixed-read.txt")"

invariants=$(curl -fsS -H "Authorization: Bearer $admin_key" "$api/api/admin/invariants")
ok=$(sed -n 's/.*"ok":\([a-z]*\).*/\1/p' <<<"$invariants")
in_db=$(sed -n 's/.*"purchasesChecked":\([0-9]*\).*/\1/p' <<<"$invariants")
# wrk stops at its deadline with up to one request per connection in flight; the server still completes
# those, unseen by wrk. So the database may hold up to $connections more than the 201s wrk counted.
measured_in_db=$((after_write - warm_created))
echo "Invariants ok: $ok; purchases recorded during the measured run: $measured_in_db; 201s seen by wrk: $purchases_created"

# The write case again with one webhook endpoint registered: every purchase also queues a signed purchase.confirmed,
# which the dispatcher POSTs to the baseline's echo while the load runs. Removed afterwards (its pending deliveries go with it).
hook=$(curl -fsS "${auth[@]}" "$api/api/webhook-endpoints" -d "{\"url\":\"$base/echo\",\"events\":[\"purchase.confirmed\"]}" \
  | sed -n 's/.*"id":"\([^"]*\)".*/\1/p')
run "Record purchase, one webhook endpoint registered: POST /api/purchases" "$api/api/purchases" purchase.lua
webhook_rps=$LAST_RPS
webhook_delivered=$(curl -fsS -H "Authorization: Bearer $admin_key" "$api/api/webhook-endpoints/$hook/deliveries?limit=1" \
  | sed -n 's/.*"status":"\([a-z]*\)".*/\1/p')
curl -fsS -X DELETE -H "Authorization: Bearer $admin_key" "$api/api/webhook-endpoints/$hook" >/dev/null
webhook_ratio=$(awk -v a="$webhook_rps" -v b="$write_rps" 'BEGIN {printf "%.0f%%", 100 * a / b}')
echo "  With a webhook endpoint: $webhook_ratio of the write case without one; the newest delivery was $webhook_delivered when wrk stopped"

# Scale: the same totals read with the public cache off, as the purchase count grows; and a receipt, which in a real
# sale is always a miss (every shopper's code is its own URL), uncached the same way.
scale=${BENCH_SCALE:-"10000 1000000"}
kill "${pids[2]}" 2>/dev/null || true # the site is done
kill "${pids[1]}"; wait "${pids[1]}" 2>/dev/null || true
start_api() { # starts the API (public cache off) and sets api_pid
  (cd api/CharityPromo.Api && Caching__PublicSeconds=0 exec dotnet "$root/$api_dll" --urls "$api") >>"$work/api.log" 2>&1 &
  api_pid=$!; pids+=($api_pid)
  for _ in $(seq 1 120); do curl -s -o /dev/null "$api/health/ready" && break; sleep 0.5; done
}
start_api
scale_rows=()
have=$in_db
for target in $scale; do
  if [ "$target" -gt "$have" ]; then
    echo "Seeding to $target purchases…"
    dotnet "$api_dll" seed-bulk --campaign bench --purchases $((target - have)) 2>/dev/null
    have=$target
  fi
  warm=$warmup
  [ "$target" = "${scale%% *}" ] && warm=$slow_warmup # the API has just restarted
  wrk -t"$threads" -c"$connections" -d"${warm}s" "$api/api/campaigns/bench" >/dev/null 2>&1 || true
  out=$(wrk -t"$threads" -c"$connections" -d"${seconds}s" --latency "$api/api/campaigns/bench" 2>&1)
  rps=$(awk '/^Requests\/sec:/ {printf "%.0f", $2}' <<<"$out")
  p50=$(awk '$1 == "50%" {print $2}' <<<"$out"); p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  wrk -t"$threads" -c"$connections" -d"${warmup}s" "$api/api/receipts/$receipt" >/dev/null 2>&1 || true
  out=$(wrk -t"$threads" -c"$connections" -d"${seconds}s" --latency "$api/api/receipts/$receipt" 2>&1)
  receipt_rps=$(awk '/^Requests\/sec:/ {printf "%.0f", $2}' <<<"$out")
  receipt_p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  # $have: the purchases actually in the database (the write cases may already have recorded more than $target)
  scale_rows+=("| $have | $rps | $p50 | $p99 | $receipt_rps | $receipt_p99 |")
  echo "  totals read, uncached, at $have purchases: $rps req/s (p50 $p50, p99 $p99); receipt, uncached: $receipt_rps req/s (p99 $receipt_p99)"
done

# Export: every pledge row as CSV through the API, against the bare loop; peak RSS of a fresh API process.
# The database file is larger than what this machine keeps in its page cache, so whichever scan runs second finds
# more of it cached (~1.5x faster here): the bare loop runs before and after the export, and the ratio uses their mean.
kill "$api_pid"; wait "$api_pid" 2>/dev/null || true
bare_loop() { # prints the seconds one bare loop took
  local start; start=$(date +%s.%N)
  dotnet scripts/baseline/bin/Release/net10.0/Baseline.dll export "$work/bench.db" >/dev/null 2>&1
  awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN {printf "%.2f", e - s}'
}
bare_before=$(bare_loop)
start_api
rss_before=$(awk '/VmRSS/ {print int($2 / 1024)}' "/proc/$api_pid/status")
export_s=$(curl -fsS -o "$work/export.csv" -w '%{time_total}' -H "Authorization: Bearer $admin_key" "$api/api/reports/pledges?format=csv")
peak_mb=$(awk '/VmHWM/ {print int($2 / 1024)}' "/proc/$api_pid/status")
export_rows=$(($(wc -l < "$work/export.csv") - 1))
bare_after=$(bare_loop)
bare_s=$(awk -v a="$bare_before" -v b="$bare_after" 'BEGIN {printf "%.2f", (a + b) / 2}')
export_ratio=$(awk -v a="$export_s" -v b="$bare_s" 'BEGIN {printf "%.1f×", a / b}')
echo "  CSV export: $export_rows rows in ${export_s}s (bare loop ${bare_before}s before, ${bare_after}s after: $export_ratio); API RSS ${rss_before} MB before, peak ${peak_mb} MB"

# Remittance over the whole backlog: one batch (at most Remittances:MaxLines pledges) and its payment, each one write on
# the single writer, so checkouts wait for it: a purchase sent 0.2 s into the batch shows how long.
auth=(-H "Authorization: Bearer $admin_key" -H 'Content-Type: application/json')
(sleep 0.2; curl -fsS -o /dev/null -w '%{time_total}' "${auth[@]}" -H "Idempotency-Key: bench-during-remittance" "$api/api/purchases" \
  -d '{"campaign":"bench","orderId":"R-2","currency":"usd","amount":4999,"payment":{"method":"external","reference":"R-2"}}' >"$work/during.txt") &
during_pid=$!
remit_out=$(curl -fsS -w '\n%{time_total}' "${auth[@]}" -H "Idempotency-Key: bench-remittance" "$api/api/remittances" \
  -d "{\"charity\":\"bench-charity\",\"currency\":\"usd\",\"cutoffUtc\":\"$(date -u +%Y-%m-%dT%H:%M:%SZ)\"}")
wait "$during_pid"
remit_s=$(tail -n 1 <<<"$remit_out")
remit_lines=$(sed -n 's/.*"lines":\([0-9]*\).*/\1/p' <<<"$remit_out")
remit_id=$(sed -n 's/.*"id":"\([^"]*\)".*/\1/p' <<<"$remit_out")
paid_s=$(curl -fsS -o /dev/null -w '%{time_total}' "${auth[@]}" -H "Idempotency-Key: bench-remittance-paid" "$api/api/remittances/$remit_id/paid" -d '{"reference":"BENCH-1"}')
during_s=$(cat "$work/during.txt")
remit_ok=$(curl -fsS -H "Authorization: Bearer $admin_key" "$api/api/admin/invariants" | sed -n 's/.*"ok":\([a-z]*\).*/\1/p')
echo "  Remittance: $remit_lines lines in ${remit_s}s, marked paid in ${paid_s}s; a purchase sent meanwhile took ${during_s}s; invariants ok: $remit_ok"

# PostgreSQL: the write case again, on a throwaway cluster on this machine (fsync on, default settings).
kill "$api_pid"; wait "$api_pid" 2>/dev/null || true
pg_dir=$(mktemp -d /tmp/charitypromo-bench-pg.XXXXXX) # not under $work: the server runs as another user
trap 'bash scripts/postgres.sh stop "$pg_dir"; rm -rf "$pg_dir"; cleanup' EXIT INT TERM
pg_connection=$(bash scripts/postgres.sh start "$pg_dir" 25532) # below Linux's ephemeral ports
pg_port=$(sed -n 's/.*Port=\([0-9]*\).*/\1/p' <<<"$pg_connection")
psql -q -h 127.0.0.1 -p "$pg_port" -U postgres -c "CREATE DATABASE bench" postgres
export Database__Provider=Postgres ConnectionStrings__Default="Host=127.0.0.1;Port=$pg_port;Username=postgres;Database=bench"
admin_key=$(dotnet "$api_dll" keys create --name bench-admin --scopes admin,checkout,finance 2>/dev/null | tail -n 1)
export BENCH_KEY="$admin_key"
start_api
setup_campaign
run "Record purchase on PostgreSQL: POST /api/purchases" "$api/api/purchases" purchase.lua
pg_created=$LAST_CREATED
writer_pg=$LAST_WRITER
echo "  The writer on PostgreSQL: $writer_pg"
pg_invariants=$(curl -fsS -H "Authorization: Bearer $admin_key" "$api/api/admin/invariants")
pg_ok=$(sed -n 's/.*"ok":\([a-z]*\).*/\1/p' <<<"$pg_invariants")
pg_in_db=$(( $(sed -n 's/.*"purchasesChecked":\([0-9]*\).*/\1/p' <<<"$pg_invariants") - warm_created ))
echo "PostgreSQL invariants ok: $pg_ok; purchases recorded during the measured run: $pg_in_db; 201s seen by wrk: $pg_created"

# Two API instances on the one PostgreSQL database, as a shop scales out: each instance gets its own wrk with half the
# connections (no proxy between: a round-robin balancer adds its own hop and CPU on this 2-core machine, and the
# point is what the database and the instances do), and the two runs overlap exactly.
api2=http://127.0.0.1:5182
(cd api/CharityPromo.Api && Caching__PublicSeconds=0 exec dotnet "$root/$api_dll" --urls "$api2") >>"$work/api2.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 120); do curl -s -o /dev/null "$api2/health/ready" && break; sleep 0.5; done
half=$((connections / 2))
two_wrk() { # SECONDS OUT_1 OUT_2: both instances under load at once, each wrk with its own run id (its own keys)
  BENCH_RUN="${BENCH_RUN}-two$1-a" wrk -t1 -c"$half" -d"$1s" --latency -s "$BENCH_DIR/purchase.lua" "$api/api/purchases" >"$2" 2>&1 &
  local first=$!
  BENCH_RUN="${BENCH_RUN}-two$1-b" wrk -t1 -c"$half" -d"$1s" --latency -s "$BENCH_DIR/purchase.lua" "$api2/api/purchases" >"$3" 2>&1 || true
  wait "$first" || true
}
two_wrk "$slow_warmup" /dev/null /dev/null
sleep 1
two_before=$(purchases_recorded)
two_wrk "$seconds" "$work/two-1.txt" "$work/two-2.txt"
sleep 1 # the requests wrk left in flight finish
two_in_db=$(( $(purchases_recorded) - two_before ))
record "PostgreSQL, 2 instances — instance 1, $half connections: POST /api/purchases" "$(cat "$work/two-1.txt")" purchase.lua
two_rps=$LAST_RPS; two_created=$LAST_CREATED
record "PostgreSQL, 2 instances — instance 2, $half connections: POST /api/purchases" "$(cat "$work/two-2.txt")" purchase.lua
two_rps=$((two_rps + LAST_RPS)); two_created=$((two_created + LAST_CREATED))
two_5xx=$(cat "$work/two-1.txt" "$work/two-2.txt" | awk '/Non-2xx or 3xx responses:/ {n += $5} END {print n + 0}')
two_ok=$(curl -fsS -H "Authorization: Bearer $admin_key" "$api2/api/admin/invariants" | sed -n 's/.*"ok":\([a-z]*\).*/\1/p')
echo "Two instances on PostgreSQL: $two_rps req/s together; non-2xx $two_5xx; invariants ok: $two_ok; recorded $two_in_db, 201s seen $two_created"

cpu=$(grep -m1 "model name" /proc/cpuinfo | cut -d: -f2 | xargs)
table=$(printf '%s\n' "${rows[@]}")
profile_block=""
if [ -n "$profile_out" ]; then
  profile_block=$(printf '\n%s\n%s\n\n```\n%s\n```\n' \
    "Profile of the SQLite write case (\`BENCH_PROFILE=1\`, \`scripts/profile.sh\`): perf samples of the API process under the same" \
    "load, after the measured run; each line is the innermost CharityPromo frame and what it was calling." "$profile_out")
fi
block=$(cat <<MD
<!-- bench:start (written by scripts/bench.sh; edit outside these markers) -->
Run $(date -u +"%Y-%m-%d %H:%M UTC") on $(nproc) cores ($cpu), $(free -g | awk '/Mem:/ {print $2}') GiB, .NET $(dotnet --version).
Command: \`BENCH_SECONDS=$seconds BENCH_CONNECTIONS=$connections BENCH_SLOW_WARMUP=$slow_warmup BENCH_PROFILE=$profile BENCH_SCALE="$scale" scripts/bench.sh\` — wrk, $threads threads, $connections connections,
${seconds} s per case, on the same machine as the servers (so wrk takes CPU from them).
"vs baseline" compares with the Kestrel JSON GET, or the JSON POST echo for POST cases, measured in the same run.

| case | req/s | vs baseline | p50 | p99 | non-2xx |
|---|---|---|---|---|---|
$table

Totals read and a receipt with the public cache off (\`Caching__PublicSeconds=0\`) as the history grows (\`seed-bulk\`):

| purchases | totals req/s | p50 | p99 | receipt req/s | receipt p99 |
|---|---|---|---|---|---|
$(printf '%s\n' "${scale_rows[@]}")

CSV export of all $export_rows pledge rows: **${export_s} s** through \`GET /api/reports/pledges?format=csv\`, against
${bare_s} s for a bare reader-to-StreamWriter loop over the same rows (**$export_ratio**; the mean of ${bare_before} s before the export and
${bare_after} s after it, since the second scan of a file larger than the page cache finds more of it cached; the loop includes its ~0.1 s start-up);
API process RSS ${rss_before} MB before, **peak ${peak_mb} MB**.

A remittance at that size (\`POST /api/remittances\` for the whole backlog, then \`/paid\`; each one write on the single writer): a batch of
**$remit_lines** lines (\`Remittances__MaxLines\`) created in **${remit_s} s** and marked paid in **${paid_s} s**; a purchase sent 0.2 s into
the batch was answered in ${during_s} s; invariants ok = **$remit_ok** after it.

After the write case: invariants ok = **$ok**; purchases recorded during the measured run = **$measured_in_db**,
201 responses counted by wrk = $purchases_created (the difference, at most one per connection, is requests in flight when wrk stopped).
On PostgreSQL: invariants ok = **$pg_ok**; recorded = **$pg_in_db**, 201s counted = $pg_created.
Two instances on that PostgreSQL database, each with half the connections: **$two_rps req/s** together, non-2xx = **$two_5xx**,
invariants ok = **$two_ok**; recorded = **$two_in_db**, 201s counted = $two_created.
The single writer during the measured write case (\`GET /api/admin/writer\` before and after): $writer_sqlite; on PostgreSQL, $writer_pg.
With one webhook endpoint registered (the baseline's echo as receiver, on this machine), the write case ran at **$webhook_ratio** of
its rate without one ($webhook_rps against $write_rps req/s, measured one after the other); the newest delivery was $webhook_delivered when wrk stopped.
$profile_block
<!-- bench:end -->
MD
)
doc=docs/BENCHMARKS.md
[ -f "$doc" ] || printf '# Benchmarks\n\n<!-- bench:start -->\n<!-- bench:end -->\n' > "$doc"
BLOCK="$block" python3 - "$doc" <<'PY'
import os, re, sys
path = sys.argv[1]
text = open(path).read()
text = re.sub(r"<!-- bench:start.*?<!-- bench:end -->", lambda _: os.environ["BLOCK"], text, flags=re.S)
open(path, "w").write(text)
PY
echo "Wrote $doc"
[ "$ok" = "true" ] && [ "$measured_in_db" -ge "$purchases_created" ] && [ "$measured_in_db" -le $((purchases_created + connections)) ] \
  && [ "$remit_ok" = "true" ] && [ "$pg_ok" = "true" ] && [ "$pg_in_db" -ge "$pg_created" ] && [ "$pg_in_db" -le $((pg_created + connections)) ] \
  || { echo "Write benchmark check failed" >&2; exit 1; }
