/**
 * The migration journal of a shared project: `mm_journal`, one row per entry, in the order of a
 * sequence. `append` resolves once its transaction committed (PostgreSQL's own durability, as
 * the file journal's resolves after fdatasync), so the intent/outcome discipline of the executor
 * holds unchanged: an intent is durable before its call, an outcome before its dependents.
 * Entries appended at the same moment by concurrent steps share one transaction (group commit).
 * A step's outcome is appended only after its intent committed, so its sequence number is higher
 * and folding in sequence order gives the same state as the file.
 *
 * Several processes (workers) append to one journal: each commit notifies `mm_changes`, so
 * another engineer's app sees batch progress live.
 */
import { join } from 'node:path';
import { MmError } from '../errors';
import { maskSecrets } from '../log/mask';
import { appendRows } from '../store/line-log';
import { type PgStore, linkedPlaceOf } from '../store/postgres-store';
import { FileJournal } from './file-journal';
import { applyEntry, emptyState, type JournalEntry, type JournalPort, type JournalState } from './journal';

interface Waiter {
  readonly entries: readonly unknown[];
  resolve(): void;
  reject(e: unknown): void;
}

export class PgJournal implements JournalPort {
  #pending: Waiter[] = [];
  #flushing: Promise<void> | undefined;

  constructor(
    private readonly store: PgStore,
    readonly projectId: string,
    /** The journal's place in the project (production or one rehearsal): its relative file path. */
    readonly venue: string,
  ) {}

  async load(): Promise<JournalState> {
    const state = emptyState();
    const { rows } = await this.store.query<{ entry: JournalEntry }>(
      'SELECT entry FROM mm_journal WHERE project_id = $1 AND venue = $2 ORDER BY seq',
      [this.projectId, this.venue],
    );
    for (const r of rows) applyEntry(state, r.entry);
    return state;
  }

  /**
   * Only the entries of these steps (and no batch records): what a worker's unit needs, without
   * folding the whole batch's journal for every unit it takes. Found by the steps index (schema
   * 7): the entries are json, whose ->> parses each entry's text, so a scan cost several times
   * what it did on jsonb.
   */
  async loadSteps(steps: readonly string[]): Promise<JournalState> {
    const state = emptyState();
    const { rows } = await this.store.query<{ entry: JournalEntry }>(
      `SELECT entry FROM mm_journal WHERE project_id = $1 AND venue = $2 AND entry->>'step' = ANY($3::text[])
       ORDER BY seq`,
      [this.projectId, this.venue, [...steps]],
    );
    for (const r of rows) applyEntry(state, r.entry);
    return state;
  }

  append(entries: readonly JournalEntry[]): Promise<void> {
    if (entries.length === 0) return Promise.resolve();
    const masked = entries.map((e) => maskSecrets(e));
    return new Promise<void>((resolve, reject) => {
      this.#pending.push({ entries: masked, resolve, reject });
      this.#flushing ??= this.#flush().finally(() => (this.#flushing = undefined));
    });
  }

  async #flush(): Promise<void> {
    while (this.#pending.length > 0) {
      const batch = this.#pending;
      this.#pending = [];
      const all = batch.flatMap((w) => w.entries.map((e) => JSON.stringify(e)));
      try {
        // one statement, one round trip per group of entries (see appendRows)
        await appendRows(this.store, this.projectId, this.venue, all);
        for (const w of batch) w.resolve();
      } catch (e) {
        for (const w of batch) w.reject(e);
      }
    }
  }

  async close(): Promise<void> {
    while (this.#flushing) await this.#flushing;
  }
}

/**
 * The journal kept at `file` (`<project>/migration/journal.jsonl` or a rehearsal's): in the
 * project's linked PostgreSQL database when its folder has a link, else the file. Resolved on
 * first use, so the migration service keeps a synchronous way to name its journal.
 */
export function journalAt(file: string): JournalPort {
  let port: Promise<JournalPort> | undefined;
  const resolve = (): Promise<JournalPort> =>
    (port ??= (async () => {
      const at = await linkedPlaceOf(file);
      if (at) return new PgJournal(at.store, at.projectId, at.relPath);
      return new FileJournal(file);
    })());
  return {
    load: async () => (await resolve()).load(),
    append: async (entries) => (await resolve()).append(entries),
    close: async () => (port ? (await port).close() : undefined),
  };
}

/** The production journal's venue, as `journalAt` names it. */
export const PRODUCTION_VENUE = join('migration', 'journal.jsonl').replace(/\\/g, '/');

/** The advisory-lock key of a journal's batches: exclusive for `mm migrate`, shared for workers. */
export const batchLockKey = (projectId: string, venue: string): string => `mm-batch/${projectId}/${venue}`;

/**
 * For a shared project, a batch run by `mm migrate` (not by workers) holds its journal's batch
 * lock exclusively for as long as it runs, in a session of its own: a batch on another machine,
 * or workers running units (they hold it shared), would otherwise run the same steps at the same
 * time, where the journal cannot help (neither sees the other's intents before calling).
 * Resolves to its release, or undefined for a file project (the folder's lock file is enough).
 * Refused at once, with `busy`, when someone holds it.
 */
export async function holdSharedBatchLock(file: string): Promise<(() => Promise<void>) | undefined> {
  const linked = await linkedPlaceOf(file);
  if (!linked) return undefined;
  await linked.store.ready();
  const client = await linked.store.pool.connect();
  const key = batchLockKey(linked.projectId, linked.relPath);
  try {
    const { rows } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS ok', [
      key,
    ]);
    if (!rows[0]?.ok) {
      client.release();
      return Promise.reject(
        new MmError(
          'busy',
          'A migration batch of this shared project is running elsewhere (mm migrate on another machine, or workers): wait for it, or pause it there.',
          linked.store.url,
        ),
      );
    }
  } catch (e) {
    client.release();
    throw e;
  }
  return async () => {
    await client.query('SELECT pg_advisory_unlock(hashtext($1))', [key]).catch(() => undefined);
    client.release();
  };
}
