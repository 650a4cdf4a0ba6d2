import { defineConfig } from 'vitest/config';

// The suites Stryker runs against each mutant: the fast ones that exercise the mutated modules
// (pure rules, quoting, masking, the secret store and document files on real temp files).
// The e2e, SSH, agent and service suites take minutes per mutant and are left to `npm test`.
export const FAST_SUITES = [
  'test/unit/shell-quote.test.ts',
  'test/unit/xml-guard.test.ts',
  'test/unit/secrets.test.ts',
  'test/unit/migration-log.test.ts',
  'test/unit/document-file.test.ts',
  'test/unit/dates.test.ts',
  'test/unit/mapping-rules.test.ts',
  'test/unit/select-rules.test.ts',
  'test/verification/rules.test.ts',
  'test/verification/seed-tables.test.ts',
  'test/verification/incremental.test.ts',
  'test/verification/cross-server.test.ts',
  'test/verification/messages.test.ts',
];

export default defineConfig({
  test: {
    include: FAST_SUITES,
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
