#!/usr/bin/env bash
# Builds and starts the API and the site on 127.0.0.1 with a SQLite file under data/.
# On the first run it also creates an admin API key (kept in data/admin.key) and demo data.
# Payments: with Stripe__SecretKey set (a Stripe test-mode key) the API talks to Stripe; without it, an
# offline Stripe test double (tests/CharityPromo.StripeDouble) is started and the API pointed at it.
# Ports: API_PORT (5080), SITE_PORT (5081), STRIPE_PORT (5090, the double). Stop with Ctrl+C.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
api_port=${API_PORT:-5080}
site_port=${SITE_PORT:-5081}
api_url="http://127.0.0.1:${api_port}"
site_url="http://127.0.0.1:${site_port}"
stripe_url="http://127.0.0.1:${STRIPE_PORT:-5090}"

mkdir -p data
export ConnectionStrings__Default="${ConnectionStrings__Default:-Data Source=$root/data/charitypromo.db}"
export Shop__Name="${Shop__Name:-Corner Books}" # the shop the disclosures, receipts and statements name
export Webhooks__AllowLoopback="${Webhooks__AllowLoopback:-true}" # the demo: webhook receivers on this machine (README)

echo "Building…"
dotnet build CharityPromo.sln -c Release -v quiet -nologo >/dev/null
api_dll="$root/api/CharityPromo.Api/bin/Release/net10.0/CharityPromo.Api.dll"
site_dll="$root/site/CharityPromo.Site/bin/Release/net10.0/CharityPromo.Site.dll"
double_dll="$root/tests/CharityPromo.StripeDouble/bin/Release/net10.0/CharityPromo.StripeDouble.dll"

# The API runs as in production, which needs the customer-reference key from outside its database: kept in data/ for
# the demo. A demo database from before keeps its own (customers export-key moves it out), so loyalty carries on.
if [ ! -s data/customer-ref.key ]; then
  (umask 077 && { dotnet "$api_dll" customers export-key 2>/dev/null || true; } | tail -n 1 > data/customer-ref.key)
  [ -s data/customer-ref.key ] || (umask 077 && echo "base64:$(head -c 32 /dev/urandom | base64 -w0)" > data/customer-ref.key)
fi
Security__CustomerRefKey=$(cat data/customer-ref.key)
export Security__CustomerRefKey

if [ ! -s data/admin.key ]; then
  (umask 077 && dotnet "$api_dll" keys create --name "demo-admin-$(date -u +%Y%m%d%H%M%S)" --scopes admin,checkout,finance 2>/dev/null | tail -n 1 > data/admin.key)
fi
admin_key=$(cat data/admin.key)

pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; }
trap cleanup EXIT INT TERM

stripe_note="Stripe (your key) at ${Stripe__ApiBase:-https://api.stripe.com}"
if [ -z "${Stripe__SecretKey:-}" ]; then
  # Offline demo: a fresh webhook secret per run, known only to the double and the API.
  webhook_secret="whsec_demo_$(head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n')"
  export Stripe__SecretKey=sk_test_offline_demo Stripe__ApiBase="$stripe_url" Stripe__WebhookSecrets="$webhook_secret"
  # The platform's balance stands in for the shop's own sales, from which a charity is paid by transfer.
  dotnet "$double_dll" --urls "$stripe_url" --webhook-url "$api_url/api/stripe/webhook" --webhook-secret "$webhook_secret" \
    --balance usd:100000000 >/dev/null &
  pids+=($!)
  stripe_note="Stripe test double at $stripe_url (test cards: pm_card_visa, pm_card_chargeDeclined, pm_card_authenticationRequired)"
fi

# One readable line per entry, "2026-12-07T23:45:07.389Z info: …", for a person at a terminal, from the API and the site;
# in production they log JSON (docs/OPERATIONS.md).
export Logging__Console__FormatterName=simple Logging__Console__FormatterOptions__SingleLine=true \
  Logging__Console__FormatterOptions__IncludeScopes=false Logging__Console__FormatterOptions__UseUtcTimestamp=true \
  Logging__Console__FormatterOptions__TimestampFormat='yyyy-MM-ddTHH:mm:ss.fffZ '
(cd api/CharityPromo.Api && exec dotnet "$api_dll" --urls "$api_url") &
pids+=($!)
for _ in $(seq 1 60); do
  curl -fsS "$api_url/health/ready" >/dev/null 2>&1 && break
  sleep 0.5
done
curl -fsS "$api_url/health/ready" >/dev/null || { echo "The API did not become ready at $api_url" >&2; exit 1; }

if [ ! -e data/.seeded ]; then
  bash scripts/seed.sh "$api_url" "$admin_key" "$site_url"
  # Six weeks of history in a shop's weekly rhythm, so the charts and bars look like campaigns: literacy near
  # its goal, coast-and-kitchen early on, last winter's ended past its goal. seed-bulk writes SQLite only.
  year=$(date -u +%Y)
  for history in "literacy-$year 2100 42" "coast-and-kitchen 260 12" "tokyo-books 240 42" "winter-$((year - 1)) 110 42"; do
    read -r slug purchases days <<<"$history"
    dotnet "$api_dll" seed-bulk --campaign "$slug" --purchases "$purchases" --days "$days" >/dev/null 2>&1 \
      || echo "No history for $slug (seed-bulk needs the SQLite store)."
  done
  bash scripts/seed-payments.sh "$api_url" "$admin_key" || echo "The demo's payments to charities were not made (see above)."
  touch data/.seeded
fi

(cd site/CharityPromo.Site && Site__ApiBaseUrl="$api_url" exec dotnet "$site_dll" --urls "$site_url") &
pids+=($!)

cat <<TXT

CharityPromo is running.
  Site:        $site_url
  API:         $api_url
  Swagger UI:  $api_url/swagger
  Payments:    $stripe_note
  Admin key:   $admin_key   (also in data/admin.key; scopes admin, checkout, finance)

Try:  curl -H "Authorization: Bearer \$(cat data/admin.key)" $api_url/api/admin/invariants

Pay with Stripe Checkout: this answers a purchase whose payment.url is Stripe's hosted page (the
double's, offline); pay there with pm_card_visa and you land back on the campaign page, pledge counted.
  curl -s -X POST $api_url/api/purchases -H "Authorization: Bearer \$(cat data/admin.key)" \
    -H 'Content-Type: application/json' -H "Idempotency-Key: \$(cat /proc/sys/kernel/random/uuid)" \
    -d '{"campaign":"literacy-$(date -u +%Y)","orderId":"TRY-'\$RANDOM'","currency":"usd","amount":4999,"roundUp":true,"addOn":100,
         "payment":{"method":"stripe_checkout","successUrl":"$site_url/campaigns/literacy-$(date -u +%Y)"}}'
Stop with Ctrl+C.
TXT
wait
