#!/usr/bin/env bash
# GitOps benchmark: starts its own `stackd --webhook-listen 127.0.0.1:0` (manager + agent, one
# Docker Engine) on a fresh embedded store, or with BENCH_STORE=etcd on a throwaway etcd it starts
# (hack/lib/etcd.sh), or on BENCH_STORE=etcd://host:port (an etcd no other manager uses), and runs dist/bench/gitops-bench.js against it, which measures on repositories it
# makes (file://):
#   webhook    commit pushed → the stack's Service updated in the Store, and its new task running,
#              with a GitHub-style signed POST /hooks/git/NAME right after the push
#   polling    the same with the source's interval alone (BENCH_INTERVAL, default 5s), commits at
#              random phases; compared with interval/2 + the webhook's figure
#   unchanged  a sync with nothing new of a source of BENCH_STACKS stacks (default 100): its time
#              and the Store writes it makes (target: none to the stacks, under 1 s)
# BENCH_ROUNDS=R rounds of each (default 5; medians printed). Everything it creates is removed
# (`gitops rm --prune`, then the node's containers and networks). The stackd log is kept in
# /tmp/stackd-bench-gitops.log. BENCH_SKIP_BUILD=1 skips `npm run build`.
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS=${BENCH_ROUNDS:-5}
STACKS=${BENCH_STACKS:-100}
INTERVAL=${BENCH_INTERVAL:-5s}
if ! [[ "$ROUNDS" =~ ^[0-9]+$ && "$STACKS" =~ ^[0-9]+$ ]] || [ "$ROUNDS" -lt 1 ] || [ "$STACKS" -lt 1 ]; then
  echo "usage: [BENCH_ROUNDS=R] [BENCH_STACKS=N] [BENCH_INTERVAL=5s] [BENCH_STORE=etcd|etcd://host:port] hack/bench-gitops.sh" >&2
  exit 2
fi
RUN_ID="bgit$$"
NODE="bench-$RUN_ID"
LOG_KEEP=/tmp/stackd-bench-gitops.log

source hack/lib/docker.sh
source hack/lib/etcd.sh
BENCH_DIR="$(mktemp -d /tmp/stackd-bench-gitops.XXXXXX)"
STORE=${BENCH_STORE:-"sqlite://$BENCH_DIR/state.db"}
STACKD_PID=""

source hack/lib/bench.sh

cleanup() {
  set +e
  if [ -n "$STACKD_PID" ]; then
    for src in webhook polling many; do stackctl gitops rm --prune "$RUN_ID-$src" >/dev/null 2>&1; done
    wait_until 60 no_node_containers || echo "containers of node $NODE still there after gitops rm --prune" >&2
    kill "$STACKD_PID" 2>/dev/null
    wait "$STACKD_PID" 2>/dev/null
  fi
  docker ps -aq --filter "label=io.stackd.node=$NODE" | xargs -r docker rm -f >/dev/null
  docker network ls -q --filter "label=io.stackd.node=$NODE" | xargs -r docker network rm >/dev/null
  stop_etcd
  [ -f "$BENCH_DIR/stackd.log" ] && cp "$BENCH_DIR/stackd.log" "$LOG_KEEP"
  rm -rf "$BENCH_DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

no_node_containers() { [ "$(count -a --filter "label=io.stackd.node=$NODE")" -eq 0 ]; }
stackd_failed() { echo "stackd: $1; log:" >&2; tail -20 "$BENCH_DIR/stackd.log" >&2; exit 1; }
node_ready() {
  kill -0 "$STACKD_PID" 2>/dev/null || stackd_failed "exited"
  grep -q "node $NODE registered" "$BENCH_DIR/stackd.log"
}
webhook_url() { grep -o 'webhook receiver listening on http://[0-9.:]*' "$BENCH_DIR/stackd.log" | head -1 | sed 's/.* on //'; }

start_dockerd >&2
if [ "$STORE" = etcd ]; then
  start_etcd >&2
  STORE="etcd://$STACKD_TEST_ETCD"
fi
bash hack/build-images.sh >&2
[ -n "${BENCH_SKIP_BUILD:-}" ] || npm run build --silent >&2

STACKD_LOG_LEVEL=${STACKD_LOG_LEVEL:-info} node bin/stackd.js --store "$STORE" --node-name "$NODE" --webhook-listen 127.0.0.1:0 \
  >>"$BENCH_DIR/stackd.log" 2>&1 &
STACKD_PID=$!
wait_until 60 node_ready || stackd_failed "node $NODE did not register"
WEBHOOK=$(webhook_url)
[ -n "$WEBHOOK" ] || stackd_failed "no 'webhook receiver listening on' line"

echo "gitops on $STORE, webhook $WEBHOOK, $(nproc) cpus, $ROUNDS round(s), interval $INTERVAL, $STACKS stacks..." >&2
node dist/bench/gitops-bench.js --store "$STORE" --webhook "$WEBHOOK" --dir "$BENCH_DIR" --run "$RUN_ID" \
  --rounds "$ROUNDS" --interval "$INTERVAL" --stacks "$STACKS"
