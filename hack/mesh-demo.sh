#!/usr/bin/env bash
# A 3-node routing-mesh demo (README, "Routing mesh"): namespace nodes ms143..ms145
# (hack/lib/nodes.sh indices 143-145), etcd, an agent per node with --netns, a manager; deploys
# the accounts example with web, api and mysql on three different nodes, then api with 3 replicas
# kept off ms143; shows every node's port 8080 answering, api's replicas answering through ms143,
# the rules on ms143 and a port another stack owns refused; then removes everything it started.
# Needs root and `npm run build`.
set -e
cd "$(dirname "$0")/.."
source hack/lib/etcd.sh; source hack/lib/nodes.sh
start_etcd >/dev/null
PIDS=()
N=(ms143 ms144 ms145)
cleanup() { kill "${PIDS[@]}" 2>/dev/null || true; wait "${PIDS[@]}" 2>/dev/null || true; stop_etcd; for n in "${N[@]}"; do wipe_node "$n"; done; }
trap cleanup EXIT
S="--store etcd://${STACKD_TEST_ETCD#http://}"
for i in 0 1 2; do wipe_node "${N[$i]}"; start_node "${N[$i]}" $((143 + i)) >/dev/null; done
for n in "${N[@]}"; do node bin/stackd.js agent $S --node-name "$n" --docker "$(node_socket "$n")" --netns "/var/run/netns/$n" --address "$(node_address "$n")" >"/tmp/mesh-demo-agent-$n.log" 2>&1 & PIDS+=($!); done
node bin/stackd.js manager $S >/tmp/mesh-demo-manager.log 2>&1 &
PIDS+=($!)
ready() { [ "$(node bin/stackctl.js $S node ls --format json | grep -c '"Ready"')" -eq 3 ]; }
for _ in $(seq 1 60); do ready && break; sleep 0.5; done
on() { printf '{"deploy":{"placement":{"constraints":["node.hostname==%s"]}}}' "$1"; }
printf '{"services":{"web":%s,"api":%s,"mysql":%s}}' "$(on ms143)" "$(on ms144)" "$(on ms145)" >/tmp/mesh-demo-1.json
printf '{"services":{"web":%s,"api":{"deploy":{"replicas":3,"placement":{"constraints":["node.hostname!=ms143"]}}},"mysql":%s}}' "$(on ms143)" "$(on ms145)" >/tmp/mesh-demo-2.json
A=manifests/accounts/stack.yaml
echo '$ stackctl node ls'; node bin/stackctl.js $S node ls
echo '$ stackctl deploy -c stack.yaml -c three-nodes.json acc'; node bin/stackctl.js $S deploy -c $A -c /tmp/mesh-demo-1.json acc --timeout 90s | tail -1
for n in "${N[@]}"; do
  echo "\$ curl -s $(node_address "$n"):8080 | grep tier"
  for _ in $(seq 1 30); do out=$(curl -s -m 4 "$(node_address "$n"):8080") && grep -q '"answers":true' <<<"$out" && break; sleep 0.5; done
  grep tier <<<"$out"
done
echo '$ stackctl deploy -c stack.yaml -c api-x3.json acc'; node bin/stackctl.js $S deploy -c $A -c /tmp/mesh-demo-2.json acc --timeout 90s | tail -1
echo '$ stackctl ps acc'; node bin/stackctl.js $S ps acc | awk '{ print $2, $4, $6 }' | column -t
sleep 1
echo "\$ for i in \$(seq 1 30); do curl -s $(node_address ms143):8081; done | grep -o '\"hostname\":\"[0-9a-f]*\"' | sort | uniq -c"
for i in $(seq 1 30); do curl -s -m 4 "$(node_address ms143):8081"; done | grep -o '"hostname":"[0-9a-f]*"' | sort | uniq -c
echo '# ms143 (runs no api task): its nat rules (nsenter into its netns)'
nsenter --net=/var/run/netns/ms143 iptables -t nat -S | grep -E 'stackd [0-9a-f]{4} ingress'
echo '$ stackctl deploy -c thief.yaml thief   # publishes 8080 too'
printf 'services:\n  front:\n    image: stackd/busybox:latest\n    ports: ["8080:80"]\n' >/tmp/mesh-demo-thief.yaml
node bin/stackctl.js $S deploy -c /tmp/mesh-demo-thief.yaml thief || echo "(exit $?)"
node bin/stackctl.js $S rm acc >/dev/null
