/**
 * What the team tests share: the sandbox's holdings read back through `sandbox.dump`, the
 * natural keys that show an object made twice, `mm worker` processes, psql cells and polling;
 * and their set-ups: a PostgreSQL and the sandbox for a project that starts as files (with the
 * demo project verified on it), and a prepared migration run moved into a PostgreSQL of its
 * own (with another engineer's data dir attached to it).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import type { Inventory } from '../../shared/model/inventory';
import { type Core, createCore } from '../../electron/core/core';
import { ensureDemoProject } from '../../electron/core/demo';
import { closeAllPgStores } from '../../electron/core/store/postgres-store';
import { postXmlRpc } from '../../electron/core/target/http-transport';
import { type RunningSandbox, type SandboxOptions, startSandbox } from '../../electron/sandbox/sandbox';
import { REPO_ROOT, tempDir } from '../helpers/paths';
import { type Postgres, startPostgres } from '../helpers/postgres';
import { PROJECT, SERVER, freshRun, mmOk } from '../migration/env';
import { type SharedSource, sharedSource } from '../migration/shared-source';

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

/** The PostgreSQL environment a test changes: taken when it starts, put back when it ends. */
export interface SavedPgEnv {
  restore(): void;
}

/** Saves MM_STORE and PGPASSWORD as they are now; `restore` sets them back (or unsets them). */
export function savePgEnv(): SavedPgEnv {
  const saved = { MM_STORE: process.env['MM_STORE'], PGPASSWORD: process.env['PGPASSWORD'] };
  return {
    restore: () => {
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    },
  };
}

/** A real PostgreSQL and the sandbox target, for a test whose project starts as files. */
export interface PgAndSandbox {
  readonly pg: Postgres;
  readonly sandbox: RunningSandbox;
  /** A temp folder (`<prefix>…`) for the test's data dirs; the sandbox keeps its state in `sandbox/`. */
  readonly dataDir: string;
  /** The database's address, without the password (that one is typed, or in PGPASSWORD). */
  readonly url: string;
  /** Closes this process's PostgreSQL stores, stops both servers and restores the environment. */
  stop(): Promise<void>;
}

/**
 * Starts a PostgreSQL (`database`, user mm) and the sandbox side by side. The project starts as
 * files whatever store the suite runs on, and the database password is only ever typed: MM_STORE
 * and PGPASSWORD are unset until `stop`.
 */
export async function pgAndSandbox(o: {
  readonly database: string;
  readonly prefix: string;
  readonly sandbox?: Omit<SandboxOptions, 'dataDir'>;
  /** more databases on the same server, owned by mm too */
  readonly moreDatabases?: readonly string[];
}): Promise<PgAndSandbox> {
  const env = savePgEnv();
  delete process.env['MM_STORE'];
  delete process.env['PGPASSWORD'];
  const dataDir = await tempDir(o.prefix);
  const [pg, sandbox] = await Promise.all([
    startPostgres({
      database: o.database,
      user: 'mm',
      ...(o.moreDatabases ? { moreDatabases: o.moreDatabases } : {}),
    }),
    startSandbox({ dataDir: join(dataDir, 'sandbox'), ...o.sandbox }),
  ]).catch((e: unknown) => {
    env.restore();
    throw e;
  });
  return {
    pg,
    sandbox,
    dataDir,
    url: `postgres://${pg.user}@127.0.0.1:${pg.port}/${pg.database}`,
    stop: async () => {
      await closeAllPgStores();
      await Promise.all([pg.stop(), sandbox.close()]);
      env.restore();
    },
  };
}

/** The demo project's id (ensureDemoProject). */
export const DEMO = 'demo-migration';

/**
 * A UI shell's core on `dataDir` (a database password typed in a form is sealed there) holding
 * the demo project targeted at `sandbox`: every suggested mapping set, everything selected and
 * verified — ready to migrate or to move.
 */
export async function verifiedDemo(dataDir: string, sandbox: RunningSandbox): Promise<Core> {
  const core = createCore({ dataDir, shell: 'browser' });
  await ensureDemoProject(core);
  await core.target.set(DEMO, { poaUrl: sandbox.poaUrl, pbaUrl: sandbox.pbaUrl });
  const suggested = await core.mapping.suggest(DEMO);
  await core.decisions.setMappings(
    DEMO,
    suggested.suggestions.map((s) => s.input),
  );
  await core.selection.change(DEMO, { mode: 'add', target: { by: 'all' } });
  await core.verification.run(DEMO);
  return core;
}

/** A prepared migration run (test/migration/env.ts) moved into a PostgreSQL of its own. */
export interface SharedRun {
  readonly source: SharedSource;
  readonly pg: Postgres;
  readonly run: { readonly dataDir: string; readonly sandbox: RunningSandbox };
  readonly url: string;
  /** The source server's inventory, read from the project's files before the move. */
  readonly inventory: Inventory;
  /** Closes this process's PostgreSQL stores, stops the sandbox, PostgreSQL and the source; restores the environment. */
  stop(): Promise<void>;
}

/**
 * The demo's Debian layout behind a real sshd inventoried into a project (prepareSource), a real
 * PostgreSQL (`database`, user mm), a fresh run of it on the sandbox target (each target call
 * taking `asyncMs`), then `mm project move` of that project into the database. PGPASSWORD is
 * set, as a worker machine finds the password, until `stop`.
 */
export async function sharedRun(o: {
  readonly database: string;
  readonly asyncMs: number;
}): Promise<SharedRun> {
  const env = savePgEnv();
  const [source, pg] = await Promise.all([
    sharedSource(),
    startPostgres({ database: o.database, user: 'mm' }),
  ]);
  process.env['PGPASSWORD'] = pg.password;
  const url = `postgres://${pg.user}@127.0.0.1:${pg.port}/${pg.database}`;
  const run = await freshRun(source, { asyncMs: o.asyncMs });
  const inventory = (await createCore({ dataDir: run.dataDir, shell: 'test' }).inventory.load(
    PROJECT,
    SERVER,
  )) as Inventory;
  await mmOk(run.dataDir, ['project', 'move', '--store', url]);
  return {
    source,
    pg,
    run,
    url,
    inventory,
    stop: async () => {
      await closeAllPgStores();
      await run.sandbox.close();
      await pg.stop();
      await source.stop();
      env.restore();
    },
  };
}

/** Another engineer: a data dir of its own (`<prefix>…`) attached to the shared project at `url`, and a core on it. */
export async function attachedEngineer(
  url: string,
  prefix: string,
): Promise<{ dataDir: string; core: Core }> {
  const dataDir = await tempDir(prefix);
  await mmOk(dataDir, ['project', 'attach', PROJECT, '--store', url]);
  return { dataDir, core: createCore({ dataDir, shell: 'test' }) };
}
