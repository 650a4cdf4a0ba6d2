/**
 * The benches' one reader of /proc/<pid>/stat (build/bench/proc-cpu.ts readProcStat), shared by
 * the CPU accounting and the wait-state sampler (proc-state.ts), on real processes: a program
 * whose name holds spaces and parentheses still parses (the fields after the name start past the
 * last ')'), and the sampler tells a stage starved of input, one whose output is backed up and
 * one that runs.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { childrenOf, readProcStat } from '../../build/bench/proc-cpu';
import { type StateCounts, stateLine, statesDuring } from '../../build/bench/proc-state';
import { tempDir } from '../helpers/paths';

const started: ChildProcess[] = [];
afterEach(async () => {
  for (const child of started.splice(0))
    if (child.exitCode === null && child.signalCode === null) {
      // the whole group: a shell's pipeline stages too
      process.kill(-child.pid!, 'SIGKILL');
      await once(child, 'exit');
    }
});

/** Starts `file` (no shell) in a process group of its own; spawn returns once it was executed. */
function run(file: string, args: string[]): ChildProcess {
  const child = spawn(file, args, { stdio: 'ignore', detached: true });
  started.push(child);
  return child;
}

/** `program` under another name (the kernel's comm is the name it was executed by). */
async function named(name: string, program: string): Promise<string> {
  const path = join(await tempDir('mm-proc-stat-'), name);
  await symlink(program, path);
  return path;
}

/** Polls `read` until `ok` holds (bounded: a process that never gets there fails the test). */
async function until<T>(read: () => T, ok: (v: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = read();
    if (ok(v) || Date.now() > deadline) return v;
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe.skipIf(process.platform !== 'linux')('/proc/<pid>/stat for the benches', () => {
  it('parses a process whose name holds spaces and parentheses, finds it among its parent’s children, and says when it is gone', async () => {
    const name = 'a) b (c';
    const child = run(await named(name, '/bin/sleep'), ['30']);
    const pid = child.pid!;
    const stat = await until(
      () => readProcStat(pid),
      (s) => s?.state === 'S',
    );
    expect(stat).toMatchObject({ pid, ppid: process.pid, comm: name, state: 'S', children: 0 });
    expect(stat!.own).toBeGreaterThanOrEqual(0);
    expect(childrenOf(process.pid)).toContain(pid);
    // 'self' is this process
    expect(readProcStat('self')).toMatchObject({ pid: process.pid, state: 'R' });

    child.kill('SIGKILL');
    await once(child, 'exit');
    expect(readProcStat(pid)).toBeUndefined();
    expect(childrenOf(process.pid)).not.toContain(pid);
    expect(childrenOf(pid)).toEqual([]);
  });

  it('samples a stage waiting for input, one backed up on a full pipe and one running', async () => {
    // cat reads a pipe nobody writes; yes writes a pipe nobody reads (full after 64 KiB);
    // spin (yes into /dev/null, niced: runnable counts as running) never waits.
    run('sh', ['-c', 'sleep 60 | cat']);
    run('sh', ['-c', 'yes | sleep 60']);
    run('nice', ['-n', '19', 'sh', '-c', `exec "$0" > /dev/null`, await named('spin', '/usr/bin/yes')]);
    const names = new Set(['cat', 'yes', 'spin']);
    // Every stage has started before the samples count.
    await until(
      () => {
        const seen = new Set<string>();
        const walk = (pid: number): void => {
          for (const c of childrenOf(pid)) {
            const s = readProcStat(c);
            if (s && names.has(s.comm)) seen.add(s.comm);
            walk(c);
          }
        };
        walk(process.pid);
        return seen.size;
      },
      (n) => n === names.size,
    );
    const counts: StateCounts = new Map();
    await statesDuring(
      new Map([['here', process.pid]]),
      names,
      counts,
      () => new Promise((r) => setTimeout(r, 1500)),
    );

    const share = (key: string, kind: 'run' | 'input' | 'output'): number => {
      const c = counts.get(key);
      expect(c, `${key} was sampled`).toBeDefined();
      const all = [...c!.values()].reduce((a, b) => a + b, 0);
      return (c!.get(kind) ?? 0) / all;
    };
    expect([...counts.keys()].sort()).toEqual(['here: cat', 'here: spin', 'here: yes']);
    expect(share('here: cat', 'input')).toBeGreaterThan(0.9);
    expect(share('here: yes', 'output')).toBeGreaterThan(0.9);
    expect(share('here: spin', 'run')).toBeGreaterThan(0.5);
    // each stage's kinds of ≥ 1 %, in a fixed order: "here: yes running 4 %, output backed up 96 %"
    // when the loaded machine caught yes between two writes (CI, 2026-12-02)
    const line = stateLine(counts);
    const stage = (key: string): string => line.split(' · ').find((p) => p.startsWith(`${key} `)) ?? '';
    expect(stage('here: cat')).toMatch(/\bwaits for input (9\d|100) %/);
    expect(stage('here: yes')).toMatch(/\boutput backed up (9\d|100) %/);
    expect(stage('here: spin')).toMatch(/\brunning ([5-9]\d|100) %/);
  });
});
