#!/usr/bin/env bash
# The README's screenshots of the web console (docs/console-*.png): builds, then
# dist/bench/ui-screenshots.js seeds a small cluster in a throwaway embedded store and has Debian's
# chromium (headless) take one PNG per page. No containers needed.
set -euo pipefail
cd "$(dirname "$0")/.."
npm run build >/dev/null
node dist/bench/ui-screenshots.js docs
