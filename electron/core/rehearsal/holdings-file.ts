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
 */
import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline';
import { StringDecoder } from 'node:string_decoder';
import type { TargetHolding } from '../../../shared/model/rehearsal';
import { MmError } from '../errors';
import { type PgStore, WRITER, linkedPlaceOf } from '../store/postgres-store';

/** Holdings per piece handed to a reader. */
const PIECE = 2_000;
/** Bytes of a PostgreSQL row's body read at once (sent back as hex: twice that as text). */
const PG_SLICE = 8 * 2 ** 20;

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

/** The text of a piece: each holding on a line of its own, after the opening bracket or a comma. */
function lines(part: readonly TargetHolding[], first: boolean): string {
  let out = '';
  for (let i = 0; i < part.length; i++) out += (first && i === 0 ? '[\n' : ',\n') + JSON.stringify(part[i]);
  return out;
}

function closing(empty: boolean): string {
  return empty ? '[\n]\n' : '\n]\n';
}

export async function openHoldingsWriter(file: string): Promise<HoldingsWriter> {
  const at = await linkedPlaceOf(file);
  return at ? pgWriter(at.store, at.projectId, at.relPath) : localWriter(file);
}

async function localWriter(file: string): Promise<HoldingsWriter> {
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.${randomUUID()}.tmp`;
  const fh = await open(tmp, 'wx', 0o600);
  let count = 0;
  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    await fh.close();
  };
  return {
    get count() {
      return count;
    },
    write: async (part) => {
      if (part.length === 0) return;
      await fh.write(lines(part, count === 0));
      count += part.length;
    },
    commit: async () => {
      await fh.write(closing(count === 0));
      await close();
      await rename(tmp, file);
    },
    abort: async () => {
      await close().catch(() => undefined);
      await rm(tmp, { force: true });
    },
  };
}

/** A row's body is one bytea: the pieces are kept as bytes and sent as one Buffer (no string). */
function pgWriter(store: PgStore, projectId: string, path: string): HoldingsWriter {
  let chunks: Buffer[] = [];
  let count = 0;
  return {
    get count() {
      return count;
    },
    write: (part) => {
      if (part.length > 0) {
        chunks.push(Buffer.from(lines(part, count === 0), 'utf8'));
        count += part.length;
      }
      return Promise.resolve();
    },
    commit: async () => {
      chunks.push(Buffer.from(closing(count === 0), 'utf8'));
      const body = Buffer.concat(chunks);
      chunks = [];
      // the same row and note as store/file-blob.ts writes for a kept file
      await store.tx(async (client) => {
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
      });
    },
    abort: () => {
      chunks = [];
      return Promise.resolve();
    },
  };
}

/**
 * The holdings in `file`, in pieces; undefined when there is no such file. A line that is not a
 * holding is refused naming the file and the line.
 */
export async function readHoldings(
  file: string,
): Promise<AsyncIterable<readonly TargetHolding[]> | undefined> {
  const at = await linkedPlaceOf(file);
  const text = at ? await pgLines(at.store, at.projectId, at.relPath) : await localLines(file);
  return text ? parsed(file, text) : undefined;
}

/** Every holding of `file` (undefined: no file); the array is the caller's to hold. */
export async function readAllHoldings(file: string): Promise<TargetHolding[] | undefined> {
  const pieces = await readHoldings(file);
  if (!pieces) return undefined;
  const out: TargetHolding[] = [];
  for await (const part of pieces) for (const h of part) out.push(h);
  return out;
}

async function localLines(file: string): Promise<AsyncIterable<string> | undefined> {
  const stream = createReadStream(file, { encoding: 'utf8' });
  // the file may be absent: known at the first read (an open error)
  const opened = await new Promise<boolean>((resolve, reject) => {
    stream.once('open', () => resolve(true));
    stream.once('error', (e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? resolve(false) : reject(e)));
  });
  if (!opened) return undefined;
  // A reader may stop early (the first objects of a report, `show --limit`): the file is closed
  // then too, not left open until the process ends.
  return (async function* (): AsyncGenerator<string> {
    try {
      yield* createInterface({ input: stream, crlfDelay: Infinity });
    } finally {
      stream.destroy();
    }
  })();
}

async function pgLines(
  store: PgStore,
  projectId: string,
  path: string,
): Promise<AsyncIterable<string> | undefined> {
  const { rows } = await store.query<{ size: number }>(
    'SELECT octet_length(body) AS size FROM mm_files WHERE project_id = $1 AND path = $2',
    [projectId, path],
  );
  const size = rows[0]?.size;
  if (size === undefined) return undefined;
  return (async function* (): AsyncGenerator<string> {
    const decoder = new StringDecoder('utf8');
    let rest = '';
    for (let from = 0; from < size; from += PG_SLICE) {
      const slice = await store.query<{ piece: Buffer }>(
        'SELECT substring(body FROM $3 FOR $4) AS piece FROM mm_files WHERE project_id = $1 AND path = $2',
        [projectId, path, from + 1, PG_SLICE],
      );
      const text = rest + decoder.write(slice.rows[0]?.piece ?? Buffer.alloc(0));
      const parts = text.split('\n');
      rest = parts.pop() ?? '';
      yield* parts;
    }
    rest += decoder.end();
    if (rest !== '') yield rest;
  })();
}

/** The lines of a holdings file as pieces of holdings (the layout above, or one line of before). */
async function* parsed(file: string, text: AsyncIterable<string>): AsyncGenerator<readonly TargetHolding[]> {
  const corrupt = (where: string): MmError =>
    new MmError(
      'corrupt',
      `${file} is not a holdings file (${where}): the rehearsal's record is damaged.`,
      file,
    );
  let n = 0;
  let part: TargetHolding[] = [];
  let layout: 'lines' | 'whole' | undefined;
  let whole = '';
  let ended = false;
  for await (const line of text) {
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
      if (line.trim() !== '') throw corrupt(`line ${n} after the closing bracket`);
      continue;
    }
    if (line === ']') {
      ended = true;
      continue;
    }
    try {
      part.push(JSON.parse(line.endsWith(',') ? line.slice(0, -1) : line) as TargetHolding);
    } catch {
      throw corrupt(`line ${n} is not JSON`);
    }
    if (part.length >= PIECE) {
      yield part;
      part = [];
    }
  }
  if (layout === 'whole') {
    let all: unknown;
    try {
      all = JSON.parse(whole);
    } catch {
      throw corrupt('not valid JSON');
    }
    if (!Array.isArray(all)) throw corrupt('not an array');
    for (let i = 0; i < all.length; i += PIECE) yield all.slice(i, i + PIECE) as TargetHolding[];
    return;
  }
  if (layout === undefined) throw corrupt('it is empty');
  if (!ended) throw corrupt('it ends before its closing bracket');
  if (part.length > 0) yield part;
}
