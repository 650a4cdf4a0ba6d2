import { defineConfig } from 'vitest/config';
import { SlowFirstSequencer } from './test/helpers/slow-first-sequencer';

// One runner for every suite. Suites that start real services (sshd, PostgreSQL, Chromium)
// need generous timeouts; they never sleep, they wait for states.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Two cores: run files in parallel but not so many that service start-ups time out.
    maxWorkers: 2,
    fileParallelism: true,
    // After each test file: stop the servers its helpers started, remove the temporary folders
    // it made (MM_KEEP_TEST_DIRS=1 keeps them). "stack" runs that hook after the file's own.
    setupFiles: ['test/helpers/clean-temp-dirs.ts'],
    // The run's shared demo source (test/migration/shared-source.ts): its folder, and its sshd
    // stopped when the run ends.
    globalSetup: ['test/helpers/shared-source-setup.ts'],
    // the slowest files first (test/slow-files.json), so no long file starts last
    sequence: { hooks: 'stack', sequencer: SlowFirstSequencer },
    // expect.poll waits for a state the app reaches on its own (a count redrawn, a job done);
    // its 1 s default is shorter than one redraw on a loaded 2-core machine. A poll that meets
    // its state returns at once, so only a failing one waits this long.
    expect: { poll: { timeout: 15_000 } },
  },
});
