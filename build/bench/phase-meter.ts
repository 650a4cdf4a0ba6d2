/**
 * What a phase of the migration bench costs beyond its wall time: CPU seconds of the engine (this
 * process) and of the sandbox (its own process, read from /proc), and the engine's heap in use
 * after a full collection at a phase boundary. Under load wall time stretches, CPU seconds and
 * heap figures much less, so these are what compare a 1× with a 3× run on a busy machine.
 *
 * `MM_BENCH_HEAP_SNAPSHOT=<dir>` also writes a heap snapshot at each boundary (slow, large: for
 * reading by retainer in a devtools, at 0.3× or 1×).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';
import { getHeapStatistics, writeHeapSnapshot } from 'node:v8';

/** One instant: wall clock (ms) and the CPU seconds both processes used so far. */
export interface Mark {
  readonly wall: number;
  /** The monotonic clock in µs, the time base of V8's CPU profiles (--cpu-prof). */
  readonly monotonicUs: bigint;
  readonly engineCpu: number;
  readonly sandboxCpu: number;
}

/** Linux counts process times in clock ticks of 1/100 s (USER_HZ, the same on every arch here). */
const TICKS_PER_SECOND = 100;

/** CPU seconds (user + system) a process used so far; 0 when it cannot be read (not Linux, gone). */
export function processCpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces: fields are counted after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

export function mark(sandboxPid: number | undefined): Mark {
  const u = process.cpuUsage();
  return {
    wall: performance.now(),
    monotonicUs: process.hrtime.bigint() / 1000n,
    engineCpu: (u.user + u.system) / 1e6,
    sandboxCpu: processCpuSeconds(sandboxPid),
  };
}

/** What a phase cost between two marks. */
export interface PhaseCost {
  readonly seconds: number;
  readonly engineCpu: number;
  readonly sandboxCpu: number;
}

export function between(from: Mark, to: Mark): PhaseCost {
  return {
    seconds: (to.wall - from.wall) / 1000,
    engineCpu: to.engineCpu - from.engineCpu,
    sandboxCpu: to.sandboxCpu - from.sandboxCpu,
  };
}

/**
 * The engine's heap in use after a full collection (needs --expose-gc, which run.mjs passes;
 * without it the figure includes garbage and says so). Returns the marks before and after, so
 * the collection's own time is kept out of the phases around it.
 */
export function heapAt(
  label: string,
  sandboxPid: number | undefined,
): { readonly before: Mark; readonly after: Mark; readonly usedBytes: number; readonly collected: boolean } {
  const before = mark(sandboxPid);
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const usedBytes = getHeapStatistics().used_heap_size;
  const dir = process.env['MM_BENCH_HEAP_SNAPSHOT'];
  if (dir)
    console.log(
      `  heap snapshot at ${label}: ${writeHeapSnapshot(join(dir, `migration-${label}.heapsnapshot`))}`,
    );
  return { before, after: mark(sandboxPid), usedBytes, collected: gc !== undefined };
}

/**
 * `MM_BENCH_CPU_PROFILE=<dir>`: the engine's CPU profile of one phase, from `start` until the
 * returned stop is called, written as `<dir>/engine-<label>.cpuprofile` (for a devtools or a
 * script; this process runs the engine, so the profile is the engine's alone, not the sandbox's).
 */
export function profilePhase(label: string): () => Promise<void> {
  const dir = process.env['MM_BENCH_CPU_PROFILE'];
  if (!dir) return () => Promise.resolve();
  const session = new Session();
  session.connect();
  const post = (method: string): Promise<unknown> =>
    new Promise((resolve, reject) =>
      session.post(method, (err, result) => (err ? reject(err) : resolve(result))),
    );
  const started = post('Profiler.enable').then(() => post('Profiler.start'));
  return async () => {
    await started;
    const { profile } = (await post('Profiler.stop')) as { profile: object };
    session.disconnect();
    writeFileSync(join(dir, `engine-${label}.cpuprofile`), JSON.stringify(profile));
  };
}
