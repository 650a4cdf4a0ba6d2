/**
 * CPU per flush of a file line log: each append opening and closing the file (`appendFile`, the
 * logs' way before) against the file kept open between appends (`keepOpen`, the migration log's
 * way now: store/kept-append-file.ts). A flush here is what the migration log appends while a
 * batch runs: two lines of ~300 bytes (a step's "created" line with its ids and the call's).
 *
 *   node --import tsx build/bench/line-log-flush.ts [flushes per round, default 20000]
 *
 * Rounds alternate between the two ways (three each), so load on the machine weighs on both;
 * the figure is the process's CPU (user + system) per flush, which load stretches much less than
 * wall time.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileLineLog } from '../../electron/core/store/line-log';

const flushes = Number(process.argv[2] ?? 20_000);
const line = (n: number): string =>
  JSON.stringify({
    time: new Date().toISOString(),
    level: 'info',
    message: `hosting subscription Plan ${n} (domain${n}.example): created`,
    projectId: 'bench',
    details: {
      object: { kind: 'domain', serverId: 'srv-1', id: `d${n}` },
      step: `srv-1/domain/d${n}/domain`,
      ids: { domainId: 100_000 + n, subscriptionId: 200_000 + n, accountId: 300_000 + n },
    },
  });

async function round(dir: string, keepOpen: boolean, r: number): Promise<{ cpuUs: number; wallUs: number }> {
  const log = new FileLineLog(join(dir, `${keepOpen ? 'kept' : 'each'}-${r}.jsonl`), { keepOpen });
  const lines = [line(r), line(r + 1)];
  const cpu0 = process.cpuUsage();
  const wall0 = performance.now();
  for (let i = 0; i < flushes; i++) await log.append(lines);
  const cpu = process.cpuUsage(cpu0);
  const wallUs = (performance.now() - wall0) * 1000;
  await log.close();
  return { cpuUs: (cpu.user + cpu.system) / flushes, wallUs: wallUs / flushes };
}

const dir = await mkdtemp(join(tmpdir(), 'mm-line-log-flush-'));
try {
  await round(dir, false, 99); // warm-up: the code and the file system's caches
  const results: Record<'each' | 'kept', { cpuUs: number; wallUs: number }[]> = { each: [], kept: [] };
  for (let r = 0; r < 3; r++) {
    results.each.push(await round(dir, false, r));
    results.kept.push(await round(dir, true, r));
  }
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
  for (const way of ['each', 'kept'] as const) {
    const cpu = results[way].map((x) => x.cpuUs);
    const wall = results[way].map((x) => x.wallUs);
    console.log(
      `${way === 'each' ? 'open + append + close per flush' : 'kept open between flushes   '}: CPU ${median(cpu).toFixed(1)} µs per flush (rounds ${cpu.map((c) => c.toFixed(1)).join(', ')}), wall ${median(wall).toFixed(1)} µs`,
    );
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
