#!/usr/bin/env bash
# The web application's speed on the demo data (docs/PERFORMANCE.md "Web
# pages"): builds the demo store (scripts/demo.sh without its server), enrols
# the second factor of the demo administrator and auditor from the CLI,
# starts `puente serve` on a loopback port and runs bench.mjs (Chromium via
# playwright-core). Writes docs/perf/web.md. Not a test: the figures depend
# on the machine. Usage: bench/web/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
src=$PWD
bin=$src/build/puente
# BENCH_WEB_DIR=DIR keeps the demo store there and reuses it on the next run
# (building it takes minutes); by default a temporary one is removed.
work=${BENCH_WEB_DIR:-}
keep=1
[ -n "$work" ] || { work=$(mktemp -d /tmp/puente-bench-web.XXXXXX); keep=0; }
mkdir -p "$work"
srv_pid=
cleanup() { [ -n "$srv_pid" ] && { kill "$srv_pid" 2>/dev/null; wait "$srv_pid" 2>/dev/null; }; [ "$keep" = 1 ] || rm -rf "$work"; }
trap cleanup EXIT
export PUENTE_DB=$work/puente.db
creds=$work/credentials.txt
if [ ! -s "$work/creds.json" ]; then
echo "bench/web: building the demo store in $work" >&2
PUENTE_DEMO_NO_SERVE=1 scripts/demo.sh > "$work/demo.log" 2>&1
# the demo's administrator and auditor enrol a second factor (default policy)
python3 - "$bin" "$PUENTE_DB" "$creds" > "$work/creds.json" <<'PY'
import base64, hashlib, hmac, json, re, struct, subprocess, sys, time, urllib.parse
bin_, db, creds = sys.argv[1:]
out = {}
for line in open(creds, encoding="utf-8").read().splitlines()[1:]:
    name, agency, role, pw, tok = line.split()
    out[name] = {"password": pw}
    if role in ("admin", "auditor"):
        uri = subprocess.run([bin_, "user", "totp", name, "--db", db], capture_output=True, text=True, check=True).stdout
        key = urllib.parse.parse_qs(urllib.parse.urlparse(re.search(r"otpauth://\S+", uri).group(0)).query)["secret"][0]
        k = base64.b32decode(key + "=" * (-len(key) % 8))
        step = int(time.time()) // 30 - 1  # a past step: the bench signs in with the current ones
        mac = hmac.new(k, struct.pack(">Q", step), hashlib.sha1).digest()
        o = mac[19] & 15
        code = "%06d" % ((struct.unpack(">I", mac[o:o + 4])[0] & 0x7FFFFFFF) % 1000000)
        subprocess.run([bin_, "user", "totp-confirm", name, code, "--db", db], capture_output=True, check=True)
        out[name]["totp"] = key
json.dump(out, sys.stdout)
PY
fi
"$bin" serve --db "$PUENTE_DB" --listen 127.0.0.1:0 --threads 4 --login-burst 1000 2> "$work/serve.log" &
srv_pid=$!
for _ in $(seq 100); do grep -q "listening on" "$work/serve.log" && break; sleep 0.1; done
base=$(grep -o 'http://[0-9.]*:[0-9]*' "$work/serve.log" | head -1)
{
  echo "# Web pages: bytes, API calls, time to interactive (bench/web)"
  echo
  echo "Measured $(date -u +%Y-%m-%d) on $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)),"
  echo "Chromium $(/usr/bin/chromium --version 2>/dev/null | awk '{print $2}'), the demo store of \`make demo\`, \`puente serve --threads 4\`."
  echo "Each page: a fresh browser context signed in through the API, cache disabled, one navigation."
  echo
  PUENTE_SRC=$src node bench/web/bench.mjs "$base" "$work/creds.json"
} > docs/perf/web.md
cat docs/perf/web.md
