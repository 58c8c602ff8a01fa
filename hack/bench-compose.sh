#!/usr/bin/env bash
# Compose workflow benchmark: a 5-service project (busybox with init: true, one network, one named
# volume) brought up with `up -d` and taken down with `down -v`, on one Docker Engine, by
#   stackd (warm)  `stackctl up -d` / `stackctl down -v` with stackd already running (started
#                  before the round, not timed) on a fresh embedded store
#   stackd (cold)  the same with no stackd running: `up -d` starts it (auto-start) and waits for
#                  its node, all timed; `down` then runs against that daemon
#   docker-compose `docker-compose up -d` / `docker-compose down -v` (Debian's docker-compose 1.29,
#                  installed with apt-get when missing)
# Each `up -d` returns once every container is started; each `down` once they and the network are
# gone. Prints the medians of BENCH_ROUNDS rounds (default 3) and the ratios (target: stackd no
# slower than docker-compose). Everything it creates is removed, even on failure.
# BENCH_SKIP_BUILD=1 skips `npm run build`.
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS=${BENCH_ROUNDS:-3}
[[ "$ROUNDS" =~ ^[1-9][0-9]*$ ]] || { echo "usage: [BENCH_ROUNDS=R] hack/bench-compose.sh" >&2; exit 2; }
RUN_ID="bcmp$$"
BENCH_DIR="$(mktemp -d /tmp/stackd-bench-compose.XXXXXX)"
LOG_KEEP=/tmp/stackd-bench-compose.log
STORE=""
export STACKD_NODE_NAME="bench-$RUN_ID"
export NO_COLOR=1

source hack/lib/docker.sh
source hack/lib/bench.sh

daemon_pid() { [ -f "$BENCH_DIR/stackd.pid" ] && cat "$BENCH_DIR/stackd.pid" || true; }
stop_stackd() {
  local pid
  pid=$(daemon_pid)
  [ -n "$pid" ] || return 0
  kill "$pid" 2>/dev/null || true
  wait_until 30 sh -c "! kill -0 $pid 2>/dev/null" || kill -9 "$pid" 2>/dev/null || true
  rm -f "$BENCH_DIR/stackd.pid"
}
fresh_store() {
  stop_stackd
  [ -f "$BENCH_DIR/stackd.log" ] && cat "$BENCH_DIR/stackd.log" >>"$BENCH_DIR/stackd.all.log" && rm -f "$BENCH_DIR/stackd.log"
  rm -f "$BENCH_DIR"/state.db*
  STORE="sqlite://$BENCH_DIR/state.db"
}

cleanup() {
  set +e
  stop_stackd
  docker ps -aq --filter "label=io.stackd.node=$STACKD_NODE_NAME" | xargs -r docker rm -f >/dev/null
  docker ps -aq --filter "name=^${RUN_ID}" | xargs -r docker rm -f >/dev/null
  docker network ls -q --filter "name=${RUN_ID}" | xargs -r docker network rm >/dev/null
  docker volume ls -q --filter "name=${RUN_ID}" | xargs -r docker volume rm >/dev/null
  cat "$BENCH_DIR"/stackd*.log >"$LOG_KEEP" 2>/dev/null
  rm -rf "$BENCH_DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

start_dockerd >&2
bash hack/build-images.sh >&2
command -v docker-compose >/dev/null || { apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-compose >&2; }
[ -n "${BENCH_SKIP_BUILD:-}" ] || npm run build --silent >&2

{
  echo "services:"
  for i in 1 2 3 4 5; do
    cat <<EOF
  s$i:
    image: stackd/busybox:latest
    init: true
    command: ["sleep", "3600"]
    networks: [net]
    volumes: ["data:/data"]
EOF
  done
  printf 'networks:\n  net: {}\nvolumes:\n  data: {}\n'
} >"$BENCH_DIR/compose.yaml"

# run NAME CMD...: runs CMD quietly, fails the benchmark with its output when it fails
run() {
  local name=$1
  shift
  "$@" </dev/null >"$BENCH_DIR/$name.out" 2>&1 || { echo "$name failed ($*):" >&2; cat "$BENCH_DIR/$name.out" >&2; exit 1; }
}
running() { [ "$(count --filter "label=$1")" -eq 5 ]; }
timed() { # timed VAR CMD...: TOOK=seconds
  local t0=$EPOCHREALTIME
  run "$@"
  TOOK=$(since "$t0")
}

declare -A times
record() { times[$1]+="$2 "; echo "  $1: $2 s" >&2; }

stackd_round() { # stackd_round warm|cold PROJECT
  local mode=$1 p=$2
  fresh_store
  if [ "$mode" = warm ]; then
    # the daemon starts here, outside the timing: the cost of a first `up` on an idle store
    run warmup-up stackctl up -d -f "$BENCH_DIR/compose.yaml" -p "${p}w"
    run warmup-down stackctl down -v -f "$BENCH_DIR/compose.yaml" -p "${p}w"
  fi
  timed "up-$mode" stackctl up -d -f "$BENCH_DIR/compose.yaml" -p "$p"
  running "io.stackd.stack=$p" || { echo "stackd ($mode): not 5 containers running after up -d" >&2; exit 1; }
  record "stackd-$mode-up" "$TOOK"
  timed "down-$mode" stackctl down -v -f "$BENCH_DIR/compose.yaml" -p "$p"
  no_left "io.stackd.stack=$p" || { echo "stackd ($mode): containers left after down" >&2; exit 1; }
  record "stackd-$mode-down" "$TOOK"
}
no_left() { [ "$(count -a --filter "label=$1")" -eq 0 ]; }

compose_round() {
  local p=$1
  timed compose-up docker-compose -f "$BENCH_DIR/compose.yaml" -p "$p" up -d
  running "com.docker.compose.project=$p" || { echo "docker-compose: not 5 containers running after up -d" >&2; exit 1; }
  record compose-up "$TOOK"
  timed compose-down docker-compose -f "$BENCH_DIR/compose.yaml" -p "$p" down -v
  no_left "com.docker.compose.project=$p" || { echo "docker-compose: containers left after down" >&2; exit 1; }
  record compose-down "$TOOK"
}

echo "5 services, 1 network, 1 volume on Docker $(docker version --format '{{.Server.Version}}'), $(docker-compose version --short), $(nproc) cpus, $ROUNDS round(s)" >&2
for round in $(seq 1 "$ROUNDS"); do
  echo "round $round" >&2
  stackd_round warm "${RUN_ID}w$round"
  stackd_round cold "${RUN_ID}c$round"
  compose_round "${RUN_ID}d$round"
done
stop_stackd

median() { tr ' ' '\n' <<<"${times[$1]}" | grep -E '^[0-9.]+$' | sort -n | awk '{ v[NR] = $1 } END { printf "%.2f", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2fx", a / b }'; }
cu=$(median compose-up)
cd_=$(median compose-down)
echo "medians of $ROUNDS rounds, seconds (ratio: stackd / docker-compose; target at most 1.00x)"
printf '%-26s %8s %8s %10s %10s\n' "" "up -d" "down -v" "up ratio" "down ratio"
for m in warm cold; do
  u=$(median "stackd-$m-up")
  d=$(median "stackd-$m-down")
  printf '%-26s %8s %8s %10s %10s\n' "stackd ($m daemon)" "$u" "$d" "$(ratio "$u" "$cu")" "$(ratio "$d" "$cd_")"
done
printf '%-26s %8s %8s\n' "docker-compose 1.29" "$cu" "$cd_"
