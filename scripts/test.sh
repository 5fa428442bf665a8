#!/usr/bin/env bash
# Restores, installs what the tests need, builds, and runs every test in the solution.
# Ends with one line: "Tests: N passed, M failed". Exits non-zero if anything failed or nothing ran.
set -euo pipefail
cd "$(dirname "$0")/.."

results=artifacts/test-results
rm -rf "$results"
mkdir -p "$results"

# Browser tests drive Debian's Chromium; install it when it is missing (CI and fresh machines).
if [ -d tests/CharityPromo.Site.Tests ] && ! command -v chromium >/dev/null 2>&1; then
  echo "Installing Chromium for the browser tests…"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi

dotnet restore CharityPromo.sln
dotnet build CharityPromo.sln -c Release --no-restore -warnaserror

# One results folder per project, so no two TRX files can collide on a timestamp.
status=0
for project in tests/*.Tests/*.Tests.csproj; do
  name=$(basename "$project" .csproj)
  dotnet test "$project" -c Release --no-build \
    --logger "trx" --logger "console;verbosity=minimal" --results-directory "$results/$name" || status=$?
done

passed=0
failed=0
for trx in "$results"/*/*.trx; do
  [ -e "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")
  f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0}))
done

echo "Tests: ${passed} passed, ${failed} failed"
if [ "$status" -ne 0 ] || [ "$failed" -ne 0 ] || [ "$passed" -eq 0 ]; then
  exit 1
fi
