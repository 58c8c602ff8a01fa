# stackd on three namespace nodes for hack/bench-net.sh, as test/helpers/cluster.ts runs it: its
# own etcd, an agent per node (in the root namespace, driving the node's dockerd through its
# socket; --address is the node's address), one manager. Source after hack/lib/nodes.sh,
# etcd.sh and bench.sh; needs STACK, STACK_FILE, STACKD_NODES (three names), STACKD_INDEX,
# BENCH_DIR. Sets STACKD_PIDS (for the caller's cleanup) and STORE.

stackd_docker() { docker -H "$(node_socket "$1")" "${@:2}"; }
stackd_filter() { echo "label=io.stackd.service=$1"; }
STACKD_PIDS=()

stackd_ready_nodes() { stackctl node ls --format json 2>/dev/null | grep -c '"status": "Ready"' || true; }

stackd_up() {
  local i name role=(client server mesh)
  start_etcd >/dev/null
  STORE="etcd://$STACKD_TEST_ETCD"
  local starters=()
  for i in 0 1 2; do
    (wipe_node "${STACKD_NODES[$i]}" && start_node "${STACKD_NODES[$i]}" $((STACKD_INDEX + i)) >/dev/null) &
    starters+=($!)
  done
  # these pids only: a bare `wait` would also wait for etcd
  for i in "${starters[@]}"; do wait "$i" || { echo "stackd: a node did not start" >&2; return 1; }; done
  # an agent that programs the host's network takes the engine's namespace (--netns) when it can
  local netns=0
  node bin/stackd.js agent --help 2>/dev/null | grep -q -- '--netns' && netns=1
  for i in 0 1 2; do
    name=${STACKD_NODES[$i]}
    local extra=()
    [ "$netns" -eq 0 ] || extra=(--netns "/var/run/netns/$name")
    node bin/stackd.js agent --store "$STORE" --node-name "$name" --docker "$(node_socket "$name")" \
      --address "$(node_address "$name")" --label "bench=${role[$i]}" "${extra[@]}" >"$BENCH_DIR/agent-$name.log" 2>&1 &
    STACKD_PIDS+=($!)
  done
  node bin/stackd.js manager --store "$STORE" >"$BENCH_DIR/manager.log" 2>&1 &
  STACKD_PIDS+=($!)
  stackd_three_ready() { [ "$(stackd_ready_nodes)" -eq 3 ]; }
  wait_until 60 stackd_three_ready || { echo "stackd: the nodes did not all get Ready; logs in $BENCH_DIR" >&2; return 1; }
  # --detach: on agents without --netns (no routing mesh) an ingress port is a host port and two
  # web replicas cannot share node B; the cases that need them then say n/a instead of waiting
  stackctl deploy --detach -c "$STACK_FILE" "$STACK" >"$BENCH_DIR/deploy.out" 2>&1 ||
    { echo "stackd: deploy failed:" >&2; cat "$BENCH_DIR/deploy.out" >&2; return 1; }
}

stackd_down() {
  local pid name
  if [ -n "${STORE:-}" ] && [ ${#STACKD_PIDS[@]} -gt 0 ]; then
    # removing the stack lets the agents undo what they programmed on the hosts
    stackctl rm "$STACK" >/dev/null 2>&1 && wait_until 30 stackd_no_containers || true
  fi
  for pid in "${STACKD_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${STACKD_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  STACKD_PIDS=()
  stop_etcd
  for name in "${STACKD_NODES[@]}"; do wipe_node "$name"; done
}

stackd_no_containers() {
  local name
  for name in "${STACKD_NODES[@]}"; do
    [ "$(stackd_docker "$name" ps -q --filter "label=io.stackd.stack=$STACK" 2>/dev/null | wc -l)" -eq 0 ] || return 1
  done
}

stackd_node() { case $1 in A) echo "${STACKD_NODES[0]}" ;; B) echo "${STACKD_NODES[1]}" ;; C) echo "${STACKD_NODES[2]}" ;; esac; }
