#!/usr/bin/env bash
# Lighthouse (mobile, its default) on shopper pages of a running site, in Debian's Chromium (installed when
# missing); Lighthouse itself is pinned in scripts/lighthouse/package-lock.json.
# Usage: scripts/lighthouse.sh [SITE_URL] [PATH ...]; by default the site scripts/run.sh starts and its demo
# campaign page. Prints one line of scores per page, and the page weight.
set -euo pipefail
cd "$(dirname "$0")/.."
site=${1:-http://127.0.0.1:5081}
shift || true
paths=("$@")
[ ${#paths[@]} -gt 0 ] || paths=("/campaigns/literacy-$(date -u +%Y)")

command -v chromium >/dev/null || { sudo -n true 2>/dev/null && s=sudo || s=; $s apt-get install -y -qq chromium >/dev/null; }
(cd scripts/lighthouse && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for path in "${paths[@]}"; do
  CHROME_PATH=$(command -v chromium) scripts/lighthouse/node_modules/.bin/lighthouse "$site$path" --quiet \
    --chrome-flags="--headless=new --no-sandbox --disable-gpu" --output=json --output-path="$out/report.json"
  node -e '
    const r = require(process.argv[1]);
    const s = Object.fromEntries(Object.entries(r.categories).map(([k, c]) => [k, Math.round(c.score * 100)]));
    console.log(`${process.argv[2]} (${r.configSettings.formFactor}): performance ${s.performance}, accessibility ${s.accessibility}, ` +
      `best practices ${s["best-practices"]}, SEO ${s.seo}; ${r.audits["total-byte-weight"].displayValue}`);
  ' "$out/report.json" "$path"
done
