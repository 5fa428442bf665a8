#!/usr/bin/env bash
# Restores, installs what the tests need, builds, lints the OpenAPI document, and runs every test in the solution —
# the API's integration tests twice: on SQLite, then on a throwaway PostgreSQL cluster (scripts/postgres.sh) that is
# removed after.
# Ends with one line: "Tests: N passed, M failed". Exits non-zero if anything failed or nothing ran.
set -euo pipefail
cd "$(dirname "$0")/.."

results=artifacts/test-results
rm -rf "$results"
mkdir -p "$results"

# Browser tests drive Debian's Chromium, and a metrics test lets Debian's Prometheus scrape the API; install them when
# missing (CI and fresh machines).
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v prometheus >/dev/null 2>&1 || missing+=(prometheus)
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing ${missing[*]} for the tests…"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

dotnet tool restore # NSwag, which the generated-client tests build their client with
dotnet restore CharityPromo.sln
dotnet build CharityPromo.sln -c Release --no-restore -warnaserror

# docs/openapi.json (the API's document: OpenApiDocumentTests keeps them equal) must stay clean under Redocly's
# recommended rules and turn into TypeScript types; the tools are pinned in scripts/openapi/package-lock.json.
openapi_status=0
(cd scripts/openapi && npm ci --no-audit --no-fund --loglevel=error >/dev/null) || openapi_status=1
lint=$(scripts/openapi/node_modules/.bin/redocly lint docs/openapi.json --format=stylish 2>&1) || openapi_status=1
grep -E '^\s+[0-9]+:[0-9]+\s|validated|Validation failed' <<<"$lint" || true
# Recommended rules with nothing left over: a warning fails the run too.
if grep -qE '^\s+[0-9]+:[0-9]+\s+(warning|error)' <<<"$lint"; then openapi_status=1; fi
mkdir -p artifacts/openapi
scripts/openapi/node_modules/.bin/openapi-typescript docs/openapi.json -o artifacts/openapi/charitypromo.d.ts || openapi_status=1
# A short program over those types must compile: what the API may answer as null is typed nullable.
scripts/openapi/node_modules/.bin/tsc -p scripts/openapi/tsconfig.json || openapi_status=1
if [ "$openapi_status" -eq 0 ]; then echo "OpenAPI: docs/openapi.json lints clean and converts to TypeScript that types nullable fields nullable"
else echo "OpenAPI: docs/openapi.json failed the lint, the TypeScript conversion or the nullable-fields compile check" >&2; fi
# The contract pass (tests/CharityPromo.Api.Tests/Contract) runs with the API tests below: it puts the API behind
# Prism's validating proxy (installed above) and fails on any answer the document forbids.

# One results folder per project and provider, so no two TRX files can collide on a timestamp.
status=0
run_tests() { # project, results name, filter
  dotnet test "$1" -c Release --no-build --filter "$3" \
    --logger "trx" --logger "console;verbosity=minimal" --results-directory "$results/$2" || status=$?
}
for project in tests/*.Tests/*.Tests.csproj; do
  run_tests "$project" "$(basename "$project" .csproj)" "Provider!=Postgres"
done

# The same API tests on PostgreSQL (each test app gets its own database on this cluster).
pg_dir=$(mktemp -d /tmp/charitypromo-pg.XXXXXX)
trap 'bash scripts/postgres.sh stop "$pg_dir"; rm -rf "$pg_dir"' EXIT
CHARITYPROMO_TEST_POSTGRES=$(bash scripts/postgres.sh start "$pg_dir" 25432) # below Linux's ephemeral ports
export CHARITYPROMO_TEST_POSTGRES
run_tests tests/CharityPromo.Api.Tests/CharityPromo.Api.Tests.csproj CharityPromo.Api.Tests.Postgres "Provider!=Sqlite"

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
if [ "$status" -ne 0 ] || [ "$openapi_status" -ne 0 ] || [ "$failed" -ne 0 ] || [ "$passed" -eq 0 ]; then
  exit 1
fi
