/**
 * Killing `mm migrate` at random points, repeatably: a seeded generator picks, for each kill,
 * how many journal lines the run may write before it dies and a few milliseconds more (so some
 * kills land inside a running request, some between a step's intent and its call). The kill is
 * aimed from outside, as a crash comes: the journal (file or rows) is tailed and the process gets SIGKILL.
 */
import { spawn } from 'node:child_process';
import { REPO_ROOT } from '../helpers/paths';
import { journalTail } from '../helpers/store-under-test';

/** mulberry32: a small seeded generator, so a failing run can be replayed from its seed. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface KillAt {
  /** Journal lines the run writes (after its start) before the kill. */
  readonly lines: number;
  /** Milliseconds between seeing that line and the kill. */
  readonly delayMs: number;
}

export interface KillResult {
  /** True when the kill landed; false when the run ended first. */
  readonly killed: boolean;
  /** The exit code when it ended on its own. */
  readonly code: number | null;
  /** Journal lines written by this run. */
  readonly linesSeen: number;
}

/**
 * Runs `mm <args>` and kills it with SIGKILL once `journal` has grown by `at.lines` lines (plus
 * `at.delayMs`). Lines written before the start do not count.
 */
export async function runAndKill(args: readonly string[], journal: string, at: KillAt): Promise<KillResult> {
  // the journal's entries so far (file or PostgreSQL rows) do not count
  const tail = journalTail(journal);
  await tail();
  const child = spawn(process.execPath, ['electron/cli/mm.mjs', ...args], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'ignore', 'ignore'],
  });
  let exitCode: number | null = null;
  let exited = false;
  const closed = new Promise<void>((r) =>
    child.once('close', (code) => {
      exited = true;
      exitCode = code;
      r();
    }),
  );
  let seen = 0;
  while (!exited) {
    seen += (await tail()).length;
    if (seen >= at.lines) {
      if (at.delayMs > 0) await new Promise((r) => setTimeout(r, at.delayMs));
      if (exited) break;
      child.kill('SIGKILL');
      await closed;
      return { killed: exitCode === null, code: exitCode, linesSeen: seen };
    }
    await new Promise((r) => setTimeout(r, 2));
  }
  await closed;
  return { killed: false, code: exitCode, linesSeen: seen };
}

/** A kill point of a batch: after its `line`-th journal line in all (restarts included). */
export interface BatchPoint {
  readonly line: number;
  readonly delayMs: number;
}

/**
 * `count` kill points drawn uniformly over a batch that writes about `lines` journal lines,
 * in order. Two points close together make a restart die soon after it began (a crash during
 * recovery); the last 5 % are left out so the last kill still finds the batch running.
 */
export function killPoints(seed: number, count: number, lines: number): BatchPoint[] {
  const random = seeded(seed);
  return Array.from({ length: count }, () => ({
    line: 1 + Math.floor(random() * Math.max(1, Math.floor(lines * 0.95))),
    delayMs: Math.floor(random() * 40),
  })).sort((a, b) => a.line - b.line);
}
