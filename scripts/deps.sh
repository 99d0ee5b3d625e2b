#!/usr/bin/env bash
# Install the Debian packages Puente needs, only when some are missing.
# Usage: scripts/deps.sh [build|fuzz|pg|bench|ha|all]   (default: build)
# pg: PostgreSQL 15, for the second run of the test suite (docs/store.md,
# "Tests on both backends"); `make check` runs it when it is installed.
# ha: Patroni and etcd (with Patroni's etcd client), for the high-availability
# configuration and its smoke test deploy/ha-smoke.sh (docs/deploy.md).
# Runs apt-get as root, or through sudo when available.
set -euo pipefail
want=${1:-build}
build_pkgs=(build-essential meson ninja-build pkg-config libmicrohttpd-dev libjansson-dev
  libsqlite3-dev libpq-dev libutf8proc-dev libicu-dev libsodium-dev libcsv-dev
  libcmocka-dev sqlite3 curl python3 python3-yaml strace
  liboath-dev libqrencode-dev gnutls-bin john-data openssl
  diceware # diceware: the EFF long word list of the tip receipts (docs/tips.md)
  libqpdf-dev # PDF metadata of tip files (docs/tips.md)
  poppler-utils fonts-dejavu-core # the framework report's PDF checked (pdftotext, pdftoppm) and its font (docs/indicators.md)
  libigraph-dev # libigraph-dev: the network algorithms of src/graph (docs/graph.md)
  libxml2-dev libcurl4-gnutls-dev) # designation lists: XML exports, downloads (docs/lists.md)
fuzz_pkgs=(clang libclang-rt-14-dev)
pg_pkgs=(postgresql-15 postgresql-client-15)
ha_pkgs=(postgresql-15 postgresql-client-15 patroni etcd-server etcd-client python3-etcd)
bench_pkgs=(r-base-core r-cran-surveillance python3-jellyfish wrk hyperfine time
  python3-igraph python3-networkx) # the peers of bench/graph (docs/perf/graph.md)
case "$want" in
  build) pkgs=("${build_pkgs[@]}") ;;
  fuzz)  pkgs=("${build_pkgs[@]}" "${fuzz_pkgs[@]}") ;;
  pg)    pkgs=("${build_pkgs[@]}" "${pg_pkgs[@]}") ;;
  bench) pkgs=("${build_pkgs[@]}" "${bench_pkgs[@]}") ;;
  ha)    pkgs=("${build_pkgs[@]}" "${ha_pkgs[@]}") ;;
  all)   pkgs=("${build_pkgs[@]}" "${fuzz_pkgs[@]}" "${pg_pkgs[@]}" "${bench_pkgs[@]}" "${ha_pkgs[@]}") ;;
  *) echo "deps.sh: unknown set '$want' (expected build, fuzz, pg, bench, ha or all)" >&2; exit 2 ;;
esac
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# The web front end (docs/web.md): Node.js and npm build it (npm ci + esbuild),
# Chromium runs its end-to-end tests. Asked for by command, not package: a
# machine whose Node.js comes with its own npm (a nodesource build conflicts
# with Debian's npm package) already has what is needed.
for pair in node:nodejs npm:npm chromium:chromium; do
  command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair#*:}")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "deps.sh: installing missing Debian packages: ${missing[*]}" >&2
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
