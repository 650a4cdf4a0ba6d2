/**
 * A document's JSON text written in pieces, for documents with a long top-level list (the
 * verification results: 60,000 entries, 600,000 at ten times the bench's size).
 *
 * `JSON.stringify` of such a document is one string of hundreds of MB, copied again whole into
 * a buffer to be written: two large objects that make the garbage collector trace the whole heap
 * and grow faster than the document (measured at 10×: 16× the time of 1×, against 9× in pieces).
 * Here each list entry is serialised on its own and the pieces are written as they fill, so the
 * text never exists whole. The bytes are exactly `JSON.stringify(doc)`'s.
 */
import { createWriteStream } from 'node:fs';
import { rename } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** A list at least this long makes a document worth writing in pieces. */
export const LONG_LIST = 5_000;

/** About this many characters per piece written. */
const PIECE = 1 << 20;

type Plain = Record<string, unknown>;

const hasToJson = (v: unknown): boolean =>
  typeof v === 'object' && v !== null && typeof (v as { toJSON?: unknown }).toJSON === 'function';

/**
 * True for a plain object (no toJSON of its own) holding a list of at least LONG_LIST entries
 * at its top level: the documents written in pieces. Others are written as one string.
 */
export function worthPieces(doc: unknown): doc is Plain {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc) || hasToJson(doc)) return false;
  return Object.values(doc).some((v) => Array.isArray(v) && !hasToJson(v) && v.length >= LONG_LIST);
}

/** `JSON.stringify(doc)` in pieces of about PIECE characters (top-level lists entry by entry). */
export function* jsonPieces(doc: Plain): Generator<string> {
  let piece = '{';
  let first = true;
  for (const key of Object.keys(doc)) {
    const value = doc[key];
    if (!Array.isArray(value) || hasToJson(value)) {
      const text = JSON.stringify(value);
      if (text === undefined) continue; // undefined, a function or a symbol: JSON leaves the key out
      piece += `${first ? '' : ','}${JSON.stringify(key)}:${text}`;
      first = false;
      continue;
    }
    piece += `${first ? '' : ','}${JSON.stringify(key)}:[`;
    first = false;
    for (let i = 0; i < value.length; i++) {
      // An entry JSON cannot write (undefined, a function, a symbol) is written null in a list.
      piece += `${i === 0 ? '' : ','}${JSON.stringify(value[i]) ?? 'null'}`;
      if (piece.length >= PIECE) {
        yield piece;
        piece = '';
      }
    }
    piece += ']';
  }
  yield `${piece}}`;
}

/**
 * Writes the pieces to `temp` and renames it over `file`, as lowdb's writer does with one
 * string: a crash or a full disk mid-write leaves `file` as it was (and `temp` for the caller to
 * remove). The rename is retried briefly, as lowdb does, for a reader holding the file on Windows.
 */
export async function writePieces(file: string, temp: string, pieces: Iterable<string>): Promise<void> {
  await pipeline(Readable.from(pieces), createWriteStream(temp));
  for (let attempt = 1; ; attempt++) {
    try {
      await rename(temp, file);
      return;
    } catch (e) {
      if (attempt >= 10) throw e;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
