// @ts-check
/**
 * Mutation testing of the core's pure and security-critical modules (`npm run test:mutation`).
 * Stryker plants small bugs (mutants) in these files and runs the fast suites of
 * vitest.stryker.config.ts against each; a mutant no test notices is a gap in the tests.
 * Incremental: results of unchanged code and tests are reused from the incremental file, so a
 * run after a change re-tests only what changed. One mutant at a time (the machine is shared).
 *
 * One module: `npm run test:mutation -- electron/core/agent/shell-quote.ts`.
 */

/** The modules under mutation: pure rules and the security-critical helpers. */
export const MODULES = [
  'electron/core/verification/account-rules.ts',
  'electron/core/verification/domain-rules.ts',
  'electron/core/verification/subscription-rules.ts',
  'electron/core/verification/evaluation.ts',
  'electron/core/verification/engine.ts',
  'electron/core/verification/warnings.ts',
  'electron/core/verification/reason.ts',
  'electron/core/verification/dates.ts',
  'electron/core/mapping/mapping-rules.ts',
  'electron/core/selection/select-rules.ts',
  'electron/core/inventory/xml-guard.ts',
  'electron/core/agent/shell-quote.ts',
  'electron/core/log/mask.ts',
  'electron/core/log/migration-log.ts',
  'electron/core/secrets/secret-store.ts',
  'electron/core/store/document-file.ts',
];

// test/mutation/run.mjs runs one module at a time, each with its own incremental file.
const module = process.env['MM_MUTATE_MODULE'];
const name = module ? module.replace(/^.*\//, '').replace(/\.ts$/, '') : 'all';

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.stryker.config.ts' },
  plugins: ['@stryker-mutator/vitest-runner'],
  mutate: module ? [module] : MODULES,
  coverageAnalysis: 'perTest',
  concurrency: 1,
  incremental: true,
  incrementalFile: `test/mutation/incremental/${name}.json`,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: `test-output/mutation/${name}.html` },
  jsonReporter: { fileName: `test-output/mutation/${name}.json` },
  // The sandbox holds only what the fast suites load: other engineers edit the rest of the
  // checkout meanwhile, and their editors' temporary files must not break the copy.
  ignorePatterns: [
    '/*',
    '!/electron',
    '!/shared',
    '!/test',
    '!/build',
    '!/agents',
    '!/package.json',
    '!/tsconfig.json',
    '!/vitest.stryker.config.ts',
    '/electron/main.ts',
    '/test/e2e',
    '**/.*.tmp',
    '**/*.tmp',
  ],
  tempDirName: '.tmp/stryker',
  cleanTempDir: true,
  timeoutMS: 20_000,
  thresholds: { high: 90, low: 85, break: 85 },
};
