/**
 * One versioned JSON document on disk, through lowdb.
 * - Writes are atomic (lowdb's TextFile writes a temp file and renames it over the old one),
 *   so a kill mid-write leaves the previous file intact.
 * - A file that does not parse, or has the wrong shape, is reported with its path and is never
 *   overwritten: the document refuses writes until the engineer repairs or removes it.
 * - Older schema versions are migrated forward in memory; the original is kept as a backup
 *   before the first write in the new version.
 */
import { copyFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Low } from 'lowdb';
import { TextFile } from 'lowdb/node';
import { MmError } from '../errors';

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
    return this.#text.write(JSON.stringify(data));
  }
}

export class DocumentFile<T extends Versioned> {
  private constructor(
    private readonly low: Low<T>,
    readonly file: string,
    private readonly spec: DocumentSpec<T>,
    private pendingBackupFrom: number | undefined,
  ) {}

  static async open<T extends Versioned>(file: string, spec: DocumentSpec<T>): Promise<DocumentFile<T>> {
    const adapter = new JsonAdapter<T>(file, spec.kind);
    const low = new Low<T>(adapter, spec.empty());
    const raw: unknown = await adapter.read();
    if (raw === null) {
      low.data = spec.empty();
      return new DocumentFile(low, file, spec, undefined);
    }
    const { doc, fromVersion } = migrate(raw, file, spec);
    low.data = doc;
    return new DocumentFile(low, file, spec, fromVersion < spec.currentVersion ? fromVersion : undefined);
  }

  get data(): T {
    return this.low.data;
  }

  /** Replace the document and persist it atomically. */
  async save(next: T): Promise<void> {
    if (this.pendingBackupFrom !== undefined) {
      await copyFile(this.file, `${this.file}.v${this.pendingBackupFrom}.bak`);
      this.pendingBackupFrom = undefined;
    }
    await mkdir(dirname(this.file), { recursive: true });
    this.low.data = next;
    await this.low.write();
  }

  /** Apply a change to a copy and persist it; the in-memory data changes only if the write succeeds. */
  async update(change: (draft: T) => T): Promise<T> {
    const next = change(structuredClone(this.low.data));
    await this.save(next);
    return next;
  }
}

function migrate<T extends Versioned>(
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
