#!/usr/bin/env node
// `npm run test:faults`: the fault suite — test/faults/** with the crash and target-fault tests
// of test/migration — through vitest (extra arguments go to vitest).
// `npm run test:faults -- --soak N [--scale s] [--seed n]`: the soak instead (test/faults/soak.ts):
// N SIGKILLs over one large batch, run by hand; its result line goes in the README.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const args = process.argv.slice(2);
const soak = args.findIndex((a) => a === '--soak' || a.startsWith('--soak='));

// Here every step × fault case of the target matrix runs (npm test runs a sample of it).
const run = (cmd, argv) =>
  spawnSync(cmd, argv, { cwd: repo, stdio: 'inherit', env: { ...process.env, MM_FAULT_MATRIX: 'all' } })
    .status ?? 1;

if (soak >= 0) {
  const rest = [...args];
  const [flag] = rest.splice(soak, 1);
  const n = flag.includes('=') ? flag.slice('--soak='.length) : rest.splice(soak, 1)[0];
  if (!/^\d+$/.test(n ?? '')) {
    console.error(`--soak needs a number of kills, e.g. --soak 100 (got "${n ?? ''}")`);
    process.exit(2);
  }
  process.exit(run(process.execPath, ['--import', 'tsx', 'test/faults/soak.ts', n, ...rest]));
}
process.exit(
  run('npx', [
    'vitest',
    'run',
    'test/faults/',
    'test/migration/crash.test.ts',
    'test/migration/faults.test.ts',
    ...args,
  ]),
);
