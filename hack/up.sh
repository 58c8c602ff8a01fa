#!/usr/bin/env bash
# stackd's main job on one machine, on the embedded store: installs what it needs (Debian
# packages, npm packages), starts the Docker Engine if none runs, builds stackd and the example's
# images, starts `stackd` (manager + agent) in the background, and deploys the accounts example.
# Then: curl http://localhost:8080/  ·  the web console at http://127.0.0.1:8090/  ·  stackctl ps accounts  ·  bash hack/down.sh to stop.
set -euo pipefail
cd "$(dirname "$0")/.."

bash hack/install-deps.sh
[ -d node_modules ] || npm ci --no-audit --no-fund
npm run build >/dev/null

source hack/lib/docker.sh
start_dockerd
bash hack/build-images.sh

STATE_DIR="${STACKD_HOME:-$HOME/.stackd}"
mkdir -p "$STATE_DIR"
export STACKD_STORE="${STACKD_STORE:-sqlite://$STATE_DIR/state.db}"
if [ -f "$STATE_DIR/stackd.pid" ] && kill -0 "$(cat "$STATE_DIR/stackd.pid")" 2>/dev/null; then
  echo "stackd already running (pid $(cat "$STATE_DIR/stackd.pid"))"
else
  # the web console on this host only (read without a token; actions need an admin token)
  nohup node bin/stackd.js --ui-listen "127.0.0.1:${UI_PORT:-8090}" >"$STATE_DIR/stackd.log" 2>&1 &
  echo $! >"$STATE_DIR/stackd.pid"
  for _ in $(seq 1 100); do grep -q registered "$STATE_DIR/stackd.log" && break; sleep 0.1; done
  echo "stackd running (pid $(cat "$STATE_DIR/stackd.pid"), store $STACKD_STORE, log $STATE_DIR/stackd.log)"
fi

node bin/stackctl.js deploy -c manifests/accounts/stack.yaml accounts
node bin/stackctl.js ps accounts
echo
echo "web: http://localhost:${WEB_PORT:-8080}/"
echo "console: http://127.0.0.1:${UI_PORT:-8090}/ (read-only; actions: log in with an admin token from stackctl kubeconfig)"
curl -fsS "http://localhost:${WEB_PORT:-8080}/"
