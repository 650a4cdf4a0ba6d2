/**
 * Where a content resume log's lines live (resume-log.ts decides what they say). A file
 * project keeps them in `<project>/content-resume/<key>.jsonl`; a project kept in PostgreSQL
 * (its folder holds a store.json link) keeps them in `mm_journal`, one row per line, with the
 * log's path inside the project as the venue — so a unit another worker takes over, in another
 * data dir or on another machine, finds what the node's staging folder holds verified and
 * resumes from there instead of moving the whole content again.
 *
 * Both keep the same promises: `replace` is all or nothing (temp file and rename; one
 * transaction), `append` adds whole lines durably (fdatasync; a commit), a kill mid-append
 * leaves at most a torn last line (a file only; resume-log.ts drops it on load).
 * Generic on purpose (lines of JSON at a project path) so it can give way to a store-wide
 * append-only log port once there is one.
 */
import { type FileHandle, mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { projectPartOf } from '../store/document-store';
import { type PgStore, linkedPgStore } from '../store/postgres-store';

export interface LineLog {
  /** The lines as written (each without its "\n"), undefined when there is no log. */
  load(): Promise<string[] | undefined>;
  /** The whole log replaced by `lines` at once, then open for appending. */
  replace(lines: readonly string[]): Promise<void>;
  /** Lines added after the others, durable when this resolves. */
  append(lines: readonly string[]): Promise<void>;
  /** The log removed (nothing there is fine). */
  remove(): Promise<void>;
  /** Lets go of what `replace` opened; the log stays. */
  close(): Promise<void>;
}

/** The log in a file: replaced by a synced temp file renamed over it, appended and synced. */
export class FileLineLog implements LineLog {
  #handle: FileHandle | undefined;

  constructor(readonly file: string) {}

  async load(): Promise<string[] | undefined> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch {
      return undefined;
    }
    const lines = text.split('\n');
    // "a\nb\n" splits with an empty last part; a torn last line (no "\n") stays for the parser to drop.
    if (lines[lines.length - 1] === '') lines.pop();
    return lines;
  }

  async replace(lines: readonly string[]): Promise<void> {
    await this.close();
    await mkdir(dirname(this.file), { recursive: true });
    const tmp = `${this.file}.tmp`;
    const fresh = await open(tmp, 'w', 0o600);
    try {
      await fresh.writeFile(lines.map((l) => `${l}\n`).join(''));
      await fresh.datasync();
    } finally {
      await fresh.close();
    }
    await rename(tmp, this.file);
    this.#handle = await open(this.file, 'a', 0o600);
  }

  async append(lines: readonly string[]): Promise<void> {
    const h = this.#handle;
    if (!h) throw new Error(`${this.file} is not open for appending`);
    await h.appendFile(lines.map((l) => `${l}\n`).join(''));
    await h.datasync();
  }

  async remove(): Promise<void> {
    await this.close();
    await rm(this.file, { force: true });
  }

  async close(): Promise<void> {
    const h = this.#handle;
    this.#handle = undefined;
    await h?.close().catch(() => undefined);
  }
}

/**
 * The log as `mm_journal` rows of one venue (its path in the project), in sequence order. The
 * lines are JSON objects, stored as jsonb: a row is whole or absent, so nothing is ever torn.
 */
export class PgLineLog implements LineLog {
  constructor(
    private readonly store: PgStore,
    readonly projectId: string,
    readonly venue: string,
  ) {}

  async load(): Promise<string[] | undefined> {
    const { rows } = await this.store.query<{ entry: unknown }>(
      'SELECT entry FROM mm_journal WHERE project_id = $1 AND venue = $2 ORDER BY seq',
      [this.projectId, this.venue],
    );
    return rows.length === 0 ? undefined : rows.map((r) => JSON.stringify(r.entry));
  }

  async replace(lines: readonly string[]): Promise<void> {
    await this.store.tx(async (client) => {
      await client.query('DELETE FROM mm_journal WHERE project_id = $1 AND venue = $2', [
        this.projectId,
        this.venue,
      ]);
      await client.query(INSERT, [this.projectId, this.venue, [...lines]]);
    });
  }

  async append(lines: readonly string[]): Promise<void> {
    // One statement: its rows commit together or not at all.
    await this.store.query(INSERT, [this.projectId, this.venue, [...lines]]);
  }

  async remove(): Promise<void> {
    await this.store.query('DELETE FROM mm_journal WHERE project_id = $1 AND venue = $2', [
      this.projectId,
      this.venue,
    ]);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

const INSERT = `INSERT INTO mm_journal (project_id, venue, entry)
  SELECT $1, $2, e FROM unnest($3::jsonb[]) WITH ORDINALITY AS t(e, n) ORDER BY n`;

/**
 * The log kept at `file` (`<project>/content-resume/<key>.jsonl`): in the project's linked
 * PostgreSQL database when its folder has a link, else the file.
 */
export async function lineLogAt(file: string): Promise<LineLog> {
  const part = projectPartOf(file);
  const linked = part ? await linkedPgStore(part.projectDir) : undefined;
  return part && linked ? new PgLineLog(linked.store, linked.projectId, part.relPath) : new FileLineLog(file);
}
