/**
 * The link that makes a project folder a window on a shared project: `<project>/store.json`
 * names the PostgreSQL database (without its password) and the project's id there. The password
 * never goes into the link: it comes from PGPASSWORD or ~/.pgpass (mode 0600), the way every
 * PostgreSQL client finds it.
 */
import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MmError } from '../errors';

export const LINK_FILE = 'store.json';

export interface StoreLink {
  readonly schemaVersion: 1;
  readonly store: 'postgres';
  /** postgres://user@host:port/database (no password) */
  readonly url: string;
  readonly projectId: string;
}

/** Checks a store address given by an engineer; names what is wrong and where. */
export function parseStoreUrl(raw: string, where = '--store'): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new MmError(
      'invalid-input',
      `${where}: "${raw}" is not an address like postgres://user@host:5432/database.`,
      where,
    );
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:')
    throw new MmError(
      'invalid-input',
      `${where}: only postgres:// stores are supported, not ${url.protocol}//.`,
      where,
    );
  if (url.password !== '')
    throw new MmError(
      'invalid-input',
      `${where}: the address carries a password; give it in PGPASSWORD or ~/.pgpass (mode 0600) instead, so it is never written into the project's link.`,
      where,
    );
  if (url.hostname === '' || url.pathname.replace(/^\//, '') === '')
    throw new MmError('invalid-input', `${where}: "${raw}" needs a host and a database name.`, where);
  return url;
}

export async function readLink(projectDir: string): Promise<StoreLink | undefined> {
  const file = join(projectDir, LINK_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return undefined;
  }
  let link: Partial<StoreLink>;
  try {
    link = JSON.parse(text) as Partial<StoreLink>;
  } catch {
    throw new MmError(
      'store-corrupt',
      `The store link ${file} is not valid JSON; it was left untouched.`,
      file,
    );
  }
  if (link.store !== 'postgres' || typeof link.url !== 'string' || typeof link.projectId !== 'string')
    throw new MmError('store-corrupt', `The store link ${file} lacks store, url or projectId.`, file);
  parseStoreUrl(link.url, file);
  return link as StoreLink;
}

export async function writeLink(projectDir: string, link: StoreLink): Promise<void> {
  const file = join(projectDir, LINK_FILE);
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(link, null, 2)}\n`, { mode: 0o600 });
  await rename(tmp, file);
}
