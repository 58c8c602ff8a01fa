# Several Docker hosts on one machine, for multi-node tests. Source this file.
#
#   start_node NAME INDEX [DOCKERD_ARG...]   a node: network namespace NAME, address 10.250.0.(10+INDEX)
#                                            on the bridge stackd-br0 (the root namespace is 10.250.0.1),
#                                            its own dockerd at unix:///run/stackd-NAME.sock (hostname
#                                            NAME), with the stackd/* images loaded; extra arguments go
#                                            to dockerd (e.g. --label zone=east for engine.labels)
#   stop_node NAME                           stops its dockerd (its containers stop with it) and deletes
#                                            the namespace; its data stays in /var/lib/stackd-NAME
#   wipe_node NAME                           stop_node, then delete its data (a fresh host next time)
#   stop_all_nodes                           stop_node for every node on this machine, then the bridge
#                                            (also other runs' nodes: prefer stop_own_nodes)
#   stop_own_nodes                           stop_node for the nodes started with this STACKD_NODES_OWNER
#                                            (set by hack/test.sh and the benches), then the bridge if unused
#   node_socket NAME / node_address NAME     unix:///run/stackd-NAME.sock / 10.250.0.(10+INDEX)
#
# The namespaces have no default route: a node reaches the root namespace and the other nodes on
# 10.250.0.0/24, nothing else (pulls fail at once: no registry is reachable anyway). Published ports
# of a node's containers answer at the node's address. dockerd runs under nsenter, not
# `ip netns exec`, which remounts /sys and makes dockerd fail with "Devices cgroup isn't mounted".

STACKD_NODES_BRIDGE=stackd-br0
STACKD_NODES_SUBNET=10.250.0
STACKD_NODES_IMAGES=(stackd/busybox:latest stackd/accounts-web:dev stackd/accounts-api:dev stackd/mysql-standin:5.7)

node_socket() { echo "unix:///run/stackd-$1.sock"; }
node_address() { cat "/run/stackd-$1/address" 2>/dev/null; }

_nodes_bridge_up() {
  if ! ip link show "$STACKD_NODES_BRIDGE" >/dev/null 2>&1; then
    # nodes started side by side race here: whoever loses finds the bridge made (replace: idempotent)
    ip link add "$STACKD_NODES_BRIDGE" type bridge 2>/dev/null || ip link show "$STACKD_NODES_BRIDGE" >/dev/null
    ip addr replace "$STACKD_NODES_SUBNET.1/24" dev "$STACKD_NODES_BRIDGE"
    ip link set "$STACKD_NODES_BRIDGE" up
  fi
  # Docker's FORWARD policy is DROP and bridged frames pass iptables: let nodes talk to each other
  iptables -C FORWARD -i "$STACKD_NODES_BRIDGE" -o "$STACKD_NODES_BRIDGE" -j ACCEPT 2>/dev/null ||
    iptables -I FORWARD -i "$STACKD_NODES_BRIDGE" -o "$STACKD_NODES_BRIDGE" -j ACCEPT
}

start_node() {
  local name=$1 index=$2
  shift 2
  if [ -z "$name" ] || ! [[ "$index" =~ ^[0-9]+$ ]] || [ "$index" -lt 1 ] || [ "$index" -gt 244 ]; then
    echo "usage: start_node NAME INDEX(1-244: the address 10.250.0.(10+INDEX) stays in the /24) [DOCKERD_ARG...]" >&2
    return 2
  fi
  local sock="/run/stackd-$name.sock" run="/run/stackd-$name" addr="$STACKD_NODES_SUBNET.$((10 + index))"
  local veth="sd-$index-h"
  if docker -H "unix://$sock" version >/dev/null 2>&1; then
    echo "node $name already running at $addr"
    return 0
  fi
  _nodes_bridge_up
  mkdir -p "$run/exec" "/var/lib/stackd-$name/docker"
  if [ ! -e "/var/run/netns/$name" ]; then
    ip link del "$veth" 2>/dev/null || true # left by a namespace that was still closing
    ip netns add "$name"
    ip link add "$veth" type veth peer name eth0 netns "$name"
    ip link set "$veth" master "$STACKD_NODES_BRIDGE" up
    ip -n "$name" addr add "$addr/24" dev eth0
    ip -n "$name" link set eth0 up
    ip -n "$name" link set lo up
  fi
  echo "$addr" >"$run/address"
  echo "$index" >"$run/index"
  echo "${STACKD_NODES_OWNER:-}" >"$run/owner"
  # its own UTS namespace so the engine reports NAME as its hostname
  nsenter --net="/var/run/netns/$name" -- unshare --uts -- sh -c 'hostname "$0"; exec "$@"' "$name" \
    dockerd --host "unix://$sock" --data-root "/var/lib/stackd-$name/docker" --exec-root "$run/exec" \
    --pidfile "$run/docker.pid" --log-level error "$@" >"$run/dockerd.log" 2>&1 &
  for _ in $(seq 1 150); do
    docker -H "unix://$sock" version >/dev/null 2>&1 && break
    sleep 0.2
  done
  if ! docker -H "unix://$sock" version >/dev/null 2>&1; then
    echo "node $name: dockerd did not start; log:" >&2
    tail -20 "$run/dockerd.log" >&2
    return 1
  fi
  _node_load_images "$name"
  echo "node $name ready at $addr ($(node_socket "$name"))"
}

# Copies the stackd/* images the root engine has and the node lacks (by image id).
_node_load_images() {
  local sock="unix:///run/stackd-$1.sock" missing=() ref want have
  for ref in "${STACKD_NODES_IMAGES[@]}"; do
    want=$(docker image inspect -f '{{.Id}}' "$ref" 2>/dev/null) || continue
    have=$(docker -H "$sock" image inspect -f '{{.Id}}' "$ref" 2>/dev/null || true)
    [ "$want" = "$have" ] || missing+=("$ref")
  done
  [ ${#missing[@]} -eq 0 ] || docker save "${missing[@]}" | docker -H "$sock" load -q >/dev/null
}

stop_node() {
  local name=$1 run="/run/stackd-$1" pid
  pid=$(cat "$run/docker.pid" 2>/dev/null || true)
  if [ -n "$pid" ] && kill "$pid" 2>/dev/null; then
    for _ in $(seq 1 150); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.2
    done
  fi
  if [ -e "/var/run/netns/$name" ]; then
    # what is left in the namespace (containerd, shims, proxies of this node) would keep it alive
    local left
    left=$(ip netns pids "$name" 2>/dev/null || true)
    [ -z "$left" ] || kill $left 2>/dev/null || true
    ip netns del "$name"
  fi
  [ -f "$run/index" ] && ip link del "sd-$(cat "$run/index")-h" 2>/dev/null || true
  rm -f "$run/address" "/run/stackd-$name.sock"
}

wipe_node() {
  stop_node "$1"
  # dockerd unmounts its layers on exit; anything left mounted under the data root goes first
  grep -o " /var/lib/stackd-$1/[^ ]*" /proc/mounts | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
  rm -rf "/var/lib/stackd-$1" "/run/stackd-$1"
}

_node_dirs() { # the run folders of nodes that may still be up
  local dir
  for dir in /run/stackd-*/; do
    [ -f "$dir/address" ] || [ -f "$dir/docker.pid" ] || continue
    echo "$dir"
  done
}

stop_all_nodes() {
  local dir
  for dir in $(_node_dirs); do stop_node "$(basename "$dir" | sed 's/^stackd-//')"; done
  _nodes_bridge_down
}

stop_own_nodes() {
  local dir
  [ -n "${STACKD_NODES_OWNER:-}" ] || return 0
  for dir in $(_node_dirs); do
    [ "$(cat "$dir/owner" 2>/dev/null)" = "$STACKD_NODES_OWNER" ] && stop_node "$(basename "$dir" | sed 's/^stackd-//')"
  done
  [ -n "$(_node_dirs)" ] || _nodes_bridge_down
}

_nodes_bridge_down() {
  if ip link show "$STACKD_NODES_BRIDGE" >/dev/null 2>&1; then
    iptables -D FORWARD -i "$STACKD_NODES_BRIDGE" -o "$STACKD_NODES_BRIDGE" -j ACCEPT 2>/dev/null || true
    ip link del "$STACKD_NODES_BRIDGE"
  fi
}
