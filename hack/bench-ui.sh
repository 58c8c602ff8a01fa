#!/usr/bin/env bash
# Web console benchmark (npm run bench:ui): builds and runs dist/bench/ui-bench.js: first render of
# the stacks page with 100 stacks and 5,000 tasks seeded in a throwaway embedded store (no
# containers), and the live-update delay (Store write -> DOM change, p50/p99) against the SSE
# stream's own delay as a baseline, in Debian's chromium (headless), with the load before and after.
# Then a killed container until the events page shows it (dist/bench/ui-event-bench.js, real
# stackd and engine), against the engine's own die event. Extra arguments go to the first part,
# e.g. --tasks 2000 --updates 50.
set -euo pipefail
cd "$(dirname "$0")/.."

npm run build >/dev/null
echo "uptime: $(uptime)"
timeout 600 node dist/bench/ui-bench.js "$@"
# a killed container until the events page shows it: the all-in-one stackd on this engine
# (bash hack/build-images.sh first: it runs stackd/busybox)
timeout 600 node dist/bench/ui-event-bench.js
echo "uptime: $(uptime)"
