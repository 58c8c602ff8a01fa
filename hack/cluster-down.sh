#!/usr/bin/env bash
# Stops what hack/cluster-up.sh DIR started (managers and agent first, then etcd) and removes DIR.
set -uo pipefail
dir="${1:?usage: hack/cluster-down.sh DIR}"
for f in "$dir"/agent.pid "$dir"/manager-*.pid "$dir"/etcd-*.pid; do
  [ -f "$f" ] || continue
  pid="$(cat "$f")"
  kill "$pid" 2>/dev/null
  for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
  kill -9 "$pid" 2>/dev/null
done
rm -rf "$dir"
