/**
 * A database's evidence for the db check: its base tables, each table's exact row count and a
 * checksum of its rows, computed by the database server itself. The SAME SQL runs on the
 * source (the agent's `--extract=databaseEvidence`, agents/lib/MigrationAgent/DbEvidence.pm,
 * which builds these statements character for character) and on the target's db node (here,
 * through the node's own client, content/db-node.ts), so equal data gives equal checksums.
 *   PostgreSQL: md5 over the sorted md5s of each row's text form, in UTC / ISO dates / full
 *     float precision, so session settings cannot change a row's text.
 *   MySQL/MariaDB: the sum of a 60-bit slice of each row's MD5 (order-free) over every column
 *     and whether it is NULL, in UTC.
 */
import type { Transport } from '../agent/transport';
import { type DbNodeConfig, type DbType, clientArgv } from '../content/db-node';
import { MmError } from '../errors';
import type { TableFact } from './compare-db';

const pgIdent = (s: string): string => `"${s.replace(/"/g, '""')}"`;
const pgLit = (s: string): string => `'${s.replace(/'/g, "''")}'`;
const myIdent = (s: string): string => `\`${s.replace(/`/g, '``')}\``;
const myLit = (s: string): string => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;

export const PG_TABLES_SQL =
  "SELECT table_schema, table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2";

export const PG_SETTINGS =
  "SET TimeZone TO 'UTC'; SET DateStyle TO 'ISO, YMD'; SET extra_float_digits TO 3; ";

export function pgChecksumSql(tables: readonly (readonly [string, string])[]): string {
  return (
    PG_SETTINGS +
    tables
      .map(
        ([schema, name]) =>
          `SELECT ${pgLit(`${schema}.${name}`)}, count(*), coalesce(md5(string_agg(md5(t::text), '' ORDER BY md5(t::text))), '') FROM ${pgIdent(schema)}.${pgIdent(name)} t`,
      )
      .join(' UNION ALL ')
  );
}

export function mysqlColumnsSql(database: string): string {
  return `SELECT c.TABLE_NAME, c.COLUMN_NAME FROM information_schema.COLUMNS c JOIN information_schema.TABLES t ON t.TABLE_SCHEMA = c.TABLE_SCHEMA AND t.TABLE_NAME = c.TABLE_NAME WHERE c.TABLE_SCHEMA = ${myLit(database)} AND t.TABLE_TYPE = 'BASE TABLE' ORDER BY c.TABLE_NAME, c.ORDINAL_POSITION`;
}

export function mysqlChecksumSql(database: string, tables: ReadonlyMap<string, readonly string[]>): string {
  const one = (table: string, columns: readonly string[]): string => {
    const parts = columns.flatMap((c) => [`ISNULL(${myIdent(c)})`, myIdent(c)]).join(', ');
    return `SELECT ${myLit(table)}, COUNT(*), COALESCE(SUM(CAST(CONV(SUBSTRING(MD5(CONCAT_WS(0x1f, ${parts})), 1, 15), 16, 10) AS UNSIGNED)), 0) FROM ${myIdent(database)}.${myIdent(table)}`;
  };
  return `SET time_zone = '+00:00'; ${[...tables].map(([t, cols]) => one(t, cols)).join(' UNION ALL ')}`;
}

/** "table \t rows \t checksum" lines → facts. */
export function parseChecksums(out: string): Map<string, TableFact> {
  const facts = new Map<string, TableFact>();
  for (const line of out.split('\n')) {
    if (line.trim() === '') continue;
    const [table, rows, checksum] = line.split('\t');
    if (table === undefined || rows === undefined || checksum === undefined || !/^\d+$/.test(rows))
      throw new MmError('check-failed', `Unexpected line from the database: "${line.slice(0, 200)}"`, 'db');
    facts.set(table, { rows: Number(rows), checksum });
  }
  return facts;
}

async function sql(node: Transport, argv: readonly string[], what: string): Promise<string> {
  const r = await node.exec(argv, { timeoutMs: 60 * 60 * 1000 });
  if (r.code !== 0)
    throw new MmError(
      'check-failed',
      `${what} on ${node.label} failed (exit ${r.code}): ${r.stderr.trim().split('\n').slice(-2).join(' ') || 'no message'}`,
      what,
    );
  return r.stdout;
}

/** The tables of a database on the target's db node, with rows and checksums. */
export async function nodeDatabaseEvidence(
  node: Transport,
  config: DbNodeConfig,
  type: DbType,
  database: string,
): Promise<Map<string, TableFact>> {
  if (type === 'postgresql') {
    const client = [...clientArgv(config, 'postgresql', database), '-F', '\t'];
    const tables = (await sql(node, [...client, '-c', PG_TABLES_SQL], `Listing the tables of ${database}`))
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => l.split('\t') as [string, string]);
    if (tables.length === 0) return new Map();
    return parseChecksums(
      await sql(node, [...client, '-c', pgChecksumSql(tables)], `Checksumming ${database}`),
    );
  }
  const client = clientArgv(config, 'mysql');
  const columns = new Map<string, string[]>();
  for (const line of (
    await sql(node, [...client, '-e', mysqlColumnsSql(database)], `Listing the columns of ${database}`)
  ).split('\n')) {
    if (line === '') continue;
    const [table = '', column = ''] = line.split('\t');
    columns.set(table, [...(columns.get(table) ?? []), column]);
  }
  if (columns.size === 0) return new Map();
  return parseChecksums(
    await sql(node, [...client, '-e', mysqlChecksumSql(database, columns)], `Checksumming ${database}`),
  );
}

/**
 * The logins a database server on the db node knows: a database user the migration recreated
 * from its hash with the database's dump exists there, not in POA's list.
 */
export async function nodeDatabaseLogins(
  node: Transport,
  config: DbNodeConfig,
  type: DbType,
): Promise<string[]> {
  const out =
    type === 'postgresql'
      ? await sql(
          node,
          [...clientArgv(config, 'postgresql'), '-c', 'SELECT rolname FROM pg_roles'],
          'Listing the roles',
        )
      : await sql(
          node,
          [...clientArgv(config, 'mysql'), '-e', 'SELECT DISTINCT User FROM mysql.user'],
          'Listing the users',
        );
  return out.split('\n').filter((l) => l !== '');
}
