#!/usr/bin/env bash
# Builds and starts the API and the site on 127.0.0.1 with a SQLite file under data/.
# On the first run it also creates an admin API key (kept in data/admin.key) and demo data.
# Ports: API_PORT (5080), SITE_PORT (5081). Stop with Ctrl+C.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
api_port=${API_PORT:-5080}
site_port=${SITE_PORT:-5081}
api_url="http://127.0.0.1:${api_port}"
site_url="http://127.0.0.1:${site_port}"

mkdir -p data
export ConnectionStrings__Default="${ConnectionStrings__Default:-Data Source=$root/data/charitypromo.db}"

echo "Building…"
dotnet build CharityPromo.sln -c Release -v quiet -nologo >/dev/null
api_dll="$root/api/CharityPromo.Api/bin/Release/net10.0/CharityPromo.Api.dll"
site_dll="$root/site/CharityPromo.Site/bin/Release/net10.0/CharityPromo.Site.dll"

if [ ! -s data/admin.key ]; then
  (umask 077 && dotnet "$api_dll" keys create --name "demo-admin-$(date -u +%Y%m%d%H%M%S)" --scopes admin,checkout,finance 2>/dev/null | tail -n 1 > data/admin.key)
fi
admin_key=$(cat data/admin.key)

pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; }
trap cleanup EXIT INT TERM

(cd api/CharityPromo.Api && exec dotnet "$api_dll" --urls "$api_url") &
pids+=($!)
for _ in $(seq 1 60); do
  curl -fsS "$api_url/health/ready" >/dev/null 2>&1 && break
  sleep 0.5
done
curl -fsS "$api_url/health/ready" >/dev/null || { echo "The API did not become ready at $api_url" >&2; exit 1; }

if [ ! -e data/.seeded ]; then
  bash scripts/seed.sh "$api_url" "$admin_key" && touch data/.seeded
fi

(cd site/CharityPromo.Site && Site__ApiBaseUrl="$api_url" exec dotnet "$site_dll" --urls "$site_url") &
pids+=($!)

cat <<TXT

CharityPromo is running.
  Site:        $site_url
  API:         $api_url
  Swagger UI:  $api_url/swagger
  Admin key:   $admin_key   (also in data/admin.key; scopes admin, checkout, finance)

Try:  curl -H "Authorization: Bearer \$(cat data/admin.key)" $api_url/api/admin/invariants
Stop with Ctrl+C.
TXT
wait
