#!/usr/bin/env bash
# Undo hack/up.sh: remove the accounts stack and stop stackd (the Docker Engine keeps running).
set -euo pipefail
cd "$(dirname "$0")/.."
STATE_DIR="${STACKD_HOME:-$HOME/.stackd}"
export STACKD_STORE="${STACKD_STORE:-sqlite://$STATE_DIR/state.db}"
node bin/stackctl.js rm accounts || true
sleep 2 # the agent stops and removes the containers
if [ -f "$STATE_DIR/stackd.pid" ]; then
  kill "$(cat "$STATE_DIR/stackd.pid")" 2>/dev/null || true
  rm -f "$STATE_DIR/stackd.pid"
fi
echo "stackd stopped"
