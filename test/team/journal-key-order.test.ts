/**
 * Journal and log entries keep their text in PostgreSQL (schema 7: `mm_journal.entry` is json,
 * not jsonb), against a real PostgreSQL. jsonb kept an object's keys in its own order (shorter
 * keys first) and its own spacing, so a verification-changes row read back was another JSON text
 * than the result it was written from, and the next full run counted every such result as
 * changed and stored it again. Here:
 *
 * - lines appended to a log in the database read back byte for byte as the file's lines;
 * - a database of schema 6 is brought to 7 with every row kept (same seq, same value), in the
 *   compact text JSON.stringify writes, the batch index rebuilt and its queries answering;
 * - the demo project: a decision's patch moved from its file into rows and another's appended as a
 *   row, read by another core, are not counted as changed by the next full run (they were, with
 *   jsonb); the rows give back the files' bytes, and so does the move back to files.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DecisionInput } from '../../shared/model/decision';
import { dispatch } from '../../electron/api/handlers';
import { createCore } from '../../electron/core/core';
import { FileLineLog, PgLineLog } from '../../electron/core/store/line-log';
import { storedProjectFiles } from '../../electron/core/store/postgres-files';
import { SCHEMA_MIGRATIONS, SCHEMA_VERSION } from '../../electron/core/store/postgres-schema';
import { PgStore } from '../../electron/core/store/postgres-store';
import { moveProject } from '../../electron/core/store/project-transfer';
import type { RunningSandbox } from '../../electron/sandbox/sandbox';
import type { Postgres } from '../helpers/postgres';
import { DEMO, type PgAndSandbox, cells, pgAndSandbox, verifiedDemo } from './team-helpers';

const LINUX = 'demo-linux-server';

/** Lines whose keys jsonb reorders and respaces, as services write them and as a caller might. */
const LINES: readonly string[] = [
  JSON.stringify({
    verifiedAt: '2026-11-30T12:00:00.000Z',
    today: '2026-11-30',
    stamp: 'abc',
    set: [{ kind: 'domain', serverId: 'web01', id: 'a.test', status: 'ok', reasons: [] }],
    remove: [],
  }),
  JSON.stringify({ zulu: 'a, b: c', quote: 'say "x": 1, ', path: 'C:\\dir\\', a: [1, { yy: 2, x: null }] }),
  // a key JavaScript itself would put first, and a caller's spacing: the file keeps both
  '{"b":1,"10":2}',
  '{"spaced": true, "list": [1, 2]}',
];

function client(db: Postgres, database = db.database): pg.Client {
  return new pg.Client({ host: db.host, port: db.port, user: db.user, password: db.password, database });
}

describe("journal entries' text in PostgreSQL", () => {
  let servers: PgAndSandbox | undefined;
  let db: Postgres;
  let sandbox: RunningSandbox;
  let dataDir: string;
  let url: string;

  beforeAll(async () => {
    // the project starts as files, whatever store the suite runs on (MM_STORE and PGPASSWORD unset until stop)
    servers = await pgAndSandbox({
      database: 'mmjorder',
      prefix: 'mm-journal-order-',
      moreDatabases: ['mmjold', 'mmjdemo'],
    });
    ({ pg: db, sandbox, dataDir, url } = servers);
  }, 300_000);

  afterAll(async () => {
    await servers?.stop();
  });

  it("reads a log's lines back from rows byte for byte as its file holds them", async () => {
    process.env['PGPASSWORD'] = db.password;
    const file = join(dataDir, 'verification-changes.jsonl');
    const store = new PgStore(url);
    try {
      await store.ready();
      const onFile = new FileLineLog(file);
      const inRows = new PgLineLog(store, 'order-log', 'verification-changes.jsonl', file);
      await onFile.append(LINES.slice(0, 2));
      await inRows.append(LINES.slice(0, 2));
      await onFile.append(LINES.slice(2));
      await inRows.append(LINES.slice(2));

      const fromFile = await onFile.text();
      expect(fromFile).toBe(LINES.map((l) => `${l}\n`).join(''));
      // another store instance reads the rows (nothing of the writer's memory)
      const reader = new PgStore(url);
      try {
        const fromRows = await new PgLineLog(reader, 'order-log', 'verification-changes.jsonl', file).text();
        expect(fromRows).toBe(fromFile);
        // a filter (jsonb containment on the json entry) and the last lines still answer
        const again = new PgLineLog(reader, 'order-log', 'verification-changes.jsonl', file);
        expect(await again.text({ match: { zulu: 'a, b: c' } })).toBe(`${LINES[1]}\n`);
        // the value's text is in that line, under another key: not a match
        expect(await again.text({ match: { quote: 'a, b: c' } })).toBe('');
        expect(await again.text({ match: { kind: 'domain', stamp: 'abc' } })).toBe('');
        expect(await again.text({ match: { stamp: 'abc', today: '2026-11-30' } })).toBe(`${LINES[0]}\n`);
        expect(await again.text({ last: 2 })).toBe(`${LINES[2]}\n${LINES[3]}\n`);
      } finally {
        await reader.close();
      }
      // as jsonb the same rows are another text: the test can tell the two apart
      const asJsonb = cells(
        db,
        "SELECT entry::jsonb::text FROM mm_journal WHERE project_id = 'order-log' ORDER BY seq;",
      );
      expect(asJsonb.map((t) => `${t}\n`).join('')).not.toBe(fromFile);
      expect(
        cells(
          db,
          "SELECT data_type FROM information_schema.columns WHERE table_name = 'mm_journal' AND column_name = 'entry';",
        ),
      ).toEqual(['json']);
    } finally {
      await store.close();
      delete process.env['PGPASSWORD'];
    }
  }, 60_000);

  it('brings a schema 6 database to 7 keeping every row, value and order, in compact text', async () => {
    // a database as schema 6 left it, its journal written as jsonb rows
    const old = client(db, 'mmjold');
    await old.connect();
    const entries: unknown[] = [];
    for (let i = 0; i < 3000; i++)
      entries.push(
        i % 3 === 0
          ? { t: 'job', job: { jobId: `job-${i % 7}`, state: i % 2 ? 'running' : 'done', n: i } }
          : {
              step: `s${i}`,
              t: 'outcome',
              result: { ok: true, note: `a, b: "c" \\ ${i}`, list: [i, i + 1] },
            },
      );
    entries.push({ zulu: 'é ü \u0001 \t', a: [[], {}, [{}]], 'k, ': '", "' }, 'a text: yes, one', 1.5, []);
    try {
      await old.query(
        `CREATE TABLE mm_schema (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now(),
           applied_by text NOT NULL)`,
      );
      for (let v = 1; v <= 6; v++) {
        await old.query(SCHEMA_MIGRATIONS[v - 1] as string);
        await old.query('INSERT INTO mm_schema (version, applied_by) VALUES ($1, $2)', [v, 'schema-6 test']);
      }
      expect(
        (
          await old.query<{ t: string }>(
            "SELECT data_type AS t FROM information_schema.columns WHERE table_name = 'mm_journal' AND column_name = 'entry'",
          )
        ).rows[0]?.t,
      ).toBe('jsonb');
      await old.query(
        `INSERT INTO mm_journal (project_id, venue, entry)
         SELECT 'old-p', CASE WHEN n % 2 = 0 THEN 'migration/journal.jsonl' ELSE 'migration-log.jsonl' END, e::jsonb
           FROM unnest($1::text[]) WITH ORDINALITY AS t(e, n) ORDER BY n`,
        [entries.map((e) => JSON.stringify(e))],
      );
      const before = await old.query<{ seq: string; venue: string; v: string; at: Date }>(
        'SELECT seq::text, venue, entry::text AS v, at FROM mm_journal ORDER BY seq',
      );
      expect(before.rows).toHaveLength(entries.length);

      process.env['PGPASSWORD'] = db.password;
      const store = new PgStore(`postgres://${db.user}@127.0.0.1:${db.port}/mmjold`);
      try {
        await store.ready();
      } finally {
        await store.close();
      }
      expect((await old.query<{ v: number }>('SELECT max(version) AS v FROM mm_schema')).rows[0]?.v).toBe(
        SCHEMA_VERSION,
      );
      expect(SCHEMA_VERSION).toBeGreaterThanOrEqual(7);
      const after = await old.query<{ seq: string; venue: string; v: string; asJsonb: string; at: Date }>(
        'SELECT seq::text, venue, entry::text AS v, entry::jsonb::text AS "asJsonb", at FROM mm_journal ORDER BY seq',
      );
      // every row: same seq, venue, time, the same value, and JSON.stringify's compact text of it
      expect(after.rows.map((r) => [r.seq, r.venue, r.at.toISOString()])).toEqual(
        before.rows.map((r) => [r.seq, r.venue, r.at.toISOString()]),
      );
      after.rows.forEach((r, i) => {
        const was = before.rows[i]?.v ?? '';
        expect(r.asJsonb).toBe(was);
        expect(r.v).toBe(JSON.stringify(JSON.parse(was)));
      });
      expect(
        (
          await old.query<{ t: string }>(
            "SELECT data_type AS t FROM information_schema.columns WHERE table_name = 'mm_journal' AND column_name = 'entry'",
          )
        ).rows[0]?.t,
      ).toBe('json');
      // the batch index is there, on json, and a worker's question about a batch answers from it
      const index = await old.query<{ def: string }>(
        "SELECT indexdef AS def FROM pg_indexes WHERE indexname = 'mm_journal_jobs'",
      );
      expect(index.rows[0]?.def).toMatch(/->> 'jobId'/);
      await old.query('SET enable_seqscan = off');
      const latest = await old.query<{ state: string; n: number }>(
        `SELECT entry->'job'->>'state' AS state, (entry->'job'->>'n')::int AS n FROM mm_journal
          WHERE project_id = 'old-p' AND venue = $1 AND entry->>'t' = 'job' AND entry->'job'->>'jobId' = 'job-3'
          ORDER BY seq DESC LIMIT 1`,
        ['migration/journal.jsonl'],
      );
      const expected = entries
        .map((e, i) => ({ e, venue: i % 2 === 1 ? 'migration/journal.jsonl' : 'migration-log.jsonl' }))
        .filter(
          (x): x is { e: { t: string; job: { jobId: string; state: string; n: number } }; venue: string } =>
            x.venue === 'migration/journal.jsonl' &&
            (x.e as { t?: string }).t === 'job' &&
            (x.e as { job: { jobId: string } }).job.jobId === 'job-3',
        )
        .pop();
      expect(latest.rows[0]).toEqual({ state: expected?.e.job.state, n: expected?.e.job.n });
      const plan = await old.query<{ 'QUERY PLAN': string }>(
        `EXPLAIN SELECT entry FROM mm_journal WHERE project_id = 'old-p' AND venue = 'migration/journal.jsonl'
            AND entry->>'t' = 'job' AND entry->'job'->>'jobId' = 'job-3' ORDER BY seq DESC LIMIT 1`,
      );
      expect(plan.rows.map((r) => r['QUERY PLAN']).join('\n')).toContain('mm_journal_jobs');
      // a worker's unit reads its steps' entries by the steps index (->> parses json text)
      const steps = ['s1', 's5', 's2999', 'none'];
      const stepsSql = `SELECT count(*)::int AS n FROM mm_journal
         WHERE project_id = 'old-p' AND venue = 'migration/journal.jsonl' AND entry->>'step' = ANY($1::text[])`;
      const found = await old.query<{ n: number }>(stepsSql, [steps]);
      const wanted = entries.filter(
        (e, i) => i % 2 === 1 && steps.includes(String((e as { step?: string }).step)),
      ).length;
      expect(wanted).toBeGreaterThan(0);
      expect(found.rows[0]?.n).toBe(wanted);
      const stepsPlan = await old.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${stepsSql}`, [steps]);
      expect(stepsPlan.rows.map((r) => r['QUERY PLAN']).join('\n')).toContain('mm_journal_steps');
    } finally {
      await old.end();
      delete process.env['PGPASSWORD'];
    }
  }, 120_000);

  it("does not count a decision's patch read back from PostgreSQL as changed by the next full run", async () => {
    const demoUrl = `postgres://${db.user}@127.0.0.1:${db.port}/mmjdemo`;
    const appDir = join(dataDir, 'app');
    const core = await verifiedDemo(appDir, sandbox);
    const dir = core.projects.projectDir(DEMO);
    const [first, second] = (await core.inventory.load(DEMO, LINUX))?.subscriptions ?? [];
    if (!first || !second) throw new Error('the demo Linux server has fewer than two subscriptions');
    const override = (subscriptionId: string): DecisionInput => ({
      kind: 'override',
      serverId: LINUX,
      subscriptionId,
    });

    // a decision on files: its patch a line of verification-changes.jsonl, then moved into rows
    const onFiles = await core.decisions.apply(DEMO, override(first.id), 'alice');
    expect(onFiles.reverified?.changed ?? 0).toBeGreaterThan(0);
    const changesFile = await readFile(join(dir, 'verification-changes.jsonl'), 'utf8');
    const historyFile = await readFile(join(dir, 'verification-history.jsonl'), 'utf8');
    const moved = await dispatch(core, 'projects:move-to-store', {
      projectId: DEMO,
      address: demoUrl,
      password: db.password,
    });
    expect(moved.ok ? undefined : moved.error).toBeUndefined();
    // the rows give back the files' bytes (a review bundle is made of these)
    const stored = await storedProjectFiles(dir);
    expect(stored?.get('verification-changes.jsonl')).toBe(changesFile);
    expect(stored?.get('verification-history.jsonl')).toBe(historyFile);

    // a decision on PostgreSQL: its patch appended as a row
    const onRows = await core.decisions.apply(DEMO, override(second.id), 'bob');
    const patched = (onFiles.reverified?.changed ?? 0) + (onRows.reverified?.changed ?? 0);
    expect(onRows.reverified?.changed ?? 0).toBeGreaterThan(0);
    const demo = client(db, 'mmjdemo');
    await demo.connect();
    try {
      const { rows } = await demo.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM mm_journal WHERE project_id = $1 AND venue = 'verification-changes.jsonl'",
        [DEMO],
      );
      expect(rows[0]?.n).toBe(2);
    } finally {
      await demo.end();
    }

    // another app (nothing of this core's memory) reads the results and both patches from the rows
    const other = createCore({ dataDir: appDir, shell: 'browser' });
    const rerun = await other.verification.run(DEMO);
    // nothing changed since the decisions: every result equals the one a patch stored
    expect(rerun.changed).toBe(0);
    expect(rerun.total).toBeGreaterThan(patched);
    // each overridden subscription's history, filtered in the database: its first result, then
    // the override's change, and nothing of another object
    for (const s of [first, second]) {
      const history = await other.verification.history(DEMO, 'subscription', LINUX, s.id);
      expect(history.length, `history of subscription ${s.id}`).toBeGreaterThanOrEqual(2);
      expect(history.every((h) => h.id === s.id && h.serverId === LINUX && h.kind === 'subscription')).toBe(
        true,
      );
      expect(history.at(-1)?.was).toBeDefined();
    }

    // back to files: the history's lines as the rows hold them, the first ones the file's own
    const history = (await storedProjectFiles(dir))?.get('verification-history.jsonl') ?? '';
    expect(history.startsWith(historyFile)).toBe(true);
    expect(history.length).toBeGreaterThan(historyFile.length);
    const back = await moveProject(dir, DEMO, { kind: 'files' });
    expect(back.to).toBe('files');
    expect(await readFile(join(dir, 'verification-history.jsonl'), 'utf8')).toBe(history);
  }, 300_000);
});
