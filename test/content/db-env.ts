/**
 * Database content tests' real parts: a MariaDB and a PostgreSQL as the SOURCE's servers
 * (seeded here with tables, rows, users with passwords and grants; the agent reaches them
 * through the layout's /etc/mysql/debian.cnf and /etc/mm/pg_service.conf), and a MariaDB and
 * a PostgreSQL as the TARGET db node's, administered by socket authentication only (root by
 * unix_socket, postgres by peer) as db-node.json describes. Tables are compared by row count
 * and a SHA-256 over every row; users by logging in with their original passwords; grants
 * by their (grantee, privilege) sets.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { DbNodeConfig } from '../../electron/core/content/db-node';
import { type MariaDb, startMariaDb } from '../helpers/mariadb';
import { type Postgres, startPostgres } from '../helpers/postgres';
import { type PreparedSource, prepareSource } from '../migration/env';

export const MY_DB = 'acme_shop';
export const PG_DB = 'acme_crm';
/** Passwords the source's users log in with (and must still log in with on the target). */
export const USERS = {
  mysqlRw: { login: 'acme_shop_rw', host: '%', password: `Rw'pw-${process.pid}"x` },
  mysqlRo: { login: 'acme_ro', host: 'localhost', password: 'ro-Pass-42' },
  pgApp: { login: 'acme_crm_app', password: `app-pw'$;${process.pid}` },
  pgRo: { login: 'acme_crm_ro', password: 'ro-crm-pw' },
} as const;

const myLit = (s: string): string => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
const pgLit = (s: string): string => `'${s.replace(/'/g, "''")}'`;

export interface SourceDatabases {
  readonly maria: MariaDb;
  readonly pg: Postgres;
  /** Writes the agent's access files into a source layout. */
  configure(root: string): void;
  stop(): Promise<void>;
}

/** `rows` orders in MariaDB and contacts in PostgreSQL (a large count makes a slow restore). */
export async function startSourceDatabases(rows: number): Promise<SourceDatabases> {
  const [maria, pg] = await Promise.all([
    startMariaDb(),
    startPostgres({ database: PG_DB, user: USERS.pgApp.login, password: USERS.pgApp.password }),
  ]);
  const { mysqlRw, mysqlRo } = USERS;
  maria.sql(
    [
      `CREATE DATABASE ${MY_DB} CHARACTER SET utf8mb4;`,
      `USE ${MY_DB};`,
      'CREATE TABLE products (id INT PRIMARY KEY, name VARCHAR(100) NOT NULL, price DECIMAL(10,2), photo BLOB) ENGINE=InnoDB;',
      "INSERT INTO products VALUES (1, 'Widget – groß', 9.99, UNHEX('00FF10275C27')), (2, 'Gadget \"quoted\"', NULL, NULL), (3, 'Tab\\there', 0.5, '');",
      'CREATE TABLE orders (id INT PRIMARY KEY, product INT, qty INT, note VARCHAR(64), KEY (product)) ENGINE=InnoDB;',
      'SET SESSION max_recursive_iterations = 100000000;',
      `INSERT INTO orders WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${rows}) SELECT i, 1 + i % 3, i % 17, CONCAT('order ', i, REPEAT('x', i % 40)) FROM n;`,
      'CREATE VIEW big_orders AS SELECT id, qty FROM orders WHERE qty > 10;',
      'CREATE TRIGGER orders_qty BEFORE INSERT ON orders FOR EACH ROW SET NEW.qty = GREATEST(NEW.qty, 0);',
      `CREATE USER '${mysqlRw.login}'@'${mysqlRw.host}' IDENTIFIED BY ${myLit(mysqlRw.password)};`,
      `GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, INDEX ON \`acme\\_shop\`.* TO '${mysqlRw.login}'@'${mysqlRw.host}';`,
      `CREATE USER '${mysqlRo.login}'@'${mysqlRo.host}' IDENTIFIED BY ${myLit(mysqlRo.password)};`,
      `GRANT SELECT ON ${MY_DB}.products TO '${mysqlRo.login}'@'${mysqlRo.host}';`,
      // Another customer's database and user: not part of acme's content.
      'CREATE DATABASE other_db; CREATE TABLE other_db.t (i INT); INSERT INTO other_db.t VALUES (1);',
      "CREATE USER 'other'@'%' IDENTIFIED BY 'other-pw'; GRANT ALL ON other_db.* TO 'other'@'%';",
    ].join('\n'),
  );
  pg.psql(
    [
      'CREATE TABLE contacts (id int PRIMARY KEY, name text NOT NULL, email text, born date, tags text[]);',
      `INSERT INTO contacts SELECT i, 'Contact ' || i || repeat('ä', i % 7), 'c' || i || '@example.test', date '1970-01-01' + i % 9000, ARRAY['a', 'b' || i % 3] FROM generate_series(1, ${rows}) i;`,
      'CREATE TABLE notes (id serial PRIMARY KEY, contact int REFERENCES contacts(id), body text);',
      "INSERT INTO notes (contact, body) VALUES (1, E'line\\nbreak'), (2, 'quote '' here'), (3, NULL);",
      "CREATE VIEW recent AS SELECT id, name FROM contacts WHERE born > date '1990-01-01';",
    ].join('\n'),
  );
  // A second login role that may connect and read contacts (the superuser grants it).
  const superPsql = (sql: string, db = 'postgres'): string =>
    execFileSync(
      'psql',
      [
        '-X',
        '-q',
        '-v',
        'ON_ERROR_STOP=1',
        '-h',
        '127.0.0.1',
        '-p',
        String(pg.port),
        '-U',
        'postgres',
        '-d',
        db,
      ],
      {
        input: sql,
        env: { ...process.env, PGPASSWORD: 'super-secret' },
        encoding: 'utf8',
      },
    );
  superPsql(
    `CREATE ROLE ${USERS.pgRo.login} LOGIN PASSWORD ${pgLit(USERS.pgRo.password)};\n` +
      `GRANT CONNECT ON DATABASE ${PG_DB} TO ${USERS.pgRo.login};\n` +
      `CREATE DATABASE other_crm;\n`,
  );
  pg.psql(`GRANT SELECT ON contacts, recent TO ${USERS.pgRo.login};\n`);
  return {
    maria,
    pg,
    configure(root: string): void {
      mkdirSync(join(root, 'etc/mysql'), { recursive: true });
      writeFileSync(
        join(root, 'etc/mysql/debian.cnf'),
        `[client]\nhost = 127.0.0.1\nport = ${maria.port}\nuser = ${maria.user}\npassword = ${maria.password}\n`,
        { mode: 0o600 },
      );
      mkdirSync(join(root, 'etc/mm'), { recursive: true });
      writeFileSync(join(root, 'etc/mm/pgpass'), `127.0.0.1:${pg.port}:*:postgres:super-secret\n`, {
        mode: 0o600,
      });
      writeFileSync(
        join(root, 'etc/mm/pg_service.conf'),
        `[mm]\nhost=127.0.0.1\nport=${pg.port}\nuser=postgres\ndbname=postgres\npassfile=${join(root, 'etc/mm/pgpass')}\n`,
        { mode: 0o600 },
      );
    },
    stop: async () => {
      await Promise.all([maria.stop(), pg.stop()]);
    },
  };
}

export interface TargetDatabases {
  readonly maria: MariaDb;
  readonly pg: Postgres;
  /** What the db node's db-node.json says: sockets, socket authentication, no password. */
  readonly config: DbNodeConfig;
  stop(): Promise<void>;
}

/** The db node's servers: administered by socket authentication only. */
export async function startTargetDatabases(): Promise<TargetDatabases> {
  const [maria, pg] = await Promise.all([startMariaDb(), startPostgres({ database: 'unused' })]);
  // root over the socket by unix_socket (the manager runs as root on the node); the test keeps
  // its password login over TCP from 127.0.0.1 to look inside.
  maria.sql("ALTER USER 'root'@'localhost' IDENTIFIED VIA unix_socket;\nFLUSH PRIVILEGES;\n");
  // postgres over the socket by peer authentication, first in pg_hba.conf.
  const data = join(dirname(pg.socketDir), 'data');
  const hba = join(data, 'pg_hba.conf');
  writeFileSync(hba, `local all postgres peer\n${readFileSync(hba, 'utf8')}`);
  const pid = Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
  process.kill(pid, 'SIGHUP');
  await new Promise((r) => setTimeout(r, 500));
  return {
    maria,
    pg,
    config: {
      mysql: { socket: maria.socket, user: 'root' },
      postgresql: { host: pg.socketDir, port: pg.port, user: 'postgres', osUser: 'postgres' },
    },
    stop: async () => {
      await Promise.all([maria.stop(), pg.stop()]);
    },
  };
}

export interface TableCheck {
  readonly rows: number;
  readonly sha256: string;
}

/** MariaDB: per base table, its rows and a SHA-256 over every row's columns (hex, NULL marked). */
export function mysqlTables(maria: MariaDb, db: string): Map<string, TableCheck> {
  const out = new Map<string, TableCheck>();
  const tables = maria
    .sql(
      `SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = ${myLit(db)} AND TABLE_TYPE = 'BASE TABLE' ORDER BY 1`,
    )
    .split('\n')
    .filter(Boolean);
  for (const t of tables) {
    const cols = maria
      .sql(
        `SELECT COLUMN_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ${myLit(db)} AND TABLE_NAME = ${myLit(t)} ORDER BY ORDINAL_POSITION`,
      )
      .split('\n')
      .filter(Boolean);
    const row = `SHA2(CONCAT_WS('|', ${cols.map((c) => `IFNULL(HEX(\`${c}\`), 'N')`).join(', ')}), 256)`;
    const [rows, sha] = maria
      .sql(
        `SET SESSION group_concat_max_len = 1073741824; SELECT COUNT(*), SHA2(GROUP_CONCAT(${row} ORDER BY ${row} SEPARATOR ''), 256) FROM \`${db}\`.\`${t}\`;`,
      )
      .trim()
      .split('\t');
    out.set(t, { rows: Number(rows), sha256: sha ?? '' });
  }
  return out;
}

/** PostgreSQL: per base table, its rows and a SHA-256 over every row's text form. */
export function pgTables(pg: Postgres, db: string, asSuper = true): Map<string, TableCheck> {
  const run = (sql: string): string =>
    execFileSync(
      'psql',
      [
        '-X',
        '-q',
        '-A',
        '-t',
        '-F',
        '\t',
        '-v',
        'ON_ERROR_STOP=1',
        '-h',
        '127.0.0.1',
        '-p',
        String(pg.port),
        '-U',
        asSuper ? 'postgres' : pg.user,
        '-d',
        db,
      ],
      {
        input: sql,
        env: { ...process.env, PGPASSWORD: asSuper ? 'super-secret' : pg.password },
        encoding: 'utf8',
      },
    );
  const out = new Map<string, TableCheck>();
  const tables = run(
    "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1;",
  )
    .split('\n')
    .filter(Boolean);
  for (const t of tables) {
    const [rows, sha] = run(
      `SELECT count(*), encode(sha256(convert_to(coalesce(string_agg(x::text, '|' ORDER BY x::text), ''), 'UTF8')), 'hex') FROM public."${t}" x;`,
    )
      .trim()
      .split('\t');
    out.set(t, { rows: Number(rows), sha256: sha ?? '' });
  }
  return out;
}

/** MariaDB: (grantee, privilege, grantable) on the database and (grantee, table, privilege) in it. */
export function mysqlGrants(maria: MariaDb, db: string): string[] {
  const schema = maria
    .sql(
      `SELECT GRANTEE, PRIVILEGE_TYPE, IS_GRANTABLE FROM information_schema.SCHEMA_PRIVILEGES WHERE ${myLit(db)} LIKE TABLE_SCHEMA ORDER BY 1, 2`,
    )
    .split('\n')
    .filter(Boolean);
  const tables = maria
    .sql(
      `SELECT GRANTEE, TABLE_NAME, PRIVILEGE_TYPE, IS_GRANTABLE FROM information_schema.TABLE_PRIVILEGES WHERE TABLE_SCHEMA = ${myLit(db)} ORDER BY 1, 2, 3`,
    )
    .split('\n')
    .filter(Boolean);
  return [...schema.map((l) => `db ${l}`), ...tables.map((l) => `table ${l}`)];
}

/** PostgreSQL: the database's and its tables' ACL entries (grantee, privilege), grantors aside. */
export function pgGrants(pg: Postgres, db: string): string[] {
  const run = (sql: string, d: string): string =>
    execFileSync(
      'psql',
      [
        '-X',
        '-q',
        '-A',
        '-t',
        '-v',
        'ON_ERROR_STOP=1',
        '-h',
        '127.0.0.1',
        '-p',
        String(pg.port),
        '-U',
        'postgres',
        '-d',
        d,
      ],
      {
        input: sql,
        env: { ...process.env, PGPASSWORD: 'super-secret' },
        encoding: 'utf8',
      },
    );
  const dbAcl = run(
    `SELECT 'db ' || coalesce(r.rolname, 'PUBLIC') || ' ' || x.privilege_type FROM pg_database d CROSS JOIN LATERAL aclexplode(coalesce(d.datacl, acldefault('d', d.datdba))) x LEFT JOIN pg_roles r ON r.oid = x.grantee WHERE d.datname = ${pgLit(db)} ORDER BY 1;`,
    'postgres',
  );
  const tableAcl = run(
    "SELECT 'table ' || c.relname || ' ' || coalesce(r.rolname, 'PUBLIC') || ' ' || x.privilege_type FROM pg_class c CROSS JOIN LATERAL aclexplode(coalesce(c.relacl, acldefault('r', c.relowner))) x LEFT JOIN pg_roles r ON r.oid = x.grantee WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'v') ORDER BY 1;",
    db,
  );
  return `${dbAcl}${tableAcl}`.split('\n').filter(Boolean);
}

/** SQL as PostgreSQL's superuser over TCP (the helper's own user cannot make roles). */
export function pgSuper(pg: Postgres, sql: string, db = 'postgres'): string {
  return execFileSync(
    'psql',
    [
      '-X',
      '-q',
      '-v',
      'ON_ERROR_STOP=1',
      '-h',
      '127.0.0.1',
      '-p',
      String(pg.port),
      '-U',
      'postgres',
      '-d',
      db,
      '-c',
      sql,
    ],
    {
      env: { ...process.env, PGPASSWORD: 'super-secret' },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
}

/** A MariaDB login with a user's own password; returns the query's output. */
export function mysqlLogin(
  maria: MariaDb,
  user: { login: string; host: string; password: string },
  sql: string,
): string {
  const via =
    user.host === 'localhost'
      ? [`--socket=${maria.socket}`]
      : ['--protocol=TCP', '-h', '127.0.0.1', '-P', String(maria.port)];
  return execFileSync(
    'mariadb',
    [
      '--no-defaults',
      ...via,
      `-u${user.login}`,
      `--password=${user.password}`,
      '--batch',
      '--skip-column-names',
      '-e',
      sql,
    ],
    {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
}

/** A PostgreSQL login (SCRAM over TCP) with a role's own password. */
export function pgLogin(
  pg: Postgres,
  user: { login: string; password: string },
  db: string,
  sql: string,
): string {
  return execFileSync(
    'psql',
    [
      '-X',
      '-q',
      '-A',
      '-t',
      '-v',
      'ON_ERROR_STOP=1',
      '-h',
      '127.0.0.1',
      '-p',
      String(pg.port),
      '-U',
      user.login,
      '-d',
      db,
      '-c',
      sql,
    ],
    {
      env: { ...process.env, PGPASSWORD: user.password },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
}

/**
 * The source's and the target's database servers and the demo source prepared beside them, all
 * started at once: the source layout's sshd and demo tree are made while the servers start, and
 * the inventory waits for the source's servers only (their access files go into the layout, so
 * the agent offers acme's MySQL and PostgreSQL databases). The post-migration checks are off:
 * test/checks/checks-db runs them itself, and nothing else here asserts them.
 */
export async function databasesWithSource(
  rows: number,
): Promise<{ src: SourceDatabases; target: TargetDatabases; source: PreparedSource }> {
  const starting = startSourceDatabases(rows);
  const [src, target, source] = await Promise.all([
    starting,
    startTargetDatabases(),
    prepareSource({
      checksAfterBatch: false,
      beforeInventory: async (root) => (await starting).configure(root),
    }),
  ]);
  return { src, target, source };
}
