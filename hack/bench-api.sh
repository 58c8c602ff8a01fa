#!/usr/bin/env bash
# API benchmark (npm run bench:api): builds, starts a throwaway etcd (hack/lib/etcd.sh) and runs
# dist/bench/api-bench.js: a list of 10,000 tasks (p50/p99, against a Store list), 1,000
# single-object writes through the API (against direct Store compare-and-swap writes), 100
# watchers' delivery lag, and 5,000 events read filtered by the server against all of them, each
# phase bounded in time and printed as it ends, with the load.
# Extra arguments go to the benchmark, e.g. --tasks 2000 --watchers 20 --phase-seconds 60.
set -euo pipefail
cd "$(dirname "$0")/.."

npm run build >/dev/null

source hack/lib/etcd.sh
trap stop_etcd EXIT
start_etcd >/dev/null

echo "uptime: $(uptime)"
timeout 900 node dist/bench/api-bench.js --etcd "$STACKD_TEST_ETCD" "$@"
echo "uptime: $(uptime)"
