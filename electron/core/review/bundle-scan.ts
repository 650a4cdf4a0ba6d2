/**
 * A review bundle's JSON read as it is gunzipped, never whole (issue 19). The bundle is one JSON
 * document, `{header fields…, "files": {"<member>": {"json": …} | {"lines": […]}, …}}`; a project
 * with a few 10× rehearsals carries hundreds of MB of holdings in `rehearsals/<id>/holdings.json`
 * members. This scanner only finds where each value begins and ends (strings, escapes, nesting:
 * every structural character is ASCII, so the bytes of UTF-8 text never look like one) and hands
 * over its raw bytes, which JSON.parse then checks:
 * - the header fields and every other member are kept, within `maxExpandedBytes` together (the
 *   decompression-bomb ceiling of before);
 * - a holdings member, when the caller gives a sink for it, goes element by element (each at most
 *   MAX_HOLDING_BYTES), checked against the holding schema and handed over in pieces, within
 *   `maxHoldingsMemberBytes` per member and `maxStreamedBytes` for them all; the whole expansion
 *   never passes the sum of the caps.
 * Past a cap nothing more is kept; the message says which cap and how large.
 */
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { MmError } from '../errors';
import { type MemberKind, holdingsPieceIssue, safeMemberKind } from './bundle-members';

export interface ScanLimits {
  /** The header and every member but the streamed holdings, together, expanded. */
  readonly maxExpandedBytes: number;
  /** One rehearsal's holdings member, expanded. */
  readonly maxHoldingsMemberBytes: number;
  /** Every streamed holdings member together, expanded. */
  readonly maxStreamedBytes: number;
}

/** One holding of a holdings member: a real one is under 1 KB; a larger one is refused. */
export const MAX_HOLDING_BYTES = 1024 * 1024;
/** Holdings handed to a sink at once. */
const PIECE = 2_000;

/** A bundle's gzip bytes: in memory, or a file read as it is gunzipped (never whole). */
export type BundleSource = Buffer | { readonly path: string };

/** Where a streamed holdings member's elements go (checked against the holding schema). */
export interface HoldingsSink {
  write(part: readonly unknown[]): Promise<void>;
}

export interface ScannedBundle {
  /** The top-level fields, parsed; `files` only when it is not an object (for the header's check to refuse). */
  readonly header: Record<string, unknown>;
  /** Whether `files` was an object (its members below). */
  readonly hasFiles: boolean;
  /** Every member that was kept, parsed (its `{json}` / `{lines}` wrapper, not yet checked). */
  readonly members: ReadonlyMap<string, unknown>;
  /** The holdings members that went to a sink. */
  readonly streamed: readonly string[];
}

const MB = (n: number): string => `${Math.ceil(n / 1048576)} MB`;

/** The expanded bytes, a chunk at a time, with a ceiling on how many are read at all. */
class ByteReader {
  chunk: Buffer = Buffer.alloc(0);
  pos = 0;
  total = 0;
  private ended = false;
  constructor(
    private readonly source: AsyncIterator<Buffer>,
    private readonly ceiling: number,
    private readonly overCeiling: (total: number) => never,
  ) {}

  /** Whether a byte is at `pos` (reading the next chunk when needed); false at the end. */
  async more(): Promise<boolean> {
    while (this.pos >= this.chunk.length) {
      if (this.ended) return false;
      const next = await this.source.next();
      if (next.done) {
        this.ended = true;
        return false;
      }
      this.chunk = next.value;
      this.pos = 0;
      this.total += next.value.length;
      if (this.total > this.ceiling) this.overCeiling(this.total);
    }
    return true;
  }

  /** Reads on to the end, up to `upTo` bytes, keeping nothing: how large the whole would be. */
  async drain(upTo: number): Promise<{ total: number; more: boolean }> {
    this.pos = this.chunk.length;
    while (this.total <= upTo) {
      const next = await this.source.next();
      if (next.done) return { total: this.total, more: false };
      this.total += next.value.length;
    }
    return { total: this.total, more: true };
  }
}

/** Syntax the scanner cannot follow: reported as "not gzip-compressed JSON". */
class NotJson extends Error {}
/** The kept part passed its cap: the rest is counted for the message. */
class KeptTooLarge extends Error {}
/** A sink's own failure (a full disk): passed on as it is, not as a bad bundle. */
class SinkFailed extends Error {
  constructor(readonly reason: unknown) {
    super('the sink failed');
  }
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const isWs = (c: number): boolean => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
const isOpen = (c: number): boolean => c === 0x7b || c === 0x5b;
const isClose = (c: number): boolean => c === 0x7d || c === 0x5d;

/** The next byte that is not white space (not consumed), or undefined at the end. */
async function peek(r: ByteReader): Promise<number | undefined> {
  for (;;) {
    if (!(await r.more())) return undefined;
    const b = r.chunk;
    while (r.pos < b.length) {
      const c = b[r.pos] as number;
      if (!isWs(c)) return c;
      r.pos++;
    }
  }
}

async function expect(r: ByteReader, c: number): Promise<void> {
  if ((await peek(r)) !== c) throw new NotJson();
  r.pos++;
}

/**
 * The raw bytes of the next JSON value, as slices of the chunks; `take(n)` is told of every n
 * bytes before they are kept (and throws past its cap).
 */
async function rawValue(r: ByteReader, take: (n: number) => void): Promise<Buffer> {
  const first = await peek(r);
  if (first === undefined) throw new NotJson();
  const scalar = first !== QUOTE && !isOpen(first);
  const parts: Buffer[] = [];
  let size = 0;
  let depth = 0;
  let inString = false;
  let escaped = false;
  for (;;) {
    if (!(await r.more())) {
      if (scalar && size > 0) return Buffer.concat(parts, size);
      throw new NotJson();
    }
    const b = r.chunk;
    const start = r.pos;
    let i = start;
    let done = false;
    // Inside a string the next quote and backslash are found natively (a 700 MB string is one
    // search, not 700 million steps); the next backslash is kept until passed.
    let backslash = -2;
    for (; i < b.length; i++) {
      const c = b[i] as number;
      if (inString) {
        if (escaped) {
          escaped = false;
          continue;
        }
        if (backslash !== -1 && backslash < i) backslash = b.indexOf(BACKSLASH, i);
        const quote = b.indexOf(QUOTE, i);
        if (backslash !== -1 && (quote === -1 || backslash < quote)) {
          i = backslash;
          escaped = true;
        } else if (quote === -1) {
          i = b.length - 1;
        } else {
          i = quote;
          inString = false;
          if (depth === 0) {
            i++;
            done = true;
            break;
          }
        }
      } else if (scalar) {
        if (c === COMMA || isClose(c) || isWs(c)) {
          done = true;
          break;
        }
      } else if (c === QUOTE) inString = true;
      else if (isOpen(c)) depth++;
      else if (isClose(c)) {
        depth--;
        if (depth === 0) {
          i++;
          done = true;
          break;
        }
      }
    }
    take(i - start);
    parts.push(b.subarray(start, i));
    size += i - start;
    r.pos = i;
    if (done) return Buffer.concat(parts, size);
  }
}

function parse(raw: Buffer): unknown {
  try {
    return JSON.parse(raw.toString('utf8')) as unknown;
  } catch {
    throw new NotJson();
  }
}

async function key(r: ByteReader, take: (n: number) => void): Promise<string> {
  if ((await peek(r)) !== QUOTE) throw new NotJson();
  const name = parse(await rawValue(r, take));
  await expect(r, COLON);
  return name as string;
}

/** Calls `each` for every entry of the object that begins at the next byte. */
async function entries(
  r: ByteReader,
  take: (n: number) => void,
  each: (name: string) => Promise<void>,
): Promise<void> {
  await expect(r, 0x7b);
  if ((await peek(r)) === 0x7d) {
    r.pos++;
    return;
  }
  for (;;) {
    await each(await key(r, take));
    const c = await peek(r);
    r.pos++;
    if (c === 0x7d) return;
    if (c !== COMMA) throw new NotJson();
  }
}

/**
 * Reads a bundle's gzip bytes (or its file, a chunk at a time). `holdings(name)` gives the sink of a holdings member (undefined:
 * kept with the other members, as a small bundle's are). Throws `bundle-invalid` /
 * `bundle-too-large` naming the bundle; what the sinks got is theirs to drop then.
 */
export async function scanBundle(
  source: BundleSource,
  where: string,
  limits: ScanLimits,
  holdings?: (name: string) => Promise<HoldingsSink | undefined>,
  chunkSize = 256 * 1024,
): Promise<ScannedBundle> {
  const ceiling = limits.maxExpandedBytes + limits.maxStreamedBytes;
  const tooLarge = (message: string): never => {
    throw new MmError('bundle-too-large', `${where} is too large (${message}); nothing was opened.`, where);
  };
  const compressed = Buffer.isBuffer(source) ? Readable.from([source]) : createReadStream(source.path);
  const gunzip = compressed.pipe(createGunzip({ chunkSize }));
  // A file that cannot be read (gone, a folder) ends the scan as the gunzip's failure.
  compressed.once('error', (e: Error) => gunzip.destroy(e));
  const r = new ByteReader(gunzip[Symbol.asyncIterator]() as AsyncIterator<Buffer>, ceiling, (total) =>
    tooLarge(`over ${MB(total)} expanded, limit ${MB(ceiling)} for a whole bundle`),
  );
  let kept = 0;
  let streamedBytes = 0;
  // The header and kept members: past the cap, the rest is only counted (up to 4x the cap) so
  // the message can say how large it would have been.
  const keep = (n: number): void => {
    kept += n;
    if (kept <= limits.maxExpandedBytes) return;
    throw new KeptTooLarge();
  };
  const header: Record<string, unknown> = {};
  const members = new Map<string, unknown>();
  const streamed: string[] = [];
  let hasFiles = false;
  try {
    await entries(r, keep, async (field) => {
      if (field !== 'files' || hasFiles || (await peek(r)) !== 0x7b) {
        header[field] = parse(await rawValue(r, keep));
        return;
      }
      hasFiles = true;
      await entries(r, keep, async (name) => {
        const kind = safeMemberKind(where, name);
        if (members.has(name) || streamed.includes(name))
          throw new MmError(
            'bundle-invalid',
            `${where} holds the member ${name} twice; nothing was opened.`,
            where,
          );
        const sink = isHoldings(kind) && holdings ? await holdings(name) : undefined;
        if (!sink) {
          members.set(name, parse(await rawValue(r, keep)));
          return;
        }
        streamed.push(name);
        let memberBytes = 0;
        const count = (n: number): void => {
          memberBytes += n;
          streamedBytes += n;
          if (memberBytes > limits.maxHoldingsMemberBytes)
            tooLarge(
              `its member ${name} expands past ${MB(limits.maxHoldingsMemberBytes)}, the limit of one rehearsal's objects; ${MB(limits.maxStreamedBytes)} for all of them, ${MB(ceiling)} for a whole bundle`,
            );
          if (streamedBytes > limits.maxStreamedBytes)
            tooLarge(
              `its rehearsals' objects expand past ${MB(limits.maxStreamedBytes)}, the limit for all of them; ${MB(ceiling)} for a whole bundle`,
            );
        };
        await holdingsMember(r, where, name, count, sink, keep);
      });
    });
    if ((await peek(r)) !== undefined) throw new NotJson();
  } catch (e) {
    if (e instanceof KeptTooLarge) {
      const { total, more } = await r
        .drain(4 * limits.maxExpandedBytes)
        .catch(() => ({ total: r.total, more: false }));
      tooLarge(`${more ? 'over ' : ''}${MB(total)} expanded, limit ${MB(limits.maxExpandedBytes)}`);
    }
    if (e instanceof MmError) throw e;
    if (e instanceof SinkFailed) throw e.reason;
    throw new MmError(
      'bundle-invalid',
      `${where} is not a Migration Manager review bundle (not gzip-compressed JSON).`,
      where,
    );
  } finally {
    gunzip.destroy();
    compressed.destroy();
  }
  return { header, hasFiles, members, streamed };
}

function isHoldings(kind: MemberKind): boolean {
  return kind.kind === 'holdings';
}

/** `{"json": [holding, …]}`, element by element into the sink, in pieces of PIECE. */
async function holdingsMember(
  r: ByteReader,
  where: string,
  name: string,
  count: (n: number) => void,
  sink: HoldingsSink,
  keep: (n: number) => void,
): Promise<void> {
  const form = (): never => {
    throw new MmError(
      'bundle-invalid',
      `${where}: the member ${name} is not a {"json": [...]} list of objects; nothing was opened.`,
      `${where}:${name}`,
    );
  };
  let seen = false;
  await entries(r, keep, async (field) => {
    if (field !== 'json' || seen) form();
    seen = true;
    if ((await peek(r)) !== 0x5b) form();
    r.pos++;
    let piece: unknown[] = [];
    let offset = 0;
    const flush = async (): Promise<void> => {
      const issue = holdingsPieceIssue(name, piece, offset);
      if (issue)
        throw new MmError('bundle-invalid', `${where}: ${issue}; nothing was opened.`, `${where}:${name}`);
      await sink.write(piece).catch((e: unknown) => {
        throw new SinkFailed(e);
      });
      offset += piece.length;
      piece = [];
    };
    if ((await peek(r)) === 0x5d) {
      r.pos++;
      return;
    }
    for (;;) {
      let size = 0;
      const raw = await rawValue(r, (n) => {
        size += n;
        count(n);
        if (size > MAX_HOLDING_BYTES)
          throw new MmError(
            'bundle-too-large',
            `${where} is too large (object ${offset + piece.length} of its member ${name} is over ${MB(MAX_HOLDING_BYTES)}); nothing was opened.`,
            where,
          );
      });
      piece.push(parse(raw));
      if (piece.length >= PIECE) await flush();
      const c = await peek(r);
      r.pos++;
      if (c === 0x5d) break;
      if (c !== COMMA) throw new NotJson();
    }
    if (piece.length > 0) await flush();
  });
  if (!seen) form();
}
