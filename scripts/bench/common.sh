# Shared by scripts/bench.sh and scripts/ab-writes.sh (sourced): installing what they drive the servers with, the bench
# campaign, and the single writer's counters. They use $api (the API's base URL) and $admin_key.

# ensure_installed COMMAND PACKAGE: installs the Debian package when the command is missing.
ensure_installed() {
  command -v "$1" >/dev/null 2>&1 && return
  echo "Installing $2…" >&2
  local sudo=sudo
  [ "$(id -u)" = 0 ] && sudo=""
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$2" >/dev/null
}

# The rate limiter protects production from one noisy key; here one key is the load.
export RateLimiting__PerKeyPerSecond=1000000 RateLimiting__PerKeyBurst=1000000 RateLimiting__AnonymousPerSecond=1000000 RateLimiting__AnonymousBurst=1000000

setup_campaign() { # creates the bench charity and campaign (a match for customers with two earlier purchases)
  local auth=(-H "Authorization: Bearer $admin_key" -H 'Content-Type: application/json') year
  year=$(date -u +%Y)
  curl -fsS "${auth[@]}" "$api/api/charities" -d '{"slug":"bench-charity","name":"Bench Charity"}' >/dev/null
  curl -fsS "${auth[@]}" "$api/api/charities/bench-charity/consents" \
    -d '{"grantedBy":"Bench Director","grantedUtc":"2000-01-01T00:00:00Z","document":"https://bench.example/consent.pdf"}' >/dev/null
  curl -fsS "${auth[@]}" "$api/api/campaigns" -d "{\"slug\":\"bench\",\"name\":\"Bench\",\"currency\":\"usd\",\"goal\":100000000,\"startsUtc\":\"$((year - 1))-01-01T00:00:00Z\",\"endsUtc\":\"$((year + 2))-01-01T00:00:00Z\",\"charities\":[\"bench-charity\"],\"pledge\":{\"percentBps\":500,\"capPerPurchase\":500},\"roundUp\":true,\"addOn\":true,\"match\":{\"minPriorPurchases\":2,\"percentBps\":10000,\"budget\":5000000}}" >/dev/null
}

writer_report() { curl -fsS -H "Authorization: Bearer $admin_key" "$api/api/admin/writer"; }

# writer_use BEFORE AFTER: how the single writer spent the time between two GET /api/admin/writer readings.
writer_use() {
  field() { sed -n "s/.*\"$1\":\([0-9.eE+-]*\).*/\1/p" <<<"$2"; }
  awk -v b0="$(field batches "$1")" -v b1="$(field batches "$2")" -v w0="$(field writes "$1")" -v w1="$(field writes "$2")" \
      -v busy0="$(field busySeconds "$1")" -v busy1="$(field busySeconds "$2")" -v c0="$(field commitSeconds "$1")" \
      -v c1="$(field commitSeconds "$2")" -v u0="$(field uptimeSeconds "$1")" -v u1="$(field uptimeSeconds "$2")" 'BEGIN {
    busy = busy1 - busy0; span = u1 - u0; batches = b1 - b0
    commit = busy > 0 ? 100 * (c1 - c0) / busy : 0; size = batches > 0 ? (w1 - w0) / batches : 0
    printf "busy %.0f%% of the run, %.0f%% of that committing; %.0f batches a second of %.1f writes on average", 100 * busy / span, commit, batches / span, size }'
}
