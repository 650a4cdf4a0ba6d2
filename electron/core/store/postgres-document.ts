/**
 * One document of a shared project: a row of `mm_documents`. Reads keep the row's revision;
 * a write is one transaction that locks the row (SELECT … FOR UPDATE), applies the change to
 * the fresh content (as the file store re-reads a file another process changed), checks that
 * it does not overrule a change someone else made meanwhile to the same object
 * (`postgres-conflicts.ts`), writes the next revision and notifies `mm_changes`. Older schema
 * versions are migrated forward in memory, like files; the row is rewritten in the new version
 * on the next write (the transaction is the backup: nothing half-migrated is ever stored).
 */
import { MmError } from '../errors';
import { type DocumentSpec, type Versioned, inReviewCopy, migrate } from './document-file';
import type { DocumentHandle } from './document-store';
import { conflictOf } from './postgres-conflicts';
import { type PgStore, WRITER } from './postgres-store';

interface Row {
  readonly revision: string;
  readonly body: unknown;
}

export class PgDocument<T extends Versioned> implements DocumentHandle<T> {
  #data: T;
  #revision: number;
  #reloading: Promise<void> | undefined;

  private constructor(
    private readonly store: PgStore,
    readonly projectId: string,
    readonly path: string,
    readonly file: string,
    private readonly spec: DocumentSpec<T>,
  ) {
    this.#data = spec.empty();
    this.#revision = 0;
  }

  static async open<T extends Versioned>(
    store: PgStore,
    projectId: string,
    path: string,
    file: string,
    spec: DocumentSpec<T>,
  ): Promise<PgDocument<T>> {
    const doc = new PgDocument(store, projectId, path, file, spec);
    await doc.reload();
    return doc;
  }

  /** Where messages point: the database row, named like the file it stands for. */
  private get where(): string {
    return `${this.store.url} (project ${this.projectId}, ${this.path})`;
  }

  get data(): T {
    return this.#data;
  }

  get revision(): number {
    return this.#revision;
  }

  private parse(row: Row | undefined): { doc: T; revision: number } {
    if (!row) return { doc: this.spec.empty(), revision: 0 };
    return { doc: migrate(row.body, this.where, this.spec).doc, revision: Number(row.revision) };
  }

  private async reload(): Promise<void> {
    const { rows } = await this.store.query<Row>(
      'SELECT revision, body FROM mm_documents WHERE project_id = $1 AND path = $2',
      [this.projectId, this.path],
    );
    const { doc, revision } = this.parse(rows[0]);
    this.#data = doc;
    this.#revision = revision;
  }

  /** A committed revision heard on mm_changes: newer than ours → read it again. */
  heard(revision: number): Promise<void> {
    if (revision <= this.#revision) return Promise.resolve();
    this.#reloading ??= this.reload().finally(() => (this.#reloading = undefined));
    return this.#reloading;
  }

  async current(): Promise<T> {
    const { rows } = await this.store.query<Row>(
      'SELECT revision, body FROM mm_documents WHERE project_id = $1 AND path = $2 AND revision <> $3',
      [this.projectId, this.path, this.#revision],
    );
    if (rows[0]) {
      const { doc, revision } = this.parse(rows[0]);
      this.#data = doc;
      this.#revision = revision;
    }
    return this.#data;
  }

  save(next: T): Promise<void> {
    return this.write(() => next).then(() => undefined);
  }

  update(change: (draft: T) => T): Promise<T> {
    return this.write(change);
  }

  private async write(change: (draft: T) => T): Promise<T> {
    if (!this.spec.writableInReview && (await inReviewCopy(this.file))) {
      throw new MmError(
        'read-only-review',
        `This project is a review copy opened from a bundle: it is read-only (${this.spec.kind} not changed). Leave comments instead.`,
        this.file,
      );
    }
    const seen = this.#data;
    const { next, revision } = await this.store.tx(async (client) => {
      // The row may not exist yet: create it empty first, so FOR UPDATE has a row to lock and
      // two first writers queue on it instead of one failing on the primary key.
      await client.query(
        `INSERT INTO mm_documents (project_id, path, kind, revision, body, updated_by)
         VALUES ($1, $2, $3, 0, $4, $5) ON CONFLICT (project_id, path) DO NOTHING`,
        [this.projectId, this.path, this.spec.kind, JSON.stringify(this.spec.empty()), WRITER],
      );
      const { rows } = await client.query<Row>(
        'SELECT revision, body FROM mm_documents WHERE project_id = $1 AND path = $2 FOR UPDATE',
        [this.projectId, this.path],
      );
      const fresh = this.parse(rows[0]);
      const next = change(structuredClone(fresh.doc));
      if (fresh.revision !== this.#revision) {
        const conflict = conflictOf(this.spec.kind, seen, fresh.doc, next);
        if (conflict) throw new MmError('decision-conflict', conflict, this.path);
      }
      const revision = fresh.revision + 1;
      await client.query(
        `UPDATE mm_documents SET body = $3, revision = $4, kind = $5, updated_at = now(), updated_by = $6
         WHERE project_id = $1 AND path = $2`,
        [this.projectId, this.path, JSON.stringify(next), revision, this.spec.kind, WRITER],
      );
      await client.query('SELECT pg_notify($1, $2)', [
        'mm_changes',
        JSON.stringify({ t: 'doc', p: this.projectId, path: this.path, rev: revision, by: WRITER }),
      ]);
      return { next, revision };
    });
    this.#data = next;
    this.#revision = revision;
    return next;
  }
}
