#!/usr/bin/env bash
# The one test command (npm test): system packages, Node packages when missing, a fresh
# build, every suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash test/ensure-system.sh
# On a fresh clone `npm test` sets up the Node packages too (exactly the locked versions).
[ -d node_modules/vitest ] || ELECTRON_SKIP_BINARY_DOWNLOAD=1 npm ci --no-audit --no-fund
npm run -s build
npx vitest run "$@"
