/**
 * What the team tests share: the sandbox's holdings read back through `sandbox.dump`, the
 * natural keys that show an object made twice, `mm worker` processes, psql cells and polling.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { postXmlRpc } from '../../electron/core/target/http-transport';
import type { RunningSandbox } from '../../electron/sandbox/sandbox';
import { REPO_ROOT } from '../helpers/paths';
import type { Postgres } from '../helpers/postgres';
import { PROJECT } from '../migration/env';

export type Dump = Record<string, Record<string, unknown>[]>;

export async function dump(sandbox: RunningSandbox): Promise<Dump> {
  const answer = await postXmlRpc({ url: sandbox.poaUrl }, 'sandbox.dump', [{}]);
  if (answer.kind !== 'value') throw new Error('sandbox.dump did not answer');
  return answer.value as Dump;
}

/** Rows per table (requests are the target's bookkeeping, not objects). */
export function holdings(d: Dump): Record<string, number> {
  return Object.fromEntries(
    Object.entries(d)
      .filter(([t, rows]) => t !== 'requests' && Array.isArray(rows))
      .map(([t, rows]) => [t, rows.length]),
  );
}

/** Natural keys that must be unique whatever ids the target chose: an object made twice shows here. */
export function duplicates(d: Dump): string[] {
  const keyed: [string, (r: Record<string, unknown>) => string][] = [
    ['attributes', (r) => `${String(r['name'])}=${String(r['value'])}`],
    ['members', (r) => String(r['login'])],
    ['domains', (r) => String(r['domain_name'])],
    [
      'dnsRecords',
      (r) => `${String(r['domain_name'])}|${String(r['host'])}|${String(r['type'])}|${String(r['data'])}`,
    ],
    ['mailboxes', (r) => `${String(r['name'])}@${String(r['domain_name'])}`],
    ['databases', (r) => String(r['db_name'])],
    ['ftpUsers', (r) => String(r['login'])],
  ];
  const out: string[] = [];
  for (const [table, key] of keyed) {
    const seen = new Set<string>();
    for (const r of d[table] ?? []) {
      const k = key(r);
      if (seen.has(k)) out.push(`${table}: ${k}`);
      seen.add(k);
    }
  }
  return out;
}

export interface Worker {
  readonly child: ChildProcess;
  readonly done: Promise<{
    code: number | null;
    signal: NodeJS.Signals | null;
    stdout: string;
    stderr: string;
  }>;
}

export function startWorker(dataDir: string): Worker {
  const child = spawn(
    process.execPath,
    ['electron/cli/mm.mjs', 'worker', '--until-idle', '--json', '--project', PROJECT, '--data-dir', dataDir],
    { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (b: Buffer) => (stdout += b.toString()));
  child.stderr?.on('data', (b: Buffer) => (stderr += b.toString()));
  const done = new Promise<{
    code: number | null;
    signal: NodeJS.Signals | null;
    stdout: string;
    stderr: string;
  }>((resolve) => child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { child, done };
}

/** The values of a one-column query (psql prints a header, a rule and a row count around them). */
export function cells(pg: Postgres, sql: string): string[] {
  const lines = pg.psql(sql).split('\n');
  const rule = lines.findIndex((l) => /^-+$/.test(l.trim()));
  return lines
    .slice(rule + 1)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !/^\(\d+ rows?\)$/.test(l));
}

export async function until<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  ms: number,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
