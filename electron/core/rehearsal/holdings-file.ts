/**
 * A rehearsal's holdings.json, written and read in pieces. At 10× it is ~2 million holdings,
 * ~290 MB of JSON: as one string it would pass V8's string limit (~512 MB with the escapes of a
 * second copy) and hold the manager's heap several times over. The file is still one JSON array
 * (any JSON reader opens it), laid out one holding per line:
 *
 *     [
 *     {"kind":"account",…},
 *     {"kind":"domain",…}
 *     ]
 *
 * so it is written line by line (a temporary file renamed over it, mode 0600, as every kept
 * file) and read line by line. A holdings.json of before (one line: the whole array, written as
 * one string, so it fits one) is read whole, as before. On a project served from PostgreSQL the
 * file is a row of `mm_files` like every kept file (store/file-blob.ts), written from the pieces'
 * bytes (never a string of the whole) and read back in slices of its body.
 *
 * Beside it, holdings.index.json (holdings-index.ts: where every 1,000th holding's line starts,
 * overall and per kind, and the counts) lets a page read only its own lines; it is written with
 * the file, or by the first page of a rehearsal of before.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { HoldingsPage, HoldingsQuery, TargetHolding } from '../../../shared/model/rehearsal';
import { MmError } from '../errors';
import { type PgStore, WRITER, linkedPlaceOf } from '../store/postgres-store';
import { type HoldingsBytes, type LinesText, openHoldingsBytes } from './holdings-bytes';
import {
  type HoldingsIndex,
  HoldingsIndexer,
  readHoldingsIndex,
  removeHoldingsIndex,
  writeHoldingsIndex,
} from './holdings-index';
import { type PagedHoldings, pageByIndex, pageByScan } from './holdings-query';

/** Holdings per piece handed to a reader. */
const PIECE = 2_000;

export interface HoldingsWriter {
  /** Appends a piece (in order). */
  write(part: readonly TargetHolding[]): Promise<void>;
  /** How many holdings were written so far. */
  readonly count: number;
  /** Ends the array and puts the file in place (atomically). */
  commit(): Promise<void>;
  /** Drops what was written; the file in place, if any, stays as it was. */
  abort(): Promise<void>;
}

/**
 * The file's text as it is written, piece by piece: each holding on a line of its own, after the
 * opening bracket or a comma; where each line starts (bytes) is noted in the index on the way.
 */
class HoldingLines {
  count = 0;
  private bytes = 0;
  private readonly indexer = new HoldingsIndexer();

  piece(part: readonly TargetHolding[]): string {
    let out = '';
    for (const h of part) {
      const json = JSON.stringify(h);
      const before = this.count === 0 ? '[\n' : ',\n';
      this.bytes += before.length;
      this.indexer.add(h.kind, this.bytes, json);
      this.bytes += Buffer.byteLength(json);
      this.count++;
      out += before + json;
    }
    return out;
  }

  closing(): string {
    const text = this.count === 0 ? '[\n]\n' : '\n]\n';
    this.bytes += text.length;
    return text;
  }

  /** The index of the whole (after closing). */
  index(): HoldingsIndex {
    return this.indexer.done(this.bytes);
  }
}

/**
 * Puts holdings.json in place by `put`, and its index beside it. The old index goes first, so
 * an index never stands beside a file it was not made from (a crash in between leaves none: the
 * first page makes it again); failing to write the new one fails nothing (the same).
 */
async function putWithIndex(file: string, lines: HoldingLines, put: () => Promise<void>): Promise<void> {
  await removeHoldingsIndex(file);
  await put();
  await writeHoldingsIndex(file, lines.index()).catch(() => undefined);
}

export async function openHoldingsWriter(file: string): Promise<HoldingsWriter> {
  const at = await linkedPlaceOf(file);
  return at ? pgWriter(at.store, at.projectId, at.relPath, file) : localWriter(file);
}

async function localWriter(file: string): Promise<HoldingsWriter> {
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.${randomUUID()}.tmp`;
  const fh = await open(tmp, 'wx', 0o600);
  const lines = new HoldingLines();
  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    await fh.close();
  };
  return {
    get count() {
      return lines.count;
    },
    write: async (part) => {
      if (part.length === 0) return;
      await fh.write(lines.piece(part));
    },
    commit: async () => {
      await fh.write(lines.closing());
      await close();
      await putWithIndex(file, lines, () => rename(tmp, file));
    },
    abort: async () => {
      await close().catch(() => undefined);
      await rm(tmp, { force: true });
    },
  };
}

/** A row's body is one bytea: the pieces are kept as bytes and sent as one Buffer (no string). */
function pgWriter(store: PgStore, projectId: string, path: string, file: string): HoldingsWriter {
  let chunks: Buffer[] = [];
  const lines = new HoldingLines();
  return {
    get count() {
      return lines.count;
    },
    write: (part) => {
      if (part.length > 0) chunks.push(Buffer.from(lines.piece(part), 'utf8'));
      return Promise.resolve();
    },
    commit: async () => {
      chunks.push(Buffer.from(lines.closing(), 'utf8'));
      const body = Buffer.concat(chunks);
      chunks = [];
      // the same row and note as store/file-blob.ts writes for a kept file
      await putWithIndex(file, lines, () =>
        store.tx(async (client) => {
          await client.query(
            `INSERT INTO mm_files (project_id, path, body, updated_by) VALUES ($1, $2, $3, $4)
             ON CONFLICT (project_id, path) DO UPDATE SET body = EXCLUDED.body, updated_at = now(),
               updated_by = EXCLUDED.updated_by`,
            [projectId, path, body, WRITER],
          );
          await client.query('SELECT pg_notify($1, $2)', [
            'mm_changes',
            JSON.stringify({ t: 'file', p: projectId, path, by: WRITER }),
          ]);
        }),
      );
    },
    abort: () => {
      chunks = [];
      return Promise.resolve();
    },
  };
}

/**
 * The holdings in `file`, in pieces (read afresh each time they are iterated; a reader that
 * stops early lets the file go), and a page of them straight from the file; undefined when there
 * is no such file. A line that is not a holding is refused naming the file and the line.
 */
export async function readHoldings(file: string): Promise<PagedHoldings | undefined> {
  const bytes = await openHoldingsBytes(file);
  if (!bytes) return undefined;
  return {
    [Symbol.asyncIterator]: () => parsed(file, bytes.texts()),
    page: (query) => pageOfFile(file, bytes, query),
  };
}

/**
 * A page: by the index when there is one of this file, else (a rehearsal of before, an index
 * lost) by one pass that parses every line and writes the index on the way for the next pages.
 */
async function pageOfFile(file: string, bytes: HoldingsBytes, query: HoldingsQuery): Promise<HoldingsPage> {
  const index = await readHoldingsIndex(file, bytes.size);
  if (index) {
    const page = await pageByIndex(bytes, index, query, (line, where) => parseLine(file, line, where));
    if (page) return page;
    return pageByScan(parsed(file, bytes.texts()), query);
  }
  const indexing: Indexing = { indexer: new HoldingsIndexer(), whole: false };
  const page = await pageByScan(parsed(file, bytes.texts(), indexing), query);
  if (indexing.whole)
    await writeHoldingsIndex(file, indexing.indexer.done(bytes.size)).catch(() => undefined);
  return page;
}

/** An index made while a file is read: `whole` once every line was read (and the file is one of lines). */
interface Indexing {
  readonly indexer: HoldingsIndexer;
  whole: boolean;
}

function corrupt(file: string, where: string): MmError {
  return new MmError(
    'corrupt',
    `${file} is not a holdings file (${where}): the rehearsal's record is damaged.`,
    file,
  );
}

function parseLine(file: string, line: string, where: () => string): TargetHolding {
  try {
    return JSON.parse(line) as TargetHolding;
  } catch {
    throw corrupt(file, `${where()} is not JSON`);
  }
}

/** Every holding of `file` (undefined: no file); the array is the caller's to hold. */
export async function readAllHoldings(file: string): Promise<TargetHolding[] | undefined> {
  const pieces = await readHoldings(file);
  if (!pieces) return undefined;
  const out: TargetHolding[] = [];
  for await (const part of pieces) for (const h of part) out.push(h);
  return out;
}

/** The lines of texts read from a file, as readline hands them (no empty one after the last newline). */
async function* linesOfTexts(
  texts: AsyncIterable<LinesText>,
): AsyncGenerator<{ readonly lines: string[]; readonly at: number }> {
  for await (const { text, at } of texts) {
    const lines = text.split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    yield { lines, at };
  }
}

/**
 * The lines of a holdings file as pieces of holdings (the layout above, or one line of before);
 * `indexing` notes where each holding's line starts, and holds the index once the file was whole.
 */
async function* parsed(
  file: string,
  texts: AsyncIterable<LinesText>,
  indexing?: Indexing,
): AsyncGenerator<readonly TargetHolding[]> {
  let n = 0;
  let part: TargetHolding[] = [];
  let layout: 'lines' | 'whole' | undefined;
  let whole = '';
  let ended = false;
  for await (const { lines, at } of linesOfTexts(texts)) {
    let lineAt = at;
    for (const raw of lines) {
      const start = lineAt;
      if (indexing) lineAt += Buffer.byteLength(raw) + 1;
      const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
      n++;
      if (layout === undefined) {
        layout = line === '[' ? 'lines' : 'whole';
        if (layout === 'lines') continue;
      }
      if (layout === 'whole') {
        // written before as one string: it fits one
        whole += whole === '' ? line : `\n${line}`;
        continue;
      }
      if (ended) {
        if (line.trim() !== '') throw corrupt(file, `line ${n} after the closing bracket`);
        continue;
      }
      if (line === ']') {
        ended = true;
        continue;
      }
      const text = line.endsWith(',') ? line.slice(0, -1) : line;
      const h = parseLine(file, text, () => `line ${n}`);
      indexing?.indexer.add(h.kind, start, text);
      part.push(h);
      if (part.length >= PIECE) {
        yield part;
        part = [];
      }
    }
  }
  if (layout === 'whole') {
    let all: unknown;
    try {
      all = JSON.parse(whole);
    } catch {
      throw corrupt(file, 'not valid JSON');
    }
    if (!Array.isArray(all)) throw corrupt(file, 'not an array');
    for (let i = 0; i < all.length; i += PIECE) yield all.slice(i, i + PIECE) as TargetHolding[];
    return;
  }
  if (layout === undefined) throw corrupt(file, 'it is empty');
  if (!ended) throw corrupt(file, 'it ends before its closing bracket');
  if (part.length > 0) yield part;
  if (indexing) indexing.whole = true;
}
