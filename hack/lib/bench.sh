# Helpers the benchmarks share. Source this file after setting RUN_ID, STORE and the SWARM_*
# variables; it defines functions only.

stackctl() { node bin/stackctl.js --store "$STORE" "$@"; }
count() { docker ps -q "$@" | wc -l; }
# seconds between two $EPOCHREALTIME readings
since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f", b - a }'; }
quiet() { "$@" >/dev/null 2>&1; }
# wait_until SECONDS CMD...: polls CMD every 100 ms
wait_until() {
  local deadline=$((SECONDS + $1))
  shift
  until "$@"; do
    [ "$SECONDS" -lt "$deadline" ] || return 1
    sleep 0.1
  done
}

no_stack_containers() { [ "$(count -a --filter "label=io.stackd.stack=$RUN_ID")" -eq 0 ]; }
no_swarm_containers() { [ "$(count -a --filter "label=com.docker.swarm.service.name=$RUN_ID")" -eq 0 ] && [ "$(count -a --filter "label=com.docker.stack.namespace=$RUN_ID")" -eq 0 ]; }

# Leave the swarm the benchmark joined (SWARM_JOINED), removing its service and what init made.
leave_swarm() {
  [ -n "$SWARM_JOINED" ] || return 0
  docker service rm "$RUN_ID" >/dev/null 2>&1 || true
  docker stack rm "$RUN_ID" >/dev/null 2>&1 || true
  wait_until 60 no_swarm_containers || true
  docker swarm leave --force >/dev/null
  docker ps -aq --filter "label=com.docker.swarm.service.name=$RUN_ID" | xargs -r docker rm -f >/dev/null
  # init made docker_gwbridge, leave keeps it
  [ -n "$GWBRIDGE_HAD" ] || docker network rm docker_gwbridge >/dev/null 2>&1 || true
  SWARM_JOINED=""
}
