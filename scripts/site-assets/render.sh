#!/usr/bin/env bash
# Renders the site's static images from the sources beside this script with Debian's Chromium (installed by
# scripts/test.sh): the share card every page names as og:image (1200×630 PNG: most chat and social apps refuse SVG),
# and the favicon's PNG and ICO (browsers and Lighthouse ask for /favicon.ico before reading any <link rel=icon>).
# Run it after changing a source; the outputs are committed under site/CharityPromo.Site/wwwroot/.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="$here/../../site/CharityPromo.Site/wwwroot"
shot() { # HTML-or-SVG WIDTH HEIGHT OUTPUT
  chromium --headless=new --no-sandbox --disable-gpu --hide-scrollbars --force-device-scale-factor=1 \
    --window-size="$2,$3" --default-background-color=00000000 --screenshot="$4" "file://$1" >/dev/null 2>&1
}
shot "$here/share-card.html" 1200 630 "$out/share-card.png"
cp "$here/favicon.svg" "$out/favicon.svg"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
printf '<html><body style="margin:0"><img src="file://%s" width="32" height="32"></body></html>' "$here/favicon.svg" > "$tmp/icon.html"
shot "$tmp/icon.html" 32 32 "$tmp/favicon-32.png"
# An ICO may hold a PNG as it is: a 6-byte header, one 16-byte directory entry, then the PNG.
python3 - "$tmp/favicon-32.png" "$out/favicon.ico" <<'PY'
import struct, sys
png = open(sys.argv[1], "rb").read()
open(sys.argv[2], "wb").write(struct.pack("<HHH", 0, 1, 1) + struct.pack("<BBBBHHII", 32, 32, 0, 0, 1, 32, len(png), 22) + png)
PY
echo "Rendered share-card.png, favicon.svg and favicon.ico into $out"
