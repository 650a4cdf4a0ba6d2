#!/usr/bin/env bash
# The one test command (npm test): system packages, Node packages when missing, a fresh
# build, every suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash test/ensure-system.sh
# On a fresh clone `npm test` sets up the Node packages too (exactly the locked versions).
[ -d node_modules/vitest ] || ELECTRON_SKIP_BINARY_DOWNLOAD=1 npm ci --no-audit --no-fund
# .ci/run builds beside its checks and says so (MM_BUILT=1): the same tree, not built twice.
[ "${MM_BUILT:-}" = 1 ] || npm run -s build
npx vitest run "$@"
# Then the store-heavy suites again with every project in PostgreSQL (issue 15: the same tests
# on both stores), when npm test runs everything (no arguments). They were chosen to fit in
# about 6 minutes of the CI budget; the whole suite on PostgreSQL is `npm run test:pg-store`
# (README, Test it).
PG_STORE_SUITES=(
  test/unit test/api test/verification test/review test/inventory
  test/hostile/store-and-secrets.test.ts test/target/target-service.test.ts test/migration/migrate-cli.test.ts
  --exclude test/verification/cli.test.ts
)
if [ "$#" -eq 0 ]; then
  npx tsx test/team/on-postgres.ts "${PG_STORE_SUITES[@]}"
fi
