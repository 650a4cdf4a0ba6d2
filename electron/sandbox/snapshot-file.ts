/**
 * The sandbox's snapshot file, written and read in pieces: at 10× the state is hundreds of MB of
 * JSON, past what one string should hold (V8's limit is ~512 MB), so it is never one string.
 *
 * Schema version 3 is still one JSON document, laid out one row per line:
 *
 *     {"schemaVersion":3,"counters":{…},"tables":{
 *     "accounts":[
 *     {…},
 *     {…}
 *     ],
 *     "members":[
 *     ]}}
 *
 * written a slice of lines at a time and read back line by line (file-lines.ts). Version 2 (the
 * whole document on one line) is still read, whole, as before.
 */
import { closeSync, fsyncSync, openSync, renameSync, writeSync } from 'node:fs';
import { fileLines } from './file-lines';
import type { Row } from './store';

/** What a snapshot holds: the id counters and every table's rows. */
export interface SnapshotSource {
  readonly counters: Record<string, number>;
  readonly tableNames: readonly string[];
  rows(table: string): Iterable<Row>;
}

/** Where a loaded snapshot's contents go, as they are read. */
export interface SnapshotSink {
  counters(counters: Record<string, number>): void;
  row(table: string, row: Row): void;
}

/** Lines are gathered up to this many characters before they are written. */
const WRITE_SLICE_CHARS = 1 << 20;

/**
 * Writes the snapshot to `path` through a temporary file (written, fsynced, renamed over it): a
 * kill at any point leaves the previous snapshot or the new one, whole.
 */
export function writeSnapshot(path: string, source: SnapshotSource): void {
  const temp = `${path}.tmp`;
  const fd = openSync(temp, 'w');
  try {
    let pending = '';
    const line = (text: string): void => {
      pending += `${text}\n`;
      if (pending.length >= WRITE_SLICE_CHARS) {
        writeSync(fd, pending);
        pending = '';
      }
    };
    line(`{"schemaVersion":3,"counters":${JSON.stringify(source.counters)},"tables":{`);
    source.tableNames.forEach((table, t) => {
      line(`${JSON.stringify(table)}:[`);
      let previous: string | undefined;
      for (const row of source.rows(table)) {
        if (previous !== undefined) line(`${previous},`);
        previous = JSON.stringify(row);
      }
      if (previous !== undefined) line(previous);
      line(t === source.tableNames.length - 1 ? ']}}' : '],');
    });
    if (source.tableNames.length === 0) line('}}');
    writeSync(fd, pending);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, path);
}

/** Reads a snapshot (version 3 line by line, version 2 whole) into `sink`. */
export function readSnapshot(path: string, sink: SnapshotSink): void {
  const damaged = (why: string): Error =>
    new Error(`The sandbox snapshot ${path} is damaged (${why}); remove it to start empty.`);
  const parse = (text: string, where: string): unknown => {
    try {
      return JSON.parse(text) as unknown;
    } catch (e) {
      throw damaged(`${where}: ${(e as Error).message}`);
    }
  };
  let table: string | undefined;
  let ended = false;
  let lineNo = 0;
  for (const line of fileLines(path)) {
    lineNo++;
    if (lineNo === 1) {
      // Version 2 is a whole document on its first line; version 3's first line opens "tables".
      const v2 = line.endsWith('}') ? (parse(line, 'line 1') as Partial<SnapshotV2>) : undefined;
      if (v2?.schemaVersion === 2) {
        readV2(v2, sink);
        ended = true;
        continue;
      }
      if (v2 !== undefined) throw new Error(`${path} has an unknown schema version`);
      const header = parse(`${line}}}`, 'line 1') as { schemaVersion?: unknown; counters?: unknown };
      if (header.schemaVersion !== 3) throw new Error(`${path} has an unknown schema version`);
      sink.counters((header.counters ?? {}) as Record<string, number>);
      continue;
    }
    if (ended) {
      if (line.trim() !== '') throw damaged(`line ${lineNo} follows the end of the document`);
      continue;
    }
    if (line.startsWith('{')) {
      if (table === undefined) throw damaged(`line ${lineNo} is a row outside a table`);
      sink.row(table, parse(line.endsWith(',') ? line.slice(0, -1) : line, `line ${lineNo}`) as Row);
    } else if (line.startsWith('"') && line.endsWith(':[')) {
      table = parse(line.slice(0, -2), `line ${lineNo}`) as string;
    } else if (line === '],' || line === ']}}' || line === '}}') {
      table = undefined;
      ended = line !== '],';
    } else throw damaged(`line ${lineNo} is not part of a snapshot`);
  }
  if (!ended) throw damaged(lineNo === 0 ? 'it is empty' : 'it ends before the end of the document');
}

interface SnapshotV2 {
  readonly schemaVersion: 2;
  readonly counters: Record<string, number>;
  readonly tables: Record<string, Row[]>;
}

function readV2(snapshot: Partial<SnapshotV2>, sink: SnapshotSink): void {
  sink.counters(snapshot.counters ?? {});
  for (const [table, rows] of Object.entries(snapshot.tables ?? {}))
    for (const row of rows) sink.row(table, row);
}
