/**
 * Migration proven by killing it: `mm migrate` is killed with SIGKILL at a chosen point of the
 * batch — right after a step's intent reached the journal (before, during or after its
 * transaction), right after an outcome, during the read-back — then `mm migrate` is run again.
 * Each time the restart finishes the batch and the sandbox holds each object exactly once: the
 * same rows as an uninterrupted run, nothing twice.
 *
 * The kill points are chained on one batch, as a crash-prone run would meet them: the restart
 * after one kill first settles the step that kill interrupted (its outcome reaches the journal),
 * then is killed at the next point; when a batch finishes before a point comes round again, it is
 * checked whole and the next point takes a fresh batch. After every kill the sandbox holds
 * nothing twice; after every finished batch it holds the same rows as an uninterrupted run. (One
 * batch per point did the same with three times the batches: 5 minutes of the CI run.)
 *
 * The kill is aimed from outside, the way a crash comes: the test tails the journal file and
 * kills the process the moment the line it waits for appears (plus an optional delay); on the
 * PostgreSQL store it follows the journal's rows the same way.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSandbox } from '../../electron/sandbox/sandbox';
import { REPO_ROOT } from '../helpers/paths';
import { journalTail } from '../helpers/store-under-test';
import type { CliRun } from '../helpers/processes';
import { PROJECT, freshRun, mm, parseMigrate } from './env';
import { type SharedSource, sharedBaseline, sharedSource } from './shared-source';

type Entry = { t: string; step?: string; job?: { state?: string } };

interface KillPoint {
  readonly name: string;
  /** The journal line to wait for. */
  readonly when: (e: Entry) => boolean;
  /** Milliseconds between seeing it and the kill. */
  readonly delayMs?: number;
}

const intentOf =
  (pattern: RegExp) =>
  (e: Entry): boolean =>
    e.t === 'intent' && pattern.test(e.step ?? '');

const POINTS: readonly KillPoint[] = [
  { name: 'account: intent written, PBA not yet called', when: intentOf(/\/account\/[^/]+\/account$/) },
  { name: 'pointer: intent written', when: intentOf(/\/pointer\//) },
  { name: 'hosting subscription: intent written', when: intentOf(/\/hosting$/) },
  {
    name: 'hosting subscription: while its activation request runs',
    when: intentOf(/\/hosting$/),
    delayMs: 45,
  },
  { name: 'DNS hosting: intent written', when: intentOf(/\/dns-hosting$/) },
  { name: 'DNS record: while its request runs', when: intentOf(/\/dns\/\d+-/), delayMs: 30 },
  { name: 'mailbox: intent written', when: intentOf(/\/mailbox\//) },
  { name: 'mail forward: while its request runs', when: intentOf(/\/forward\//), delayMs: 30 },
  { name: 'mail alias: intent written', when: intentOf(/\/alias\//) },
  { name: 'database: intent written', when: intentOf(/\/database\/[^/]+$/) },
  {
    name: 'between a hosting subscription outcome and the next step',
    when: (e) => e.t === 'outcome' && /\/hosting$/.test(e.step ?? ''),
  },
  { name: 'subscription status: intent written', when: intentOf(/\/status$/) },
  {
    name: 'between a mailbox outcome and the next step',
    when: (e) => e.t === 'outcome' && /\/mailbox\//.test(e.step ?? ''),
  },
  { name: 'during the read-back', when: (e) => e.t === 'job' && e.job?.state === 'reconciling', delayMs: 5 },
];

/**
 * How a run of `mm migrate` ended: killed at the line it waited for (with the step it left
 * unsettled: an intent without its outcome), or on its own (with what it printed).
 */
type Attempt =
  | { readonly killed: true; readonly unsettled: string | undefined }
  | { readonly killed: false; readonly run: CliRun };

/**
 * Starts `mm migrate` and kills it with SIGKILL when the journal shows the awaited line. With
 * `settleFirst` (the step an earlier kill interrupted), the point counts only once that step's
 * outcome is in the journal, so each kill is settled by the very next run.
 */
async function migrateAndKill(dataDir: string, point: KillPoint, settleFirst?: string): Promise<Attempt> {
  const journal = join(dataDir, 'projects', PROJECT, 'migration', 'journal.jsonl');
  // the entries already there (an earlier run's) are not what this kill waits for
  const tail = journalTail<Entry>(journal);
  await tail();
  const child: ChildProcess = spawn(
    process.execPath,
    ['electron/cli/mm.mjs', 'migrate', '--json', '--data-dir', dataDir],
    {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout?.on('data', (d: Buffer) => out.push(d));
  child.stderr?.on('data', (d: Buffer) => err.push(d));
  let exited = false;
  let code = -1;
  let settled = settleFirst === undefined;
  const closed = new Promise<void>((r) =>
    child.once('close', (c) => {
      [exited, code] = [true, c ?? -1];
      r();
    }),
  );
  while (!exited) {
    for (const e of await tail()) {
      if (!settled) {
        settled = e.t === 'outcome' && e.step === settleFirst;
        continue;
      }
      if (!point.when(e)) continue;
      if (point.delayMs) await new Promise((r) => setTimeout(r, point.delayMs));
      child.kill('SIGKILL');
      await closed;
      // a step killed "while its request runs" may have written its outcome before the kill
      const after = await tail();
      const open = e.t === 'intent' && !after.some((x) => x.t === 'outcome' && x.step === e.step);
      return { killed: true, unsettled: open ? e.step : undefined };
    }
    await new Promise((r) => setTimeout(r, 2));
  }
  await closed;
  const text = (chunks: Buffer[]): string => Buffer.concat(chunks).toString('utf8');
  return { killed: false, run: { code, stdout: text(out), stderr: text(err) } };
}

/** Every table's rows as comparable text, without what differs between runs (ids, times). */
function holdings(sandbox: RunningSandbox): Record<string, number> {
  const state = sandbox.state();
  const out: Record<string, number> = {};
  for (const [table, rows] of Object.entries(state)) {
    if (table === 'requests') continue;
    out[table] = rows?.length ?? 0;
  }
  return out;
}

/** Natural keys that must be unique whatever ids the target chose. */
function duplicates(sandbox: RunningSandbox): string[] {
  const s = sandbox.state();
  const keyed: [string, (r: Record<string, unknown>) => string][] = [
    ['attributes', (r) => `${String(r['name'])}=${String(r['value'])}`],
    [
      'pbaSubscriptions',
      (r) =>
        `${String(r['gate'])}:${String((r['fields'] as Record<string, unknown>)?.['DomainName'] ?? r['name'])}`,
    ],
    ['members', (r) => String(r['login'])],
    ['domains', (r) => String(r['domain_name'])],
    [
      'dnsRecords',
      (r) => `${String(r['domain_name'])}|${String(r['host'])}|${String(r['type'])}|${String(r['data'])}`,
    ],
    ['mailboxes', (r) => `${String(r['name'])}@${String(r['domain_name'])}`],
    ['forwardings', (r) => `${String(r['name'])}@${String(r['domain_name'])}>${String(r['forward_to'])}`],
    ['databases', (r) => String(r['db_name'])],
    ['ftpUsers', (r) => String(r['login'])],
  ];
  const dupes: string[] = [];
  for (const [table, key] of keyed) {
    const seen = new Set<string>();
    for (const r of (s[table] ?? []) as Record<string, unknown>[]) {
      const k = key(r);
      if (seen.has(k)) dupes.push(`${table}: ${k}`);
      seen.add(k);
    }
  }
  return dupes;
}

describe('mm migrate killed with SIGKILL, then run again', () => {
  let source: SharedSource;
  let expected: Record<string, number>;
  /** The batch the chain is on, and the step its last kill interrupted (if it was an intent). */
  let current: { dataDir: string; sandbox: RunningSandbox } | undefined;
  let interrupted: string | undefined;
  let batches = 0;

  /**
   * The current batch, ended by `ending` (the run that finished it), checked whole: done, no
   * failure, exit 0, each object once, the uninterrupted run's rows. Its sandbox is closed.
   */
  async function checkEnded(ending: CliRun): Promise<void> {
    const run = current;
    if (!run) throw new Error('no batch to check: the chain lost its batch');
    current = undefined;
    try {
      const result = parseMigrate(ending);
      expect(result.failures).toEqual([]);
      expect(result.state).toBe('done');
      expect(ending.code).toBe(0);
      expect(duplicates(run.sandbox)).toEqual([]);
      expect(holdings(run.sandbox)).toEqual(expected);
    } finally {
      await run.sandbox.close();
    }
  }

  beforeAll(async () => {
    source = await sharedSource({ checksAfterBatch: false });
    expected = (await sharedBaseline(source)).holdings;
    expect(expected['mailboxes']).toBeGreaterThan(5);
  }, 300_000);

  afterAll(async () => {
    await current?.sandbox.close();
    await source?.stop();
  });

  for (const point of POINTS) {
    it(`finishes the batch and holds each object once after a kill — ${point.name}`, async () => {
      let attempt: Attempt | undefined;
      if (current) {
        // the restart of the last kill: it settles that step, then meets this point (or finishes)
        attempt = await migrateAndKill(current.dataDir, point, interrupted);
        // the batch ended on its own first: it must be whole; this point takes a fresh batch
        if (!attempt.killed) await checkEnded(attempt.run);
      }
      if (!attempt?.killed) {
        current = await freshRun(source, { asyncMs: 40 });
        batches++;
        attempt = await migrateAndKill(current.dataDir, point);
      }
      expect(attempt.killed, 'the kill point was reached').toBe(true);
      if (!attempt.killed || !current) return;
      interrupted = attempt.unsettled;
      console.info(
        `killed in batch ${batches}: ${point.name}${interrupted ? ` (${interrupted} unsettled)` : ''}`,
      );
      // whatever the kill cut short, nothing is held twice
      expect(duplicates(current.sandbox)).toEqual([]);
      // the last point (the read-back) ends the chain: the restart must finish the batch
      if (point === POINTS[POINTS.length - 1])
        await checkEnded(await mm(current.dataDir, ['migrate', '--json']));
    }, 180_000);
  }
});
