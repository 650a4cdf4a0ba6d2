/**
 * The source side failing mid-command, over a real sshd and the real Perl agent:
 *  - the SSH connection dropped while the agent runs (the sshd processes of the session killed);
 *  - the agent itself killed while it runs.
 * The agent is frozen first, so each cut lands in the middle of its command, never after it.
 * Each during `mm inventory fetch` and `mm inventory services`: the command fails naming what
 * was lost, the stored inventory and services are byte for byte as before, and the same
 * command afterwards succeeds.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMm } from '../helpers/processes';
import { PROJECT, type PreparedSource, SERVER, prepareSource } from '../migration/env';
import { report } from './proof';
import { readProjectText } from '../helpers/store-under-test';

/**
 * Every descendant of `pid` with its command line, from ONE `ps` of the whole table (a walk
 * with one `ps` per level is too slow to catch a short agent run on a loaded machine).
 */
function descendants(pid: number): { pid: number; args: string }[] {
  const table = execFileSync('ps', ['-e', '-o', 'pid=,ppid=,args='], { encoding: 'utf8' })
    .split('\n')
    .flatMap((line) => {
      const m = /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line);
      return m ? [{ pid: Number(m[1]), ppid: Number(m[2]), args: m[3]!.trim() }] : [];
    });
  const out: { pid: number; args: string }[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const parent = queue.shift()!;
    for (const p of table)
      if (p.ppid === parent) {
        out.push({ pid: p.pid, args: p.args });
        queue.push(p.pid);
      }
  }
  return out;
}

/** The top-level keys (and one level below) whose values differ between two JSON documents. */
function changedKeys(a: Buffer, b: Buffer): string[] {
  const x = JSON.parse(a.toString('utf8')) as Record<string, unknown>;
  const y = JSON.parse(b.toString('utf8')) as Record<string, unknown>;
  const out: string[] = [];
  for (const k of new Set([...Object.keys(x), ...Object.keys(y)])) {
    if (JSON.stringify(x[k]) === JSON.stringify(y[k])) continue;
    const xs = x[k] as Record<string, unknown> | undefined;
    const ys = y[k] as Record<string, unknown> | undefined;
    if (xs && ys && typeof xs === 'object' && typeof ys === 'object' && !Array.isArray(xs))
      for (const j of new Set([...Object.keys(xs), ...Object.keys(ys)]))
        if (JSON.stringify(xs[j]) !== JSON.stringify(ys[j])) out.push(`${k}.${j}`);
    if (out.length === 0 || !out.some((o) => o.startsWith(`${k}.`))) out.push(k);
  }
  return out;
}

type Cut = 'connection' | 'agent';

/**
 * Runs `mm <args>` and, the moment the agent's extract runs under this sshd, freezes it (SIGSTOP:
 * its command cannot finish now, whatever it has sent), then cuts: the whole session (every
 * sshd process below the listener, the agent with them) or only the agent. Returns the run and
 * whether the cut landed mid-command (an agent can end between two looks; the caller retries).
 */
async function runAndCut(
  source: PreparedSource,
  dataDir: string,
  args: readonly string[],
  cut: Cut,
): Promise<{ code: number; stderr: string; cut: boolean }> {
  const running = runMm([...args, '--data-dir', dataDir]);
  let done = false;
  void running.then(() => (done = true));
  let landed = false;
  while (!done && !landed) {
    // The agent's own command (perl agent.pl --extract=…), not the version probes before it.
    const agent = descendants(source.sshd.pid).find((p) => /^perl .*--extract=/.test(p.args));
    if (!agent) {
      await new Promise((r) => setTimeout(r, 2));
      continue;
    }
    try {
      process.kill(agent.pid, 'SIGSTOP');
    } catch {
      continue; // it ended between the look and the signal
    }
    await new Promise((r) => setTimeout(r, 50));
    if (done) {
      // It had finished its command before it was frozen: let the stopped process go.
      try {
        process.kill(agent.pid, 'SIGKILL');
      } catch {
        // already gone
      }
      break;
    }
    if (cut === 'agent') process.kill(agent.pid, 'SIGKILL');
    else source.sshd.signalSessions('SIGKILL');
    landed = true;
  }
  const r = await running;
  return { code: r.code, stderr: r.stderr, cut: landed };
}

describe('the source connection or the agent lost mid-command', () => {
  let source: PreparedSource;

  beforeAll(async () => {
    source = await prepareSource({ checksAfterBatch: false });
  }, 300_000);

  afterAll(async () => source?.stop());

  const commands: { name: string; args: string[]; stored: string }[] = [
    { name: 'inventory fetch', args: ['inventory', 'fetch', SERVER], stored: `inventory/${SERVER}.json` },
    {
      name: 'inventory services',
      args: ['inventory', 'services', SERVER],
      stored: `domain-services/${SERVER}.json`,
    },
  ];
  const expectations: Record<Cut, RegExp> = {
    connection: /connection|closed|lost|reset|ended/i,
    agent: /stopped by signal SIG(?!SIG)[A-Z]+ before it finished/,
  };

  for (const command of commands)
    for (const cut of ['connection', 'agent'] as const)
      it(`mm ${command.name}: ${cut === 'connection' ? 'the SSH session killed' : 'the agent killed'} — a clear error, ${command.stored} unchanged, a retry succeeds`, async () => {
        const dataDir = source.dataDir;
        const stored = join(dataDir, 'projects', PROJECT, command.stored);
        // An attempt whose agent ended before the cut is a whole, successful run: the file is
        // compared with what it was just before the attempt that was cut.
        let before = Buffer.from(await readProjectText(stored));
        let r = { code: 0, stderr: '', cut: false };
        for (let attempt = 0; attempt < 10 && !r.cut; attempt++) {
          before = Buffer.from(await readProjectText(stored));
          r = await runAndCut(source, dataDir, command.args, cut);
        }
        const after = Buffer.from(await readProjectText(stored));
        const retry = await runMm([...command.args, '--data-dir', dataDir]);
        report(
          `${cut === 'connection' ? 'SSH connection dropped' : 'agent killed'} during mm ${command.name}`,
          `exit ${r.code}: "${r.stderr.trim().split('\n').slice(-1)[0]}"; the retry: exit ${retry.code}`,
          `${command.stored} ${Buffer.compare(before, after) === 0 ? 'byte-identical' : `CHANGED (${changedKeys(before, after).join(', ')})`} after the failure`,
        );
        expect(r.cut, 'the agent was caught running').toBe(true);
        expect(r.code).toBe(1);
        expect(r.stderr).toMatch(expectations[cut]);
        expect(Buffer.compare(before, after)).toBe(0);
        expect(retry.code, retry.stderr).toBe(0);
      }, 180_000);
});
