#!/usr/bin/env bash
# The whole test suite, on a fresh Debian machine: installs what the tests need, starts etcd and
# the Docker Engine, runs every test (unit and integration), and stops what it started.
set -euo pipefail
cd "$(dirname "$0")/.."

bash hack/install-deps.sh
npm ci --no-audit --no-fund
npm run lint   # Biome: lint rules and formatting (npm run format fixes the latter)
npm run build

source hack/lib/etcd.sh
source hack/lib/docker.sh
source hack/lib/nodes.sh
# multi-node tests stop their own nodes; an aborted run may not have. Only this run's nodes go:
# another run on the same machine keeps its own.
export STACKD_NODES_OWNER="test-$$"
cleanup() { stop_own_nodes >/dev/null 2>&1 || true; stop_etcd; stop_dockerd; }
trap cleanup EXIT

start_etcd
start_dockerd
bash hack/build-images.sh

# jest's summary, and the plain closing line CI reads ("N passed, N failed")
RESULTS="$(mktemp /tmp/stackd-jest.XXXXXX.json)"
status=0
# --forceExit: a failed test can leave a timer or socket behind; jest then waits for it forever
# after printing its summary, and CI would time out instead of reporting the failure
npm run jest -- --ci --forceExit --json --outputFile="$RESULTS" "$@" || status=$?
node -e 'const r=require(process.argv[1]); console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed`)' "$RESULTS" || true
rm -f "$RESULTS"
exit "$status"
