/**
 * Child process of gc-headroom.test.ts: a manager process holding the content transfer's
 * modules and nothing else relays BYTES from one SSH connection to another, the
 * way a transfer does, once as V8 sets the heap's limits and once inside withGcHeadroom, and
 * prints the mark-compacts each relay ran, as JSON.
 */
import { constants, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import { PassThrough } from 'node:stream';
import { setFlagsFromString } from 'node:v8';
import { withGcHeadroom } from '../../electron/core/content/gc-headroom';
import { type SshdLogin, connectTo } from '../helpers/sshd';
// The heap a transfer runs in: its modules loaded (what sets the heap's size here).
import '../../electron/core/content/transfer';

const target = JSON.parse(process.env['GC_HEADROOM_TARGET'] ?? '') as SshdLogin;
const bytes = Number(process.env['GC_HEADROOM_BYTES']);
let majors = 0;
new PerformanceObserver((list) => {
  for (const e of list.getEntries() as (PerformanceEntry & { detail?: { kind?: number } })[])
    if (e.detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) majors++;
}).observe({ entryTypes: ['gc'] });

const [from, to] = await Promise.all([connectTo(target), connectTo(target)]);

/** Zero bytes from one connection's command into the other's, with back-pressure, as a transfer streams. */
async function relay(size = bytes): Promise<void> {
  const between = new PassThrough({ highWaterMark: 1024 * 1024 });
  const [read, written] = await Promise.all([
    from.exec(['head', '-c', String(size), '/dev/zero'], { stdout: between, timeoutMs: 300_000 }),
    to.exec(['sh', '-c', 'wc -c'], { stdin: between, timeoutMs: 300_000 }),
  ]);
  if (read.code !== 0 || written.stdout.trim() !== String(size))
    throw new Error(`the relay moved ${written.stdout.trim()} of ${size} bytes (exit ${read.code})`);
}

/** Mark-compacts during `work` (their entries arrive a tick after each collection). */
async function marksDuring(work: () => Promise<void>): Promise<number> {
  await new Promise((resolve) => setImmediate(resolve));
  const before = majors;
  await work();
  await new Promise((resolve) => setImmediate(resolve));
  return majors - before;
}

/**
 * The mark-compacts of `work` with V8's growing factor pinned at its smallest (1.1). The factor
 * V8 picks by itself depends on how fast its collector runs against the program (1.1 on loaded
 * machines, up to 4 on quiet ones: the churn came and went with the load); pinned, the run
 * without headroom shows on every machine what a transfer costs when V8 chooses low. A full
 * collection first (not counted) sets the heap's limit with that factor: the limit is only
 * computed at a mark-compact.
 */
async function marksAtSmallestGrowth(work: () => Promise<void>): Promise<number> {
  setFlagsFromString('--heap-growing-percent=10');
  try {
    (globalThis as { gc?: () => void }).gc?.();
    return await marksDuring(work);
  } finally {
    setFlagsFromString('--heap-growing-percent=0');
  }
}

// A first relay, not counted: V8 sets the heap's limits from what it holds after the first
// mark-compacts (the start-up limit is larger).
await relay(64 * 1024 * 1024);
const outside = await marksAtSmallestGrowth(() => relay());
const inside = await marksDuring(() => withGcHeadroom(() => relay()));
await from.close();
await to.close();
console.log(JSON.stringify({ outside, inside }));
