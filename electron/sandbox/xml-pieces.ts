/**
 * An XML-RPC answer written in pieces: a struct whose small members are encoded at once and whose
 * row lists are encoded a slice of rows at a time, as the socket takes them (rpc-server.ts), so
 * an answer of many rows is never one string. Each piece comes from the same codec as every other
 * answer (xmlrpc-codec.ts): a value's XML is cut out of the response document the codec builds
 * for it, so the pieces joined are the document the codec would build for the whole struct.
 */
import { encodeResponse } from '../core/target/xmlrpc-codec';

/** How many rows one piece carries: ~0.7 MB of XML for a domain row (~700 bytes). */
export const ROWS_PER_PIECE = 1_000;

const HEAD = '<?xml version="1.0"?><methodResponse><params><param>';
const TAIL = '</param></params></methodResponse>';
const ARRAY_HEAD = '<value><array><data>';
const ARRAY_TAIL = '</data></array></value>';

/** A list member encoded a slice at a time; `map` is applied to each row as its slice is encoded. */
export class RowList<R = unknown> {
  constructor(
    readonly rows: readonly R[],
    readonly map: (row: R) => unknown = (row) => row,
  ) {}
}

/** An answer to write in pieces: a struct whose members may be row lists. */
export class PiecedAnswer {
  constructor(readonly members: Readonly<Record<string, unknown>>) {}

  /** The response document, piece by piece (lazily: a row slice is encoded when asked for). */
  *pieces(rowsPerPiece = ROWS_PER_PIECE): Generator<string> {
    yield `${HEAD}<value><struct>`;
    for (const [name, value] of Object.entries(this.members)) {
      yield `<member><name>${escapeText(name)}</name>`;
      if (value instanceof RowList) yield* listPieces(value, rowsPerPiece);
      else yield encodedValue(value);
      yield '</member>';
    }
    yield `</struct></value>${TAIL}`;
  }
}

function* listPieces(list: RowList, rowsPerPiece: number): Generator<string> {
  if (list.rows.length === 0) {
    yield encodedValue([]); // as the codec writes an empty list: <data/>
    return;
  }
  yield ARRAY_HEAD;
  for (let at = 0; at < list.rows.length; at += rowsPerPiece) {
    const slice = list.rows.slice(at, at + rowsPerPiece).map((row) => list.map(row));
    const array = encodedValue(slice);
    yield array.slice(ARRAY_HEAD.length, array.length - ARRAY_TAIL.length);
  }
  yield ARRAY_TAIL;
}

/** One value's `<value>…</value>`, as the codec encodes it inside a response. */
function encodedValue(value: unknown): string {
  const doc = encodeResponse(value);
  // The codec's layout is fixed (xmlbuilder, no pretty printing); should it ever change, fail
  // loudly rather than answer a broken document.
  if (!doc.startsWith(HEAD) || !doc.endsWith(TAIL))
    throw new Error('the XML-RPC codec no longer lays a response out as PiecedAnswer expects');
  return doc.slice(HEAD.length, doc.length - TAIL.length);
}

/** A struct member's name as XML text (the names here are table and field names, but still). */
function escapeText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
