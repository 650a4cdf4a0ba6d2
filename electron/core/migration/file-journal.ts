/**
 * The journal as a file: `<project>/migration/journal.jsonl`, one entry per line, appended and
 * synced (fdatasync) before `append` resolves. Entries written at the same moment by concurrent
 * steps share one sync (group commit), so eight steps in flight cost one disk flush, not eight.
 *
 * After a kill the last line may be torn: it was never acknowledged (its `append` had not
 * resolved, so no call was made on its strength) and is dropped on load. Any other line that
 * does not parse means the file was damaged: `store-corrupt`, naming the file and the line.
 */
import { createReadStream } from 'node:fs';
import { type FileHandle, mkdir, open, stat, truncate } from 'node:fs/promises';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline';
import { MmError } from '../errors';
import { maskSecrets } from '../log/mask';
import { applyEntry, emptyState, type JournalEntry, type JournalPort, type JournalState } from './journal';

interface Waiter {
  readonly lines: string;
  resolve(): void;
  reject(e: unknown): void;
}

/**
 * Writes all of `bytes`. One write() may take only part of them without an error (a disk that is
 * nearly full took 32 KiB of a larger batch): resolving then would acknowledge intents that are
 * not on disk, and the calls made on their strength could be made again after a restart.
 */
async function writeWhole(handle: FileHandle, bytes: Buffer): Promise<void> {
  let offset = 0;
  while (offset < bytes.length) {
    const { bytesWritten } = await handle.write(bytes, offset, bytes.length - offset);
    if (bytesWritten <= 0)
      throw new Error(`the journal took no more bytes (${offset} of ${bytes.length} written)`);
    offset += bytesWritten;
  }
}

export class FileJournal implements JournalPort {
  #handle: FileHandle | undefined;
  #pending: Waiter[] = [];
  #flushing = false;

  constructor(readonly file: string) {}

  async load(): Promise<JournalState> {
    const state = emptyState();
    let size: number;
    try {
      size = (await stat(this.file)).size;
    } catch {
      return state;
    }
    let lineNo = 0;
    let goodBytes = 0;
    let torn: { line: number; text: string } | undefined;
    const lines = createInterface({
      input: createReadStream(this.file, { encoding: 'utf8' }),
      crlfDelay: Infinity,
    });
    for await (const line of lines) {
      lineNo++;
      if (torn) {
        // A bad line followed by more lines is damage, not a torn tail.
        throw new MmError(
          'store-corrupt',
          `The migration journal ${this.file} is damaged at line ${torn.line}: it is not a journal entry. Nothing was changed; keep a copy of the file and ask for help before migrating again.`,
          this.file,
        );
      }
      if (line.trim() === '') {
        goodBytes += Buffer.byteLength(line) + 1;
        continue;
      }
      let entry: JournalEntry;
      try {
        entry = JSON.parse(line) as JournalEntry;
        if (typeof entry !== 'object' || entry === null || !('t' in entry)) throw new Error('no type');
      } catch {
        torn = { line: lineNo, text: line };
        continue;
      }
      applyEntry(state, entry);
      goodBytes += Buffer.byteLength(line) + 1;
    }
    // A torn tail is cut off, so the next entry starts on a line of its own.
    if (torn && goodBytes < size) await truncate(this.file, goodBytes);
    return state;
  }

  append(entries: readonly JournalEntry[]): Promise<void> {
    if (entries.length === 0) return Promise.resolve();
    const lines = entries.map((e) => `${JSON.stringify(maskSecrets(e))}\n`).join('');
    return new Promise<void>((resolve, reject) => {
      this.#pending.push({ lines, resolve, reject });
      void this.#flush();
    });
  }

  /** Writes everything pending with one sync; entries that arrive meanwhile wait for the next. */
  async #flush(): Promise<void> {
    if (this.#flushing) return;
    this.#flushing = true;
    try {
      while (this.#pending.length > 0) {
        const batch = this.#pending;
        this.#pending = [];
        try {
          const handle = await this.#open();
          await writeWhole(handle, Buffer.from(batch.map((w) => w.lines).join(''), 'utf8'));
          await handle.datasync();
          for (const w of batch) w.resolve();
        } catch (e) {
          // Part of the batch may be in the file (a disk that filled mid-write): reopen before the
          // next append, so the torn line is cut off instead of being glued to the next one.
          await this.#handle?.close().catch(() => undefined);
          this.#handle = undefined;
          for (const w of batch) w.reject(e);
        }
      }
    } finally {
      this.#flushing = false;
    }
  }

  async #open(): Promise<FileHandle> {
    if (!this.#handle) {
      await mkdir(dirname(this.file), { recursive: true, mode: 0o700 });
      await this.#cutTornTail();
      this.#handle = await open(this.file, 'a', 0o600);
    }
    return this.#handle;
  }

  /** A line left half-written by a killed process is cut off before anything is appended after it. */
  async #cutTornTail(): Promise<void> {
    let size: number;
    try {
      size = (await stat(this.file)).size;
    } catch {
      return;
    }
    if (size === 0) return;
    const handle = await open(this.file, 'r');
    try {
      const tail = Buffer.alloc(Math.min(size, 64 * 1024));
      await handle.read(tail, 0, tail.length, size - tail.length);
      if (tail[tail.length - 1] === 0x0a) return;
      const lastNewline = tail.lastIndexOf(0x0a);
      await truncate(this.file, lastNewline < 0 ? size - tail.length : size - tail.length + lastNewline + 1);
    } finally {
      await handle.close();
    }
  }

  async close(): Promise<void> {
    while (this.#flushing || this.#pending.length > 0) await new Promise((r) => setTimeout(r, 5));
    await this.#handle?.close();
    this.#handle = undefined;
  }
}
