/**
 * Database re-sync on real parts: a real MariaDB and a real PostgreSQL as the source's servers
 * (the linux agent dumps them over a real sshd), a second pair behind the sandbox's own db
 * node. After the migration nothing needs moving: MariaDB's dump (mysqldump --skip-comments)
 * is the same while the data is, and PostgreSQL's (whose custom-format dump carries its
 * creation time) is not even taken while its tables, row counts and checksums on the source
 * are the db node's. A row inserted on the source makes `mm resync` dump and restore exactly
 * that database again — the other one is left alone, the counts say so — after which every
 * table on the target has the source's rows and checksums; a second pass finds nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResyncResult } from '../../shared/model/cutover';
import { configureDbNode } from '../../electron/sandbox/nodes';
import type { RunningSandbox } from '../../electron/sandbox/sandbox';
import {
  MY_DB,
  PG_DB,
  type SourceDatabases,
  type TargetDatabases,
  mysqlTables,
  pgTables,
  databasesWithSource,
} from '../content/db-env';
import { type PreparedSource, freshRun, mm, mmOk, parseMigrate } from '../migration/env';

/** acme's first domain: the linux agent attaches the owner's databases to it. */
const DOMAIN = 'acme-widgets.example';
const ROWS = 50;

describe('mm resync re-dumps a database that changed on the source', () => {
  let src: SourceDatabases;
  let target: TargetDatabases;
  let source: PreparedSource;
  let run: { dataDir: string; sandbox: RunningSandbox };

  beforeAll(async () => {
    ({ src, target, source } = await databasesWithSource(ROWS));
    run = await freshRun(source, { asyncMs: 20 });
    await configureDbNode(run.sandbox.dataDir, target.config);
    const migrate = parseMigrate(await mm(run.dataDir, ['migrate', '--domains', DOMAIN, '--json']));
    expect(migrate.failures).toEqual([]);
    expect(mysqlTables(target.maria, MY_DB)).toEqual(mysqlTables(src.maria, MY_DB));
    expect(pgTables(target.pg, PG_DB)).toEqual(pgTables(src.pg, PG_DB));
  }, 600_000);

  afterAll(async () => {
    await run?.sandbox.close();
    await source?.stop();
    await src?.stop();
    await target?.stop();
  });

  const resync = async (args: string[]): Promise<ResyncResult> =>
    JSON.parse(
      (await mmOk(run.dataDir, ['resync', '--json', '--domains', DOMAIN, ...args])).stdout,
    ) as ResyncResult;

  it('right after the migration neither database needs anything, PostgreSQL included', async () => {
    const r = await resync(['--dry-run']);
    expect(r.changes.databases).toBe(0);
    expect(r.skipped).toEqual([]);
    // A real pass too: PostgreSQL is compared by its evidence, not re-dumped and restored.
    const real = await resync([]);
    expect(real.changes.databases).toBe(0);
    expect(real.items.filter((i) => i.kind === 'database')).toEqual([]);
  }, 300_000);

  it('a row inserted on the source: the database is dumped and restored again, and matches', async () => {
    src.maria.sql(`INSERT INTO ${MY_DB}.products VALUES (4, 'Added for the cut-over', 1.00, NULL);`);
    const dry = await resync(['--dry-run']);
    expect(dry.changes).toMatchObject({ databases: 1, files: 0, messages: 0, deleted: 0 });
    expect(dry.items.filter((i) => i.kind === 'database').map((i) => i.changed)).toEqual([[MY_DB]]);
    expect(mysqlTables(target.maria, MY_DB).get('products')?.rows).toBe(3);

    const real = await resync([]);
    expect(real.changes.databases).toBe(1);
    expect(real.skipped).toEqual([]);
    const after = mysqlTables(target.maria, MY_DB);
    expect(after.get('products')?.rows).toBe(4);
    expect(after).toEqual(mysqlTables(src.maria, MY_DB));

    const again = await resync([]);
    expect(again.changes.databases).toBe(0);
  }, 300_000);

  it('a row inserted in PostgreSQL on the source: that database alone is restored again, and matches', async () => {
    src.pg.psql(`INSERT INTO contacts VALUES (900001, 'Added for the cut-over', NULL, NULL, NULL);`, PG_DB);
    const dry = await resync(['--dry-run']);
    expect(dry.changes).toMatchObject({ databases: 1, files: 0, messages: 0, deleted: 0 });
    expect(dry.items.filter((i) => i.kind === 'database').map((i) => i.changed)).toEqual([[PG_DB]]);
    expect(pgTables(target.pg, PG_DB).get('contacts')?.rows).toBe(ROWS);

    const real = await resync([]);
    expect(real.changes.databases).toBe(1);
    expect(real.skipped).toEqual([]);
    const after = pgTables(target.pg, PG_DB);
    expect(after.get('contacts')?.rows).toBe(ROWS + 1);
    expect(after).toEqual(pgTables(src.pg, PG_DB));

    const again = await resync([]);
    expect(again.changes.databases).toBe(0);
  }, 300_000);
});
