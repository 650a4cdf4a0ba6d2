/**
 * A database node: a machine reached like the other nodes (SSH, or this machine for the
 * sandbox) with a MariaDB/MySQL and/or a PostgreSQL on it. The manager never holds a database
 * password: it runs the servers' own clients ON the node as their administrator by socket
 * authentication (MariaDB's unix_socket for root, PostgreSQL's peer for postgres), the way
 * Debian's own maintenance scripts do. Where the servers listen is the node's file
 * `<root>/db-node.json` (written by whoever set the node up; the sandbox writes its own):
 *
 *   { "mysql": { "socket": "/run/mysqld/mysqld.sock", "user": "root" },
 *     "postgresql": { "host": "/var/run/postgresql", "port": 5432, "user": "postgres",
 *                     "osUser": "postgres" } }
 *
 * An engine missing from the file is an engine the node does not have: a database of that
 * type is refused with a message that says so.
 */
import { posix } from 'node:path';
import type { Transport } from '../agent/transport';
import { MmError } from '../errors';

export type DbType = 'mysql' | 'postgresql';

export interface MysqlAccess {
  readonly socket?: string;
  readonly host?: string;
  readonly port?: number;
  readonly user?: string;
  /** A MySQL option file on the node (e.g. /etc/mysql/debian.cnf) instead of socket auth. */
  readonly defaultsFile?: string;
}

export interface PostgresAccess {
  /** A socket directory or an address. */
  readonly host?: string;
  readonly port?: number;
  readonly user?: string;
  /** The system user psql runs as (peer authentication), through runuser. */
  readonly osUser?: string;
}

export interface DbNodeConfig {
  readonly mysql?: MysqlAccess;
  readonly postgresql?: PostgresAccess;
}

export const DB_NODE_CONFIG = 'db-node.json';

const isObj = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function optString(o: Record<string, unknown>, key: string, where: string): string | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v === '' || v.includes('\0'))
    throw new MmError('invalid-input', `${where}: "${key}" must be a non-empty string.`, where);
  return v;
}

function optPort(o: Record<string, unknown>, where: string): number | undefined {
  const v = o['port'];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 65535)
    throw new MmError('invalid-input', `${where}: "port" must be a port number.`, where);
  return v;
}

/** Checks a db-node.json text; `where` names the file in messages. */
export function parseDbNodeConfig(text: string, where: string): DbNodeConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new MmError('invalid-input', `${where} is not JSON: ${(e as Error).message}`, where);
  }
  if (!isObj(raw)) throw new MmError('invalid-input', `${where} must hold an object.`, where);
  const out: { mysql?: MysqlAccess; postgresql?: PostgresAccess } = {};
  const m = raw['mysql'];
  if (m !== undefined) {
    if (!isObj(m)) throw new MmError('invalid-input', `${where}: "mysql" must be an object.`, where);
    const w = `${where} (mysql)`;
    const socket = optString(m, 'socket', w);
    const host = optString(m, 'host', w);
    const port = optPort(m, w);
    const user = optString(m, 'user', w);
    const defaultsFile = optString(m, 'defaultsFile', w);
    out.mysql = {
      ...(socket ? { socket } : {}),
      ...(host ? { host } : {}),
      ...(port ? { port } : {}),
      ...(user ? { user } : {}),
      ...(defaultsFile ? { defaultsFile } : {}),
    };
  }
  const p = raw['postgresql'];
  if (p !== undefined) {
    if (!isObj(p)) throw new MmError('invalid-input', `${where}: "postgresql" must be an object.`, where);
    const w = `${where} (postgresql)`;
    const host = optString(p, 'host', w);
    const port = optPort(p, w);
    const user = optString(p, 'user', w);
    const osUser = optString(p, 'osUser', w);
    out.postgresql = {
      ...(host ? { host } : {}),
      ...(port ? { port } : {}),
      ...(user ? { user } : {}),
      ...(osUser ? { osUser } : {}),
    };
  }
  return out;
}

/** The node's db-node.json; an absent file is a node with no database server. */
export async function readDbNodeConfig(node: Transport, root: string): Promise<DbNodeConfig> {
  const file = posix.join(root, DB_NODE_CONFIG);
  const r = await node.exec(['cat', '--', file], { timeoutMs: 60_000 });
  if (r.code !== 0) return {};
  return parseDbNodeConfig(r.stdout, `${file} on ${node.label}`);
}

/** The argv of the type's SQL client on the node, connected to `database` (or none). */
export function clientArgv(config: DbNodeConfig, type: DbType, database?: string): string[] {
  if (type === 'mysql') {
    const m = config.mysql ?? {};
    return [
      'mysql',
      m.defaultsFile ? `--defaults-file=${m.defaultsFile}` : '--no-defaults',
      ...(m.socket ? [`--socket=${m.socket}`] : []),
      ...(m.host ? ['--protocol=TCP', `--host=${m.host}`] : []),
      ...(m.port ? [`--port=${m.port}`] : []),
      ...(m.defaultsFile && !m.user ? [] : [`--user=${m.user ?? 'root'}`]),
      '--batch',
      '--skip-column-names',
      '--default-character-set=utf8mb4',
      ...(database !== undefined ? [`--database=${database}`] : []),
    ];
  }
  return [
    ...pgPrefix(config),
    'psql',
    ...pgConn(config, database ?? 'postgres'),
    '-X',
    '-q',
    '-A',
    '-t',
  ].concat(['-v', 'ON_ERROR_STOP=1']);
}

function pgPrefix(config: DbNodeConfig): string[] {
  const os = config.postgresql?.osUser;
  return os ? ['runuser', '-u', os, '--'] : [];
}

function pgConn(config: DbNodeConfig, database: string): string[] {
  const p = config.postgresql ?? {};
  return [
    ...(p.host ? [`--host=${p.host}`] : []),
    ...(p.port ? [`--port=${p.port}`] : []),
    `--username=${p.user ?? 'postgres'}`,
    // A conninfo string, so that a name holding "=" is never read as one.
    `--dbname=dbname='${database.replace(/['\\]/g, (c) => `\\${c}`)}'`,
  ];
}

/**
 * pg_restore of a custom-format dump into `database`, in one transaction; the dump comes on
 * stdin (the shell opens it as root: the server's system user need not read the dump folder).
 */
export function pgRestoreArgv(config: DbNodeConfig, database: string): string[] {
  return [
    ...pgPrefix(config),
    'pg_restore',
    ...pgConn(config, database),
    '--no-password',
    '--exit-on-error',
    '--single-transaction',
  ];
}

/** The engine's access or a refusal naming the node and what to configure. */
export function requireEngine(config: DbNodeConfig, type: DbType, label: string): void {
  if (type === 'mysql' ? config.mysql : config.postgresql) return;
  const engine = type === 'mysql' ? 'MariaDB/MySQL' : 'PostgreSQL';
  throw new MmError(
    'node-not-configured',
    `${label} has no ${engine} server configured (its ${DB_NODE_CONFIG} names none), so ${engine} databases cannot be restored there. ` +
      `Register a db node that has one ("mm target node add db …"), or start the sandbox with ${type === 'mysql' ? '--db-mysql-socket' : '--db-postgres-host'}.`,
    type,
  );
}

/** A MySQL identifier in backquotes. */
export const myIdent = (s: string): string => `\`${s.replace(/`/g, '``')}\``;
/** A MySQL string literal (NO_BACKSLASH_ESCAPES or not: both escaped). */
export const myLit = (s: string): string => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
/** A PostgreSQL identifier in double quotes. */
export const pgIdent = (s: string): string => `"${s.replace(/"/g, '""')}"`;
/** A PostgreSQL string literal (standard_conforming_strings: no backslash escapes). */
export const pgLit = (s: string): string => `'${s.replace(/'/g, "''")}'`;

/** A database name a node accepts: what POA takes (letters, digits, underscore; 64 at most). */
export function checkDatabaseName(name: string, contentId: string): string {
  if (!/^[A-Za-z0-9_]{1,64}$/.test(name))
    throw new MmError(
      'content-refused',
      `Content ${contentId}: "${name}" is not a database name the target takes (letters, digits and _ only).`,
      contentId,
    );
  return name;
}
