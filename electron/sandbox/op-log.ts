/**
 * Durability of the sandbox without rewriting its state on every call: an append-only operation
 * log (`sandbox-ops.jsonl`, one line per applied call or committed transaction, written before
 * the answer is sent) over a snapshot (`sandbox-snapshot.json`, rewritten only at start, at stop
 * and every `compactEvery` operations). A kill mid-write leaves at most a torn last line, which
 * is ignored: that call was never answered. Replaying is idempotent (store.ts), so a crash
 * between writing a snapshot and emptying the log replays lines already in the snapshot safely.
 */
import {
  closeSync,
  existsSync,
  fsyncSync,
  openSync,
  readFileSync,
  renameSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import type { ChangeSet, Row, Store } from './store';

export const SNAPSHOT_FILE = 'sandbox-snapshot.json';
export const LOG_FILE = 'sandbox-ops.jsonl';

interface Snapshot {
  readonly schemaVersion: 2;
  readonly counters: Record<string, number>;
  readonly tables: Record<string, Row[]>;
}

export class OpLog {
  #fd: number | undefined;
  #since = 0;

  private constructor(
    private readonly dir: string,
    private readonly store: Store,
    private readonly compactEvery: number,
  ) {}

  /** Loads the snapshot, replays the log over it, then compacts (a fresh snapshot, an empty log). */
  static open(dir: string, store: Store, compactEvery = 100_000): OpLog {
    const log = new OpLog(dir, store, compactEvery);
    const snapshotPath = join(dir, SNAPSHOT_FILE);
    if (existsSync(snapshotPath)) {
      let snapshot: Snapshot;
      try {
        snapshot = JSON.parse(readFileSync(snapshotPath, 'utf8')) as Snapshot;
      } catch (e) {
        throw new Error(
          `The sandbox snapshot ${snapshotPath} is damaged (${(e as Error).message}); remove it to start empty.`,
          { cause: e },
        );
      }
      if (snapshot.schemaVersion !== 2) throw new Error(`${snapshotPath} has an unknown schema version`);
      store.apply({
        puts: Object.entries(snapshot.tables).flatMap(([t, rows]) =>
          store.tableNames.includes(t) ? rows.map((r): [string, Row] => [t, r]) : [],
        ),
        dels: [],
        counters: snapshot.counters,
      });
    }
    const logPath = join(dir, LOG_FILE);
    if (existsSync(logPath)) {
      const lines = readFileSync(logPath, 'utf8').split('\n');
      for (const [i, line] of lines.entries()) {
        if (line.trim() === '') continue;
        let change: ChangeSet;
        try {
          change = JSON.parse(line) as ChangeSet;
        } catch {
          // Only the last line can be torn (a kill mid-append): that call was never answered.
          if (lines.slice(i + 1).some((l) => l.trim() !== ''))
            throw new Error(`${logPath} line ${i + 1} is damaged, and it is not the last line`);
          break;
        }
        store.apply(change);
      }
    }
    log.compact();
    return log;
  }

  /** Appends one change; returns when the line is in the file (the OS's, not the disk's, cache:
   * a killed process loses nothing written; a power cut is outside the sandbox's promise). */
  append(change: ChangeSet): void {
    if (change.puts.length === 0 && change.dels.length === 0 && Object.keys(change.counters).length === 0)
      return;
    if (this.#fd === undefined) throw new Error('the sandbox state is closed');
    writeSync(this.#fd, `${JSON.stringify(change)}\n`);
    if (++this.#since >= this.compactEvery) this.compact();
  }

  /** Writes the whole state as a new snapshot (temp file, fsync, rename) and empties the log. */
  compact(): void {
    if (this.#fd !== undefined) closeSync(this.#fd);
    const snapshot: Snapshot = {
      schemaVersion: 2,
      counters: this.store.counters,
      tables: Object.fromEntries(this.store.tableNames.map((t) => [t, this.store.all(t)])),
    };
    const path = join(this.dir, SNAPSHOT_FILE);
    const temp = `${path}.tmp`;
    const fd = openSync(temp, 'w');
    writeFileSync(fd, JSON.stringify(snapshot));
    fsyncSync(fd);
    closeSync(fd);
    renameSync(temp, path);
    this.#fd = openSync(join(this.dir, LOG_FILE), 'w');
    this.#since = 0;
  }

  close(): void {
    if (this.#fd === undefined) return;
    this.compact();
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
  }
}
