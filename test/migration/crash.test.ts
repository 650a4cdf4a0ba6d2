/**
 * Migration proven by killing it: `mm migrate` is killed with SIGKILL at a chosen point of the
 * batch — right after a step's intent reached the journal (before, during or after its
 * transaction), right after an outcome, during the read-back — then `mm migrate` is run again.
 * Each time the restart finishes the batch and the sandbox holds each object exactly once: the
 * same rows as an uninterrupted run, nothing twice.
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
import { PROJECT, type PreparedSource, freshRun, mm, parseMigrate, prepareSource } from './env';

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

/** Starts `mm migrate` and kills it with SIGKILL when the journal shows the awaited line. */
async function migrateAndKill(dataDir: string, point: KillPoint): Promise<{ killed: boolean }> {
  const journal = join(dataDir, 'projects', PROJECT, 'migration', 'journal.jsonl');
  // the entries already there (an earlier run's) are not what this kill waits for
  const tail = journalTail<Entry>(journal);
  await tail();
  const child: ChildProcess = spawn(
    process.execPath,
    ['electron/cli/mm.mjs', 'migrate', '--json', '--data-dir', dataDir],
    {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'ignore', 'ignore'],
    },
  );
  let exited = false;
  const closed = new Promise<void>((r) => child.once('close', () => ((exited = true), r())));
  while (!exited) {
    const hit = (await tail()).some((e) => point.when(e));
    if (hit) {
      if (point.delayMs) await new Promise((r) => setTimeout(r, point.delayMs));
      child.kill('SIGKILL');
      await closed;
      return { killed: true };
    }
    await new Promise((r) => setTimeout(r, 2));
  }
  await closed;
  return { killed: false };
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
  let source: PreparedSource;
  let expected: Record<string, number>;

  beforeAll(async () => {
    source = await prepareSource();
    const baseline = await freshRun(source, { asyncMs: 40 });
    try {
      const run = await mm(baseline.dataDir, ['migrate', '--json']);
      expect(parseMigrate(run).state).toBe('done');
      expected = holdings(baseline.sandbox);
      expect(expected['mailboxes']).toBeGreaterThan(5);
    } finally {
      await baseline.sandbox.close();
    }
  }, 300_000);

  afterAll(async () => source?.stop());

  for (const point of POINTS) {
    it(`finishes the batch and holds each object once after a kill — ${point.name}`, async () => {
      const run = await freshRun(source, { asyncMs: 40 });
      try {
        const { killed } = await migrateAndKill(run.dataDir, point);
        expect(killed, 'the kill point was reached').toBe(true);
        const again = await mm(run.dataDir, ['migrate', '--json']);
        const result = parseMigrate(again);
        expect(result.failures).toEqual([]);
        expect(result.state).toBe('done');
        expect(again.code).toBe(0);
        expect(duplicates(run.sandbox)).toEqual([]);
        expect(holdings(run.sandbox)).toEqual(expected);
      } finally {
        await run.sandbox.close();
      }
    }, 180_000);
  }
});
