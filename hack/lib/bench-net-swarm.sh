# Docker Swarm on three namespace nodes for hack/bench-net.sh: node A (client, the manager),
# node B (server), node C (mesh only). Source after hack/lib/nodes.sh and bench.sh; needs STACK,
# STACK_FILE and SWARM_NODES (three names) and SWARM_INDEX (the first node index).
#
# Found on these machines (docs/bench-net.md): init and join work across namespaces on the bridge
# (2377/tcp, 7946, 4789/udp pass), the overlay carries traffic between nodes by task IP, but the
# kernel has no IPVS (CONFIG_IP_VS is not set), so service VIPs time out and the ingress routing
# mesh refuses connections; endpoint_mode dnsrr is the only load balancing Swarm has here.

swarm_docker() { docker -H "$(node_socket "$1")" "${@:2}"; }
# label filter of a service's containers
swarm_filter() { echo "label=com.docker.swarm.service.name=${STACK}_$1"; }

swarm_up() {
  local i name addr token
  # fresh engines (no swarm state from an earlier run), started side by side
  local starters=()
  for i in 0 1 2; do
    (wipe_node "${SWARM_NODES[$i]}" && start_node "${SWARM_NODES[$i]}" $((SWARM_INDEX + i)) >/dev/null) &
    starters+=($!)
  done
  # these pids only: a bare `wait` would also wait for etcd
  for i in "${starters[@]}"; do wait "$i" || { echo "swarm: a node did not start" >&2; return 1; }; done
  addr=$(node_address "${SWARM_NODES[0]}")
  swarm_docker "${SWARM_NODES[0]}" swarm init --advertise-addr "$addr" >/dev/null
  token=$(swarm_docker "${SWARM_NODES[0]}" swarm join-token -q worker)
  for i in 1 2; do
    name=${SWARM_NODES[$i]}
    swarm_docker "$name" swarm join --token "$token" --advertise-addr "$(node_address "$name")" "$addr:2377" >/dev/null
  done
  local role=(client server mesh)
  for i in 0 1 2; do
    swarm_docker "${SWARM_NODES[0]}" node update --label-add "bench=${role[$i]}" "${SWARM_NODES[$i]}" >/dev/null
  done
  swarm_docker "${SWARM_NODES[0]}" stack deploy -c "$STACK_FILE" "$STACK" >/dev/null 2>&1
}

swarm_down() {
  local name
  for name in "${SWARM_NODES[@]}"; do wipe_node "$name"; done
}

# nodes by role (A client, B server, C mesh)
swarm_node() { case $1 in A) echo "${SWARM_NODES[0]}" ;; B) echo "${SWARM_NODES[1]}" ;; C) echo "${SWARM_NODES[2]}" ;; esac; }
