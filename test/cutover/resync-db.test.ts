/**
 * Database re-sync on real parts: a real MariaDB as the source's server (the linux agent dumps
 * it over a real sshd), a second MariaDB behind the sandbox's own db node. After the migration
 * nothing needs moving (mysqldump --skip-comments is the same dump while the data is); a row
 * inserted on the source makes `mm resync` dump and restore exactly that database again, after
 * which every table on the target has the source's rows and checksums; a second pass finds
 * nothing. (PostgreSQL is left out here: its custom-format dump carries its creation time, so
 * every real pass restores it again, as the service says.)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResyncResult } from '../../shared/model/cutover';
import { configureDbNode } from '../../electron/sandbox/nodes';
import type { RunningSandbox } from '../../electron/sandbox/sandbox';
import {
  MY_DB,
  type SourceDatabases,
  type TargetDatabases,
  mysqlTables,
  startSourceDatabases,
  startTargetDatabases,
} from '../content/db-env';
import { type PreparedSource, freshRun, mm, mmOk, parseMigrate, prepareSource } from '../migration/env';

/** acme's first domain: the linux agent attaches the owner's databases to it. */
const DOMAIN = 'acme-widgets.example';
const ROWS = 50;

describe('mm resync re-dumps a database that changed on the source', () => {
  let src: SourceDatabases;
  let target: TargetDatabases;
  let source: PreparedSource;
  let run: { dataDir: string; sandbox: RunningSandbox };

  beforeAll(async () => {
    [src, target] = await Promise.all([startSourceDatabases(ROWS), startTargetDatabases()]);
    // Only MariaDB's access file: the agent then offers the MySQL database alone.
    source = await prepareSource({
      beforeInventory: async (root) => {
        mkdirSync(join(root, 'etc/mysql'), { recursive: true });
        writeFileSync(
          join(root, 'etc/mysql/debian.cnf'),
          `[client]\nhost = 127.0.0.1\nport = ${src.maria.port}\nuser = ${src.maria.user}\npassword = ${src.maria.password}\n`,
          { mode: 0o600 },
        );
      },
    });
    run = await freshRun(source, { asyncMs: 20 });
    await configureDbNode(run.sandbox.dataDir, target.config);
    const migrate = parseMigrate(await mm(run.dataDir, ['migrate', '--domains', DOMAIN, '--json']));
    expect(migrate.failures).toEqual([]);
    expect(mysqlTables(target.maria, MY_DB)).toEqual(mysqlTables(src.maria, MY_DB));
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

  it('right after the migration the database needs nothing', async () => {
    const r = await resync(['--dry-run']);
    expect(r.changes.databases).toBe(0);
    expect(r.skipped).toEqual([]);
  });

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
  });
});
