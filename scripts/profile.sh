#!/usr/bin/env bash
# Where a running .NET process spends its CPU: perf samples it for SECONDS and prints the share of samples per
# CharityPromo frame and what it was calling (scripts/bench/stacks.py). dotnet-trace is not served here; perf is.
# The process must have been started with DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0 so that perf
# can name JIT-compiled methods.   Usage: scripts/profile.sh PID [SECONDS=8] [TOP=25]
set -euo pipefail
pid=$1 seconds=${2:-8} top=${3:-25}
source "$(dirname "$0")/bench/common.sh"
ensure_installed perf linux-perf
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
perf record -F 499 -g -p "$pid" -o "$out/perf.data" -- sleep "$seconds" >/dev/null 2>&1
perf script -i "$out/perf.data" -F comm,tid,ip,sym,dso 2>/dev/null >"$out/stacks.txt"
python3 "$(dirname "$0")/bench/stacks.py" "$out/stacks.txt" "$top"
