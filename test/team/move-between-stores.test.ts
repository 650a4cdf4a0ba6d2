/**
 * `mm project move` between every pair of stores (issue 15), against a real PostgreSQL with two
 * databases on one server and real project folders: files → database A → database B (a SIGKILL
 * after the copy, before it was verified, leaves the project whole in B and the move runs again
 * cleanly) → A → files. Every part moves — documents, a 30,000-line log with a NUL in it, kept
 * files, the sealed project key and credentials (byte for byte, never opened on the way) — and
 * the counts and content hashes the test computes itself in SQL are the same on both sides; the
 * source's rows are gone (or kept with --keep-source).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pgLib from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore } from '../../electron/core/core';
import { closeAllPgStores } from '../../electron/core/store/postgres-store';
import { openSealed } from '../helpers/open-sealed';
import { REPO_ROOT, tempDir } from '../helpers/paths';
import { type Postgres, startPostgres } from '../helpers/postgres';
import { runMm } from '../helpers/processes';

const DEMO = 'demo-migration';
const LINUX = 'demo-linux-server';
const LOG_LINES = 30_000;
const POA_PASSWORD = 'poa-secret-"quoted"-ünï';

/** Per table: rows and an md5 of their content without the project's id or the journal's seq. */
const TABLES: Record<string, string> = {
  mm_documents: 'path',
  mm_journal: 'venue, seq',
  mm_files: 'path',
  mm_project_keys: 'engineer_fingerprint',
  mm_secrets: 'name',
};

function cellsIn(pg: Postgres, db: string, sql: string): string[] {
  return pg
    .psql(`\\pset tuples_only on\n\\pset format unaligned\nSET TimeZone = 'UTC';\n${sql}`, db)
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !/^(Tuples only|Output format|SET)/.test(l));
}

function contentOf(pg: Postgres, db: string, projectId: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [table, order] of Object.entries(TABLES)) {
    const [row] = cellsIn(
      pg,
      db,
      `SELECT count(*) || ' ' || coalesce(md5(string_agg((to_jsonb(t) - 'project_id' - 'seq')::text, E'\\n' ORDER BY ${order})), '-')
         FROM ${table} t WHERE project_id = '${projectId}' AND NOT (to_jsonb(t) ? 'path' AND to_jsonb(t)->>'path' = '.mm-move-pending');`,
    );
    out[table] = row ?? '';
  }
  return out;
}

function rowsIn(pg: Postgres, db: string, projectId: string): number {
  return Object.keys(TABLES).reduce(
    (n, t) => n + Number(cellsIn(pg, db, `SELECT count(*) FROM ${t} WHERE project_id = '${projectId}';`)[0]),
    0,
  );
}

describe('mm project move between files and databases', () => {
  let pg: Postgres;
  let dataDir: string;
  let urlA: string;
  let urlB: string;
  const saved = { store: process.env['MM_STORE'], password: process.env['PGPASSWORD'] };

  const mm = async (...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> =>
    runMm([...args, '--data-dir', dataDir]);
  const mmOk = async (...args: string[]): Promise<string> => {
    const r = await mm(...args);
    if (r.code !== 0) throw new Error(`mm ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
    return r.stdout;
  };
  const link = async (): Promise<{ url: string; projectId: string } | undefined> =>
    readFile(join(dataDir, 'projects', DEMO, 'store.json'), 'utf8').then(
      (t) => JSON.parse(t) as { url: string; projectId: string },
      () => undefined,
    );
  /** What a core reading the project sees: its file, a document, the log's length, the credential. */
  const reads = async (): Promise<Record<string, unknown>> => {
    const core = createCore({ dataDir, shell: 'test' });
    const { updatedAt: _u, ...project } = await core.projects.get(DEMO);
    void _u;
    const out = {
      project,
      servers: (await core.servers.list(DEMO)).map((s) => s.id),
      mapping: (await core.mapping.rows(DEMO)).length,
      poaPassword: await core.secrets.get(`project/${DEMO}/target/poa-password`),
      // customers' passwords and cards as they open, whatever form they are sealed in
      inventory: await openSealed(core.secrets, DEMO, await core.inventory.load(DEMO, LINUX)),
    };
    await closeAllPgStores();
    return out;
  };

  /** Runs a move that says its phases, killed with SIGKILL as soon as it says `phase`. */
  const killAfter = async (
    phase: string,
    ...args: string[]
  ): Promise<{ child: ChildProcess; killed: string }> => {
    const child: ChildProcess = spawn(
      process.execPath,
      ['electron/cli/mm.mjs', 'project', 'move', ...args, '--verbose', '--data-dir', dataDir],
      { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let said = '';
    const killed = await new Promise<string>((resolve) => {
      child.stderr?.on('data', (d: Buffer) => {
        said += d.toString();
        if (said.includes(`move: ${phase}`)) {
          child.kill('SIGKILL');
          resolve(said);
        }
      });
      child.once('exit', () => resolve(said));
    });
    await new Promise((res) =>
      child.exitCode !== null || child.signalCode ? res(null) : child.once('exit', res),
    );
    return { child, killed };
  };

  beforeAll(async () => {
    delete process.env['MM_STORE'];
    pg = await startPostgres({ database: 'mmmovea', user: 'mm', moreDatabases: ['mmmoveb'] });
    process.env['PGPASSWORD'] = pg.password;
    urlA = `postgres://${pg.user}@127.0.0.1:${pg.port}/mmmovea`;
    urlB = `postgres://${pg.user}@127.0.0.1:${pg.port}/mmmoveb`;
    dataDir = await tempDir('mm-move-stores-');
    await mmOk('project', 'demo');
    const dir = join(dataDir, 'projects', DEMO);
    // a long log (one line with a NUL, which jsonb cannot hold) and a file kept whole
    const lines = Array.from({ length: LOG_LINES }, (_, i) =>
      JSON.stringify({
        at: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(),
        n: i,
        message: `line ${i}`,
      }),
    );
    lines[7] = JSON.stringify({ n: 7, message: 'nul \u0000 here' });
    await writeFile(join(dir, 'migration-log.jsonl'), `${lines.join('\n')}\n`, { mode: 0o600 });
    await mkdir(join(dir, 'reports'), { recursive: true });
    await writeFile(join(dir, 'reports', 'extra.json'), '{"kept":"whole", "spacing":  true}\n');
  }, 180_000);

  afterAll(async () => {
    await closeAllPgStores();
    await pg?.stop();
    if (saved.store !== undefined) process.env['MM_STORE'] = saved.store;
    if (saved.password === undefined) delete process.env['PGPASSWORD'];
    else process.env['PGPASSWORD'] = saved.password;
  });

  it('files → A, then A → B: every part, sealed values byte for byte, the source emptied', async () => {
    const toA = JSON.parse(await mmOk('project', 'move', '--store', urlA, '--json')) as {
      journalEntries: number;
      verified: Record<string, { count: number }>;
    };
    expect(toA.journalEntries).toBeGreaterThanOrEqual(LOG_LINES);
    expect(toA.verified['journal']?.count).toBe(toA.journalEntries);
    // a credential entered once the project is shared: sealed in A with the project key
    const set = await runMm(
      [
        'target',
        'set',
        '--poa-url',
        'https://poa.example.test:8440/RPC2',
        '--poa-user',
        'admin',
        '--poa-password-stdin',
        '--data-dir',
        dataDir,
      ],
      {},
      `${POA_PASSWORD}\n`,
    );
    expect(set.code, set.stderr).toBe(0);
    const before = await reads();
    expect(before['poaPassword']).toBe(POA_PASSWORD);
    // the customers' secrets are in the shared form now (the project's data key)
    expect(
      cellsIn(
        pg,
        'mmmovea',
        `SELECT count(*) > 0 FROM mm_documents WHERE project_id = '${DEMO}' AND path LIKE 'inventory/%' AND body::text LIKE '%mm-sealed:p1.%';`,
      ),
    ).toEqual(['t']);
    expect(JSON.stringify(before['inventory'])).toContain('"plain:');
    const inA = contentOf(pg, 'mmmovea', DEMO);
    expect(inA['mm_secrets']).toMatch(/^[1-9]\d* /);
    expect(inA['mm_project_keys']).toMatch(/^1 /);
    const sealedA = cellsIn(pg, 'mmmovea', `SELECT name || '=' || sealed FROM mm_secrets ORDER BY name;`);
    // Documents' text as stored, key order included (stamps and plan fingerprints hash it).
    const bodies = `SELECT path || ' ' || md5(body::text) FROM mm_documents WHERE project_id = '${DEMO}' ORDER BY path;`;
    const bodiesA = cellsIn(pg, 'mmmovea', bodies);
    expect(bodiesA.length).toBeGreaterThan(0);
    // …and jsonb would change them: the comparison below can catch a reordering copy.
    expect(
      cellsIn(pg, 'mmmovea', `SELECT count(*) > 0 FROM mm_documents WHERE body::text <> body::jsonb::text;`),
    ).toEqual(['t']);

    const r = await mm('project', 'move', '--store', urlB, '--json');
    expect(r.code, r.stderr).toBe(0);
    const toB = JSON.parse(r.stdout) as { from: string; to: string; source: string };
    expect(toB).toMatchObject({ from: urlA, to: urlB, source: 'removed' });
    expect(await link()).toMatchObject({ url: urlB, projectId: DEMO });
    expect(contentOf(pg, 'mmmoveb', DEMO)).toEqual(inA);
    expect(cellsIn(pg, 'mmmoveb', `SELECT name || '=' || sealed FROM mm_secrets ORDER BY name;`)).toEqual(
      sealedA,
    );
    expect(cellsIn(pg, 'mmmoveb', bodies)).toEqual(bodiesA);
    expect(rowsIn(pg, 'mmmovea', DEMO)).toBe(0);
    expect(cellsIn(pg, 'mmmoveb', `SELECT count(*) FROM mm_files WHERE path = '.mm-move-pending';`)).toEqual([
      '0',
    ]);
    expect(await reads()).toEqual(before);
  }, 300_000);

  it('a move killed after the copy leaves the project whole where it was; run again, it moves', async () => {
    const inB = contentOf(pg, 'mmmoveb', DEMO);
    const before = await reads();
    // killed after the copy, while it waits to read the copy back (the test holds a table there)
    const locker = new pgLib.Client({
      host: pg.host,
      port: pg.port,
      user: pg.user,
      password: pg.password,
      database: 'mmmovea',
    });
    await locker.connect();
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE mm_workers IN ACCESS EXCLUSIVE MODE');
    const { child, killed } = await killAfter('copied', '--store', urlA);
    await locker.query('ROLLBACK');
    await locker.end();
    expect(child.signalCode, killed).toBe('SIGKILL');
    expect(killed).not.toMatch(/move: switched/);
    // where it was, whole: the link, every row, every read
    expect(await link()).toMatchObject({ url: urlB });
    expect(contentOf(pg, 'mmmoveb', DEMO)).toEqual(inB);
    expect(await reads()).toEqual(before);
    // A holds the unverified copy, marked as such
    expect(
      cellsIn(
        pg,
        'mmmovea',
        `SELECT count(*) FROM mm_files WHERE project_id = '${DEMO}' AND path = '.mm-move-pending';`,
      ),
    ).toEqual(['1']);

    // run again: the marked copy is cleared, the move completes; --keep-source keeps B's rows
    const again = await mm('project', 'move', '--store', urlA, '--keep-source', '--json');
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ from: urlB, to: urlA, source: 'kept' });
    expect(contentOf(pg, 'mmmovea', DEMO)).toEqual(inB);
    expect(contentOf(pg, 'mmmoveb', DEMO)).toEqual(inB);
    expect(await link()).toMatchObject({ url: urlA });
    expect(await reads()).toEqual(before);

    // a project really in a database is never cleared by a move into it
    const refused = await mm('project', 'move', '--store', urlB);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/already holds a project "demo-migration"/);
    expect(contentOf(pg, 'mmmoveb', DEMO)).toEqual(inB);
  }, 300_000);

  it('A → files: the folder holds the project again, its credentials under the data dir, A emptied', async () => {
    const before = await reads();
    const inA = contentOf(pg, 'mmmovea', DEMO);
    const dir = join(dataDir, 'projects', DEMO);
    // killed once the files are written beside the folder and read back, while it waits for the
    // credentials (the test holds their table): still the database's project, whole
    const locker = new pgLib.Client({
      host: pg.host,
      port: pg.port,
      user: pg.user,
      password: pg.password,
      database: 'mmmovea',
    });
    await locker.connect();
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE mm_secrets IN ACCESS EXCLUSIVE MODE');
    const { child, killed } = await killAfter('verified', '--store', 'files');
    await locker.query('ROLLBACK');
    await locker.end();
    expect(child.signalCode, killed).toBe('SIGKILL');
    expect(await link()).toMatchObject({ url: urlA });
    expect(contentOf(pg, 'mmmovea', DEMO)).toEqual(inA);
    expect(await reads()).toEqual(before);
    const staged = async (): Promise<string[]> =>
      (await readdir(join(dir, '.moved-to-postgres')).catch(() => [] as string[])).filter((e) =>
        e.startsWith('to-files-'),
      );
    expect(await staged()).toHaveLength(1);

    const r = await mm('project', 'move', '--store', 'files', '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ from: urlA, to: 'files', source: 'removed' });
    expect(await link()).toBeUndefined();
    expect(rowsIn(pg, 'mmmovea', DEMO)).toBe(0);
    expect(await staged()).toEqual([]);
    const log = (await readFile(join(dir, 'migration-log.jsonl'), 'utf8'))
      .split('\n')
      .filter((l) => l !== '');
    expect(log.length).toBeGreaterThanOrEqual(LOG_LINES);
    expect(JSON.parse(log[7] ?? '{}')).toMatchObject({ n: 7, message: 'nul \ufffd here' });
    expect(JSON.parse(await readFile(join(dir, 'reports', 'extra.json'), 'utf8'))).toEqual({
      kept: 'whole',
      spacing: true,
    });
    expect((await stat(join(dir, 'project.json'))).mode & 0o777).toBe(0o600);
    // no customer secret left in the shared form the data dir could not open
    for (const f of await readdir(join(dir, 'inventory'))) {
      expect(await readFile(join(dir, 'inventory', f), 'utf8'), f).not.toContain('mm-sealed:p1.');
      expect((await stat(join(dir, 'inventory', f))).mode & 0o777, f).toBe(0o600);
    }
    // read without any database: the credential is in this data dir's own store now
    await pg.stop();
    expect(await reads()).toEqual(before);
    const again = await mm('project', 'move', '--store', 'files');
    expect(again.stderr).toMatch(/kept in files already/);
  }, 300_000);
});
