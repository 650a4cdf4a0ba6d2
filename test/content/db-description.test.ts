/**
 * DATABASE.json from a source is data, never SQL: names are quoted whatever they hold, a
 * privilege outside the engine's list, a hash that is not a hash or an account the node
 * cannot recreate is refused naming the content id and what is wrong.
 */
import { describe, expect, it } from 'vitest';
import {
  mysqlUsersSql,
  parseDescription,
  pgGrantsSql,
  pgRolesSql,
} from '../../electron/core/content/db-description';

const ID = 'database:mysql:shop';
const HASH = `*${'A'.repeat(40)}`;

const my = (over: Record<string, unknown>): string =>
  JSON.stringify({ type: 'mysql', name: 'shop', dump: 'dump.sql', users: [], grants: [], ...over });

describe('DATABASE.json', () => {
  it('turns users and grants into quoted statements (a name cannot end the statement)', () => {
    const d = parseDescription(
      my({
        users: [{ login: "o'k`; DROP", host: '%', plugin: 'mysql_native_password', hash: HASH }],
        grants: [
          { login: "o'k`; DROP", host: '%', privileges: ['SELECT', 'LOCK TABLES'], grantable: true },
          { login: "o'k`; DROP", host: '%', table: 'we`ird', privileges: ['UPDATE'], grantable: false },
        ],
      }),
      ID,
    );
    expect(mysqlUsersSql(d, 'my_shop', ID).split('\n')).toEqual([
      "CREATE USER IF NOT EXISTS 'o''k`; DROP'@'%';",
      `ALTER USER 'o''k\`; DROP'@'%' IDENTIFIED VIA mysql_native_password USING '${HASH}';`,
      // _ is a wildcard in a GRANT's database name: escaped, so only this database is meant.
      "GRANT SELECT, LOCK TABLES ON `my\\_shop`.* TO 'o''k`; DROP'@'%' WITH GRANT OPTION;",
      "GRANT UPDATE ON `my_shop`.`we``ird` TO 'o''k`; DROP'@'%';",
      'FLUSH PRIVILEGES;',
      '',
    ]);
  });

  it('refuses a privilege that is not the engine’s, naming it', () => {
    expect(() =>
      parseDescription(
        my({ grants: [{ login: 'u', privileges: ['SELECT; DROP TABLE x'], grantable: false }] }),
        ID,
      ),
    ).toThrow(
      `Content ${ID}: DATABASE.json grants "SELECT; DROP TABLE x", which is not a mysql privilege it may carry.`,
    );
    expect(() =>
      parseDescription(
        JSON.stringify({
          type: 'postgresql',
          name: 'crm',
          dump: 'dump.pgc',
          grants: [{ login: 'u', privileges: ['SUPERUSER'] }],
        }),
        'database:postgresql:crm',
      ),
    ).toThrow(/grants "SUPERUSER", which is not a postgresql privilege/);
  });

  it('refuses an account it cannot recreate and a PostgreSQL password that is not a hash', () => {
    const d = parseDescription(
      my({ users: [{ login: 'u', host: 'localhost', plugin: 'caching_sha2_password', hash: 'x' }] }),
      ID,
    );
    expect(() => mysqlUsersSql(d, 'shop', ID)).toThrow(
      `Content ${ID}: database user u@localhost authenticates with "caching_sha2_password", which the db node cannot recreate.`,
    );
    const pg = parseDescription(
      JSON.stringify({
        type: 'postgresql',
        name: 'crm',
        dump: 'dump.pgc',
        users: [{ login: 'app', hash: 'plain-secret' }],
      }),
      'database:postgresql:crm',
    );
    expect(() => pgRolesSql(pg, 'database:postgresql:crm')).toThrow(
      /is not a SCRAM-SHA-256 or md5 hash: it is never sent as plain text/,
    );
  });

  it('quotes PostgreSQL roles and the database in the owner and grant statements', () => {
    const d = parseDescription(
      JSON.stringify({
        type: 'postgresql',
        name: 'crm',
        dump: 'dump.pgc',
        owner: 'Ow"ner',
        users: [{ login: "a'b", hash: `md5${'0'.repeat(32)}` }],
        grants: [{ login: "a'b", privileges: ['CONNECT'], grantable: false }],
      }),
      'database:postgresql:crm',
    );
    expect(pgRolesSql(d, 'database:postgresql:crm')).toBe(
      "SELECT format('CREATE ROLE %I LOGIN', 'a''b') WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'a''b')\\gexec\n" +
        `ALTER ROLE "a'b" LOGIN PASSWORD 'md5${'0'.repeat(32)}';\n`,
    );
    expect(pgGrantsSql(d, 'my"crm')).toBe(
      'ALTER DATABASE "my""crm" OWNER TO "Ow""ner";\nGRANT CONNECT ON DATABASE "my""crm" TO "a\'b";\n',
    );
  });

  it('refuses a dump member it does not expect and a type it does not know', () => {
    expect(() => parseDescription(my({ dump: '../etc/passwd' }), ID)).toThrow(
      `Content ${ID}: DATABASE.json names the dump "../etc/passwd".`,
    );
    expect(() => parseDescription(my({ type: 'mssql' }), ID)).toThrow(
      `Content ${ID}: DATABASE.json names type "mssql".`,
    );
  });
});
