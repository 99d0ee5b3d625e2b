#!/usr/bin/env bash
# Run every libFuzzer target of a fuzz build for a few seconds each.
# Usage: scripts/run-fuzz.sh BUILD_DIR SECONDS
set -euo pipefail
build=${1:-build-fuzz}
secs=${2:-20}
pass=0; fail=0
for f in $(find "$build/fuzz" -type f -name 'fuzz_*' -executable | sort); do
  name=$(basename "$f")
  corpus="fuzz/corpus/$name"
  work=$(mktemp -d)
  [ -d "$corpus" ] && cp -r "$corpus"/. "$work"/ 2>/dev/null || true
  echo "== $name (${secs}s)"
  if "$f" -max_total_time="$secs" -max_len=65536 -rss_limit_mb=2048 "$work" >"$work.log" 2>&1; then
    pass=$((pass+1)); tail -n 2 "$work.log"
  else
    fail=$((fail+1)); tail -n 40 "$work.log"
  fi
  rm -rf "$work" "$work.log"
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
