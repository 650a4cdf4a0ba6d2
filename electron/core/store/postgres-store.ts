/**
 * A PostgreSQL database holding shared projects: one pool per database per process, the schema
 * brought up to date on first use, and one listening connection (LISTEN mm_changes) once someone
 * wants to see other engineers' changes live. Every write notifies `mm_changes` inside its
 * transaction, so a listener hears of a change exactly when it is committed.
 */
import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { mkdir, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename } from 'node:path';
import type pg from 'pg';
import { osAuthor } from '../decisions/author';
import type { DocumentSpec, Versioned } from './document-file';
import {
  type DocumentHandle,
  type LinkedDocumentStore,
  projectPartOf,
  setLinkResolver,
} from './document-store';
import { ListenConnection } from './listen-connection';
import { readLink, parseStoreUrl } from './postgres-link';
import { migrateSchema } from './postgres-schema';
import { PgDocument } from './postgres-document';
import { connectionOf } from './store-password';

export const CHANNEL = 'mm_changes';

let pgLoaded: typeof pg | undefined;

/**
 * The pg driver, loaded the first time a PostgreSQL store is used: a command on file projects
 * never loads it (in the CLI bundle it is a chunk of its own, `build/bundle-electron.mjs`).
 */
export async function loadPg(): Promise<typeof pg> {
  pgLoaded ??= (await import('pg')).default;
  return pgLoaded;
}

/** What `mm_changes` carries (JSON). */
export type ChangeNote =
  | {
      readonly t: 'doc';
      readonly p: string;
      readonly path: string;
      readonly rev: number;
      readonly by: string;
    }
  | {
      readonly t: 'journal';
      readonly p: string;
      readonly venue: string;
      readonly n: number;
      readonly by: string;
    }
  | {
      /** a file kept whole (`mm_files`) written or removed */
      readonly t: 'file';
      readonly p: string;
      readonly path: string;
      readonly by: string;
    }
  | {
      readonly t: 'unit';
      readonly p: string;
      readonly job: string;
      readonly unit: string;
      readonly state: string;
    };

/** Who writes: the OS user, the machine and the process, for `updated_by` and the history. */
export const WRITER = `${osAuthor()}@${hostname()}:${process.pid}`;

export class PgStore implements LinkedDocumentStore {
  /** Committed changes heard on mm_changes (only while listening). */
  readonly changes = new EventEmitter();
  readonly #docs = new Map<string, Promise<PgDocument<Versioned>>>();
  #pool: pg.Pool | undefined;
  #ready: Promise<void> | undefined;
  #listener: ListenConnection | undefined;

  constructor(readonly url: string) {
    parseStoreUrl(url);
    this.changes.setMaxListeners(0);
  }

  /**
   * The store's pool, made on first use: pg is loaded by then (`ready()`, `linkedPgStore` and
   * `linkedPlaceOf` load it; a store from `pgStoreFor` is used through `ready()` or `query()`).
   */
  get pool(): pg.Pool {
    if (!this.#pool) {
      if (!pgLoaded) throw new Error(`The pg driver is not loaded yet (${this.url}): await ready() first.`);
      // allowExitOnIdle: a `mm` command ends when its work is done, without closing the pool.
      this.#pool = new pgLoaded.Pool({
        // in the app: the password sealed in its secret store, else PGPASSWORD / ~/.pgpass
        ...connectionOf(this.url),
        max: 8,
        allowExitOnIdle: true,
        application_name: 'migration-manager',
      });
      // An idle client whose server went away must not crash the process; the next query reports it.
      this.#pool.on('error', () => undefined);
    }
    return this.#pool;
  }

  /** The schema up to date (once per process). */
  ready(): Promise<void> {
    this.#ready ??= (async () => {
      await loadPg();
      const client = await this.pool.connect();
      try {
        await migrateSchema(client, WRITER, this.url);
      } finally {
        client.release();
      }
    })().catch((e: unknown) => {
      this.#ready = undefined;
      throw e;
    });
    return this.#ready;
  }

  /** Runs work in one transaction (rolled back when it throws). */
  async tx<R>(work: (client: pg.PoolClient) => Promise<R>): Promise<R> {
    await this.ready();
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const out = await work(client);
      await client.query('COMMIT');
      return out;
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      client.release();
    }
  }

  async query<R extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<pg.QueryResult<R>> {
    await this.ready();
    return this.pool.query<R>(text, values);
  }

  /** One handle per document and process, so a change heard on the channel refreshes it. */
  open<T extends Versioned>(
    projectDir: string,
    projectId: string,
    relPath: string,
    file: string,
    spec: DocumentSpec<T>,
  ): Promise<DocumentHandle<T>> {
    void projectDir;
    const key = `${projectId}\u0000${relPath}`;
    let doc = this.#docs.get(key) as Promise<PgDocument<T>> | undefined;
    if (!doc) {
      doc = this.ready().then(() => PgDocument.open<T>(this, projectId, relPath, file, spec));
      doc.catch(() => this.#docs.delete(key));
      this.#docs.set(key, doc as unknown as Promise<PgDocument<Versioned>>);
      return doc;
    }
    // Opening means reading the document as stored now, as opening a file does: without a
    // listener nothing tells the shared handle that another process wrote since (a second core
    // in this process would read the first one's stale copy). One cheap query by revision.
    return doc.then(async (d) => {
      await d.current();
      return d;
    });
  }

  /**
   * Starts listening on mm_changes: open documents refresh themselves, `changes` emits each note.
   * The connection comes back by itself when it drops (`listen-connection.ts`); then open
   * documents are read again and `changes` emits 'resumed' (what was sent meanwhile was lost).
   */
  async listen(): Promise<void> {
    if (this.#listener) return;
    await this.ready();
    const { Client } = await loadPg();
    if (this.#listener) return;
    const { hostname: host, port, pathname } = parseStoreUrl(this.url);
    const listener = new ListenConnection({
      client: () =>
        new Client({
          ...connectionOf(this.url),
          application_name: 'migration-manager-listen',
        }),
      channel: CHANNEL,
      where: `${host}:${port || '5432'}${pathname}`,
      onNotification: (msg) => this.#heard(msg),
      onResumed: () => void this.#resumed(),
    });
    await listener.start();
    if (this.#listener) {
      // another caller started one meanwhile: one listening connection per store
      await listener.close();
      return;
    }
    this.#listener = listener;
  }

  #heard(msg: pg.Notification): void {
    if (msg.channel !== CHANNEL || !msg.payload) return;
    let note: ChangeNote;
    try {
      note = JSON.parse(msg.payload) as ChangeNote;
    } catch {
      return;
    }
    if (note.t === 'doc') {
      const doc = this.#docs.get(`${note.p}\u0000${note.path}`);
      if (doc) void doc.then((d) => d.heard(note.rev)).catch(() => undefined);
    }
    this.changes.emit('change', note);
  }

  /** Back after a drop: open documents read as stored now, then everyone is told. */
  async #resumed(): Promise<void> {
    await Promise.all(
      [...this.#docs.values()].map((doc) => doc.then((d) => d.current()).catch(() => undefined)),
    );
    this.changes.emit('resumed');
  }

  /** Sends a note inside the caller's transaction (delivered on commit). */
  static async notify(client: pg.PoolClient, note: ChangeNote): Promise<void> {
    await client.query('SELECT pg_notify($1, $2)', [CHANNEL, JSON.stringify(note)]);
  }

  async close(): Promise<void> {
    const listener = this.#listener;
    this.#listener = undefined;
    await listener?.close().catch(() => undefined);
    await this.#pool?.end().catch(() => undefined);
    stores.delete(this.url);
  }
}

const stores = new Map<string, PgStore>();

/** The process's store for a database address. */
export function pgStoreFor(url: string): PgStore {
  let s = stores.get(url);
  if (!s) {
    s = new PgStore(url);
    stores.set(url, s);
  }
  return s;
}

/** Closes every store this process opened (tests, a worker shutting down). */
export async function closeAllPgStores(): Promise<void> {
  await Promise.all([...stores.values()].map((s) => s.close()));
}

/**
 * The store a project folder is linked to, if any. With MM_STORE=postgres://… (the test suite
 * run against PostgreSQL, `test/team/on-postgres.ts`) every folder without a link is kept in
 * that database too, each under an id of its own made from its path and inode, so the same
 * project id in two data dirs, or a folder removed and made again, never share rows.
 */
export async function linkedPgStore(
  projectDir: string,
): Promise<{ store: PgStore; projectId: string } | undefined> {
  const link = await readLink(projectDir);
  if (link) {
    await loadPg();
    return { store: pgStoreFor(link.url), projectId: link.projectId };
  }
  const forced = process.env['MM_STORE'];
  if (forced === undefined || !/^postgres(ql)?:/.test(forced)) return undefined;
  await loadPg();
  // the folder is the project's presence in the data dir (listing, existence checks)
  await mkdir(projectDir, { recursive: true, mode: 0o700 });
  const { ino } = await stat(projectDir);
  const ns = createHash('sha256').update(`${projectDir}/${ino}`).digest('hex').slice(0, 16);
  return { store: pgStoreFor(forced), projectId: `${ns}-${basename(projectDir)}` };
}

/**
 * Where a file inside a project folder lives when that folder is served from PostgreSQL: the
 * store, the project and the file's path in it; undefined for a file project (or a path outside
 * any project folder). Every port that is "the file, or rows under its path" resolves so.
 */
export async function linkedPlaceOf(
  file: string,
): Promise<{ store: PgStore; projectId: string; relPath: string } | undefined> {
  const part = projectPartOf(file);
  const linked = part ? await linkedPgStore(part.projectDir) : undefined;
  return part && linked ? { ...linked, relPath: part.relPath } : undefined;
}

setLinkResolver(linkedPgStore);
