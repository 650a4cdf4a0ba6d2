/**
 * One versioned JSON document on disk, through lowdb.
 * - Writes are atomic (lowdb's TextFile writes a temp file and renames it over the old one),
 *   so a kill mid-write leaves the previous file intact.
 * - A file that does not parse, or has the wrong shape, is reported with its path and is never
 *   overwritten: the document refuses writes until the engineer repairs or removes it.
 * - Older schema versions are migrated forward in memory; the original is kept as a backup
 *   before the first write in the new version.
 * - Several processes may hold the same file (the app and a CLI script, two windows): every
 *   write takes a lock file, and `update` re-reads the file first when someone else changed it,
 *   so no process overwrites another's change with a stale copy.
 */
import { copyFile, mkdir, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Low } from 'lowdb';
import { TextFile } from 'lowdb/node';
import lockfile from 'proper-lockfile';
import { MmError } from '../errors';
import { type DocumentHandle, linkedStoreFor } from './document-store';
import { jsonPieces, worthPieces, writePieces } from './json-pieces';

export interface Versioned {
  schemaVersion: number;
}

export interface DocumentSpec<T extends Versioned> {
  /** A word for messages, e.g. "project settings". */
  readonly kind: string;
  readonly currentVersion: number;
  /** migrations[n] turns a version-n document into version n+1. */
  readonly migrations: Readonly<Record<number, (doc: Record<string, unknown>) => Record<string, unknown>>>;
  readonly empty: () => T;
  /** Shape check after migration; return a problem description or undefined. */
  readonly check?: (doc: T) => string | undefined;
  /** Reviewers may write this document in a read-only review copy (their comments). */
  readonly writableInReview?: boolean;
}

/** The marker file that makes a project folder a read-only review copy. */
export const REVIEW_MARKER = 'REVIEW-COPY';

export async function inReviewCopy(file: string): Promise<boolean> {
  const dir = dirname(file);
  for (const candidate of [dir, dirname(dir)]) {
    if (await stampOf(`${candidate}/${REVIEW_MARKER}`)) return true;
  }
  return false;
}

interface Stamp {
  readonly mtimeMs: number;
  readonly size: number;
}

async function stampOf(file: string): Promise<Stamp | undefined> {
  try {
    const s = await stat(file);
    return { mtimeMs: s.mtimeMs, size: s.size };
  } catch {
    return undefined;
  }
}

const sameStamp = (a: Stamp | undefined, b: Stamp | undefined): boolean =>
  a?.mtimeMs === b?.mtimeMs && a?.size === b?.size;

/** JSON text of documents made ahead of their save, by document object (taken by the save). */
const serializedAhead = new WeakMap<object, string>();

/**
 * Serialises a document that is about to be saved, before the save: a caller that waits on
 * something else first (the inventory import, on its schema validator) does this in the wait,
 * and the save writes the text instead of serialising again. The document must not change
 * until it is saved; the text is dropped when the save takes it or the document is collected.
 */
export function serializeAhead<T extends Versioned>(doc: T): T {
  serializedAhead.set(doc, JSON.stringify(doc));
  return doc;
}

/** Drops the text made ahead for a document (a store that serialises on its own never took it). */
export function dropSerialized(doc: object): void {
  serializedAhead.delete(doc);
}

function serialize(data: unknown): string {
  const ahead = typeof data === 'object' && data !== null ? serializedAhead.get(data) : undefined;
  if (ahead === undefined) return JSON.stringify(data);
  serializedAhead.delete(data as object);
  return ahead;
}

class JsonAdapter<T> {
  readonly #text: TextFile;
  constructor(
    readonly file: string,
    private readonly kind: string,
  ) {
    this.#text = new TextFile(file);
  }
  async read(): Promise<T | null> {
    const text = await this.#text.read();
    if (text === null) return null;
    try {
      return JSON.parse(text) as T;
    } catch (e) {
      const detail = e instanceof Error ? e.message : String(e);
      throw new MmError(
        'store-corrupt',
        `The ${this.kind} file ${this.file} is not valid JSON (${detail}); it was left untouched. Restore it from a backup or move it away.`,
        this.file,
      );
    }
  }
  write(data: T): Promise<void> {
    // A long list (verification results) is written entry by entry, never as one huge string;
    // into the same temp file lowdb would use, so a failed write is cleaned up the same way.
    if (!(typeof data === 'object' && data !== null && serializedAhead.has(data)) && worthPieces(data))
      return writePieces(
        this.file,
        join(dirname(this.file), `.${basename(this.file)}.tmp`),
        jsonPieces(data),
      );
    return this.#text.write(serialize(data));
  }
}

/** One document of a project: a lowdb file, or a row of a linked shared store. */
export type DocumentFile<T extends Versioned> = DocumentHandle<T>;

export const DocumentFile = {
  /** Opens the document: from the project's linked store when its folder has one, else the file. */
  async open<T extends Versioned>(file: string, spec: DocumentSpec<T>): Promise<DocumentHandle<T>> {
    const linked = await linkedStoreFor(file);
    if (linked) return linked.store.open(linked.projectDir, linked.projectId, linked.relPath, file, spec);
    return LowdbDocument.open(file, spec);
  },
};

export class LowdbDocument<T extends Versioned> implements DocumentHandle<T> {
  /** The file as this process last read or wrote it. */
  #seen: Stamp | undefined;

  private constructor(
    private readonly low: Low<T>,
    private readonly adapter: JsonAdapter<T>,
    readonly file: string,
    private readonly spec: DocumentSpec<T>,
    private pendingBackupFrom: number | undefined,
  ) {}

  static async open<T extends Versioned>(file: string, spec: DocumentSpec<T>): Promise<LowdbDocument<T>> {
    const adapter = new JsonAdapter<T>(file, spec.kind);
    const low = new Low<T>(adapter, spec.empty());
    const doc = new LowdbDocument(low, adapter, file, spec, undefined);
    await doc.reload();
    return doc;
  }

  /** Reads the file again (a missing file is the empty document). */
  private async reload(): Promise<void> {
    const stamp = await stampOf(this.file);
    const raw: unknown = await this.adapter.read();
    if (raw === null) {
      this.low.data = this.spec.empty();
    } else {
      const { doc, fromVersion } = migrate(raw, this.file, this.spec);
      this.low.data = doc;
      this.pendingBackupFrom = fromVersion < this.spec.currentVersion ? fromVersion : undefined;
    }
    this.#seen = stamp;
  }

  private async locked<R>(work: () => Promise<R>): Promise<R> {
    if (!this.spec.writableInReview && (await inReviewCopy(this.file))) {
      throw new MmError(
        'read-only-review',
        `This project is a review copy opened from a bundle: it is read-only (${this.spec.kind} not changed). Leave comments instead.`,
        this.file,
      );
    }
    await mkdir(dirname(this.file), { recursive: true });
    const release = await lockfile.lock(this.file, {
      realpath: false,
      stale: 15_000,
      retries: { retries: 100, minTimeout: 10, maxTimeout: 200 },
    });
    try {
      return await work();
    } finally {
      await release();
    }
  }

  get data(): T {
    return this.low.data;
  }

  /** The document as it is on disk now: re-read only when another process changed it. */
  async current(): Promise<T> {
    if (!sameStamp(await stampOf(this.file), this.#seen)) await this.reload();
    return this.low.data;
  }

  /** Replace the document and persist it atomically. */
  save(next: T): Promise<void> {
    return this.locked(() => this.write(next));
  }

  /**
   * Apply a change to a copy of the current document and persist it. When another process
   * changed the file since this one read it, the change is applied to the fresh content.
   * The in-memory data changes only if the write succeeds.
   */
  update(change: (draft: T) => T): Promise<T> {
    return this.locked(async () => {
      if (!sameStamp(await stampOf(this.file), this.#seen)) await this.reload();
      const next = change(structuredClone(this.low.data));
      await this.write(next);
      return next;
    });
  }

  private async write(next: T): Promise<void> {
    if (this.pendingBackupFrom !== undefined) {
      await copyFile(this.file, `${this.file}.v${this.pendingBackupFrom}.bak`);
      this.pendingBackupFrom = undefined;
    }
    const previous = this.low.data;
    this.low.data = next;
    try {
      await this.low.write();
    } catch (e) {
      this.low.data = previous;
      // lowdb writes a temp file beside the document and renames it over: a failed write (a
      // full disk) leaves that temp file, never a damaged document. Remove it, name the file.
      await rm(join(dirname(this.file), `.${basename(this.file)}.tmp`), { force: true }).catch(
        () => undefined,
      );
      throw new MmError(
        'store-write-failed',
        `The ${this.spec.kind} file ${this.file} could not be written (${(e as Error).message}); it still holds what it held before.`,
        this.file,
      );
    }
    this.#seen = await stampOf(this.file);
  }
}

/** Brings a stored document to the current schema (shared by every store implementation). */
export function migrate<T extends Versioned>(
  raw: unknown,
  file: string,
  spec: DocumentSpec<T>,
): { doc: T; fromVersion: number } {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new MmError('store-corrupt', `The ${spec.kind} file ${file} does not hold a JSON object.`, file);
  }
  let doc = raw as Record<string, unknown>;
  const fromVersion = doc['schemaVersion'];
  if (typeof fromVersion !== 'number' || !Number.isInteger(fromVersion) || fromVersion < 1) {
    throw new MmError('store-corrupt', `The ${spec.kind} file ${file} has no valid schemaVersion.`, file);
  }
  if (fromVersion > spec.currentVersion) {
    throw new MmError(
      'store-too-new',
      `The ${spec.kind} file ${file} was written by a newer Migration Manager (schema ${fromVersion}, this one reads up to ${spec.currentVersion}).`,
      file,
    );
  }
  for (let v = fromVersion; v < spec.currentVersion; v++) {
    const step = spec.migrations[v];
    if (!step)
      throw new MmError('store-migration-missing', `No migration from schema ${v} for ${file}.`, file);
    doc = { ...step(doc), schemaVersion: v + 1 };
  }
  const typed = doc as unknown as T;
  const problem = spec.check?.(typed);
  if (problem !== undefined) {
    throw new MmError('store-corrupt', `The ${spec.kind} file ${file} is damaged: ${problem}.`, file);
  }
  return { doc: typed, fromVersion };
}
