/**
 * The migration log of a project: one JSON line per entry in `<project>/migration-log.jsonl`
 * (append-only, so it is never rewritten) and a `log:line` event for live views.
 * Callers pass structured details; secrets in them are masked before anything is written.
 */
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { LogLine } from '../../../shared/contract';
import type { EventBus } from '../events';
import { maskSecrets } from './mask';

export interface LogEntry extends LogLine {
  readonly details?: unknown;
}

export class MigrationLog {
  #queue: Promise<void> = Promise.resolve();
  /** Lines waiting for the next append: every line written meanwhile goes in one append. */
  #pending: string[] = [];
  #flushing = false;
  #dirMade = false;

  constructor(
    readonly file: string,
    private readonly projectId: string,
    private readonly events: EventBus,
  ) {}

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
    this.#pending.push(`${JSON.stringify(entry)}\n`);
    if (!this.#flushing) {
      this.#flushing = true;
      // A failed append fails its own lines only; the next write tries again.
      this.#queue = this.#queue
        .catch(() => undefined)
        .then(async () => {
          try {
            if (!this.#dirMade) {
              await mkdir(dirname(this.file), { recursive: true });
              this.#dirMade = true;
            }
            while (this.#pending.length > 0) {
              const batch = this.#pending.join('');
              this.#pending = [];
              await appendFile(this.file, batch);
            }
          } finally {
            this.#flushing = false;
          }
        });
    }
    return this.#queue;
  }

  async read(limit = 1000): Promise<LogEntry[]> {
    await this.#queue;
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch {
      return [];
    }
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
