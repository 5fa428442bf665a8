#!/usr/bin/env bash
# Pays the demo's charities the way finance does, once the purchase history is in place (scripts/run.sh runs it after
# seed-bulk): Read Together twice in usd, by bank for the pledges confirmed more than five weeks ago and then by Stripe
# transfer (its connected account, onboarded by scripts/seed.sh) for those confirmed more than two weeks ago; Warm Meals
# by bank for last winter's campaign. Usage: scripts/seed-payments.sh API_URL ADMIN_KEY (a key with the finance scope).
set -euo pipefail
api=${1:?API URL}
key=${2:?admin key}
days_ago() { date -u -d "$1 days ago" +%Y-%m-%dT%H:%M:%SZ; }

call() { # method path [json] → body; fails on anything but 2xx
  curl -fsS -X "$1" "$api$2" -H "Authorization: Bearer $key" -H 'Content-Type: application/json' ${3:+-d "$3"}
}
batch() { # charity currency cutoff → the new batch's id
  call POST /api/remittances "{\"charity\":\"$1\",\"currency\":\"$2\",\"cutoffUtc\":\"$3\"}" | grep -o '"id":"[^"]*"' | head -n 1 | cut -d'"' -f4
}

bank=$(batch read-together usd "$(days_ago 35)")
call POST "/api/remittances/$bank/paid" '{"reference":"DEMO-BANK-1"}' >/dev/null
echo "Read Together paid by bank (pledges confirmed over five weeks ago)."
transfer=$(batch read-together usd "$(days_ago 14)")
if call POST "/api/remittances/$transfer/transfer" >/dev/null; then
  echo "Read Together paid by Stripe transfer (pledges confirmed over two weeks ago)."
else
  call POST "/api/remittances/$transfer/paid" '{"reference":"DEMO-BANK-2"}' >/dev/null
  echo "Stripe refused the transfer (see the API's log); Read Together's second batch was paid by bank instead."
fi
winter=$(batch warm-meals usd "$(days_ago 8)")
call POST "/api/remittances/$winter/paid" '{"reference":"DEMO-BANK-3"}' >/dev/null
echo "Warm Meals paid by bank for last winter's campaign."
