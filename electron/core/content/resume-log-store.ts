/**
 * Where a content resume log's lines live (resume-log.ts decides what they say). A file
 * project keeps them in `<project>/content-resume/<key>.jsonl`; a project kept in PostgreSQL
 * (its folder holds a store.json link) keeps them in `mm_journal`, one row per line, with the
 * log's path inside the project as the venue — so a unit another worker takes over, in another
 * data dir or on another machine, finds what the node's staging folder holds verified and
 * resumes from there instead of moving the whole content again.
 *
 * Both keep the same promises: `append` adds whole lines durably (fdatasync; a commit), a kill
 * mid-append leaves at most a torn last line (a file only; resume-log.ts drops it on load), and
 * `replace` never leaves a mix of the old log and the new one.
 */
import { type FileHandle, mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { type PgLineLog, pgLineLogAt } from '../store/line-log';

export interface ResumeLines {
  /** The lines as written (each without its "\n"), undefined when there is no log. */
  load(): Promise<string[] | undefined>;
  /** The whole log replaced by `lines` (never a mix of the two), then open for appending. */
  replace(lines: readonly string[]): Promise<void>;
  /** Lines added after the others, durable when this resolves. */
  append(lines: readonly string[]): Promise<void>;
  /** The log removed (nothing there is fine). */
  remove(): Promise<void>;
  /** Lets go of what `replace` opened; the log stays. */
  close(): Promise<void>;
}

/**
 * The log in a file: replaced by a synced temp file renamed over it, appended and synced (the
 * store's file log neither replaces atomically nor syncs, which a resume log wants).
 */
export class FileResumeLines implements ResumeLines {
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
 * The log of a shared project: the store's append-only log port (store/line-log.ts: `mm_journal`
 * rows under the log's path as venue, a row whole or absent, so nothing is ever torn), replaced
 * in one transaction.
 */
export class SharedResumeLines implements ResumeLines {
  constructor(private readonly log: PgLineLog) {}

  async load(): Promise<string[] | undefined> {
    const text = await this.log.text();
    return text === undefined ? undefined : text.split('\n').filter((l) => l !== '');
  }

  replace(lines: readonly string[]): Promise<void> {
    return this.log.replace(lines);
  }

  append(lines: readonly string[]): Promise<void> {
    return this.log.append(lines);
  }

  remove(): Promise<void> {
    return this.log.clear();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/**
 * The log kept at `file` (`<project>/content-resume/<key>.jsonl`): in the project's linked
 * PostgreSQL database when its folder has a link, else the file.
 */
export async function resumeLinesAt(file: string): Promise<ResumeLines> {
  const shared = await pgLineLogAt(file);
  return shared ? new SharedResumeLines(shared) : new FileResumeLines(file);
}
