/**
 * A user a database brings that already exists on the db node with another password belongs
 * to someone else: the restore refuses it, naming it, and leaves it as it was. Real target
 * servers, administered by socket authentication as the db node is.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localTransport } from '../../electron/core/agent/local-transport';
import { parseDescription } from '../../electron/core/content/db-description';
import { foreignAccounts, refuseForeignAccounts } from '../../electron/core/content/db-users';
import { type TargetDatabases, mysqlLogin, pgLogin, pgSuper, startTargetDatabases } from './db-env';

let target: TargetDatabases;

beforeAll(async () => {
  target = await startTargetDatabases();
}, 180_000);

afterAll(async () => {
  await target?.stop();
});

/** MySQL 4.1+ PASSWORD(): '*' and the upper-case hex SHA1 of the SHA1 of the password. */
const mysql41 = (pw: string): string =>
  `*${createHash('sha1').update(createHash('sha1').update(pw).digest()).digest('hex').toUpperCase()}`;

describe('database users already on the db node', () => {
  it('MariaDB: an account with another password is refused and untouched; the same hash is no conflict', async () => {
    const node = localTransport();
    target.maria.sql("CREATE USER 'shop_ro'@'localhost' IDENTIFIED BY 'someone-elses';");
    const d = (hash: string) =>
      parseDescription(
        JSON.stringify({
          type: 'mysql',
          name: 'shop',
          dump: 'dump.sql',
          users: [
            { login: 'shop_ro', host: 'localhost', plugin: 'mysql_native_password', hash },
            { login: 'shop_new', host: '%', plugin: 'mysql_native_password', hash },
          ],
        }),
        'database:mysql:shop',
      );
    expect(await foreignAccounts(node, target.config, d(mysql41('mine')))).toEqual(['shop_ro@localhost']);
    await expect(
      refuseForeignAccounts(node, target.config, d(mysql41('mine')), 'database:mysql:shop'),
    ).rejects.toThrow(
      /database user\(s\) shop_ro@localhost already exist on local with another password: they are not changed/,
    );
    // Still its owner's.
    expect(
      mysqlLogin(
        target.maria,
        { login: 'shop_ro', host: 'localhost', password: 'someone-elses' },
        'SELECT 1',
      ).trim(),
    ).toBe('1');
    expect(await foreignAccounts(node, target.config, d(mysql41('someone-elses')))).toEqual([]);
  }, 60_000);

  it('PostgreSQL: a role with another password is refused and untouched', async () => {
    const node = localTransport();
    pgSuper(target.pg, "CREATE ROLE crm_ro LOGIN PASSWORD 'someone-elses'");
    const d = parseDescription(
      JSON.stringify({
        type: 'postgresql',
        name: 'crm',
        dump: 'dump.pgc',
        users: [
          { login: 'crm_ro', hash: `md5${createHash('md5').update('minecrm_ro').digest('hex')}` },
          { login: 'crm_new' },
        ],
      }),
      'database:postgresql:crm',
    );
    expect(await foreignAccounts(node, target.config, d)).toEqual(['crm_ro']);
    expect(
      pgLogin(target.pg, { login: 'crm_ro', password: 'someone-elses' }, 'postgres', 'SELECT 1').trim(),
    ).toBe('1');
  }, 60_000);
});
