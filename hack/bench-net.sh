#!/usr/bin/env bash
# Network benchmark: HTTP between containers on different Docker hosts, Docker Swarm against
# stackd in the same run. Each system gets three namespace nodes (hack/lib/nodes.sh): A runs the
# client, B two web tasks (busybox httpd answering its hostname), C nothing; the same stack file
# (hack/bench-net/stack.yml) goes to `docker stack deploy` and to `stackctl deploy`. From the
# client container's network namespace on A, the same load generator (dist/bench/http-load.js):
#   (a) container IP     the web tasks' IPs on the shared network, in turn (no load balancer)
#   (b) service VIP      the name `web` (vip endpoint mode), resolved by the container's resolver
#   (b') DNS round robin the name `webrr` (endpoint_mode: dnsrr), its task IPs in turn
#   (c) routing mesh     node C's address, port 18080 (published by web, ingress mode)
# each: requests/s at concurrency 8, p50/p99 latency at concurrency 1, one new connection per
# request, bounded by BENCH_REQUESTS (4000) and BENCH_SECONDS (4) per run. Then, for VIP, dnsrr and
# mesh: a request every 10 ms while one of the two tasks is killed (`docker kill`), and the time
# until requests stop failing or reaching it; the same when a task's healthcheck starts failing
# (`touch /tmp/sick`; interval 1 s, retries 1). A case that does not work prints n/a and why.
# BENCH_ROUNDS=R interleaves R rounds and prints medians; BENCH_SYSTEMS="swarm" measures one side;
# BENCH_SKIP_BUILD=1 skips `npm run build`; BENCH_CASES="kill sick" runs only those groups (of load,
# kill, sick). Nodes swm1-3 and swd1-3 (indices from BENCH_NET_INDEX,
# default 120: 120-125; names prefixed with BENCH_NET_PREFIX) are wiped before and after; logs stay
# in /tmp/stackd-bench-net/.
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS=${BENCH_ROUNDS:-1}
SECONDS_PER_RUN=${BENCH_SECONDS:-4}
REQUESTS=${BENCH_REQUESTS:-4000}
KILL_WINDOW=${BENCH_KILL_WINDOW:-8}
SYSTEMS=${BENCH_SYSTEMS:-swarm stackd}
GROUPS_RUN=" ${BENCH_CASES:-load kill sick} "
INDEX=${BENCH_NET_INDEX:-120}
for v in "$ROUNDS" "$SECONDS_PER_RUN" "$REQUESTS" "$KILL_WINDOW" "$INDEX"; do
  [[ "$v" =~ ^[1-9][0-9]*$ ]] || { echo "bench-net: BENCH_ROUNDS, BENCH_SECONDS, BENCH_REQUESTS, BENCH_KILL_WINDOW and BENCH_NET_INDEX take positive integers (got '$v')" >&2; exit 2; }
done
[ "$KILL_WINDOW" -ge 4 ] || { echo "bench-net: BENCH_KILL_WINDOW must be at least 4 (seconds)" >&2; exit 2; }
for s in $SYSTEMS; do [[ "$s" == swarm || "$s" == stackd ]] || { echo "bench-net: BENCH_SYSTEMS: unknown system '$s' (swarm, stackd)" >&2; exit 2; }; done
for g in $GROUPS_RUN; do [[ "$g" == load || "$g" == kill || "$g" == sick ]] || { echo "bench-net: BENCH_CASES: unknown group '$g' (load, kill, sick)" >&2; exit 2; }; done

STACK="bn$$"
STACK_FILE=hack/bench-net/stack.yml
P=${BENCH_NET_PREFIX:-}
[[ "$P" =~ ^[a-z0-9]*$ ]] || { echo "bench-net: BENCH_NET_PREFIX takes lower-case letters and digits (got '$P')" >&2; exit 2; }
SWARM_NODES=("${P}swm1" "${P}swm2" "${P}swm3")
SWARM_INDEX=$INDEX
STACKD_NODES=("${P}swd1" "${P}swd2" "${P}swd3")
STACKD_INDEX=$((INDEX + 3))
LOG_KEEP=/tmp/stackd-bench-net
BENCH_DIR="$(mktemp -d /tmp/stackd-bench-net.XXXXXX)"
STORE=""

source hack/lib/docker.sh
source hack/lib/nodes.sh
source hack/lib/etcd.sh
source hack/lib/bench.sh
source hack/lib/bench-net-swarm.sh
source hack/lib/bench-net-stackd.sh
source hack/lib/bench-net-cases.sh

cleanup() {
  set +e
  [[ " $SYSTEMS " != *" swarm "* ]] || swarm_down
  [[ " $SYSTEMS " != *" stackd "* ]] || stackd_down
  rm -rf "$LOG_KEEP" && mkdir -p "$LOG_KEEP" && cp "$BENCH_DIR"/*.log "$BENCH_DIR"/*.json "$LOG_KEEP/" 2>/dev/null
  rm -rf "$BENCH_DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

start_dockerd >&2
bash hack/build-images.sh >&2
[ -n "${BENCH_SKIP_BUILD:-}" ] || npm run build --silent >&2

# the stack's tasks all running: 1 client on A, 2 web and 2 webrr on B
settled() {
  [ "$(web_containers "$1" web | wc -l)" -ge 2 ] && [ "$(web_containers "$1" webrr | wc -l)" -ge 2 ] && client_pid "$1" >/dev/null
}
START_LOAD=$(cut -d' ' -f1-3 /proc/loadavg)
for sys in $SYSTEMS; do
  echo "starting $sys on three nodes..." >&2
  t0=$EPOCHREALTIME
  "${sys}_up"
  wait_until 60 settled "$sys" || echo "  $sys: not every task is running after 60 s; the cases that need them say n/a" >&2
  echo "  $sys: up and deployed in $(since "$t0") s" >&2
done

declare -A FIG REASON
record() { # record SYS CASE OUTPUT: figures of a round, or the reason for n/a
  if [ "${3%%$'\n'*}" = n/a ]; then REASON[$1,$2]=${3#*$'\n'}; else FIG[$1,$2]+="$3"$'\n'; fi
}
LOAD_CASES=() KILL_CASES=() SICK_CASES=()
[[ "$GROUPS_RUN" != *" load "* ]] || LOAD_CASES=(ip vip dnsrr mesh)
[[ "$GROUPS_RUN" != *" kill "* ]] || KILL_CASES=(vip dnsrr mesh)
[[ "$GROUPS_RUN" != *" sick "* ]] || SICK_CASES=(vip dnsrr)
for round in $(seq 1 "$ROUNDS"); do
  [ "$ROUNDS" -eq 1 ] || echo "round $round" >&2
  for c in "${LOAD_CASES[@]}"; do
    for sys in $SYSTEMS; do
      out=$(measure_load "$sys" "$c")
      record "$sys" "$c" "$out"
      echo "  $sys $c: ${out//$'\n'/ }" >&2
    done
  done
  for c in "${KILL_CASES[@]}"; do
    for sys in $SYSTEMS; do
      out=$(measure_kill "$sys" "$c")
      record "$sys" "kill-$c" "$out"
      echo "  $sys kill $c: ${out//$'\n'/ }" >&2
    done
  done
  for c in "${SICK_CASES[@]}"; do
    for sys in $SYSTEMS; do
      out=$(measure_kill "$sys" "$c" sick)
      record "$sys" "sick-$c" "$out"
      echo "  $sys healthcheck fails $c: ${out//$'\n'/ }" >&2
    done
  done
done

source hack/lib/bench-net-report.sh
report
