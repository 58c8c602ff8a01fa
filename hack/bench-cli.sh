#!/usr/bin/env bash
# Start-up benchmark (npm run bench:cli [-- RUNS]): stackctl's read-only commands and the agent's
# registration, spawn to exit (or to its Node written), against `node -e 0` and `docker ps` in the
# same run, medians of RUNS (default 10) with the load. Starts a throwaway etcd and a temp SQLite
# store, each holding one stack so `ls` lists something. BENCH_SKIP_BUILD=1 skips the build.
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${1:-10}
[[ "$RUNS" =~ ^[1-9][0-9]*$ ]] || { echo "usage: hack/bench-cli.sh [RUNS]" >&2; exit 2; }
[ -n "${BENCH_SKIP_BUILD:-}" ] || npm run build --silent >&2

source hack/lib/etcd.sh
BENCH_DIR="$(mktemp -d /tmp/stackd-bench-cli.XXXXXX)"
cleanup() { stop_etcd; rm -rf "$BENCH_DIR"; }
trap cleanup EXIT
start_etcd >/dev/null

cat >"$BENCH_DIR/stack.yml" <<'YAML'
services:
  app:
    image: stackd/busybox:latest
YAML
for store in "sqlite://$BENCH_DIR/state.db" "etcd://$STACKD_TEST_ETCD"; do
  node bin/stackctl.js --store "$store" deploy -d -c "$BENCH_DIR/stack.yml" pfbenchcli >/dev/null
done
node dist/bench/startup-bench.js --etcd "$STACKD_TEST_ETCD" --embedded "$BENCH_DIR/state.db" --runs "$RUNS"
