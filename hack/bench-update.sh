#!/usr/bin/env bash
# Rolling update benchmark: N replicas (default 20) of a workload that exits at once on SIGTERM,
# running image A, updated to image B (another tag of the same local image) with parallelism 5,
# delay 0, monitor 1s, stop grace period 1s, on one Docker Engine:
#   stackd  `stackctl deploy` of the changed stack file, timed from its start to its exit (it exits
#           once every replica runs B and the rollout completed), against a fresh embedded store
#   swarm   `docker swarm init`, `service create` (not timed), then `docker service update --image`
#           timed until it returns (it waits for convergence), checked: N tasks run B
# and prints both times and the ratio (target: stackd at most 0.8x Swarm). Everything it creates is
# removed, and the swarm left, even on failure. The stackd log is kept in /tmp/stackd-bench-update.log.
# BENCH_ROUNDS=R repeats both phases R times (interleaved) and prints the medians.
# BENCH_SKIP_BUILD=1 skips `npm run build`.
set -euo pipefail
cd "$(dirname "$0")/.."

N=${1:-20}
ROUNDS=${BENCH_ROUNDS:-1}
if ! [[ "$N" =~ ^[0-9]+$ && "$ROUNDS" =~ ^[0-9]+$ ]] || [ "$N" -lt 1 ] || [ "$ROUNDS" -lt 1 ]; then
  echo "usage: [BENCH_ROUNDS=R] hack/bench-update.sh [N]   (N replicas, default 20; R rounds, default 1)" >&2
  exit 2
fi
PARALLELISM=5
IMAGE_A=stackd/busybox:latest
IMAGE_B=stackd/busybox:bench-update-b
# exits at once on SIGTERM (the shell runs the trap while it waits for the background sleep)
LOOP="trap 'exit 0' TERM; while true; do sleep 1 & wait \$!; done"
RUN_ID="bupd$$"
NODE="bench-$RUN_ID"
LOG_KEEP=/tmp/stackd-bench-update.log

source hack/lib/docker.sh
BENCH_DIR="$(mktemp -d /tmp/stackd-bench-update.XXXXXX)"
STORE=""
STACKD_PID=""
SWARM_JOINED=""
GWBRIDGE_HAD=""

source hack/lib/bench.sh


stop_stackd() {
  [ -n "$STACKD_PID" ] || return 0
  stackctl rm "$RUN_ID" >/dev/null 2>&1 || true
  wait_until 60 no_stack_containers || echo "stackd: containers of $RUN_ID still there after rm" >&2
  kill "$STACKD_PID" 2>/dev/null || true
  wait "$STACKD_PID" 2>/dev/null || true
  STACKD_PID=""
}


cleanup() {
  set +e
  stop_stackd
  docker ps -aq --filter "label=io.stackd.node=$NODE" | xargs -r docker rm -f >/dev/null
  docker network ls -q --filter "label=io.stackd.node=$NODE" | xargs -r docker network rm >/dev/null
  leave_swarm
  docker rmi "$IMAGE_B" >/dev/null 2>&1
  [ -f "$BENCH_DIR/stackd.log" ] && cp "$BENCH_DIR/stackd.log" "$LOG_KEEP"
  rm -rf "$BENCH_DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

start_dockerd >&2
bash hack/build-images.sh >&2
docker tag "$IMAGE_A" "$IMAGE_B"
[ -n "${BENCH_SKIP_BUILD:-}" ] || npm run build --silent >&2

# ---- stackd: deploy A (not timed), then time the deploy of B
stackd_failed() { echo "stackd: $1; log:" >&2; tail -20 "$BENCH_DIR/stackd.log" >&2; exit 1; }
node_ready() {
  kill -0 "$STACKD_PID" 2>/dev/null || stackd_failed "exited"
  stackctl node ls --format json 2>/dev/null | grep -q '"status": "Ready"'
}
stack_file() {
  cat <<EOF
services:
  app:
    image: $1
    command: ["sh", "-c", "${LOOP//\$/\$\$}"]
    stop_grace_period: 1s
    deploy:
      replicas: $N
      update_config: {parallelism: $PARALLELISM, delay: 0s, monitor: 1s}
EOF
}
deploy() {
  stack_file "$1" >"$BENCH_DIR/stack.yml"
  stackctl deploy -c "$BENCH_DIR/stack.yml" "$RUN_ID" </dev/null >"$BENCH_DIR/deploy.out" 2>&1 ||
    { echo "stackctl deploy ($1) failed:" >&2; cat "$BENCH_DIR/deploy.out" >&2; exit 1; }
}

stackd_update() {
  STORE="sqlite://$(mktemp "$BENCH_DIR/state.XXXXXX.db")"
  STACKD_LOG_LEVEL=${STACKD_LOG_LEVEL:-info} node bin/stackd.js --store "$STORE" --node-name "$NODE" 2>>"$BENCH_DIR/stackd.log" >>"$BENCH_DIR/stackd.log" &
  STACKD_PID=$!
  wait_until 60 node_ready || stackd_failed "node $NODE did not register"
  deploy "$IMAGE_A"
  local t0 took
  t0=$EPOCHREALTIME
  deploy "$IMAGE_B"
  took=$(since "$t0")
  echo "  (stackd update: $(date -u -d "@$t0" +%T.%3N) to $(date -u +%T.%3N) UTC, for the log's times)" >&2
  local tasks
  tasks=$(stackctl ps "$RUN_ID" --format json | node -e '
    const rows = JSON.parse(require("fs").readFileSync(0, "utf8"));
    console.log(rows.filter((r) => r.desiredState === "Running" && r.currentState === "Running" && r.image === process.argv[1]).length);' "$IMAGE_B")
  [ "$tasks" -eq "$N" ] || { echo "stackd: $tasks/$N tasks run $IMAGE_B" >&2; exit 1; }
  # where the time went, per batch (seconds since the update's start; dist/bench/update-timeline.js)
  echo "  stackd update timeline (load $(uptime | sed 's/.*load average: //')):" >&2
  node dist/bench/update-timeline.js --store "$STORE" --stack "$RUN_ID" --since "$t0" --image "$IMAGE_B" --parallelism "$PARALLELISM" >&2 ||
    echo "  (timeline not available)" >&2
  stop_stackd
  TOOK=$took
}

# ---- Docker Swarm on the same engine: create with A (not timed), then time the update to B
swarm_on_b() {
  local n
  n=$(docker service ps "$RUN_ID" --filter desired-state=running --format '{{.Image}} {{.CurrentState}}' | grep -c "^$IMAGE_B Running" || true)
  [ "$n" -eq "$N" ]
}

swarm_update() {
  if [ "$(docker info --format '{{.Swarm.LocalNodeState}}')" != inactive ]; then
    echo "the engine is already in a swarm: swarm not measured" >&2
    TOOK=n/a
    return
  fi
  docker network inspect docker_gwbridge >/dev/null 2>&1 && GWBRIDGE_HAD=1
  SWARM_JOINED=1
  docker swarm init --advertise-addr 127.0.0.1 >/dev/null
  docker service create --quiet --no-resolve-image --replicas "$N" --name "$RUN_ID" \
    --update-parallelism "$PARALLELISM" --update-delay 0s --update-monitor 1s --stop-grace-period 1s \
    "$IMAGE_A" sh -c "$LOOP" >/dev/null
  local t0 took
  t0=$EPOCHREALTIME
  docker service update --quiet --no-resolve-image --image "$IMAGE_B" "$RUN_ID" >/dev/null
  took=$(since "$t0")
  swarm_on_b || { echo "swarm: not all $N tasks run $IMAGE_B after service update returned" >&2; exit 1; }
  leave_swarm
  TOOK=$took
}

echo "updating $N replicas (parallelism $PARALLELISM, delay 0, monitor 1s, stop grace 1s) on $(docker version --format '{{.Server.Version}}'), $(nproc) cpus, $ROUNDS round(s)..." >&2
# each phase sets TOOK; no subshells (the EXIT trap must see STACKD_PID and SWARM_JOINED)
declare -A times
measure() {
  local name=$1
  shift
  "$@"
  times[$name]+="$TOOK "
  echo "  $name: $TOOK s" >&2
}
for round in $(seq 1 "$ROUNDS"); do
  [ "$ROUNDS" -eq 1 ] || echo "round $round" >&2
  measure stackd stackd_update
  measure swarm swarm_update
done

# the median of a phase's times (n/a when not measured)
median() { tr ' ' '\n' <<<"${times[$1]}" | grep -E '^[0-9.]+$' | sort -n | awk '{ v[NR] = $1 } END { if (NR) printf "%.2f", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; else print "n/a" }'; }
st=$(median stackd)
sw=$(median swarm)
ratio=$([[ "$st" =~ ^[0-9.]+$ && "$sw" =~ ^[0-9.]+$ ]] && awk -v a="$st" -v b="$sw" 'BEGIN { printf "%.2fx", a / b }' || echo -)
[ "$ROUNDS" -eq 1 ] || echo "medians of $ROUNDS rounds"
printf '%-12s %s\n' "update N=$N" seconds
printf '%-12s %s\n' stackd "$st"
printf '%-12s %s\n' swarm "$sw"
printf '%-12s %s (target: at most 0.80x)\n' "stackd/swarm" "$ratio"
