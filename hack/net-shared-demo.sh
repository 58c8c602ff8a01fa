#!/usr/bin/env bash
# Cluster networks shared by stacks (README, "Cluster networking"): namespace nodes nx7..nx9
# (hack/lib/nodes.sh indices 156-158), etcd, an agent per node with --netns, a manager; shows
# `stackctl network create|ls|rm`, a deploy refused for a missing external network, two stacks on
# one network, a standalone container on an attachable one, and a VIP with no task refusing at
# once; then removes everything it started. Needs root and `npm run build`.
set -e
cd "$(dirname "$0")/.."
source hack/lib/etcd.sh; source hack/lib/nodes.sh
start_etcd >/dev/null
PIDS=()
cleanup() { kill "${PIDS[@]}" 2>/dev/null || true; wait "${PIDS[@]}" 2>/dev/null || true; stop_etcd; for i in 7 8 9; do wipe_node nx$i; done; }
trap cleanup EXIT
S="--store etcd://${STACKD_TEST_ETCD#http://}"
ROOT=$(pwd)
ctl() { node "$ROOT/bin/stackctl.js" $S "$@"; }
for i in 7 8 9; do wipe_node nx$i; start_node nx$i $((149+i)) >/dev/null; done
for i in 7 8 9; do node bin/stackd.js agent $S --node-name nx$i --docker unix:///run/stackd-nx$i.sock --netns /var/run/netns/nx$i --address 10.250.0.$((159+i)) >/tmp/net-shared-demo-agent$i.log 2>&1 & PIDS+=($!); done
node bin/stackd.js manager $S >/tmp/net-shared-demo-manager.log 2>&1 &
PIDS+=($!)
sleep 6
mkdir -p /tmp/net-shared-demo
cat >/tmp/net-shared-demo/front.yaml <<'Y'
services:
  web:
    image: stackd/busybox:latest
    command: [sh, -c, 'mkdir -p /www && hostname > /www/index.html && exec httpd -f -p 80 -h /www']
    init: true
    networks: [shared]
    deploy: { replicas: 2, placement: { constraints: [node.hostname==nx8] } }
networks:
  shared:
    external: true
Y
cat >/tmp/net-shared-demo/back.yaml <<'Y'
services:
  client:
    image: stackd/busybox:latest
    command: [sleep, '3600']
    init: true
    networks: [shared]
    deploy: { placement: { constraints: [node.hostname==nx7] } }
networks:
  shared:
    external: true
Y
cd /tmp/net-shared-demo   # so the file positions read front.yaml:...
echo '$ stackctl deploy -c front.yaml front'; ctl deploy -c front.yaml front || echo "(exit $?)"
echo '$ stackctl network create --attachable --subnet 10.140.0.0/16 --label team=web shared'; ctl network create --attachable --subnet 10.140.0.0/16 --label team=web shared
echo '$ stackctl deploy -c front.yaml front'; ctl deploy -c front.yaml front --timeout 60s | tail -1
echo '$ stackctl deploy -c back.yaml back'; ctl deploy -c back.yaml back --timeout 60s | tail -1
echo '$ stackctl network ls'; ctl network ls
echo '$ stackctl network rm shared'; ctl network rm shared || echo "(exit $?)"
C=$(docker -H unix:///run/stackd-nx7.sock ps -q --filter label=io.stackd.service=client)
sleep 1
echo '# from back_client on nx7:'
echo '$ nslookup front_web'; docker -H unix:///run/stackd-nx7.sock exec $C nslookup front_web | tail -3
echo '$ for i in $(seq 1 6); do wget -qO- http://front_web/; done | sort | uniq -c'
docker -H unix:///run/stackd-nx7.sock exec $C sh -c 'for i in $(seq 1 6); do wget -qO- http://front_web/; done | sort | uniq -c'
WEBIP=$(ctl network inspect shared | node -e 'const n=JSON.parse(require("fs").readFileSync(0))[0]; console.log(n.endpoints.front_web.tasks[0])')
echo "# a standalone container on nx9 (no task there), on the attachable network:"
echo "\$ docker -H unix:///run/stackd-nx9.sock run --rm --network shared stackd/busybox sh -c 'ip -4 -o addr show eth0; wget -qO- http://$WEBIP/'"
docker -H unix:///run/stackd-nx9.sock run --rm --network shared stackd/busybox:latest sh -c "ip -4 -o addr show eth0 | cut -d' ' -f2-7; wget -qO- http://$WEBIP/"
echo '$ stackctl service scale front_web=0'; ctl service scale front_web=0 >/dev/null
sleep 3
echo '$ time wget -qO- http://front_web/       # no task left: refused at once'
docker -H unix:///run/stackd-nx7.sock exec $C sh -c 'time wget -qO- http://front_web/' 2>&1 || true
ctl rm front back
echo '$ stackctl network rm shared'; ctl network rm shared
