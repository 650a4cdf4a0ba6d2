/**
 * What resuming a content transfer needs, kept on disk in the project's folder while the
 * transfer runs, so that a manager killed mid-transfer (SIGKILL gives no chance to save
 * anything at the end) resumes from the node's staging folder after it is started again.
 *
 * One small log per content id and staging folder, `<project>/content-resume/<key>.jsonl`
 * (a file, or rows of the project's PostgreSQL database when the project is shared there, so
 * that another worker taking the unit over resumes too: resume-log-store.ts): a first line naming the content id and the staging folder, then one line per regular file
 * the verifier passed whole ({"f":[name, size, mtime, sha256]}, in archive order), and a line
 * when a large file starts ({"s":[name, size]}: the node may hold part of it, see resume.ts).
 * Lines are gathered and appended every few megabytes, files or seconds, and synced; a torn
 * last line (the kill came mid-write) is dropped on load. It holds names, sizes and hashes
 * only: nothing secret. The log is replaced atomically when an attempt starts, and removed when
 * the content is published or its staging folder is given up.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { type ResumeLines, resumeLinesAt } from './resume-log-store';
import type { StagedFile } from './tar-verify';

/** What an interrupted attempt left: the files passed whole, and the file under way. */
export interface Remembered {
  readonly files: readonly StagedFile[];
  readonly started?: { readonly name: string; readonly size: number };
}

const VERSION = 1;
/** Gathered lines are appended once this many file bytes, files or milliseconds are behind. */
const FLUSH_BYTES = 8 * 1024 * 1024;
const FLUSH_FILES = 1000;
const FLUSH_MS = 2000;
/** A file at least this large is logged when it starts: a cut inside it resumes from its bytes. */
export const LARGE_FILE_BYTES = 4 * 1024 * 1024;

/** The log's path for a content id at a staging folder (a hash: content ids hold any character). */
export function resumeLogPath(dir: string, staging: string, contentId: string): string {
  const key = createHash('sha256').update(`${contentId}\0${staging}`).digest('hex').slice(0, 32);
  return join(dir, `${key}.jsonl`);
}

const fileLine = (f: StagedFile): string => JSON.stringify({ f: [f.name, f.size, f.mtime, f.sha256] });

function parseFile(v: unknown): StagedFile | undefined {
  if (!Array.isArray(v) || v.length !== 4) return undefined;
  const [name, size, mtime, sha256] = v as unknown[];
  if (typeof name !== 'string' || typeof size !== 'number' || typeof mtime !== 'number') return undefined;
  if (typeof sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(sha256)) return undefined;
  return { name, size, mtime, sha256 };
}

/**
 * The files an interrupted attempt at `staging` logged, or undefined when there is no log for
 * this content id there. A line that does not parse ends the list (what follows it is not
 * trusted: the list must stay a run from the archive's start).
 */
export async function loadResumeLog(
  dir: string,
  staging: string,
  contentId: string,
): Promise<Remembered | undefined> {
  let lines: string[] | undefined;
  try {
    lines = await (await resumeLinesAt(resumeLogPath(dir, staging, contentId))).load();
  } catch {
    // A log that cannot be read (the database away) costs this attempt its resume, nothing else.
    return undefined;
  }
  if (!lines) return undefined;
  let head: unknown;
  try {
    head = JSON.parse(lines[0] ?? '');
  } catch {
    return undefined;
  }
  const h = head as { v?: unknown; contentId?: unknown; staging?: unknown };
  if (h.v !== VERSION || h.contentId !== contentId || h.staging !== staging) return undefined;
  const files: StagedFile[] = [];
  let started: Remembered['started'];
  for (const line of lines.slice(1)) {
    if (line === '') continue;
    let entry: { f?: unknown; s?: unknown };
    try {
      entry = JSON.parse(line) as typeof entry;
    } catch {
      break;
    }
    if (entry.f !== undefined) {
      const f = parseFile(entry.f);
      if (!f) break;
      files.push(f);
      started = undefined;
    } else if (Array.isArray(entry.s) && typeof entry.s[0] === 'string' && typeof entry.s[1] === 'number') {
      started = { name: entry.s[0], size: entry.s[1] };
    } else break;
  }
  return started ? { files, started } : { files };
}

/** Removes the log of a content id that is published (a kill between publishing and removing it left it). */
export async function removeResumeLog(dir: string, staging: string, contentId: string): Promise<void> {
  await (await resumeLinesAt(resumeLogPath(dir, staging, contentId))).remove();
}

/** The log of one attempt, written as the verifier passes files. */
export class ResumeLog {
  #log: ResumeLines | undefined;
  #lines: string[] = [];
  #bytes = 0;
  #since = Date.now();
  #writing: Promise<void> = Promise.resolve();
  #closed = false;

  private constructor(
    readonly path: string,
    log: ResumeLines,
  ) {
    this.#log = log;
  }

  /**
   * Starts the log of an attempt that begins with `staged` already on the node: written whole
   * over any older log at once (resume-log-store.ts), then open for appending.
   */
  static async begin(
    dir: string,
    staging: string,
    contentId: string,
    staged: readonly StagedFile[],
    started?: Remembered['started'],
  ): Promise<ResumeLog> {
    const file = resumeLogPath(dir, staging, contentId);
    const log = await resumeLinesAt(file);
    await log.replace([
      JSON.stringify({ v: VERSION, contentId, staging }),
      ...staged.map(fileLine),
      ...(started ? [JSON.stringify({ s: [started.name, started.size] })] : []),
    ]);
    return new ResumeLog(file, log);
  }

  /** A file passed whole; appended with the next batch. */
  file(f: StagedFile): void {
    this.#lines.push(fileLine(f));
    this.#bytes += f.size;
    if (
      this.#bytes >= FLUSH_BYTES ||
      this.#lines.length >= FLUSH_FILES ||
      Date.now() - this.#since >= FLUSH_MS
    )
      void this.flush();
  }

  /** A large file started: appended at once, behind every file before it. */
  started(name: string, size: number): void {
    if (size < LARGE_FILE_BYTES) return;
    this.#lines.push(JSON.stringify({ s: [name, size] }));
    void this.flush();
  }

  /** Appends and syncs what is gathered (one write at a time, in order). */
  flush(): Promise<void> {
    if (this.#lines.length === 0) return this.#writing;
    const lines = this.#lines;
    this.#lines = [];
    this.#bytes = 0;
    this.#since = Date.now();
    this.#writing = this.#writing.then(async () => {
      const log = this.#log;
      if (!log) return;
      try {
        await log.append(lines);
      } catch {
        // A log that cannot be written (a full disk, the database away) only costs a restart
        // its resume: the transfer goes on, and its log stops here so it stays a run from the start.
        this.#log = undefined;
        await log.close().catch(() => undefined);
      }
    });
    return this.#writing;
  }

  /** Keeps the log for the next attempt (the transfer was cut). */
  async close(): Promise<void> {
    if (this.#closed) return;
    await this.flush();
    this.#closed = true;
    const log = this.#log;
    this.#log = undefined;
    await log?.close().catch(() => undefined);
  }

  /** Removes the log (the content was published, or its staging folder given up). */
  async discard(): Promise<void> {
    this.#lines = [];
    const log = this.#log ?? (await resumeLinesAt(this.path));
    await this.close();
    await log.remove();
  }
}
