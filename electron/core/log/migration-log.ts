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

  constructor(
    readonly file: string,
    private readonly projectId: string,
    private readonly events: EventBus,
  ) {}

  write(level: LogLine['level'], message: string, details?: unknown): Promise<void> {
    const entry: LogEntry = {
      time: new Date().toISOString(),
      level,
      message,
      projectId: this.projectId,
      ...(details === undefined ? {} : { details: maskSecrets(details) }),
    };
    this.events.emit('log:line', { time: entry.time, level, message, projectId: this.projectId });
    // Appends are serialised so lines never interleave.
    this.#queue = this.#queue.then(async () => {
      await mkdir(dirname(this.file), { recursive: true });
      await appendFile(this.file, `${JSON.stringify(entry)}\n`);
    });
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
