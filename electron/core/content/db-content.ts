/**
 * One database content id ("database:<mysql|postgresql>:<name>") moved to the db node: the
 * agent's tarball (the dump and DATABASE.json) streams through the same verifier as a site
 * into a staging folder on the node and is published as a verified dump folder; then the
 * dump is restored into the database the plan names (db-restore.ts). After a crash the node
 * is asked, in this order: restored (done marker) → nothing to do; dump verified and
 * published → restore it again without moving its bytes again; otherwise the transfer starts
 * over.
 */
import type { Transport } from '../agent/transport';
import { MmError } from '../errors';
import { type DbType, checkDatabaseName, readDbNodeConfig, requireEngine } from './db-node';
import { type DbMarker, dbPlaces, readDbMarker, restoreDatabase } from './db-restore';
import { type TransferOptions, readMarker, transferContent } from './transfer';

export interface DbContentId {
  readonly type: DbType;
  readonly name: string;
}

export function parseDbContentId(contentId: string): DbContentId {
  const m = /^database:(mysql|postgresql):(.+)$/s.exec(contentId);
  if (!m)
    throw new MmError(
      'content-refused',
      `"${contentId}" is not a database content id (database:mysql:<name> or database:postgresql:<name>).`,
      contentId,
    );
  return { type: m[1] as DbType, name: m[2] as string };
}

export interface DbTransferOptions extends Omit<TransferOptions, 'place' | 'node'> {
  readonly node: Transport;
  readonly root: string;
  /** The database the plan names on the target. */
  readonly database: string;
}

/** The restored database's marker when this content id is already restored on the node. */
export async function databaseRestored(
  node: Transport,
  root: string,
  contentId: string,
): Promise<DbMarker | undefined> {
  const m = await readDbMarker(node, dbPlaces(root, contentId));
  return m && m.contentId === contentId ? m : undefined;
}

export async function transferDatabase(o: DbTransferOptions): Promise<DbMarker> {
  const id = parseDbContentId(o.contentId);
  const database = checkDatabaseName(o.database, o.contentId);
  const config = await readDbNodeConfig(o.node, o.root);
  requireEngine(config, id.type, o.node.label);
  const done = await databaseRestored(o.node, o.root, o.contentId);
  if (done) return done;
  const places = dbPlaces(o.root, o.contentId);
  const published = await readMarker(o.node, places.dump);
  const verified =
    published && published.contentId === o.contentId
      ? published
      : await transferContent({ ...o, node: o.node, place: places.dump });
  return restoreDatabase({
    node: o.node,
    root: o.root,
    config,
    contentId: o.contentId,
    database,
    verified,
  });
}
