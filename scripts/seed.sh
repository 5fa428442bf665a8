#!/usr/bin/env bash
# Creates demo charities, campaigns and purchases through the API itself (so the ledger is real).
# Usage: scripts/seed.sh API_URL ADMIN_KEY [SITE_URL]. Safe to run again: writes carry Idempotency-Keys and
# existing slugs answer 409. When the API talks to the offline Stripe test double, it also onboards Read Together
# to Stripe Connect and pays one purchase on a Stripe Checkout page, doing in the double what a charity and a
# shopper would do in their browsers.
set -euo pipefail
api=${1:?API URL}
key=${2:?admin key}
site=${3:-http://127.0.0.1:5081}
year=$(date -u +%Y)
weeks_ago() { date -u -d "$1 weeks ago" +%Y-%m-%dT00:00:00Z; } # the campaigns' histories (scripts/run.sh) start there

post() { # path json [idempotency-key]
  local extra=()
  [ -n "${3:-}" ] && extra=(-H "Idempotency-Key: $3")
  local code
  code=$(curl -sS -o /dev/null -w '%{http_code}' -X POST "$api$1" \
    -H "Authorization: Bearer $key" -H 'Content-Type: application/json' "${extra[@]}" -d "$2")
  case "$code" in 200|201|409) ;; *) echo "seed: POST $1 answered $code" >&2; return 1 ;; esac
}

post /api/charities '{"slug":"read-together","name":"Read Together","description":"Books and reading mentors for every child.","website":"https://read-together.example","registrationNumber":"1180001"}'
post /api/charities '{"slug":"ocean-clean","name":"Ocean Clean","description":"Beach clean-ups and plastic-free harbours.","website":"https://ocean-clean.example","registrationNumber":"1180002"}'
post /api/charities '{"slug":"warm-meals","name":"Warm Meals","description":"Hot meals for people sleeping rough.","website":"https://warm-meals.example","registrationNumber":"1180003"}'

post /api/campaigns "{\"slug\":\"literacy-$year\",\"name\":\"Reading for every child\",\"description\":\"5% of every purchase goes to children's literacy, up to \$5. Loyal customers are matched.\",\"currency\":\"usd\",\"goal\":1000000,\"startsUtc\":\"$(weeks_ago 6)\",\"endsUtc\":\"$((year + 1))-01-01T00:00:00Z\",\"charities\":[\"read-together\"],\"pledge\":{\"percentBps\":500,\"capPerPurchase\":500},\"roundUp\":true,\"addOn\":true,\"match\":{\"minPriorPurchases\":2,\"percentBps\":10000,\"budget\":50000},\"impact\":{\"amount\":500,\"singular\":\"book\",\"plural\":\"books\"}}"
post /api/campaigns "{\"slug\":\"coast-and-kitchen\",\"name\":\"Coast and kitchen\",\"description\":\"50 cents from every order, split the way you choose.\",\"currency\":\"eur\",\"goal\":250000,\"startsUtc\":\"$(weeks_ago 2)\",\"endsUtc\":\"$((year + 1))-01-01T00:00:00Z\",\"charities\":[\"ocean-clean\",\"warm-meals\"],\"pledge\":{\"fixedAmount\":50},\"roundUp\":true,\"addOn\":false}"
post /api/campaigns "{\"slug\":\"tokyo-books\",\"name\":\"Tokyo books\",\"description\":\"2% of every purchase in our Tokyo store.\",\"currency\":\"jpy\",\"goal\":500000,\"startsUtc\":\"$(weeks_ago 6)\",\"endsUtc\":\"$((year + 1))-01-01T00:00:00Z\",\"charities\":[\"read-together\"],\"pledge\":{\"percentBps\":200},\"roundUp\":false,\"addOn\":true}"
post /api/campaigns "{\"slug\":\"winter-$((year - 1))\",\"name\":\"Winter warmth\",\"description\":\"Last winter's campaign.\",\"currency\":\"usd\",\"goal\":100000,\"startsUtc\":\"$((year - 1))-01-01T00:00:00Z\",\"endsUtc\":\"$((year - 1))-03-01T00:00:00Z\",\"charities\":[\"warm-meals\"],\"pledge\":{\"percentBps\":1000},\"roundUp\":false,\"addOn\":false}"

# A few purchases through the API, each real end to end; the history behind them comes from seed-bulk (scripts/run.sh),
# so "Latest gifts" show these first and then the hours and days before. Three from one loyal customer: the third is matched.
for i in $(seq 1 4); do
  amount=$(( (i * 1379) % 9000 + 500 ))
  post /api/purchases "{\"campaign\":\"literacy-$year\",\"orderId\":\"DEMO-$i\",\"currency\":\"usd\",\"amount\":$amount,\"roundUp\":$([ $((i % 2)) = 0 ] && echo true || echo false),\"addOn\":$(( i % 3 == 0 ? 100 : 0 )),\"customerRef\":\"demo-customer-$(( i < 4 ? 0 : 1 ))\",\"payment\":{\"method\":\"external\",\"reference\":\"TILL-$i\"}}" "seed-literacy-$i"
done
for i in $(seq 1 3); do
  charity=$([ $((i % 2)) = 0 ] && echo ocean-clean || echo warm-meals)
  post /api/purchases "{\"campaign\":\"coast-and-kitchen\",\"charity\":\"$charity\",\"orderId\":\"DEMO-EU-$i\",\"currency\":\"eur\",\"amount\":$(( i * 733 + 199 )),\"roundUp\":true,\"addOn\":0,\"payment\":{\"method\":\"external\",\"reference\":\"POS-$i\"}}" "seed-coast-$i"
done
for i in $(seq 1 2); do
  post /api/purchases "{\"campaign\":\"tokyo-books\",\"orderId\":\"DEMO-JP-$i\",\"currency\":\"jpy\",\"amount\":$(( i * 2480 )),\"roundUp\":false,\"addOn\":$(( i % 2 * 100 )),\"payment\":{\"method\":\"external\",\"reference\":\"JP-$i\"}}" "seed-tokyo-$i"
done
# A few refunds, as a real campaign has: one in full, one in part.
refund() { # orderId body
  local id
  id=$(curl -sS "$api/api/purchases?orderId=$1" -H "Authorization: Bearer $key" | grep -o '"id":"[^"]*"' | head -n 1 | cut -d'"' -f4)
  [ -n "$id" ] && post "/api/purchases/$id/refunds" "$2" "seed-refund-$1"
}
refund DEMO-2 '{}'
refund DEMO-EU-2 '{"amount":1000}'

# Stripe Connect: Read Together gets a connected account. Against real Stripe the link is printed for a person to
# follow; the test double's form (/c/onboard/…) is finished here.
onboarding=$(curl -sS -X POST "$api/api/charities/read-together/stripe/onboarding" -H "Authorization: Bearer $key" \
  -H 'Content-Type: application/json' -d "{\"returnUrl\":\"$site/charities/read-together\",\"refreshUrl\":\"$site/charities/read-together\"}")
link=$(grep -o '"url":"[^"]*"' <<<"$onboarding" | head -n 1 | cut -d'"' -f4)
case "$link" in
  */c/onboard/*) curl -sS -o /dev/null -X POST "$link" && echo "Read Together is onboarded on Stripe Connect (test double)." ;;
  http*) echo "Read Together's Stripe onboarding link: $link" ;;
  *) echo "Stripe Connect onboarding skipped: ${onboarding:0:200}" ;;
esac

# Stripe Checkout: one purchase paid on the hosted page (the double's page takes its test card).
checkout=$(curl -sS -X POST "$api/api/purchases" -H "Authorization: Bearer $key" -H 'Content-Type: application/json' \
  -H "Idempotency-Key: seed-checkout-1" -d "{\"campaign\":\"literacy-$year\",\"orderId\":\"DEMO-CHECKOUT-1\",\"currency\":\"usd\",\"amount\":2599,\"roundUp\":true,\"addOn\":200,\"payment\":{\"method\":\"stripe_checkout\",\"successUrl\":\"$site/campaigns/literacy-$year\",\"cancelUrl\":\"$site/campaigns/literacy-$year\"}}")
page=$(grep -o '"url":"[^"]*"' <<<"$checkout" | head -n 1 | cut -d'"' -f4)
case "$page" in
  */c/pay/*) curl -sS -o /dev/null -X POST "$page" -d payment_method=pm_card_visa && echo "One purchase paid on a Stripe Checkout page (test double)." ;;
  *) echo "Stripe Checkout demo purchase skipped." ;;
esac
echo "Demo data in place."
