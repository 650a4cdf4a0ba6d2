/**
 * Databases as part of `mm migrate`, on real parts: the demo layout behind a real sshd with a
 * real MariaDB and a real PostgreSQL as the source's servers (the agent dumps them over that
 * SSH connection), and a second MariaDB and PostgreSQL as the target db node's — first the
 * sandbox's own local db node, then a db node behind its own sshd with the batch killed with
 * SIGKILL in the middle of the MariaDB restore and run again. After each: every table has the
 * source's rows (count and SHA-256 per table), the users log in with their original
 * passwords, the grants are the source's, and sandbox.dump reports tables and rows. With no
 * database server configured, the database steps are refused with a message saying so.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DB_NODE_CONFIG } from '../../electron/core/content/db-node';
import { contentKey } from '../../electron/core/content/layout';
import { postXmlRpc } from '../../electron/core/target/http-transport';
import { configureDbNode } from '../../electron/sandbox/nodes';
import { REPO_ROOT, tempDir } from '../helpers/paths';
import { type Sshd, startSshd } from '../helpers/sshd';
import { type PreparedSource, freshRun, journalLines, mm, mmOk, parseMigrate } from '../migration/env';
import {
  MY_DB,
  PG_DB,
  type SourceDatabases,
  type TargetDatabases,
  USERS,
  mysqlGrants,
  mysqlLogin,
  mysqlTables,
  pgGrants,
  pgLogin,
  pgSuper,
  pgTables,
  databasesWithSource,
} from './db-env';

/** Orders and contacts on the source: enough that the MariaDB restore takes a moment. */
const ROWS = 200_000;
/**
 * acme's first domain: the linux agent attaches the owner's databases to it. Each batch is this
 * domain's (its account, site, mail and both databases), not the whole demo's: the databases
 * are all the whole selection has (asserted in the first case), and the other domains' sites
 * and mailboxes are migrate-content's.
 */
const DOMAIN = 'acme-widgets.example';
const MY_ID = `database:mysql:${MY_DB}`;
const PG_ID = `database:postgresql:${PG_DB}`;

let src: SourceDatabases;
let target: TargetDatabases;
let source: PreparedSource;
let nodeSshd: Sshd;
/** The source's tables and grants, read once: nothing here writes to the source's servers. */
let srcState: {
  my: ReturnType<typeof mysqlTables>;
  pg: ReturnType<typeof pgTables>;
  myGrants: string[];
  pgGrants: string[];
};

beforeAll(async () => {
  let dbs: Awaited<ReturnType<typeof databasesWithSource>>;
  [dbs, nodeSshd] = await Promise.all([databasesWithSource(ROWS), startSshd()]);
  ({ src, target, source } = dbs);
  srcState = {
    my: mysqlTables(src.maria, MY_DB),
    pg: pgTables(src.pg, PG_DB),
    myGrants: mysqlGrants(src.maria, MY_DB),
    pgGrants: pgGrants(src.pg, PG_DB),
  };
}, 600_000);

afterAll(async () => {
  await source?.stop();
  await nodeSshd?.stop();
  await src?.stop();
  await target?.stop();
});

// Each case starts from empty target servers.
afterEach(() => {
  target.maria.sql(
    `DROP DATABASE IF EXISTS ${MY_DB}; DROP USER IF EXISTS '${USERS.mysqlRw.login}'@'%', '${USERS.mysqlRo.login}'@'localhost';`,
  );
  for (const sql of [
    `DROP DATABASE IF EXISTS ${PG_DB} WITH (FORCE)`,
    `DROP ROLE IF EXISTS ${USERS.pgApp.login}`,
    `DROP ROLE IF EXISTS ${USERS.pgRo.login}`,
  ])
    pgSuper(target.pg, sql);
});

/** Tables, rows, checksums, logins and grants on the target are the source's. */
function expectSameDatabases(): void {
  const myTarget = mysqlTables(target.maria, MY_DB);
  expect(myTarget).toEqual(srcState.my);
  expect(myTarget.get('orders')?.rows).toBe(ROWS);
  const pgTarget = pgTables(target.pg, PG_DB);
  expect(pgTarget).toEqual(srcState.pg);
  expect(pgTarget.get('contacts')?.rows).toBe(ROWS);

  // The users log in with the passwords they had, and can do what they could.
  expect(mysqlLogin(target.maria, USERS.mysqlRw, `SELECT COUNT(*) FROM ${MY_DB}.orders`).trim()).toBe(
    String(ROWS),
  );
  expect(mysqlLogin(target.maria, USERS.mysqlRo, `SELECT COUNT(*) FROM ${MY_DB}.products`).trim()).toBe('3');
  expect(() => mysqlLogin(target.maria, USERS.mysqlRo, `SELECT COUNT(*) FROM ${MY_DB}.orders`)).toThrow(
    /denied/,
  );
  expect(() => mysqlLogin(target.maria, { ...USERS.mysqlRw, password: 'wrong' }, 'SELECT 1')).toThrow(
    /denied/,
  );
  expect(pgLogin(target.pg, USERS.pgApp, PG_DB, 'SELECT count(*) FROM notes').trim()).toBe('3');
  expect(pgLogin(target.pg, USERS.pgRo, PG_DB, 'SELECT count(*) FROM contacts').trim()).toBe(String(ROWS));
  expect(() => pgLogin(target.pg, USERS.pgRo, PG_DB, 'SELECT count(*) FROM notes')).toThrow(
    /permission denied/,
  );
  expect(() => pgLogin(target.pg, { ...USERS.pgApp, password: 'wrong' }, PG_DB, 'SELECT 1')).toThrow(
    /password/,
  );

  expect(mysqlGrants(target.maria, MY_DB)).toEqual(srcState.myGrants);
  expect(pgGrants(target.pg, PG_DB)).toEqual(srcState.pgGrants);
}

const contentOutcomes = async (dataDir: string, id: string): Promise<string[]> => {
  const journal = await journalLines(dataDir);
  const steps = new Set(
    journal
      .filter((e) => e['t'] === 'intent' && /\/content\/database\//.test(String(e['step'])))
      .filter((e) => String(e['step']).endsWith(`/${id.split(':')[2] ?? ''}`))
      .map((e) => String(e['step'])),
  );
  return journal
    .filter((e) => e['t'] === 'outcome' && steps.has(String(e['step'])))
    .map((e) => (e['outcome'] as { state: string }).state);
};

describe('mm migrate moves databases', () => {
  it('to the sandbox’s own db node: tables, rows, users and grants are the source’s', async () => {
    const { dataDir, sandbox } = await freshRun(source);
    try {
      await configureDbNode(sandbox.dataDir, target.config);
      const nodes = JSON.parse((await mmOk(dataDir, ['target', 'node', 'list', '--json'])).stdout) as {
        role: string;
        via: string;
      }[];
      expect(nodes.map((n) => `${n.role}:${n.via}`).sort()).toEqual([
        'db:sandbox',
        'mail:sandbox',
        'web:sandbox',
      ]);
      // The domain's batch carries every database the whole selection has.
      const preview = async (args: string[]): Promise<Record<string, number>> =>
        (
          JSON.parse((await mmOk(dataDir, ['migrate', '--preview', '--json', ...args])).stdout) as {
            perKind: Record<string, number>;
          }
        ).perKind;
      const whole = await preview([]);
      const one = await preview(['--domains', DOMAIN]);
      expect(one['database']).toBe(2);
      expect(whole['database']).toBe(2);
      const started = Date.now();
      const run = parseMigrate(await mm(dataDir, ['migrate', '--domains', DOMAIN, '--json']));
      expect(run.failures).toEqual([]);
      expect(run.state).toBe('done');
      const ids = (await journalLines(dataDir))
        .filter((e) => e['t'] === 'outcome' && /\/content\/database\//.test(String(e['step'])))
        .map((e) => (e['outcome'] as { ids: Record<string, unknown> }).ids);
      // A measurement for the record (the domain's batch, its site and mailboxes included).
      console.log(
        `mm migrate with ${ROWS} rows per database: ${Date.now() - started} ms; database outcomes ${JSON.stringify(ids)}`,
      );
      expect(ids.map((i) => [i['tables'], i['rows']])).toEqual([
        [2, ROWS + 3],
        [2, ROWS + 3],
      ]);
      expectSameDatabases();
      expect(await contentOutcomes(dataDir, MY_ID)).toEqual(['done']);
      expect(await contentOutcomes(dataDir, PG_ID)).toEqual(['done']);
      // No dump left on the node once restored.
      expect(await readdir(join(sandbox.dataDir, 'nodes', 'db', '.mm-dumps'))).toEqual([]);

      const dump = await postXmlRpc({ url: sandbox.poaUrl }, 'sandbox.dump', [{}]);
      const value = (dump.kind === 'value' ? dump.value : {}) as {
        content_databases?: { db_name: string; db_type: string; tables: number; rows: number }[];
      };
      expect(value.content_databases?.sort((a, b) => a.db_name.localeCompare(b.db_name))).toEqual([
        { db_name: PG_DB, db_type: 'postgresql', tables: 2, rows: ROWS + 3 },
        { db_name: MY_DB, db_type: 'mysql', tables: 2, rows: ROWS + 3 },
      ]);
    } finally {
      await sandbox.close();
    }
  }, 600_000);

  it('refuses database content with a clear message when the target has no database server', async () => {
    const { dataDir, sandbox } = await freshRun(source);
    try {
      const run = parseMigrate(await mm(dataDir, ['migrate', '--domains', DOMAIN, '--json']));
      // Failures name the step by its label: "data of database <name>".
      const failed = run.failures.filter((f) => f.step.startsWith('data of database '));
      expect(failed.map((f) => f.step).sort()).toEqual([
        `data of database ${PG_DB}`,
        `data of database ${MY_DB}`,
      ]);
      for (const f of failed) {
        expect(f.message).toContain('no db node');
        expect(f.message).toContain('mm target node add db');
        expect(f.message).toContain('--db-mysql-socket');
      }
      // Everything else migrated.
      expect(run.failures.length).toBe(failed.length);
    } finally {
      await sandbox.close();
    }
  }, 600_000);

  it('to a db node behind its own sshd, killed with SIGKILL mid-restore and run again: restored exactly once', async () => {
    const { dataDir, sandbox } = await freshRun(source);
    const nodeDir = await tempDir('mm-db-node-');
    try {
      await writeFile(join(nodeDir, DB_NODE_CONFIG), JSON.stringify(target.config));
      await mmOk(dataDir, [
        'target',
        'node',
        'add',
        'db',
        '--host',
        '127.0.0.1',
        '--port',
        String(nodeSshd.port),
        '--user',
        nodeSshd.user,
        '--key',
        nodeSshd.clientKeyPath,
        '--root',
        nodeDir,
        '--trust-new-host-key',
      ]);
      const restoring = join(nodeDir, '.mm-content', `${contentKey(MY_ID)}.restoring`);
      const child: ChildProcess = spawn(
        process.execPath,
        ['electron/cli/mm.mjs', 'migrate', '--domains', DOMAIN, '--json', '--data-dir', dataDir],
        { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let said = '';
      child.stdout?.on('data', (d: Buffer) => (said += d.toString()));
      child.stderr?.on('data', (d: Buffer) => (said += d.toString()));
      let exited = false;
      const closed = new Promise<void>((r) => child.once('close', () => ((exited = true), r())));
      let killed = false;
      while (!exited) {
        if (existsSync(restoring)) {
          child.kill('SIGKILL');
          killed = true;
          break;
        }
        await new Promise((r) => setTimeout(r, 5));
      }
      await closed;
      expect(
        killed,
        `the batch was killed while the MariaDB restore ran (it said: ${said.slice(-2000)})`,
      ).toBe(true);
      expect(existsSync(join(nodeDir, '.mm-content', contentKey(MY_ID)))).toBe(false);
      // The dump was verified and published before the restore began: the rerun restores it
      // again without moving its bytes again. Proof: the source's MariaDB is out of the agent's
      // reach for the rerun (a wrong password in debian.cnf), and the rerun still succeeds.
      expect(existsSync(join(nodeDir, '.mm-dumps', `${contentKey(MY_ID)}.verified`))).toBe(true);
      const cnf = join(source.root, 'etc/mysql/debian.cnf');
      const cnfText = await readFile(cnf, 'utf8');
      await writeFile(cnf, cnfText.replace(/^password = .*$/m, 'password = not-the-password'));
      const run = await (async () => {
        try {
          return parseMigrate(await mm(dataDir, ['migrate', '--domains', DOMAIN, '--json']));
        } finally {
          await writeFile(cnf, cnfText);
        }
      })();
      expect(run.failures).toEqual([]);
      expect(run.state).toBe('done');
      expectSameDatabases();
      // One successful outcome for the killed step; no in-progress mark or dump left.
      expect(await contentOutcomes(dataDir, MY_ID)).toEqual(['done']);
      expect(existsSync(restoring)).toBe(false);
      expect(await readdir(join(nodeDir, '.mm-dumps'))).toEqual([]);
      expect(await readdir(join(nodeDir, '.mm-staging'))).toEqual([]);
    } finally {
      await sandbox.close();
    }
  }, 600_000);
});
