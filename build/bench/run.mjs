#!/usr/bin/env node
// `npm run bench`: runs every build/bench/*.bench.ts in turn (each in its own process, so one
// bench's memory does not weigh on the next), printing figures and ratios against baselines
// measured in the same run. A bench that misses a goal exits non-zero, and so does this run.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('.', import.meta.url));
const only = process.argv[2];
const benches = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts') && (!only || f.includes(only)))
  .sort();
const failed = [];
for (const file of benches) {
  console.log(`\n=== ${file} ===`);
  const r = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', `${dir}${file}`], {
    stdio: 'inherit',
  });
  if (r.status !== 0) failed.push(file);
}
if (failed.length > 0) console.log(`\nmissed a goal or failed: ${failed.join(', ')}`);
process.exit(failed.length > 0 ? 1 : 0);
