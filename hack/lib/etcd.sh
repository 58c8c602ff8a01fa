# Start and stop a throwaway etcd on a free loopback port. Source this file.
# start_etcd sets STACKD_TEST_ETCD (e.g. 127.0.0.1:23791) and ETCD_PID.

free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

# etcd and etcdctl from Debian's packages (hack/install-deps.sh) when this machine has none yet
need_etcd() {
  command -v etcd >/dev/null && command -v etcdctl >/dev/null || bash "$(dirname "${BASH_SOURCE[0]}")/../install-deps.sh"
}

start_etcd() {
  local dir port peer
  need_etcd
  dir="$(mktemp -d /tmp/stackd-etcd.XXXXXX)"
  port="$(free_port)"
  peer="$(free_port)"
  # max-txn-ops: stackd writes whole stacks and scheduler batches in one transaction.
  etcd --name stackd-test --data-dir "$dir" \
    --listen-client-urls "http://127.0.0.1:$port" --advertise-client-urls "http://127.0.0.1:$port" \
    --listen-peer-urls "http://127.0.0.1:$peer" --initial-advertise-peer-urls "http://127.0.0.1:$peer" \
    --initial-cluster "stackd-test=http://127.0.0.1:$peer" \
    --max-txn-ops 10000 --max-request-bytes 16777216 \
    --log-level error >"$dir/etcd.log" 2>&1 &
  ETCD_PID=$!
  ETCD_DIR="$dir"
  export STACKD_TEST_ETCD="127.0.0.1:$port"
  for _ in $(seq 1 100); do
    if ETCDCTL_API=3 etcdctl --endpoints "$STACKD_TEST_ETCD" endpoint health >/dev/null 2>&1; then
      echo "etcd ready on $STACKD_TEST_ETCD (pid $ETCD_PID)"
      return 0
    fi
    sleep 0.1
  done
  echo "etcd did not start; log:" >&2
  cat "$dir/etcd.log" >&2
  return 1
}

stop_etcd() {
  if [ -n "${ETCD_PID:-}" ]; then
    kill "$ETCD_PID" 2>/dev/null || true
    wait "$ETCD_PID" 2>/dev/null || true
    rm -rf "$ETCD_DIR"
    unset ETCD_PID
  fi
}
