#!/usr/bin/env bash
# Node-loss benchmark: an etcd, two namespace nodes (hack/lib/nodes.sh, fa42 and fa43), an agent
# on each and a manager with the default --node-grace. One replica runs; its node's agent is
# killed (-9) and the time until the replacement runs on the other node is measured (lease TTL
# 5 s + grace 5 s + scheduling + start; Swarm's is about 15 s). Also measured: agent registration
# (spawn to "node X registered"), and as the baseline of this run, a plain `docker run -d` on the
# surviving node. Prints the figures and the machine's load. BENCH_ROUNDS=R repeats (default 3).
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${BENCH_ROUNDS:-3}
source hack/lib/etcd.sh
source hack/lib/nodes.sh
A=fa42 B=fa43
DIR="$(mktemp -d /tmp/stackd-bench-failover.XXXXXX)"
PIDS=()
cleanup() {
  set +e
  for p in "${PIDS[@]}" $(cat "$DIR"/agent-*.pid 2>/dev/null); do kill "$p" 2>/dev/null; done
  wait 2>/dev/null
  stop_etcd
  wipe_node $A; wipe_node $B
  rm -rf "$DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

[ -n "${BENCH_SKIP_BUILD:-}" ] || npm run build --silent >&2
start_etcd >/dev/null
S="etcd://$STACKD_TEST_ETCD"
for n in $A:42 $B:43; do wipe_node "${n%%:*}"; start_node "${n%%:*}" "${n##*:}" >/dev/null; done
stackctl() { node bin/stackctl.js --store "$S" "$@"; }

# spawn_agent NODE: prints the seconds from spawn to registration (run in $(...): its pid goes to a file)
spawn_agent() {
  local log="$DIR/agent-$1.log" t0
  : >"$log"
  t0=$(now)
  node bin/stackd.js agent --store "$S" --node-name "$1" --docker "unix:///run/stackd-$1.sock" >>"$log" 2>&1 &
  echo $! >"$DIR/agent-$1.pid"
  until grep -q "node $1 registered" "$log"; do sleep 0.02; done
  secs "$t0" "$(now)"
}
node bin/stackd.js manager --store "$S" >"$DIR/manager.log" 2>&1 &
PIDS+=($!)
REG=()
for n in $A $B; do REG+=("$(spawn_agent $n)"); done

cat >"$DIR/stack.yaml" <<'Y'
services:
  app:
    image: stackd/busybox:latest
    command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1 & wait $$!; done"]
    deploy: {replicas: 1}
Y
stackctl deploy -c "$DIR/stack.yaml" fobench --timeout 60s >/dev/null 2>&1
running_on() { stackctl ps fobench --format json | node -e 'const r=JSON.parse(require("fs").readFileSync(0));const x=r.find(t=>!t.name.startsWith("\\_")&&t.currentState==="Running"&&t.desiredState==="Running");console.log(x?x.node:"")'; }

FAIL=() BASE=()
for round in $(seq 1 "$ROUNDS"); do
  until [ -n "$(running_on)" ]; do sleep 0.2; done
  lost=$(running_on); other=$([ "$lost" = $A ] && echo $B || echo $A)
  t0=$EPOCHREALTIME
  docker -H "unix:///run/stackd-$other.sock" run -d --rm --name "fobase$round" stackd/busybox:latest sleep 30 >/dev/null
  BASE+=("$(secs "$t0" "$EPOCHREALTIME")")
  docker -H "unix:///run/stackd-$other.sock" rm -f "fobase$round" >/dev/null
  t0=$(now)
  kill -9 "$(cat "$DIR/agent-$lost.pid")"
  until [ "$(running_on)" = "$other" ]; do sleep 0.1; done
  FAIL+=("$(secs "$t0" "$(now)")")
  REG+=("$(spawn_agent "$lost")")
done

median() { printf '%s\n' "$@" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
echo "node loss -> replacement running elsewhere (default grace): ${FAIL[*]} s (median $(median "${FAIL[@]}") s; Swarm about 15 s)"
echo "agent registration (spawn -> registered, incl. node start-up): ${REG[*]} s (median $(median "${REG[@]}") s)"
echo "baseline: docker run -d on the surviving node: ${BASE[*]} s (median $(median "${BASE[@]}") s)"
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
