/**
 * What the sandbox target's tables weigh (issue 19): the synthetic source migrated for real (the
 * whole service: plan, journal, executor, POA/PBA adapter over XML-RPC) into a sandbox in a child
 * process of its own (sandbox-heap-child.ts), then the child's heap in use after a full
 * collection, per row held, and each table's weight loaded alone from the snapshot.
 *
 *     npx tsx build/bench/sandbox-heap.ts [--scale 0.1] [--heap-snapshot <file>]
 *
 * `--scale 1` is the bench's whole source (10,000 accounts, 20,000 domains, 30,000 subscriptions).
 * MM_BENCH_SHARED_DIR=<dir> keeps the prepared source there for the next run (prepared-source.ts).
 * Not a `.bench.ts`: `npm run bench` does not run it (the migration bench migrates the same source).
 */
import { type ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createCore } from '../../electron/core/core';
import { type ChildAnswer, childAnswers } from '../../electron/sandbox/child-answers';
import type { JobSummary } from '../../shared/model/migration';
import { type Mark, between, mark } from './phase-meter';
import { copyOfSource, preparedSource } from './prepared-source';
import type { HeapFigures, HeapReady, HeapRequest, TableWeight } from './sandbox-heap-child';
import { benchTarget } from './sandbox-process';

const CHILD = fileURLToPath(new URL('./sandbox-heap-child.ts', import.meta.url));
type Ask = HeapRequest extends infer R ? (R extends unknown ? Omit<R, 'n'> : never) : never;

const { values } = parseArgs({
  options: { scale: { type: 'string', default: '1' }, 'heap-snapshot': { type: 'string' } },
});
const scale = Number(values.scale);
if (!Number.isFinite(scale) || scale <= 0)
  throw new Error(`--scale needs a positive number, not ${values.scale}`);
const size = {
  accounts: Math.round(10_000 * scale),
  domains: Math.round(20_000 * scale),
  subscriptions: Math.round(30_000 * scale),
};

const mb = (bytes: number): string => (bytes / 2 ** 20).toFixed(1);

const prepared = await preparedSource(size);
const dataDir = await copyOfSource(prepared, 'mm-sandbox-heap-');
const child: ChildProcess = fork(CHILD, [join(dataDir, 'sandbox')], {
  execArgv: ['--expose-gc', '--import', 'tsx'],
  stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
});
process.once('exit', () => void child.kill('SIGKILL'));
const ready = await new Promise<HeapReady>((resolve, reject) => {
  child.once('message', (m) => resolve(m as HeapReady));
  child.once('exit', (code) => reject(new Error(`the sandbox exited ${code} before it listened`)));
});
const answers = childAnswers<Ask>(
  (request) => child.send(request),
  (error) => new Error(`the sandbox: ${error}`),
);
child.on('message', (m) => answers.settle(m as ChildAnswer));
child.once('exit', (code) => answers.failAll(new Error(`the sandbox exited ${code}`)));

const empty = (await answers.ask({ ask: 'heap' })) as HeapFigures;
const core = createCore({ dataDir, shell: 'cli' });
await core.target.set(prepared.projectId, benchTarget({ poaUrl: ready.poaUrl, pbaUrl: ready.pbaUrl }));
// The sandbox's CPU seconds while the batch provisions and while it reads back.
let running: Mark | undefined;
let reconciling: Mark | undefined;
let settled: Mark | undefined;
core.events.subscribe((event, payload) => {
  if (event !== 'migration:progress') return;
  const state = (payload as JobSummary).state;
  if (state === 'running' && !running) running = mark(child.pid);
  if (state === 'reconciling' && !reconciling) reconciling = mark(child.pid);
  if (reconciling && !settled && state !== 'reconciling') settled = mark(child.pid);
});
const started = await core.migration.start(prepared.projectId, { concurrency: 8, services: false });
const summary = await started.done;
if (summary.state !== 'done') throw new Error(`the batch ended ${summary.state}`);
const full = (await answers.ask({ ask: 'heap' })) as HeapFigures;
if (values['heap-snapshot'])
  console.log(
    `heap snapshot: ${String(await answers.ask({ ask: 'heap-snapshot', path: values['heap-snapshot'] }))}`,
  );

const rows = Object.values(full.rows).reduce((a, b) => a + b, 0);
const held = full.usedBytes - empty.usedBytes;
console.log(
  `sandbox after ${size.accounts} accounts / ${size.domains} domains / ${size.subscriptions} subscriptions migrated (${summary.steps.done} steps): ${rows} rows`,
);
console.log(
  `  heap in use after a full collection: ${mb(full.usedBytes)} MB (${mb(empty.usedBytes)} MB empty) = ${(held / rows).toFixed(0)} bytes per row; RSS ${mb(full.rssBytes)} MB, peak RSS ${mb(full.peakRssBytes)} MB`,
);
if (running && reconciling && settled) {
  const p = between(running, reconciling);
  const r = between(reconciling, settled);
  console.log(
    `  sandbox CPU: provisioning ${p.sandboxCpu.toFixed(1)} s (${p.seconds.toFixed(0)} s wall), read-back ${r.sandboxCpu.toFixed(1)} s (${r.seconds.toFixed(0)} s wall)`,
  );
}
await answers.ask({ ask: 'close' });
const weights = (await answers.ask({ ask: 'tables' })) as TableWeight[];
console.log('  each table loaded alone from the snapshot (rows, indexes):');
for (const w of weights.filter((x) => x.rows > 0).sort((a, b) => b.bytes - a.bytes))
  console.log(
    `    ${w.table.padEnd(17)} ${String(w.rows).padStart(8)} rows ${mb(w.bytes).padStart(8)} MB ${(w.bytes / w.rows).toFixed(0).padStart(6)} bytes/row`,
  );
const loaded = weights.reduce((n, w) => n + w.bytes, 0);
console.log(`    all tables: ${mb(loaded)} MB = ${(loaded / rows).toFixed(0)} bytes per row`);
child.disconnect();
process.exit(0);
