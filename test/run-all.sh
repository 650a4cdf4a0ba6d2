#!/usr/bin/env bash
# The one test command (npm test): system packages, a fresh build, every suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash test/ensure-system.sh
npm run -s build
npx vitest run "$@"
