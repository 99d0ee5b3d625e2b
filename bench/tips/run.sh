#!/usr/bin/env bash
# The tip line's costs (docs/perf/tips.md): receipt checks with the deployed
# Argon2id parameters, intake with triage in tips/s.
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${BUILD:-build}
echo "# bench/tips on $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%Y-%m-%d)"
"$build/bench/tips/bench_tips"
