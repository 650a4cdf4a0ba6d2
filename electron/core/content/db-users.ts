/**
 * Accounts a database's restore would touch that already exist on the db node with another
 * credential: another customer's user of the same name on a shared server. The restore never
 * changes them (it would hand that user's access to this customer, or lock its owner out);
 * the step fails naming them. An account with the same hash (a redo of our own restore, or the
 * same user met through another database) is no conflict.
 */
import { Readable } from 'node:stream';
import type { Transport } from '../agent/transport';
import { MmError } from '../errors';
import type { DbDescription } from './db-description';
import { type DbNodeConfig, clientArgv } from './db-node';

async function query(node: Transport, argv: readonly string[], sql: string): Promise<string[][]> {
  const r = await node.exec(argv, { timeoutMs: 10 * 60 * 1000, stdin: Readable.from([Buffer.from(sql)]) });
  if (r.code !== 0)
    throw new MmError(
      'content-node-failed',
      `Reading the database users on ${node.label} failed (exit ${r.code}): ${r.stderr.trim().split('\n')[0] ?? ''}`,
      node.label,
    );
  return r.stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => l.split('\t'));
}

/** "login@host" (MySQL) or "login" (PostgreSQL) of each account held by someone else. */
export async function foreignAccounts(
  node: Transport,
  config: DbNodeConfig,
  d: DbDescription,
): Promise<string[]> {
  if (d.users.length === 0) return [];
  if (d.type === 'mysql') {
    const rows = await query(
      node,
      clientArgv(config, 'mysql'),
      'SELECT User, Host, plugin, authentication_string FROM mysql.user;\n',
    );
    const held = new Map(rows.map(([u, h, plugin, hash]) => [`${u}@${h}`, { plugin, hash: hash ?? '' }]));
    return d.users
      .map((u) => ({ who: `${u.login}@${u.host ?? '%'}`, u }))
      .filter(({ who, u }) => {
        const there = held.get(who);
        if (!there) return false;
        const plugin = u.plugin ?? 'mysql_native_password';
        return there.plugin !== plugin || (plugin !== 'unix_socket' && there.hash !== (u.hash ?? ''));
      })
      .map(({ who }) => who);
  }
  const rows = await query(
    node,
    [...clientArgv(config, 'postgresql'), '-F', '\t'],
    "SELECT rolname, coalesce(rolpassword, '') FROM pg_authid;\n",
  );
  const held = new Map(rows.map(([name, hash]) => [name ?? '', hash ?? '']));
  return d.users.filter((u) => held.has(u.login) && held.get(u.login) !== (u.hash ?? '')).map((u) => u.login);
}

/** Fails the content id when a user it brings is someone else's on the node. */
export async function refuseForeignAccounts(
  node: Transport,
  config: DbNodeConfig,
  d: DbDescription,
  contentId: string,
): Promise<void> {
  const foreign = await foreignAccounts(node, config, d);
  if (foreign.length > 0)
    throw new MmError(
      'content-refused',
      `Content ${contentId}: database user(s) ${foreign.join(', ')} already exist on ${node.label} with another password: ` +
        'they are not changed and nothing was restored. Rename or remove them there, then run the batch again.',
      contentId,
    );
}
