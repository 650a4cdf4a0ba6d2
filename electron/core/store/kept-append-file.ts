/**
 * An append-only file held open between appends: one descriptor per file for as long as its
 * holder writes to it, instead of an open and a close around every append. The migration log
 * appends after nearly every step of a batch (lines written meanwhile go together, but at 8
 * steps in flight that is still hundreds of appends a second), and a CPU profile of
 * provisioning showed `appendFile`'s open and close as a large share of the engine's
 * main-thread samples (each is a round trip through libuv's thread pool and its promise).
 *
 * The descriptor is let go on `close()` (a project's release for a move, its deletion, a log's
 * clear) and after `idleCloseMs` without an append, so a holder that never closes (a
 * rehearsal's log, left to the collector when the rehearsal ends) does not keep a descriptor
 * for the life of the process. An append after a close opens the file again by its path.
 *
 * Lines stay whole for readers: one append is written whole (a short write is continued,
 * `writeWhole`); a line torn by a kill or by a failed write (a full disk) is the file's last
 * line until the next open, which ends it with a newline before anything else is appended, so
 * the next line is never glued to it (readers skip the torn one and read the rest).
 */
import { type FileHandle, mkdir, open } from 'node:fs/promises';
import { dirname } from 'node:path';

/** A descriptor unused this long is closed (the next append opens the file again). */
export const IDLE_CLOSE_MS = 10_000;

export interface KeptAppendFileOptions {
  /** The file's mode when an append creates it. */
  readonly mode?: number;
  /** Closes the descriptor after this many ms without an append (IDLE_CLOSE_MS by default). */
  readonly idleCloseMs?: number;
}

/**
 * Writes all of `bytes`: one write() may take only part of them without an error (a disk that
 * is nearly full), and the rest must follow or the append fails.
 */
export async function writeWhole(handle: FileHandle, bytes: Buffer): Promise<void> {
  let offset = 0;
  while (offset < bytes.length) {
    const { bytesWritten } = await handle.write(bytes, offset, bytes.length - offset);
    if (bytesWritten <= 0)
      throw new Error(`the file took no more bytes (${offset} of ${bytes.length} written)`);
    offset += bytesWritten;
  }
}

interface Opened {
  readonly handle: FileHandle;
  /** The file ended inside a line when it was opened: the next append starts a new one. */
  endTornLine: boolean;
}

export class KeptAppendFile {
  #opened: Promise<Opened> | undefined;
  #idle: NodeJS.Timeout | undefined;
  /** Appends writing now: an idle close waits for none to be under way. */
  #writing = 0;

  constructor(
    readonly file: string,
    private readonly options: KeptAppendFileOptions = {},
  ) {}

  /** Whether a descriptor is held now (for tests and the release's checks). */
  get isOpen(): boolean {
    return this.#opened !== undefined;
  }

  /** Appends `text` (whole lines, each newline-terminated); resolves once the kernel has it. */
  async append(text: string): Promise<void> {
    const opening = (this.#opened ??= this.#open());
    let opened: Opened;
    try {
      opened = await opening;
    } catch (e) {
      // A failed open is not kept: the next append tries again.
      if (this.#opened === opening) this.#opened = undefined;
      throw e;
    }
    this.#writing++;
    this.#keepAlive();
    const bytes = Buffer.from(opened.endTornLine ? `\n${text}` : text, 'utf8');
    opened.endTornLine = false;
    try {
      await writeWhole(opened.handle, bytes);
    } catch (e) {
      // Part of the text may be in the file: it is let go, and the next append opens it again
      // and ends that torn line first.
      if (this.#opened === opening) {
        this.#opened = undefined;
        void opened.handle.close().catch(() => undefined);
      }
      throw e;
    } finally {
      this.#writing--;
    }
  }

  /** Lets the descriptor go (after appends under way); the next append opens the file again. */
  async close(): Promise<void> {
    clearTimeout(this.#idle);
    this.#idle = undefined;
    const opening = this.#opened;
    this.#opened = undefined;
    const opened = await opening?.catch(() => undefined);
    // A FileHandle closes once the operations under way on it ended.
    await opened?.handle.close();
  }

  async #open(): Promise<Opened> {
    const mode = this.options.mode ?? 0o666;
    let handle: FileHandle;
    // Read and append: the last byte is read to see whether a torn line must be ended.
    try {
      handle = await open(this.file, 'a+', mode);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      await mkdir(dirname(this.file), { recursive: true, mode: 0o700 });
      handle = await open(this.file, 'a+', mode);
    }
    try {
      const { size } = await handle.stat();
      let endTornLine = false;
      if (size > 0) {
        const last = Buffer.alloc(1);
        await handle.read(last, 0, 1, size - 1);
        endTornLine = last[0] !== 0x0a;
      }
      return { handle, endTornLine };
    } catch (e) {
      await handle.close().catch(() => undefined);
      throw e;
    }
  }

  /** (Re)starts the idle countdown; it never keeps the process alive. */
  #keepAlive(): void {
    if (this.#idle) {
      this.#idle.refresh();
      return;
    }
    this.#idle = setTimeout(() => this.#idleClose(), this.options.idleCloseMs ?? IDLE_CLOSE_MS);
    this.#idle.unref();
  }

  #idleClose(): void {
    this.#idle = undefined;
    if (this.#writing > 0) {
      this.#keepAlive();
      return;
    }
    void this.close().catch(() => undefined);
  }
}
