/**
 * The bytes of a holdings file from any offset on, as text cut at line ends: on a file project
 * the file (read a slice at a time, from where a page starts), on a folder linked to PostgreSQL
 * the `mm_files` row's body (`substring` of it, never one hex text of the whole). A line's bytes
 * never straddle two texts (a newline byte never occurs inside a UTF-8 character), so a reader
 * splits each text on '\n' and knows where every line starts.
 */
import { open, stat } from 'node:fs/promises';
import { type PgStore, linkedPlaceOf } from '../store/postgres-store';

/** The first slice read from an offset: about a page of holdings (1,000 lines of ~150 bytes, twice). */
export const SEEK_SLICE = 256 * 2 ** 10;
/** Slices grow up to this: a file's (a read each), a PostgreSQL row's (a query each: fewer, larger). */
const MAX_FILE_SLICE = 2 ** 20;
const MAX_ROW_SLICE = 8 * 2 ** 20;
/**
 * The most bytes of lines handed on as one text (bar a longer line). Measured on 300,000
 * holdings (43 MB) under load: splitting and parsing every line took 0.5 s in texts of 64 KB,
 * 1.0-1.9 s in texts of 512 KB to 8 MB (a long string is not cache-friendly, and each of its
 * lines keeps the whole alive).
 */
const TEXT_BYTES = 64 * 2 ** 10;

/** Complete lines (each ending '\n', but the file's last when it has none) and the byte offset of the first. */
export interface LinesText {
  readonly text: string;
  readonly at: number;
}

export interface HoldingsBytes {
  /** The file's size in bytes when it was opened. */
  readonly size: number;
  /**
   * Its lines from byte `from` (a line's start) on, the first slice read `firstSlice` bytes and
   * each next one twice the last. A reader that stops early lets the file go.
   */
  texts(from?: number, firstSlice?: number): AsyncGenerator<LinesText>;
}

/** A source of the bytes [from, from + length) of the file; fewer at its end. */
type ReadAt = (from: number, length: number) => Promise<Buffer>;

/** The bytes of `file`; undefined when there is no such file. */
export async function openHoldingsBytes(file: string): Promise<HoldingsBytes | undefined> {
  const at = await linkedPlaceOf(file);
  return at ? pgBytes(at.store, at.projectId, at.relPath) : localBytes(file);
}

async function localBytes(file: string): Promise<HoldingsBytes | undefined> {
  let size: number;
  try {
    size = (await stat(file)).size;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  // each reading opens the file: a source nobody reads holds no descriptor
  return {
    size,
    texts: async function* (from = 0, firstSlice = MAX_FILE_SLICE) {
      const reading = await open(file, 'r');
      try {
        yield* textsOf(
          async (at, length) => {
            const buf = Buffer.allocUnsafe(length);
            const { bytesRead } = await reading.read(buf, 0, length, at);
            return buf.subarray(0, bytesRead);
          },
          size,
          from,
          firstSlice,
          MAX_FILE_SLICE,
        );
      } finally {
        await reading.close();
      }
    },
  };
}

async function pgBytes(store: PgStore, projectId: string, path: string): Promise<HoldingsBytes | undefined> {
  const { rows } = await store.query<{ size: number }>(
    'SELECT octet_length(body) AS size FROM mm_files WHERE project_id = $1 AND path = $2',
    [projectId, path],
  );
  const size = rows[0]?.size;
  if (size === undefined) return undefined;
  const readAt: ReadAt = async (at, length) => {
    const slice = await store.query<{ piece: Buffer }>(
      'SELECT substring(body FROM $3 FOR $4) AS piece FROM mm_files WHERE project_id = $1 AND path = $2',
      [projectId, path, at + 1, length],
    );
    return slice.rows[0]?.piece ?? Buffer.alloc(0);
  };
  return {
    size,
    texts: (from = 0, firstSlice = MAX_ROW_SLICE) => textsOf(readAt, size, from, firstSlice, MAX_ROW_SLICE),
  };
}

/** The bytes [from, size) as texts of whole lines; a line longer than a slice is carried into the next. */
async function* textsOf(
  readAt: ReadAt,
  size: number,
  from: number,
  firstSlice: number,
  maxSlice: number,
): AsyncGenerator<LinesText> {
  let slice = Math.max(1, firstSlice);
  // the bytes of a line not ended yet (joined once it ends: a long line costs no quadratic copying)
  let carried: Buffer[] = [];
  let carriedAt = from;
  for (let at = from; at < size;) {
    const read = await readAt(at, Math.min(slice, size - at));
    if (read.length === 0) break; // the file is shorter than it was: what was read is all there is
    at += read.length;
    slice = Math.min(slice * 2, maxSlice);
    const lastEnd = read.lastIndexOf(10) + 1;
    if (lastEnd === 0) {
      carried.push(read);
      continue;
    }
    const bytes = carried.length > 0 ? Buffer.concat([...carried, read]) : read;
    const end = bytes.length - (read.length - lastEnd);
    yield* cut(bytes, end, carriedAt);
    carried = end < bytes.length ? [bytes.subarray(end)] : [];
    carriedAt += end;
  }
  if (carried.length > 0) yield { text: Buffer.concat(carried).toString('utf8'), at: carriedAt };
}

/** bytes[0, end) (whole lines) as texts of about TEXT_BYTES, each cut after a newline. */
function* cut(bytes: Buffer, end: number, at: number): Generator<LinesText> {
  for (let pos = 0; pos < end;) {
    let stop = end;
    if (end - pos > TEXT_BYTES) {
      stop = bytes.lastIndexOf(10, pos + TEXT_BYTES - 1) + 1;
      if (stop <= pos) stop = bytes.indexOf(10, pos + TEXT_BYTES) + 1 || end; // a line longer than a text
    }
    yield { text: bytes.toString('utf8', pos, stop), at: at + pos };
    pos = stop;
  }
}
