#!/usr/bin/env bash
# Web console benchmark (npm run bench:ui): builds and runs dist/bench/ui-bench.js: first render of
# the stacks page with 100 stacks and 5,000 tasks seeded in a throwaway embedded store (no
# containers), and the live-update delay (Store write -> DOM change, p50/p99) against the SSE
# stream's own delay as a baseline, in Debian's chromium (headless), with the load before and after.
# Extra arguments go to the benchmark, e.g. --tasks 2000 --updates 50.
set -euo pipefail
cd "$(dirname "$0")/.."

npm run build >/dev/null
echo "uptime: $(uptime)"
timeout 600 node dist/bench/ui-bench.js "$@"
echo "uptime: $(uptime)"
