/**
 * Durability of the sandbox without rewriting its state on every call: an append-only operation
 * log (`sandbox-ops.jsonl`, one line per applied call or committed transaction, written before
 * the change is applied and the call answered) over a snapshot (`sandbox-snapshot.json`,
 * snapshot-file.ts), rewritten at start, at stop, and once the log holds as many operations as
 * the last snapshot held rows (at least `compactEvery`): a rewrite writes at most twice as many
 * rows as operations came since the last, so keeping the state durable stays linear in the
 * work however large the state grows (a fixed count made it quadratic in a large batch). A kill mid-write leaves at most a torn last line, which is ignored: that call was never
 * answered. Replaying is idempotent (store.ts), so a crash between writing a snapshot and
 * emptying the log replays lines already in the snapshot safely.
 *
 * The store holds what the log line says, parsed back, not the objects the call built: the same
 * rows a restart would load, and none of the call's own strings, which can be slices of the
 * whole XML request and keep it alive (a row would hold its request's few kilobytes).
 */
import { closeSync, existsSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { fileLines } from './file-lines';
import { readSnapshot, writeSnapshot } from './snapshot-file';
import type { ChangeSet, Store } from './store';

export const SNAPSHOT_FILE = 'sandbox-snapshot.json';
export const LOG_FILE = 'sandbox-ops.jsonl';

/** The least number of operations between two snapshots, by default. */
export const COMPACT_EVERY = 100_000;

/** Whether the log is long enough to be folded into a new snapshot: it holds as many operations
 * as the last snapshot held rows, and at least `compactEvery`. */
export function compactionDue(operations: number, rowsInSnapshot: number, compactEvery: number): boolean {
  return operations >= Math.max(compactEvery, rowsInSnapshot);
}

export class OpLog {
  #fd: number | undefined;
  /** Operations in the log since the last snapshot, and the rows that snapshot holds. */
  #since = 0;
  #rowsInSnapshot = 0;

  private constructor(
    private readonly dir: string,
    private readonly store: Store,
    private readonly compactEvery: number,
  ) {}

  /** Loads the snapshot, replays the log over it, then compacts (a fresh snapshot, an empty log). */
  static open(dir: string, store: Store, compactEvery = COMPACT_EVERY): OpLog {
    const log = new OpLog(dir, store, compactEvery);
    const snapshotPath = join(dir, SNAPSHOT_FILE);
    if (existsSync(snapshotPath)) {
      const known = new Set(store.tableNames);
      readSnapshot(snapshotPath, {
        counters: (counters) => store.apply({ puts: [], dels: [], counters }),
        row: (table, row) => {
          if (known.has(table)) store.table(table).put(row);
        },
      });
    }
    const logPath = join(dir, LOG_FILE);
    if (existsSync(logPath)) {
      // Only the last line can be torn (a kill mid-append): that call was never answered.
      let torn: number | undefined;
      let lineNo = 0;
      for (const line of fileLines(logPath)) {
        lineNo++;
        if (line.trim() === '') continue;
        if (torn !== undefined)
          throw new Error(`${logPath} line ${torn} is damaged, and it is not the last line`);
        let change: ChangeSet;
        try {
          change = JSON.parse(line) as ChangeSet;
        } catch {
          torn = lineNo;
          continue;
        }
        store.apply(change);
      }
    }
    log.compact();
    return log;
  }

  /**
   * Makes one change durable, then applies it: the line is in the file (the OS's, not the
   * disk's, cache: a killed process loses nothing written; a power cut is outside the sandbox's
   * promise) before the store changes and the call is answered.
   */
  commit(change: ChangeSet): void {
    if (change.puts.length === 0 && change.dels.length === 0 && Object.keys(change.counters).length === 0)
      return;
    if (this.#fd === undefined) throw new Error('the sandbox state is closed');
    const line = JSON.stringify(change);
    writeSync(this.#fd, `${line}\n`);
    this.store.apply(JSON.parse(line) as ChangeSet);
    if (compactionDue(++this.#since, this.#rowsInSnapshot, this.compactEvery)) this.compact();
  }

  /** Writes the whole state as a new snapshot (temp file, fsync, rename) and empties the log. */
  compact(): void {
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
    const store = this.store;
    writeSnapshot(join(this.dir, SNAPSHOT_FILE), {
      counters: store.counters,
      tableNames: store.tableNames,
      rows: (table) => store.table(table).rows.values(),
    });
    this.#fd = openSync(join(this.dir, LOG_FILE), 'w');
    this.#since = 0;
    this.#rowsInSnapshot = store.rowCount;
  }

  close(): void {
    if (this.#fd === undefined) return;
    this.compact();
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
  }
}
