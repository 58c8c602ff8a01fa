#!/usr/bin/env bash
# Convergence benchmark: N replicas (default 30) of a trivial service on one Docker Engine, timed
#   docker run (x1)   `docker run -d` one at a time
#   docker run (x4)   `docker run -d`, as many at a time as the agent's task controller reconciles
#   docker run (x4, net)  the same, on a user-defined bridge with an alias, like stackd's containers
#                     (on the stack's default network); this costs the engine more per start. The
#                     network is made inside the timing, as stackd and Swarm make theirs
#   stackd            `stackctl deploy -d` of the stack file against a fresh embedded store, with
#                     `stackd` (manager + agent) started and its node registered beforehand
#   swarm             `docker swarm init`, then `docker stack deploy` of the same stack file (Swarm
#                     makes the stack's overlay network, as stackd makes its bridge network)
# The end of both is found the same way: polling (every 100 ms) until the engine runs N containers
# with the stack's label; stackd's tasks are then checked to all report Running.
# and prints the times and ratios. Everything it creates is removed, and the swarm left, even on
# failure. The stackd log is kept in /tmp/stackd-bench-converge.log (STACKD_LOG_LEVEL, default info).
# Uses the engine DOCKER_HOST names (default: the local one, started if none answers).
# BENCH_TASK_CONCURRENCY=N runs stackd's agent (and the parallel `docker run`) at N tasks at once.
# BENCH_ROUNDS=R repeats the phases R times (interleaved) and prints the medians: this machine's
# load varies. BENCH_SKIP_BUILD=1 skips `npm run build`.
set -euo pipefail
cd "$(dirname "$0")/.."

N=${1:-30}
ROUNDS=${BENCH_ROUNDS:-1}
if ! [[ "$N" =~ ^[0-9]+$ && "$ROUNDS" =~ ^[0-9]+$ ]] || [ "$N" -lt 1 ] || [ "$ROUNDS" -lt 1 ]; then
  echo "usage: [BENCH_ROUNDS=R] hack/bench-converge.sh [N]   (N replicas, default 30; R rounds, default 1)" >&2
  exit 2
fi
# the agent's task concurrency: BENCH_TASK_CONCURRENCY (passed as stackd --task-concurrency), else
# its default (src/agent/task-concurrency.ts); plain `docker run` is measured at the same parallelism
PAR=${BENCH_TASK_CONCURRENCY:-$(sed -n 's/^export const DEFAULT_TASK_CONCURRENCY = \([0-9][0-9]*\);/\1/p' src/agent/task-concurrency.ts)}
PAR=${PAR:-4}
IMAGE=stackd/busybox:latest
LOOP="trap 'exit 0' TERM; while true; do sleep 1; done"
RUN_ID="bconv$$"
BENCH_LABEL="io.stackd.bench=$RUN_ID"
NODE="bench-$RUN_ID"
LOG_KEEP=/tmp/stackd-bench-converge.log

source hack/lib/docker.sh
BENCH_DIR="$(mktemp -d /tmp/stackd-bench-converge.XXXXXX)"
STORE="" # a fresh embedded store per round
STACKD_PID=""
SWARM_JOINED=""
GWBRIDGE_HAD=""

source hack/lib/bench.sh


cleanup() {
  set +e
  docker ps -aq --filter "label=$BENCH_LABEL" | xargs -r docker rm -f >/dev/null
  for net in $(docker network ls -q --filter "label=$BENCH_LABEL"); do wait_until 10 quiet docker network rm "$net"; done
  if [ -n "$STACKD_PID" ]; then
    stackctl rm "$RUN_ID" >/dev/null 2>&1
    wait_until 30 no_stack_containers
    kill "$STACKD_PID" 2>/dev/null
    wait "$STACKD_PID" 2>/dev/null
  fi
  docker ps -aq --filter "label=io.stackd.node=$NODE" | xargs -r docker rm -f >/dev/null
  docker network ls -q --filter "label=io.stackd.node=$NODE" | xargs -r docker network rm >/dev/null
  leave_swarm
  [ -f "$BENCH_DIR/stackd.log" ] && cp "$BENCH_DIR/stackd.log" "$LOG_KEEP"
  rm -rf "$BENCH_DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM


start_dockerd >&2
bash hack/build-images.sh >&2
[ -n "${BENCH_SKIP_BUILD:-}" ] || npm run build --silent >&2

# ---- plain docker: `docker run -d` returns once the container is started. With a NETWORK, on a
# user-defined bridge with an alias, as stackd's containers are (the stack's default network).
plain_docker() {
  local par=$1 network=${2:-} t0
  local net_args=()
  # the network is made inside the timing: stackd and Swarm make the stack's network in theirs
  t0=$EPOCHREALTIME
  if [ -n "$network" ]; then
    docker network create --label "$BENCH_LABEL" "$network" >/dev/null
    net_args=(--network "$network" --network-alias app)
  fi
  seq 1 "$N" | xargs -P "$par" -I{} docker run -d --name "$RUN_ID-$round-x$par${network:+net}-{}" --label "$BENCH_LABEL" "${net_args[@]}" "$IMAGE" sh -c "$LOOP" >/dev/null
  local took running
  took=$(since "$t0")
  running=$(count --filter "label=$BENCH_LABEL" --filter status=running)
  [ "$running" -eq "$N" ] || { echo "docker run x$par: $running/$N running" >&2; exit 1; }
  docker ps -aq --filter "label=$BENCH_LABEL" | xargs -r docker rm -f >/dev/null
  # the engine may still be letting go of the removed containers' endpoints ("has active endpoints");
  # a stale endpoint can keep a network for good: say so and go on (hence a new name each round)
  if [ -n "$network" ] && ! wait_until 10 quiet docker network rm "$network"; then
    echo "  the engine keeps network $network (has active endpoints, yet no container): remove it by hand" >&2
  fi
  TOOK=$took
}

# ---- stackd: registered before timing; `stackctl deploy` exits once all N tasks run
stackd_failed() { echo "stackd: $1; log:" >&2; tail -20 "$BENCH_DIR/stackd.log" >&2; exit 1; }
node_ready() {
  kill -0 "$STACKD_PID" 2>/dev/null || stackd_failed "exited"
  stackctl node ls --format json 2>/dev/null | grep -q '"status": "Ready"'
}

stackd_converge() {
  STORE="sqlite://$(mktemp "$BENCH_DIR/state.XXXXXX.db")"
  STACKD_LOG_LEVEL=${STACKD_LOG_LEVEL:-info} node bin/stackd.js --store "$STORE" --node-name "$NODE" --task-concurrency "$PAR" 2>>"$BENCH_DIR/stackd.log" >&2 &
  STACKD_PID=$!
  wait_until 60 node_ready || stackd_failed "node $NODE did not register"
  write_stack_file
  local t0 took
  t0=$EPOCHREALTIME
  stackctl deploy -d -c "$BENCH_DIR/stack.yml" "$RUN_ID" </dev/null >"$BENCH_DIR/deploy.out" 2>&1 ||
    { echo "stackctl deploy failed:" >&2; cat "$BENCH_DIR/deploy.out" >&2; exit 1; }
  wait_until 300 stack_running "label=io.stackd.stack=$RUN_ID" || { echo "stackd: not converged within 300 s" >&2; exit 1; }
  took=$(since "$t0")
  wait_until 30 stackd_tasks_running || true
  echo "  (stackd deploy: $(date -u -d "@$t0" +%T.%3N) to $(date -u +%T.%3N) UTC, for the log's times)" >&2
  local tasks containers
  tasks=$(stackctl ps "$RUN_ID" --format json | grep -c '"currentState": "Running"' || true)
  containers=$(count --filter "label=io.stackd.stack=$RUN_ID" --filter status=running)
  [ "$tasks" -eq "$N" ] && [ "$containers" -eq "$N" ] || { echo "stackd: $tasks/$N tasks Running, $containers/$N containers running" >&2; exit 1; }
  stackctl rm "$RUN_ID" >/dev/null
  wait_until 60 no_stack_containers || echo "stackd: containers of $RUN_ID still there after rm" >&2
  kill "$STACKD_PID"
  wait "$STACKD_PID" || true
  STACKD_PID=""
  # the agent removes the stack's network once its containers are gone; on a loaded engine it may
  # still have endpoints then, and Swarm's phase makes a network of the same name: wait for it
  no_stackd_networks || echo "  the engine keeps stackd's network of $RUN_ID: remove it by hand" >&2
  TOOK=$took
}

no_stackd_networks() {
  local net
  for net in $(docker network ls -q --filter "label=io.stackd.node=$NODE"); do
    wait_until 30 quiet docker network rm "$net" || return 1
  done
}

# the stack file both deploy: N replicas of a trivial service on the stack's default network
write_stack_file() {
  cat >"$BENCH_DIR/stack.yml" <<EOF
services:
  app:
    image: $IMAGE
    command: ["sh", "-c", "$LOOP"]
    deploy:
      replicas: $N
EOF
}

# the end, for both: the engine runs N containers with the stack's label (FILTER)
stack_running() { [ "$(count --filter "$1" --filter status=running)" -eq "$N" ]; }
stackd_tasks_running() { [ "$(stackctl ps "$RUN_ID" --format json | grep -c '"currentState": "Running"' || true)" -eq "$N" ]; }

# ---- Docker Swarm on the same engine

swarm_converge() {
  if [ "$(docker info --format '{{.Swarm.LocalNodeState}}')" != inactive ]; then
    echo "the engine is already in a swarm: swarm not measured" >&2
    TOOK=n/a
    return
  fi
  docker network inspect docker_gwbridge >/dev/null 2>&1 && GWBRIDGE_HAD=1
  SWARM_JOINED=1
  docker swarm init --advertise-addr 127.0.0.1 >/dev/null
  local t0 took
  write_stack_file
  t0=$EPOCHREALTIME
  docker stack deploy --resolve-image never -c "$BENCH_DIR/stack.yml" "$RUN_ID" >/dev/null
  wait_until 300 stack_running "label=com.docker.stack.namespace=$RUN_ID" || { echo "swarm: not converged within 300 s" >&2; exit 1; }
  took=$(since "$t0")
  # stack rm fails when a network is still in use by a task shutting down: leave_swarm removes the rest
  docker stack rm "$RUN_ID" >/dev/null 2>&1 || true
  wait_until 60 no_swarm_containers || true
  leave_swarm
  TOOK=$took
}

echo "converging $N replicas of $IMAGE ($(docker version --format '{{.Server.Version}}'), $(nproc) cpus), $ROUNDS round(s)..." >&2
# each phase sets TOOK; no subshells (the EXIT trap must see STACKD_PID and SWARM_JOINED), and no
# `phase && ...` (errexit is off inside a function called so)
declare -A times
LOAD_BEFORE=$(uptime | sed 's/.*load average: //')
measure() {
  local name=$1
  shift
  "$@"
  times[$name]+="$TOOK "
  echo "  $name: $TOOK s (load $(uptime | sed 's/.*load average: //'))" >&2
}
for round in $(seq 1 "$ROUNDS"); do
  [ "$ROUNDS" -eq 1 ] || echo "round $round" >&2
  measure x1 plain_docker 1
  measure xp plain_docker "$PAR"
  measure xpnet plain_docker "$PAR" "${RUN_ID}_net$round"
  measure stackd stackd_converge
  measure swarm swarm_converge
done

# the median of a phase's times (n/a when not measured)
median() { tr ' ' '\n' <<<"${times[$1]}" | grep -E '^[0-9.]+$' | sort -n | awk '{ v[NR] = $1 } END { if (NR) printf "%.2f", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; else print "n/a" }'; }
xp=$(median xp)
xpnet=$(median xpnet)
sw=$(median swarm)
ratio() { [[ "$1" =~ ^[0-9.]+$ && "$2" =~ ^[0-9.]+$ ]] && awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2fx", a / b }' || echo -; }
row() {
  local t
  t=$(median "$2")
  printf '%-22s %-9s %-14s %-18s %s\n' "$1" "$t" "$(ratio "$t" "$xp")" "$(ratio "$t" "$xpnet")" "$(ratio "$t" "$sw")"
}
echo "machine: $(nproc) cores, load before: $LOAD_BEFORE, after: $(uptime | sed 's/.*load average: //')"
[ "$ROUNDS" -eq 1 ] || echo "medians of $ROUNDS rounds"
printf '%-22s %-9s %-14s %-18s %s\n' "converge N=$N" seconds "vs docker($PAR)" "vs docker($PAR, net)" "vs swarm"
row "docker run (x1)" x1
row "docker run (x$PAR)" xp
row "docker run (x$PAR, net)" xpnet
row stackd stackd
row swarm swarm
