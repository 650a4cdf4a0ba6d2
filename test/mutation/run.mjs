#!/usr/bin/env node
/**
 * `npm run test:mutation`: Stryker over each module of stryker.config.mjs in turn, one mutant at
 * a time, each module with its own incremental file (test/mutation/incremental/), so a module
 * whose code and tests did not change is not re-tested and one run never grows past the others.
 * Prints the score per module and in total, and exits non-zero under the goal (85 %).
 *
 *   npm run test:mutation                                    every module
 *   npm run test:mutation -- electron/core/log/mask.ts       just these
 *   npm run test:mutation -- --force [modules]               ignore the incremental files
 *   npm run test:mutation -- --summary                       only sum up the last reports
 *
 * Incremental mode reuses a surviving mutant's result as long as the mutant and the tests that
 * covered it did not change, so a NEW test file that would kill it is not tried against it:
 * after adding a test file, run the modules it covers once with --force.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EQUIVALENT, MODULES } from '../../stryker.config.mjs';

const GOAL = 85;
const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const args = process.argv.slice(2);
const summaryOnly = args.includes('--summary');
const strykerFlags = args.filter((a) => a.startsWith('--') && a !== '--summary');
const named = args.filter((a) => !a.startsWith('--'));
const modules = named.length > 0 ? named : MODULES;
const reportDir = join(root, 'test-output/mutation');
mkdirSync(reportDir, { recursive: true });

/** Counts of one module's mutants by status, from Stryker's JSON report (none: the run failed). */
function counts(reportFile) {
  const c = { killed: 0, survived: 0, noCoverage: 0, equivalent: 0, ignored: 0, errors: 0, survivors: [] };
  if (!existsSync(reportFile)) return { ...c, failed: true };
  const report = JSON.parse(readFileSync(reportFile, 'utf8'));
  for (const [file, f] of Object.entries(report.files)) {
    for (const m of f.mutants) {
      if (m.status === 'Killed' || m.status === 'Timeout') c.killed++;
      else if (m.status === 'Survived' || m.status === 'NoCoverage') {
        const line = f.source.split('\n')[m.location.start.line - 1] ?? '';
        const why = equivalence(file, line, m);
        if (why) {
          c.equivalent++;
          continue;
        }
        if (m.status === 'Survived') c.survived++;
        else c.noCoverage++;
        c.survivors.push(
          `${file}:${m.location.start.line} ${m.mutatorName}: ${line.trim()}  ==>  ${m.replacement ?? ''}`,
        );
      } else if (m.status === 'Ignored') c.ignored++;
      else c.errors++;
    }
  }
  return c;
}

const used = new Set();
/** The explanation of an equivalent mutant from stryker.config.mjs, when this survivor is one. */
function equivalence(file, line, mutant) {
  const hit = EQUIVALENT.find(
    (e) =>
      file.endsWith(e.file) &&
      e.mutator === mutant.mutatorName &&
      line.includes(e.code) &&
      (e.replacement === undefined || e.replacement === mutant.replacement),
  );
  if (hit) used.add(hit);
  return hit?.why;
}

const rows = [];
const started = Date.now();
for (const module of modules) {
  const name = basename(module, '.ts');
  const json = join(reportDir, `${name}.json`);
  if (summaryOnly) {
    rows.push({ module, ...counts(json), score: 0, seconds: 0 });
    const r = rows.at(-1);
    const valid = r.killed + r.survived + r.noCoverage;
    r.score = valid === 0 ? 100 : (100 * r.killed) / valid;
    continue;
  }
  rmSync(json, { force: true });
  const t0 = Date.now();
  const run = spawnSync(
    'npx',
    ['stryker', 'run', '--reporters', 'json,clear-text,progress', ...strykerFlags],
    {
      cwd: root,
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, MM_MUTATE_MODULE: module },
    },
  );
  // The incremental file is committed: keep it in the project's format (npm run check).
  spawnSync('npx', ['prettier', '--write', `test/mutation/incremental/${name}.json`], {
    cwd: root,
    stdio: 'ignore',
  });
  // Stryker exits 1 when this module alone is under the break threshold; the total decides.
  const c = counts(json);
  const valid = c.killed + c.survived + c.noCoverage;
  rows.push({
    module,
    ...c,
    score: valid === 0 ? 100 : (100 * c.killed) / valid,
    seconds: (Date.now() - t0) / 1000,
  });
  if (run.error) throw run.error;
}

const total = rows.reduce(
  (t, r) => ({ killed: t.killed + r.killed, valid: t.valid + r.killed + r.survived + r.noCoverage }),
  { killed: 0, valid: 0 },
);
const score = total.valid === 0 ? 100 : (100 * total.killed) / total.valid;
console.log('\nmodule                                              score  killed  survived  no-cov  seconds');
for (const r of rows)
  console.log(
    `${r.module.padEnd(50)} ${r.score.toFixed(1).padStart(6)} ${String(r.killed).padStart(7)} ${String(r.survived).padStart(9)} ${String(r.noCoverage).padStart(7)} ${r.seconds.toFixed(0).padStart(8)}`,
  );
const survivors = rows.flatMap((r) => r.survivors);
if (survivors.length > 0) console.log(`\nsurviving mutants:\n  ${survivors.join('\n  ')}`);
console.log(
  `\nmutation score ${score.toFixed(1)} % (${total.killed} of ${total.valid} mutants killed), goal ≥ ${GOAL} %, ${((Date.now() - started) / 1000).toFixed(0)} s`,
);
const stale = EQUIVALENT.filter((e) => modules.some((m) => m.endsWith(e.file)) && !used.has(e));
if (stale.length > 0)
  console.log(
    `\nequivalent mutants listed but not seen (killed now, or the code changed: update stryker.config.mjs):\n  ${stale.map((e) => `${e.file} ${e.mutator}: ${e.code}`).join('\n  ')}`,
  );
const equivalent = rows.reduce((n, r) => n + r.equivalent, 0);
if (equivalent > 0)
  console.log(
    `${equivalent} surviving mutant(s) explained as equivalent in stryker.config.mjs (not counted)`,
  );
const failed = rows.filter((r) => r.failed).map((r) => r.module);
if (failed.length > 0) console.log(`Stryker could not run: ${failed.join(', ')} (see its output above)`);
process.exitCode = score >= GOAL && failed.length === 0 ? 0 : 1;
