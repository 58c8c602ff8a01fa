#!/usr/bin/env bash
# A 3-node cluster-networking demo (README, "Cluster networking"): namespace nodes nw1..nw3
# (hack/lib/nodes.sh indices 60-62), etcd, an agent per node with --netns, a manager; deploys a
# stack with api off nw1 and a client on nw1, shows DNS, the VIP's spread, the rules and the VXLAN
# wiring; then removes everything it started. Needs root and `npm run build`.
set -e
cd "$(dirname "$0")/.."
source hack/lib/etcd.sh; source hack/lib/nodes.sh
start_etcd >/dev/null
PIDS=()
cleanup() { kill "${PIDS[@]}" 2>/dev/null || true; wait "${PIDS[@]}" 2>/dev/null || true; stop_etcd; for i in 1 2 3; do wipe_node nw$i; done; }
trap cleanup EXIT
S="--store etcd://${STACKD_TEST_ETCD#http://}"
for i in 1 2 3; do wipe_node nw$i; start_node nw$i $((59+i)) >/dev/null; done
for i in 1 2 3; do node bin/stackd.js agent $S --node-name nw$i --docker unix:///run/stackd-nw$i.sock --netns /var/run/netns/nw$i --address 10.250.0.$((69+i)) >/tmp/net-demo-agent$i.log 2>&1 & PIDS+=($!); done
node bin/stackd.js manager $S >/tmp/net-demo-manager.log 2>&1 &
PIDS+=($!)
sleep 6
cat >/tmp/net-demo.yaml <<'Y'
services:
  api:
    image: stackd/busybox:latest
    command: [sh, -c, 'mkdir -p /www && hostname > /www/index.html && exec httpd -f -p 80 -h /www']
    init: true
    deploy: { replicas: 3, placement: { constraints: [node.hostname!=nw1] } }
  client:
    image: stackd/busybox:latest
    command: [sleep, '3600']
    init: true
    deploy: { placement: { constraints: [node.hostname==nw1] } }
Y
echo '$ stackctl node ls'; node bin/stackctl.js $S node ls
echo '$ stackctl deploy -c demo.yaml demo'; node bin/stackctl.js $S deploy -c /tmp/net-demo.yaml demo --timeout 60s | tail -3
echo '$ stackctl ps demo'; node bin/stackctl.js $S ps demo | cut -c1-110
echo '$ stackctl network ls'; node bin/stackctl.js $S network ls
C=$(docker -H unix:///run/stackd-nw1.sock ps -q --filter label=io.stackd.service=client)
sleep 1
echo '# from the client on nw1:'
echo '$ nslookup api'; docker -H unix:///run/stackd-nw1.sock exec $C nslookup api | tail -3
echo '$ nslookup tasks.api'; docker -H unix:///run/stackd-nw1.sock exec $C nslookup tasks.api | tail -6
echo '$ for i in $(seq 1 9); do wget -qO- http://api/; done | sort | uniq -c'
docker -H unix:///run/stackd-nw1.sock exec $C sh -c 'for i in $(seq 1 9); do wget -qO- http://api/; done | sort | uniq -c'
echo '# the client'"'"'s own nat chain (nsenter into its netns):'
P=$(docker -H unix:///run/stackd-nw1.sock inspect -f '{{.State.Pid}}' $C)
nsenter --net=/proc/$P/ns/net iptables -t nat -S STACKD-VIP
echo '# on nw2:'; nsenter --net=/var/run/netns/nw2 ip -d link show type vxlan | grep -o 'sdx[0-9a-f]*: .*master [a-z0-9]*\|vxlan id [0-9]* local [0-9.]*'; nsenter --net=/var/run/netns/nw2 bridge fdb show | grep '^00:00'
node bin/stackctl.js $S rm demo
