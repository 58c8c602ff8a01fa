#!/usr/bin/env bash
# A three-member etcd cluster on loopback, TLS only (client and peer certificates, hack/make-certs.sh),
# with a `stackd manager` beside each member (pointed at its own member first), and with AGENT=NAME
# an agent for the local Docker Engine. Everything runs in the background; hack/cluster-down.sh DIR
# stops it.
#   hack/cluster-up.sh DIR      (BASE_PORT=23790: member i serves clients on BASE_PORT+2i, peers on +1;
#                                manager i serves /metrics on BASE_PORT+6+i)
# DIR gets certs/, etcd-N/ (data), *.log, *.pid and env (source it to point stackctl at the cluster).
set -euo pipefail
dir="$(mkdir -p "${1:?usage: hack/cluster-up.sh DIR}" && cd "$1" && pwd)"
root="$(cd "$(dirname "$0")/.." && pwd)"
base="${BASE_PORT:-23790}"
bash "$root/hack/make-certs.sh" "$dir/certs" >/dev/null
c="$dir/certs"

client() { echo "127.0.0.1:$((base + 2 * $1))"; }
peer() { echo "https://127.0.0.1:$((base + 2 * $1 + 1))"; }
initial="m0=$(peer 0),m1=$(peer 1),m2=$(peer 2)"
for i in 0 1 2; do
  etcd --name "m$i" --data-dir "$dir/etcd-$i" --log-level error \
    --listen-client-urls "https://$(client "$i")" --advertise-client-urls "https://$(client "$i")" \
    --listen-peer-urls "$(peer "$i")" --initial-advertise-peer-urls "$(peer "$i")" \
    --initial-cluster "$initial" --initial-cluster-state new --initial-cluster-token "stackd-$base" \
    --client-cert-auth --trusted-ca-file "$c/ca.crt" --cert-file "$c/server.crt" --key-file "$c/server.key" \
    --peer-client-cert-auth --peer-trusted-ca-file "$c/ca.crt" --peer-cert-file "$c/server.crt" --peer-key-file "$c/server.key" \
    --max-txn-ops 10000 --max-request-bytes 16777216 >"$dir/etcd-$i.log" 2>&1 &
  echo $! >"$dir/etcd-$i.pid"
done
endpoints="$(client 0),$(client 1),$(client 2)"
ctl() { ETCDCTL_API=3 etcdctl --endpoints "https://$endpoints" --cacert "$c/ca.crt" --cert "$c/root.crt" --key "$c/root.key" "$@"; }
for _ in $(seq 1 100); do
  ctl endpoint health >/dev/null 2>&1 && break
  sleep 0.2
done
ctl endpoint health >/dev/null 2>&1 || { echo "etcd cluster did not become healthy; see $dir/etcd-*.log" >&2; exit 1; }

cat >"$dir/env" <<ENV
export STACKD_STORE=etcds://$endpoints
export STACKD_STORE_CACERT=$c/ca.crt STACKD_STORE_CERT=$c/client.crt STACKD_STORE_KEY=$c/client.key
ENV
# shellcheck disable=SC1091
source "$dir/env"
for i in 0 1 2; do
  # its own member first: the client tries the endpoints in order
  others="$(for j in 0 1 2; do if [ "$j" != "$i" ]; then printf ',%s' "$(client "$j")"; fi; done)"
  STACKD_STORE="etcds://$(client "$i")$others" node "$root/bin/stackd.js" manager \
    --metrics-listen "127.0.0.1:$((base + 6 + i))" >"$dir/manager-$i.log" 2>&1 &
  echo $! >"$dir/manager-$i.pid"
done
if [ -n "${AGENT:-}" ]; then
  node "$root/bin/stackd.js" agent --node-name "$AGENT" >"$dir/agent.log" 2>&1 &
  echo $! >"$dir/agent.pid"
fi
echo "etcd members on $endpoints (TLS), managers beside each; source $dir/env to use the cluster"
