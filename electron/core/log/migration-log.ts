/**
 * The migration log of a project: one JSON line per entry in `<project>/migration-log.jsonl`
 * (append-only, so it is never rewritten; on a shared project the same lines are rows in
 * PostgreSQL, `store/line-log.ts`) and a `log:line` event for live views.
 * Callers pass structured details; secrets in them are masked before anything is written.
 */
import type { LogLine } from '../../../shared/contract';
import type { EventBus } from '../events';
import { type LineLog, lineLogAt } from '../store/line-log';
import { maskSecrets } from './mask';

export interface LogEntry extends LogLine {
  readonly details?: unknown;
}

export class MigrationLog {
  #queue: Promise<void> = Promise.resolve();
  /** Lines waiting for the next append: every line written meanwhile goes in one append. */
  #pending: string[] = [];
  #flushing = false;
  readonly #log: LineLog;

  constructor(
    readonly file: string,
    private readonly projectId: string,
    private readonly events: EventBus,
  ) {
    // Appended to after nearly every step of a batch: the file stays open between appends
    // (closed by close(), which the project's release and deletion call, or when idle).
    this.#log = lineLogAt(file, { keepOpen: true });
  }

  /**
   * Appends one masked line; resolves once it is in the file. Lines written while an append is
   * under way are gathered into the next one (a batch of eight steps makes one append, not
   * eight waiting behind each other), and lines never interleave.
   */
  write(level: LogLine['level'], message: string, details?: unknown): Promise<void> {
    const entry: LogEntry = {
      time: new Date().toISOString(),
      level,
      message,
      projectId: this.projectId,
      ...(details === undefined ? {} : { details: maskSecrets(details) }),
    };
    this.events.emit('log:line', { time: entry.time, level, message, projectId: this.projectId });
    this.#pending.push(JSON.stringify(entry));
    if (!this.#flushing) {
      this.#flushing = true;
      // A failed append fails its own lines only; the next write tries again.
      this.#queue = this.#queue
        .catch(() => undefined)
        .then(async () => {
          try {
            while (this.#pending.length > 0) {
              const batch = this.#pending;
              this.#pending = [];
              await this.#log.append(batch);
            }
          } finally {
            this.#flushing = false;
          }
        });
    }
    return this.#queue;
  }

  /** Resolves once every line written so far was appended (or failed): a project's move waits. */
  async flushed(): Promise<void> {
    await this.#queue.catch(() => undefined);
  }

  /**
   * Appends what was written, then lets go of the file (its descriptor): the project moves or
   * is deleted. A write after it opens the file again at its path.
   */
  async close(): Promise<void> {
    await this.flushed();
    await this.#log.close();
  }

  async read(limit = 1000): Promise<LogEntry[]> {
    await this.#queue;
    let text: string | undefined;
    try {
      text = await this.#log.text({ last: limit });
    } catch {
      return [];
    }
    if (text === undefined) return [];
    return text
      .split('\n')
      .filter((l) => l !== '')
      .slice(-limit)
      .flatMap((l) => {
        try {
          return [JSON.parse(l) as LogEntry];
        } catch {
          return []; // a line cut by a crash is skipped, the rest stays readable
        }
      });
  }
}
