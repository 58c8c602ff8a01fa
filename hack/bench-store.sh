#!/usr/bin/env bash
# Store benchmark: builds the project, starts a throwaway etcd (hack/lib/etcd.sh) and a temp
# SQLite file, and runs dist/bench/store-bench.js against every backend that is built.
# Extra arguments go to the benchmark, e.g. --objects 20000 --batch 1000 --in-flight 8.
set -euo pipefail
cd "$(dirname "$0")/.."

npm run build >/dev/null

source hack/lib/etcd.sh
BENCH_DIR="$(mktemp -d /tmp/stackd-bench.XXXXXX)"
cleanup() { stop_etcd; rm -rf "$BENCH_DIR"; }
trap cleanup EXIT
start_etcd >/dev/null

node dist/bench/store-bench.js --etcd "$STACKD_TEST_ETCD" --embedded "$BENCH_DIR/bench.db" "$@"
