/**
 * DATABASE.json, the agent's description beside a database's dump (agents/lib/MigrationAgent/
 * DbDump.pm): the users with their password hashes and their grants, as data. The node never
 * runs SQL text that came from the source: the statements are built here, every name quoted
 * and every privilege checked against the engine's list, every hash checked for its form.
 */
import { MmError } from '../errors';
import { type DbType, myIdent, myLit, pgIdent, pgLit } from './db-node';

export interface DbUser {
  readonly login: string;
  /** MySQL: the account's host part. */
  readonly host?: string;
  /** MySQL: the authentication plugin. */
  readonly plugin?: string;
  /** The password hash as the source server stores it; none: no password. */
  readonly hash?: string;
}

export interface DbGrant {
  readonly login: string;
  readonly host?: string;
  /** MySQL: a table of the database; none: the whole database. */
  readonly table?: string;
  readonly privileges: readonly string[];
  readonly grantable: boolean;
}

export interface DbDescription {
  readonly type: DbType;
  readonly name: string;
  /** The dump's member name: dump.sql (mysql) or dump.pgc (postgresql, custom format). */
  readonly dump: string;
  readonly users: readonly DbUser[];
  readonly grants: readonly DbGrant[];
  /** PostgreSQL: the database's owner on the source. */
  readonly owner?: string;
}

export const DESCRIPTION_MEMBER = 'DATABASE.json';

const MYSQL_PRIVILEGES = new Set([
  'SELECT',
  'INSERT',
  'UPDATE',
  'DELETE',
  'CREATE',
  'DROP',
  'REFERENCES',
  'INDEX',
  'ALTER',
  'CREATE TEMPORARY TABLES',
  'LOCK TABLES',
  'CREATE VIEW',
  'SHOW VIEW',
  'CREATE ROUTINE',
  'ALTER ROUTINE',
  'EXECUTE',
  'EVENT',
  'TRIGGER',
  'DELETE HISTORY',
]);
const PG_DATABASE_PRIVILEGES = new Set(['CONNECT', 'CREATE', 'TEMPORARY']);
/** Plugins whose stored value is a hash the node can take as it is. */
const MYSQL_HASH_PLUGINS = new Set(['mysql_native_password', 'mysql_old_password', 'ed25519']);

const isObj = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

export function parseDescription(text: string, contentId: string): DbDescription {
  const bad = (what: string): MmError =>
    new MmError('content-refused', `Content ${contentId}: ${DESCRIPTION_MEMBER} ${what}.`, contentId);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw bad('is not JSON');
  }
  if (!isObj(raw)) throw bad('is not an object');
  const str = (o: Record<string, unknown>, k: string, where: string): string => {
    const v = o[k];
    if (typeof v !== 'string' || v === '' || v.includes('\0')) throw bad(`has no valid "${k}" in ${where}`);
    return v;
  };
  const optStr = (o: Record<string, unknown>, k: string, where: string): string | undefined =>
    o[k] === undefined || o[k] === null ? undefined : str(o, k, where);
  const type = raw['type'];
  if (type !== 'mysql' && type !== 'postgresql') throw bad(`names type "${String(type)}"`);
  const dump = str(raw, 'dump', 'the database');
  if (dump !== (type === 'mysql' ? 'dump.sql' : 'dump.pgc')) throw bad(`names the dump "${dump}"`);
  const list = (k: string): Record<string, unknown>[] => {
    const v = raw[k] ?? [];
    if (!Array.isArray(v) || !v.every(isObj)) throw bad(`has "${k}" that is not a list of objects`);
    return v;
  };
  const users = list('users').map((u, i): DbUser => {
    const where = `user ${i + 1}`;
    const host = optStr(u, 'host', where);
    const plugin = optStr(u, 'plugin', where);
    const hash = optStr(u, 'hash', where);
    return {
      login: str(u, 'login', where),
      ...(host !== undefined ? { host } : {}),
      ...(plugin !== undefined ? { plugin } : {}),
      ...(hash !== undefined ? { hash } : {}),
    };
  });
  const grants = list('grants').map((g, i): DbGrant => {
    const where = `grant ${i + 1}`;
    const privileges = g['privileges'];
    if (!Array.isArray(privileges) || !privileges.every((p) => typeof p === 'string'))
      throw bad(`has privileges that are not a list of names in ${where}`);
    const allowed = type === 'mysql' ? MYSQL_PRIVILEGES : PG_DATABASE_PRIVILEGES;
    const unknown = privileges.find((p) => !allowed.has(p));
    if (unknown !== undefined)
      throw bad(`grants "${unknown}", which is not a ${type} privilege it may carry`);
    const host = optStr(g, 'host', where);
    const table = optStr(g, 'table', where);
    return {
      login: str(g, 'login', where),
      ...(host !== undefined ? { host } : {}),
      ...(table !== undefined ? { table } : {}),
      privileges: privileges as string[],
      grantable: g['grantable'] === true,
    };
  });
  const owner = optStr(raw, 'owner', 'the database');
  return {
    type,
    name: str(raw, 'name', 'the database'),
    dump,
    users,
    grants,
    ...(owner !== undefined ? { owner } : {}),
  };
}

const account = (login: string, host: string | undefined): string => `${myLit(login)}@${myLit(host ?? '%')}`;

/** A database name in a GRANT: _ and % are wildcards there, so they are escaped. */
const grantDb = (name: string): string => myIdent(name.replace(/[_%\\]/g, (c) => `\\${c}`));

/**
 * MySQL/MariaDB: the accounts with their hashes, then their grants on the restored database
 * `target` (run after the dump: a table grant needs its table).
 */
export function mysqlUsersSql(d: DbDescription, target: string, contentId: string): string {
  const out: string[] = [];
  for (const u of d.users) {
    const who = account(u.login, u.host);
    const plugin = u.plugin ?? 'mysql_native_password';
    out.push(`CREATE USER IF NOT EXISTS ${who};`);
    if (plugin === 'unix_socket') out.push(`ALTER USER ${who} IDENTIFIED VIA unix_socket;`);
    else if (MYSQL_HASH_PLUGINS.has(plugin) && u.hash !== undefined) {
      if (!/^[\x21-\x7e]+$/.test(u.hash))
        throw new MmError(
          'content-refused',
          `Content ${contentId}: the password hash of ${u.login}@${u.host ?? '%'} is not printable.`,
          contentId,
        );
      out.push(`ALTER USER ${who} IDENTIFIED VIA ${plugin} USING ${myLit(u.hash)};`);
    } else
      throw new MmError(
        'content-refused',
        `Content ${contentId}: database user ${u.login}@${u.host ?? '%'} authenticates with "${plugin}"${u.hash === undefined ? ' and no password hash' : ''}, which the db node cannot recreate.`,
        contentId,
      );
  }
  for (const g of d.grants) {
    if (g.privileges.length === 0) continue;
    const on = g.table === undefined ? `${grantDb(target)}.*` : `${myIdent(target)}.${myIdent(g.table)}`;
    out.push(
      `GRANT ${g.privileges.join(', ')} ON ${on} TO ${account(g.login, g.host)}${g.grantable ? ' WITH GRANT OPTION' : ''};`,
    );
  }
  out.push('FLUSH PRIVILEGES;');
  return `${out.join('\n')}\n`;
}

const PG_HASH = /^(SCRAM-SHA-256\$[0-9]+:[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+|md5[0-9a-f]{32})$/;

/** PostgreSQL, before the restore: the login roles with their hashes (the dump's GRANTs name them). */
export function pgRolesSql(d: DbDescription, contentId: string): string {
  const out: string[] = [];
  for (const u of d.users) {
    out.push(
      `SELECT format('CREATE ROLE %I LOGIN', ${pgLit(u.login)}) WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = ${pgLit(u.login)})\\gexec`,
    );
    if (u.hash === undefined) continue;
    if (!PG_HASH.test(u.hash))
      throw new MmError(
        'content-refused',
        `Content ${contentId}: the password of role ${u.login} is not a SCRAM-SHA-256 or md5 hash: it is never sent as plain text.`,
        contentId,
      );
    out.push(`ALTER ROLE ${pgIdent(u.login)} LOGIN PASSWORD ${pgLit(u.hash)};`);
  }
  return `${out.join('\n')}\n`;
}

/** PostgreSQL, after the restore: the database's owner and its database-level grants. */
export function pgGrantsSql(d: DbDescription, target: string): string {
  const out: string[] = [];
  if (d.owner !== undefined) out.push(`ALTER DATABASE ${pgIdent(target)} OWNER TO ${pgIdent(d.owner)};`);
  for (const g of d.grants) {
    if (g.privileges.length === 0) continue;
    out.push(
      `GRANT ${g.privileges.join(', ')} ON DATABASE ${pgIdent(target)} TO ${pgIdent(g.login)}${g.grantable ? ' WITH GRANT OPTION' : ''};`,
    );
  }
  return `${out.join('\n')}\n`;
}
