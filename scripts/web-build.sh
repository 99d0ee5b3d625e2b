#!/usr/bin/env bash
# Build the web front end (docs/web.md): install the pinned npm packages
# (npm ci, from web/package-lock.json) when they are missing or older than
# the lockfile, then bundle with esbuild into OUT (build/web): index.html,
# app.js, app.css, and the tip line's tip.html, tip.js. Called by meson (web/meson.build) on every `make`.
# Usage: scripts/web-build.sh SOURCE_ROOT OUT_DIR
set -euo pipefail
src=$1
mkdir -p "$2"
out=$(cd "$2" && pwd)
cd "$src/web"
command -v node >/dev/null || { echo "web-build: node not found (scripts/deps.sh installs nodejs)" >&2; exit 1; }
stamp=node_modules/.package-lock.json
if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ]; then
  npm ci --no-audit --no-fund --loglevel=error >&2
fi
mkdir -p "$out"
esbuild=node_modules/.bin/esbuild
"$esbuild" src/main.js --bundle --minify --format=iife --target=es2020 --legal-comments=none \
  --outfile="$out/app.js" --log-level=warning
# the tip line's public page: its own small bundle, nothing of the staff
# application (docs/tips.md "The public page")
"$esbuild" src/tip/main.js --bundle --minify --format=iife --target=es2020 --legal-comments=none \
  --outfile="$out/tip.js" --log-level=warning
# the network page's drawing library, loaded by that page only (docs/graph.md)
"$esbuild" src/graph_lib.js --bundle --minify --format=iife --target=es2020 --legal-comments=none \
  --outfile="$out/graph-lib.js" --log-level=warning
"$esbuild" src/style.css --bundle --minify --outfile="$out/app.css" --log-level=warning
cp index.html tip.html "$out/"
# the trace page's map data, fetched lazily by that page only (docs/web.md, "Maps")
node maps/build-maps.cjs . "$out/trace-maps.json"
# precompressed copies, sent by the server to clients that take gzip
# (src/http/http_web.c send_file): compressed once here, never per request
for f in app.js app.css index.html tip.js tip.html graph-lib.js; do gzip -9 -n -c "$out/$f" > "$out/$f.gz"; done
