#!/usr/bin/env bash
# Scale benchmark (SIMULATION of the nodes, real control plane): `npm run bench:scale -- NODES TASKS`
# (default 1000 100000; 100 10000 for a quick look). A real etcd with its DEFAULT limits (128 ops
# per transaction, 1.5 MiB per request), a real manager process, NODES hollow nodes (src/sim: the
# real agent over an in-memory runtime, in 2 processes) and stacks totalling TASKS replicas.
# Prints placement (time, `N tasks/s`), all running, a rolling update of all at parallelism 100,
# the crash of 10% of the nodes (one group of hollow nodes), manager RSS/CPU, store size, watch lag, `stackctl ps`/`services`
# latency, and the in-memory scheduler on the same tasks as this run's baseline; every figure with
# the machine's load. BENCH_STORE=sqlite runs on the embedded store instead; BENCH_CPU_PROF=1
# writes the manager's --cpu-prof profile to the output directory (kept: BENCH_OUT);
# BENCH_PLACEMENT_ONLY=1 stops after all run (no update, no node loss); BENCH_SKIP_UPDATE=1 crashes
# the nodes right after all run (no update before); BENCH_MANAGER_LOG=info logs
# the manager at that level (default warn) to manager.log in the output directory; BENCH_HEARTBEAT_TTL=10
# gives the hollow nodes' heartbeat leases 10 s (default 5; they lapse on a loaded machine).
set -euo pipefail
cd "$(dirname "$0")/.."
NODES=${1:-1000}
TASKS=${2:-100000}
OUT=${BENCH_OUT:-$(mktemp -d /tmp/stackd-bench-scale.XXXXXX)}
source hack/lib/etcd.sh
ETCD_DIR=""
cleanup() {
  set +e
  [ -z "${ETCD_PID:-}" ] || { kill "$ETCD_PID" 2>/dev/null; wait "$ETCD_PID" 2>/dev/null; }
  [ -z "$ETCD_DIR" ] || rm -rf "$ETCD_DIR"
  [ -n "${BENCH_OUT:-}" ] || [ -n "${BENCH_CPU_PROF:-}" ] || rm -rf "$OUT"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

[ -n "${BENCH_SKIP_BUILD:-}" ] || npm run build --silent >&2
if [ "${BENCH_STORE:-etcd}" = sqlite ]; then
  S="sqlite://$OUT/state.db"
else
  # etcd's defaults on purpose (no --max-txn-ops / --max-request-bytes raise): stackd must fit them
  need_etcd
  ETCD_DIR="$(mktemp -d /tmp/stackd-bench-scale-etcd.XXXXXX)"
  port="$(free_port)" peer="$(free_port)"
  etcd --name scale --data-dir "$ETCD_DIR" --listen-client-urls "http://127.0.0.1:$port" --advertise-client-urls "http://127.0.0.1:$port" \
    --listen-peer-urls "http://127.0.0.1:$peer" --initial-advertise-peer-urls "http://127.0.0.1:$peer" --initial-cluster "scale=http://127.0.0.1:$peer" \
    --log-level error >"$ETCD_DIR/etcd.log" 2>&1 &
  ETCD_PID=$!
  for _ in $(seq 1 100); do ETCDCTL_API=3 etcdctl --endpoints "127.0.0.1:$port" endpoint health >/dev/null 2>&1 && break; sleep 0.1; done
  S="etcd://127.0.0.1:$port"
fi
echo "machine: $(nproc) cores, $(uptime | sed 's/.*load/load/')"
node dist/bench/scale-bench.js --store "$S" --nodes "$NODES" --tasks "$TASKS" --out "$OUT" ${ETCD_PID:+--etcd-pid "$ETCD_PID"} ${BENCH_CPU_PROF:+--cpu-prof} ${BENCH_PLACEMENT_ONLY:+--placement-only} ${BENCH_SKIP_UPDATE:+--skip-update} ${BENCH_HEARTBEAT_TTL:+--heartbeat-ttl "$BENCH_HEARTBEAT_TTL"}
[ -z "${BENCH_CPU_PROF:-}" ] || echo "profile kept in $OUT (open manager.cpuprofile in Chrome DevTools or speedscope)"
