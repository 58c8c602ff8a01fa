#!/usr/bin/env bash
# Leader-failover benchmark (npm run bench:failover): hack/cluster-up.sh (three TLS etcd members, a
# manager beside each, an agent for the local engine), then BENCH_ROUNDS (default 10) rolling
# updates, each with kill -9 of the leading manager once the rollout is under way
# (dist/bench/failover-bench.js): time to a new leader and to its first reconcile, min / median /
# max. The lease TTL (5 s) is the floor a dead leader's key can take to go. Prints `uptime` load.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${BENCH_ROUNDS:-10}
DIR="$(mktemp -d /tmp/stackd-bench-leader.XXXXXX)"
STACK="hab$$" NODE="hab-$$"
cleanup() {
  set +e
  # shellcheck disable=SC1091
  source "$DIR/cluster/env" 2>/dev/null && node bin/stackctl.js rm "$STACK" >/dev/null 2>&1
  for _ in $(seq 1 50); do [ -z "$(docker ps -aq --filter "label=io.stackd.stack=$STACK")" ] && break; sleep 0.2; done
  bash hack/cluster-down.sh "$DIR/cluster"
  docker ps -aq --filter "label=io.stackd.node=$NODE" | xargs -r docker rm -f >/dev/null
  rm -rf "$DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

[ -n "${BENCH_SKIP_BUILD:-}" ] || npm run build --silent >&2
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
BASE_PORT=$((port > 60000 ? 40000 : port)) AGENT="$NODE" bash hack/cluster-up.sh "$DIR/cluster" >/dev/null
echo "load before: $(uptime)"
node dist/bench/failover-bench.js "$DIR/cluster" "$STACK" "$ROUNDS"
echo "load after:  $(uptime)"
