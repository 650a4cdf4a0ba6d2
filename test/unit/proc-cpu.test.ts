/**
 * The content bench's CPU accounting (build/bench/proc-cpu.ts) on real processes: a child that
 * spins for a known time is counted in its tree (while it runs and after it was reaped), and a
 * tree measured apart is not counted in this process's.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { cpuDuring, perGb, treeCpu } from '../../build/bench/proc-cpu';

/**
 * A shell that counts to `n` (a fixed amount of CPU work, however loaded the machine: about
 * 0.2 s for 300,000 here), then sleeps `thenSleep` seconds.
 */
function spinner(n: number, thenSleep = 0): ChildProcess {
  const loop = `i=0; while [ $i -lt ${n} ]; do i=$((i+1)); done`;
  return spawn('sh', ['-c', thenSleep > 0 ? `${loop}; exec sleep ${thenSleep}` : loop], { stdio: 'ignore' });
}

const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe.skipIf(process.platform !== 'linux')('CPU per process tree from /proc', () => {
  it('counts a child that spun and was reaped in this process tree, by name while it lived', async () => {
    const span = await cpuDuring(new Map([['here', 'self']]), async () => {
      const child = spinner(600_000);
      await once(child, 'exit');
    });
    expect(span.total.get('here')).toBeGreaterThan(0.15);
    const names = [...span.byName.keys()];
    expect(names.some((n) => n.startsWith('here: '))).toBe(true);
    expect(perGb(span, 1024 ** 3)).toMatch(/^here \d+\.\d s\/GB/);
  }, 30_000);

  it('counts all the CPU of a process born during the span, even when first seen late', async () => {
    // Sampled only at the start and the end: the child, born in between, is first seen at the
    // end, its work done. Counted from that sighting, its CPU would be lost from the split.
    let child: ChildProcess | undefined;
    try {
      const span = await cpuDuring(
        new Map([['here', 'self']]),
        async () => {
          child = spinner(600_000, 60);
          const pid = child.pid!;
          const until = Date.now() + 20_000;
          while (treeCpu(pid) < 0.3 && Date.now() < until) await pause(100);
        },
        60_000,
      );
      // The child's name: `sh` while it counts, `sleep` once it exec-ed that (named as last seen).
      const childCpu = (span.byName.get('here: sh') ?? 0) + (span.byName.get('here: sleep') ?? 0);
      expect(childCpu).toBeGreaterThan(0.25);
    } finally {
      child?.kill('SIGKILL');
      if (child) await once(child, 'exit').catch(() => undefined);
    }
  }, 30_000);

  it('leaves a tree measured on its own out of this process tree', async () => {
    // It stays alive (sleeping) after its work: a reaped child would count in its parent, us.
    const child = spinner(600_000, 60);
    try {
      const pid = child.pid!;
      const span = await cpuDuring(
        new Map<string, number | 'self'>([
          ['apart', pid],
          ['here', 'self'],
        ]),
        async () => {
          const until = Date.now() + 20_000;
          while (treeCpu(pid) < 0.3 && Date.now() < until) await pause(100);
        },
      );
      expect(span.total.get('apart')).toBeGreaterThan(0.15);
      // This process only waited: far less than the spinning child.
      expect(span.total.get('here')!).toBeLessThan(span.total.get('apart')!);
    } finally {
      child.kill('SIGKILL');
      await once(child, 'exit').catch(() => undefined);
    }
  }, 30_000);
});
