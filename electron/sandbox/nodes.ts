/**
 * The sandbox's own target nodes, under its data dir: a web node (`nodes/web/vhosts`, laid
 * out as ../shared/TARGET-API.md says: `<vhosts root>/<webspace id>/webspace/httpdocs/
 * <location>/`) and a mail node (`nodes/mail`, a Maildir per mailbox). The manager reaches
 * them on this machine, so a sandbox needs no SSH server to be a complete target; it learns
 * where they are from the sandbox-only call `sandbox.nodes`. The web server serves each
 * domain's site from its webspace, chosen by the Host header. A db node (`nodes/db`) only when
 * the sandbox was given a MariaDB and/or PostgreSQL to restore into (db-node.json there says
 * where they listen); without one, the target has no db node and a database's content is
 * refused with a message that says how to configure one.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { localTransport } from '../core/agent/local-transport';
import { DB_NODE_CONFIG, type DbNodeConfig, type DbType, parseDbNodeConfig } from '../core/content/db-node';
import { countDatabase } from '../core/content/db-restore';
import type { View } from './store';

export interface SandboxNodes {
  readonly web: { readonly root: string };
  readonly mail: { readonly root: string };
  readonly db?: { readonly root: string };
}

const dbRoot = (dataDir: string): string => join(resolve(dataDir, 'nodes'), 'db');

export function sandboxNodes(dataDir: string): SandboxNodes {
  const base = resolve(dataDir, 'nodes');
  const db = dbRoot(dataDir);
  return {
    web: { root: join(base, 'web', 'vhosts') },
    mail: { root: join(base, 'mail') },
    ...(existsSync(join(db, DB_NODE_CONFIG)) ? { db: { root: db } } : {}),
  };
}

/** Gives the sandbox's db node its database servers (or none: no db node). */
export async function configureDbNode(dataDir: string, config: DbNodeConfig | undefined): Promise<void> {
  const root = dbRoot(dataDir);
  if (!config || (!config.mysql && !config.postgresql)) {
    await rm(join(root, DB_NODE_CONFIG), { force: true });
    return;
  }
  await mkdir(root, { recursive: true });
  await writeFile(join(root, DB_NODE_CONFIG), `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
}

/** The document root of a host's site on the web node, when the host is a domain with a webspace. */
export function nodeSiteRoot(store: View, dataDir: string, host: string): string | undefined {
  const domain = store.unique<{
    domain_id: number;
    domain_name: string;
    webspace_id?: number;
    subscription_id?: number;
    parent_domain_id?: number;
  }>('domains', 'name', host);
  if (!domain) return undefined;
  const httpdocs = (ws: number): string =>
    join(sandboxNodes(dataDir).web.root, String(ws), 'webspace', 'httpdocs');
  // The domain that activated the subscription owns the webspace: its site is httpdocs. Another
  // domain of the subscription lives in the webspace's location httpdocs/<domain>; a subdomain
  // in its parent's site folder, under its prefix.
  if (domain.webspace_id) return httpdocs(domain.webspace_id);
  if (domain.parent_domain_id) {
    const parent = store.get<{ domain_name: string }>('domains', domain.parent_domain_id);
    const prefix = parent ? domain.domain_name.slice(0, -(parent.domain_name.length + 1)) : '';
    const parentRoot = parent ? nodeSiteRoot(store, dataDir, parent.domain_name) : undefined;
    return parentRoot && prefix ? join(parentRoot, prefix) : undefined;
  }
  if (domain.subscription_id === undefined) return undefined;
  const ws = store.group<{ webspace_id: number }>('webspaces', 'subscription', domain.subscription_id)[0];
  return ws ? join(httpdocs(ws.webspace_id), host) : undefined;
}

export interface SiteCount {
  readonly domain_name: string;
  readonly files: number;
  readonly bytes: number;
}

export interface MailboxCount {
  readonly address: string;
  readonly messages: number;
  readonly bytes: number;
}

/** Regular files and their bytes below `dir`, not descending into `skip` (other sites' roots). */
async function countTree(
  dir: string,
  skip: ReadonlySet<string>,
  only?: RegExp,
): Promise<{ files: number; bytes: number }> {
  let files = 0;
  let bytes = 0;
  const walk = async (d: string, rel: string): Promise<void> => {
    const entries = await readdir(d, { withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      const p = join(d, e.name);
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        if (!skip.has(p)) await walk(p, r);
      } else if (e.isFile() && (!only || only.test(r))) {
        files++;
        bytes += (await stat(p)).size;
      }
    }
  };
  await walk(dir, '');
  return { files, bytes };
}

export interface DatabaseCount {
  readonly db_name: string;
  readonly db_type: DbType;
  readonly tables: number;
  readonly rows: number;
}

/** Per database the target made (its `databases` table) that the db node holds: tables and rows. */
async function databaseCounts(store: View, dataDir: string): Promise<DatabaseCount[]> {
  const file = join(dbRoot(dataDir), DB_NODE_CONFIG);
  const text = await readFile(file, 'utf8').catch(() => undefined);
  if (text === undefined) return [];
  const config = parseDbNodeConfig(text, file);
  const node = localTransport();
  const out: DatabaseCount[] = [];
  for (const d of store.all<{ db_name: string; db_type: DbType }>('databases')) {
    if (!(d.db_type === 'mysql' ? config.mysql : config.postgresql)) continue;
    // A database not (yet) on the server has nothing to count.
    const counts = await countDatabase(node, config, d.db_type, d.db_name).catch(() => undefined);
    if (!counts) continue;
    out.push({
      db_name: d.db_name,
      db_type: d.db_type,
      tables: counts.length,
      rows: counts.reduce((n, c) => n + c.rows, 0),
    });
  }
  return out;
}

/**
 * What `sandbox.dump` says the nodes hold, for a client that does not know their layout: per
 * site (domain) its files and bytes, each site counted without the sites nested in its folder
 * (subdomains, the subscription's other domains); per mailbox its messages (files in any
 * folder's cur/ or new/) and their bytes; per database, its tables and rows.
 */
export async function nodeContent(
  store: View,
  dataDir: string,
): Promise<{
  content_sites: SiteCount[];
  content_mailboxes: MailboxCount[];
  content_databases: DatabaseCount[];
}> {
  const roots = new Map<string, string>();
  for (const d of store.all<{ domain_name: string }>('domains')) {
    const root = nodeSiteRoot(store, dataDir, d.domain_name);
    if (root && existsSync(root)) roots.set(d.domain_name, root);
  }
  const all = new Set(roots.values());
  const content_sites: SiteCount[] = [];
  for (const [domain_name, root] of roots) {
    const skip = new Set([...all].filter((r) => r !== root));
    content_sites.push({ domain_name, ...(await countTree(root, skip)) });
  }
  const mailRoot = sandboxNodes(dataDir).mail.root;
  const content_mailboxes: MailboxCount[] = [];
  for (const domain of await readdir(mailRoot).catch(() => [] as string[])) {
    if (domain.startsWith('.')) continue;
    for (const local of await readdir(join(mailRoot, domain)).catch(() => [] as string[])) {
      const maildir = join(mailRoot, domain, local, 'Maildir');
      if (!existsSync(maildir)) continue;
      const c = await countTree(maildir, new Set(), /(^|\/)(cur|new)\/[^/]+$/);
      content_mailboxes.push({ address: `${local}@${domain}`, messages: c.files, bytes: c.bytes });
    }
  }
  return { content_sites, content_mailboxes, content_databases: await databaseCounts(store, dataDir) };
}
