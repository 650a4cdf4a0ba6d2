/**
 * A database restored on the db node from its verified dump folder (the agent's tarball,
 * checked member by member and published as `<root>/.mm-dumps/<key>` by transferContent).
 *
 * Create-restore-and-mark, not a staging database and a rename: MariaDB has no RENAME
 * DATABASE (moving tables one by one leaves views, routines, triggers and events behind) and
 * on a real target POA has already made the (empty) database under its final name. So the
 * dump is restored into the database the plan names, with a mark on each side of it:
 *   - before: `<root>/.mm-content/<key>.restoring` — a crash after it means the database
 *     holds a partial restore of ours, which the next attempt drops and redoes;
 *   - after: `<root>/.mm-content/<key>`, the done marker (the manifest's SHA-256, tables and
 *     rows) — what a restarted batch asks the node about.
 * A database that holds tables without our `.restoring` mark was filled by someone else: it
 * is refused, never dropped. The whole restore runs under flock on the node, so a restore
 * orphaned by a killed manager (still running on the node) finishes or dies before the next
 * attempt looks at the database: never two restores into one database.
 * (PostgreSQL's own restore runs in one transaction too: a crash leaves nothing half there.)
 */
import { posix } from 'node:path';
import { Readable } from 'node:stream';
import type { Transport } from '../agent/transport';
import { MmError } from '../errors';
import {
  DESCRIPTION_MEMBER,
  type DbDescription,
  mysqlUsersSql,
  parseDescription,
  pgGrantsSql,
  pgRolesSql,
} from './db-description';
import {
  type DbNodeConfig,
  type DbType,
  clientArgv,
  myIdent,
  myLit,
  pgIdent,
  pgLit,
  pgRestoreArgv,
} from './db-node';
import { refuseForeignAccounts } from './db-users';
import { type ContentPlace, contentKey } from './layout';
import type { ContentMarker } from './transfer';

export interface DbPlaces {
  /** Where transferContent puts the verified dump folder (its marker: the dump is whole). */
  readonly dump: ContentPlace;
  /** The done marker: written last, after the restore, users and grants. */
  readonly done: string;
  readonly restoring: string;
  readonly lock: string;
}

export function dbPlaces(root: string, contentId: string): DbPlaces {
  const key = contentKey(contentId);
  return {
    dump: {
      staging: posix.join(root, '.mm-staging', key),
      final: posix.join(root, '.mm-dumps', key),
      marker: posix.join(root, '.mm-dumps', `${key}.verified`),
    },
    done: posix.join(root, '.mm-content', key),
    restoring: posix.join(root, '.mm-content', `${key}.restoring`),
    lock: posix.join(root, '.mm-content', `${key}.lock`),
  };
}

export interface TableCount {
  readonly table: string;
  readonly rows: number;
}

export interface DbMarker extends ContentMarker {
  readonly database: string;
  readonly type: DbType;
  readonly tables: number;
  readonly rows: number;
}

/** A shell word that stays one word, whatever it holds. */
export const shq = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
const cmd = (argv: readonly string[]): string => argv.map(shq).join(' ');

const RESTORE_TIMEOUT_MS = 24 * 60 * 60 * 1000;

async function run(node: Transport, argv: readonly string[], what: string, stdin?: string): Promise<string> {
  const r = await node.exec(argv, {
    timeoutMs: RESTORE_TIMEOUT_MS,
    ...(stdin !== undefined ? { stdin: Readable.from([Buffer.from(stdin)]) } : {}),
  });
  if (r.code !== 0)
    throw new MmError(
      'content-node-failed',
      `${what} on ${node.label} failed (exit ${r.code}): ${r.stderr.trim().split('\n').slice(-3).join(' ') || 'no message'}`,
      what,
    );
  return r.stdout;
}

/** Base tables and their exact row counts, by name. */
export async function countDatabase(
  node: Transport,
  config: DbNodeConfig,
  type: DbType,
  database: string,
): Promise<TableCount[]> {
  if (type === 'postgresql') {
    const sql =
      "SELECT table_schema || '.' || table_name, (xpath('/row/c/text()', query_to_xml(format('SELECT count(*) AS c FROM %I.%I', table_schema, table_name), false, true, '')))[1]::text " +
      "FROM information_schema.tables WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1";
    const out = await run(
      node,
      [...clientArgv(config, 'postgresql', database), '-F', '\t', '-c', sql],
      `Counting the rows of ${database}`,
    );
    return rows(out);
  }
  const names = await run(
    node,
    [
      ...clientArgv(config, 'mysql'),
      '-e',
      `SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = ${myLit(database)} AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME`,
    ],
    `Listing the tables of ${database}`,
  );
  const tables = names.split('\n').filter((t) => t !== '');
  if (tables.length === 0) return [];
  const sql = tables
    .map((t) => `SELECT ${myLit(t)}, COUNT(*) FROM ${myIdent(database)}.${myIdent(t)}`)
    .join(' UNION ALL ');
  return rows(
    await run(node, [...clientArgv(config, 'mysql'), '-e', sql], `Counting the rows of ${database}`),
  );
}

function rows(out: string): TableCount[] {
  return out
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => {
      const tab = l.lastIndexOf('\t');
      return { table: l.slice(0, tab), rows: Number(l.slice(tab + 1)) };
    });
}

/** The restore script: lock, refuse or redo, mark, create, restore, users and grants. */
function restoreScript(
  p: DbPlaces,
  config: DbNodeConfig,
  d: DbDescription,
  database: string,
  contentId: string,
): string {
  const dir = p.dump.final;
  const dump = posix.join(dir, d.dump);
  const refuse = (what: string): string =>
    `echo ${shq(`The database ${database} on this node already holds`)} "$n" ${shq(`${what} that this migration did not restore: it is not overwritten.`)} >&2; exit 3`;
  const lines = [
    'set -e',
    `mkdir -p -- ${shq(posix.dirname(p.done))}`,
    `exec 9>>${shq(p.lock)}`,
    'flock 9',
    // A restore orphaned by a killed manager finished while we waited: nothing to do.
    `if [ -e ${shq(p.done)} ]; then echo MM-ALREADY-DONE; exit 0; fi`,
  ];
  if (d.type === 'mysql') {
    const admin = (sql: string): string => `${cmd(clientArgv(config, 'mysql'))} -e ${shq(sql)}`;
    lines.push(
      `if [ -e ${shq(p.restoring)} ]; then ${admin(`DROP DATABASE IF EXISTS ${myIdent(database)}`)}; else`,
      `  n=$(${admin(`SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = ${myLit(database)}`)})`,
      `  if [ "$n" != 0 ]; then ${refuse('table(s)')}; fi`,
      'fi',
      `printf '%s\\n' ${shq(contentId)} > ${shq(p.restoring)}`,
      admin(`CREATE DATABASE IF NOT EXISTS ${myIdent(database)} CHARACTER SET utf8mb4`),
      `${cmd(clientArgv(config, 'mysql', database))} < ${shq(dump)}`,
      `${cmd(clientArgv(config, 'mysql'))} < ${shq(posix.join(dir, 'users.sql'))}`,
    );
  } else {
    const psql = (db: string, sql: string): string =>
      `${cmd(clientArgv(config, 'postgresql', db))} -c ${shq(sql)}`;
    lines.push(
      `e=$(${psql('postgres', `SELECT 1 FROM pg_database WHERE datname = ${pgLit(database)}`)})`,
      `if [ -e ${shq(p.restoring)} ]; then ${psql('postgres', `DROP DATABASE IF EXISTS ${pgIdent(database)} WITH (FORCE)`)}; e=; elif [ "$e" = 1 ]; then`,
      `  n=$(${psql(database, "SELECT count(*) FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog', 'information_schema')")})`,
      `  if [ "$n" != 0 ]; then ${refuse('table(s)')}; fi`,
      'fi',
      `printf '%s\\n' ${shq(contentId)} > ${shq(p.restoring)}`,
      `if [ "$e" != 1 ]; then ${psql('postgres', `CREATE DATABASE ${pgIdent(database)}`)}; fi`,
      `${cmd(clientArgv(config, 'postgresql'))} < ${shq(posix.join(dir, 'roles.sql'))}`,
      `${cmd(pgRestoreArgv(config, database))} < ${shq(dump)}`,
      `${cmd(clientArgv(config, 'postgresql'))} < ${shq(posix.join(dir, 'grants.sql'))}`,
    );
  }
  lines.push('echo MM-RESTORED');
  return lines.join('\n');
}

/** The done marker of a restored database, or undefined. */
export async function readDbMarker(node: Transport, p: DbPlaces): Promise<DbMarker | undefined> {
  const r = await node.exec(['cat', '--', p.done], { timeoutMs: 60_000 });
  if (r.code !== 0) return undefined;
  try {
    const m = JSON.parse(r.stdout) as DbMarker;
    return typeof m.manifestSha256 === 'string' && typeof m.tables === 'number' ? m : undefined;
  } catch {
    return undefined;
  }
}

export interface RestoreOptions {
  readonly node: Transport;
  readonly root: string;
  readonly config: DbNodeConfig;
  readonly contentId: string;
  /** The database the plan names on the target. */
  readonly database: string;
  /** The verified dump folder's marker (files, bytes, manifest SHA-256). */
  readonly verified: ContentMarker;
}

export async function restoreDatabase(o: RestoreOptions): Promise<DbMarker> {
  const { node, config } = o;
  const p = dbPlaces(o.root, o.contentId);
  const dir = p.dump.final;
  const d = parseDescription(
    await run(node, ['cat', '--', posix.join(dir, DESCRIPTION_MEMBER)], `Reading ${DESCRIPTION_MEMBER}`),
    o.contentId,
  );
  await refuseForeignAccounts(node, config, d, o.contentId);
  const write = (name: string, text: string): Promise<string> =>
    run(node, ['sh', '-c', 'cat > "$1"', 'sh', posix.join(dir, name)], `Writing ${name}`, text);
  if (d.type === 'mysql') await write('users.sql', mysqlUsersSql(d, o.database, o.contentId));
  else {
    await write('roles.sql', pgRolesSql(d, o.contentId));
    await write('grants.sql', pgGrantsSql(d, o.database));
  }
  await run(
    node,
    ['sh', '-c', restoreScript(p, config, d, o.database, o.contentId)],
    `Restoring ${o.database} from ${o.contentId}`,
  );
  const already = await readDbMarker(node, p);
  if (already && already.contentId === o.contentId) return already;
  const counts = await countDatabase(node, config, d.type, o.database);
  const marker: DbMarker = {
    ...o.verified,
    contentId: o.contentId,
    database: o.database,
    type: d.type,
    tables: counts.length,
    rows: counts.reduce((n, c) => n + c.rows, 0),
  };
  // Done marker, then the in-progress mark and the dump go (under the same lock).
  await run(
    node,
    [
      'sh',
      '-c',
      [
        'set -e',
        'exec 9>>"$5"',
        'flock 9',
        'printf "%s\\n" "$4" > "$1.tmp"',
        'mv -- "$1.tmp" "$1"',
        'rm -f -- "$2"',
        'rm -rf -- "$3" "$3.verified"',
      ].join('\n'),
      'sh',
      p.done,
      p.restoring,
      dir,
      JSON.stringify(marker),
      p.lock,
    ],
    `Marking ${o.database} restored`,
  );
  return marker;
}
