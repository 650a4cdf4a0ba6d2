/**
 * The agent's content tarball checked as it streams through the manager (agents/lib/
 * MigrationAgent/Tar.pm: POSIX ustar, pax 'x' headers for long names, MANIFEST.sha256 as the
 * last member in sha256sum(1) format). Bytes pass through unchanged, block by block, so the
 * tarball is never held whole; each header is checked before it is passed on (a member that
 * would leave the content root never reaches the node), and each regular file's SHA-256 is
 * computed on the way. At the end every file must match its manifest line: a mismatch names
 * the file. Only the manifest itself (proportional to the number of files) is kept in memory.
 */
import { createHash, hash as oneShotHash, type Hash } from 'node:crypto';
import { posix } from 'node:path';
import { Transform, type TransformCallback } from 'node:stream';
import { treeSha256 } from '../cutover/resync-listing';
import { MmError } from '../errors';

export const MANIFEST_NAME = 'MANIFEST.sha256';
const BLOCK = 512;
/** A pax header or the manifest larger than this is not what the agent writes. */
const MAX_PAX_BYTES = 1024 * 1024;
const MAX_MANIFEST_BYTES = 256 * 1024 * 1024;

/** A regular file that passed whole: what a resumed transfer need not move again. */
export interface StagedFile {
  readonly name: string;
  readonly size: number;
  /** The header's mtime (seconds): tar sets it last, so a file showing it was written whole. */
  readonly mtime: number;
  readonly sha256: string;
}

export interface VerifiedContent {
  readonly files: number;
  /** Bytes of the regular files (not counting headers, padding or the manifest). */
  readonly bytes: number;
  /** SHA-256 of the manifest member: what the node's marker holds. */
  readonly manifestSha256: string;
  /**
   * The fingerprint of the tarball's folders and symlinks, as re-sync takes it from the agent's
   * listing (cutover/resync-listing.ts `treeSha256`): in the marker, so the first re-sync after a
   * migration sees an unchanged tree without listing the node.
   */
  readonly treeSha256: string;
  /** A file completed from TAIL_MEMBER: the manifest's SHA-256 its completed copy must have. */
  readonly tail?: { readonly name: string; readonly sha256: string };
}

/**
 * The member name of a file's remaining bytes when a transfer resumes inside it (resume-tail.ts):
 * the node appends it to the partial file it holds, and the whole file's SHA-256 is checked there.
 */
export const TAIL_MEMBER = '.mm-resume-tail';

/** A file the node holds in part: the agent sends its bytes from `offset` on as TAIL_MEMBER. */
export interface ResumeTail {
  readonly name: string;
  readonly size: number;
  readonly offset: number;
}

export interface VerifierHooks {
  /** Each regular file that passed whole (resume-log.ts keeps them on disk as it goes). */
  readonly onFile?: (f: StagedFile) => void;
  /** A regular file's header passed: its bytes follow. */
  readonly onStart?: (name: string, size: number) => void;
  /** The one file expected as TAIL_MEMBER; its hash is checked on the node (result.tail). */
  readonly tail?: ResumeTail;
}

type State =
  | { readonly t: 'header' }
  | {
      readonly t: 'file';
      readonly name: string;
      readonly size: number;
      readonly mtime: number;
      left: number;
      pad: number;
      /** Made when the file's bytes span chunks; a file whole in one chunk is hashed in one call. */
      hash: Hash | undefined;
      sha256: string | undefined;
    }
  | { readonly t: 'skip'; left: number; pad: number }
  | { readonly t: 'pax'; left: number; pad: number; readonly parts: Buffer[] }
  | { readonly t: 'manifest'; left: number; pad: number; readonly parts: Buffer[] }
  | { readonly t: 'end' };

/** A pax time: decimal seconds, maybe negative, maybe with a fraction (POSIX pax "mtime"). */
const PAX_TIME = /^-?\d{1,19}(?:\.\d{1,9})?$/;
/** A pax owner id: decimal digits. */
const PAX_ID = /^\d{1,19}$/;

/** The one header state (a Maildir passes 100,000 of them: no object each). */
const AT_HEADER: State = { t: 'header' };

/** SHA-256 of bytes in one call where the runtime has it (Node 20.12+): no Hash object per file. */
const sha256Hex: (data: Buffer) => string =
  typeof oneShotHash === 'function'
    ? (data) => oneShotHash('sha256', data, 'hex')
    : (data) => createHash('sha256').update(data).digest('hex');

function cString(b: Buffer, start: number, len: number): string {
  const slice = b.subarray(start, start + len);
  const nul = slice.indexOf(0);
  return (nul < 0 ? slice : slice.subarray(0, nul)).toString('utf8');
}

/**
 * A header's numeric field read in place: octal digits ended by a NUL, a space or the field's end
 * (what tar writes). Anything else (leading spaces, base-256, a bad digit) takes `octal`'s slow
 * path, which gives the same value or the same error.
 */
function octalField(b: Buffer, start: number, len: number, what: string): number {
  const end = start + len;
  let v = 0;
  let i = start;
  for (; i < end; i++) {
    const c = b[i] as number;
    if (c < 0x30 || c > 0x37) break;
    v = v * 8 + (c - 0x30);
  }
  if (i === end || b[i] === 0) return v;
  return octal(b, start, len, what);
}

/** A header's text field read in place, up to its NUL. */
function textField(b: Buffer, start: number, len: number): string {
  const end = start + len;
  let i = start;
  while (i < end && b[i] !== 0) i++;
  return b.toString('utf8', start, i);
}

function octal(b: Buffer, start: number, len: number, what: string): number {
  // GNU base-256 (first byte's high bit set) for sizes past the octal field's reach.
  if ((b[start] ?? 0) & 0x80) {
    let v = (b[start] ?? 0) & 0x7f;
    for (let i = 1; i < len; i++) v = v * 256 + (b[start + i] ?? 0);
    return v;
  }
  const text = cString(b, start, len).trim();
  if (text === '') return 0;
  if (!/^[0-7]+$/.test(text)) throw new Error(`bad ${what} field "${text}"`);
  return parseInt(text, 8);
}

/** The pax records "<len> key=value\n" of an 'x' header. */
function paxRecords(data: Buffer): Map<string, string> {
  const out = new Map<string, string>();
  let i = 0;
  while (i < data.length) {
    const space = data.indexOf(0x20, i);
    if (space < 0) break;
    const len = parseInt(data.subarray(i, space).toString('ascii'), 10);
    if (!Number.isFinite(len) || len <= 0 || i + len > data.length) throw new Error('bad pax record');
    const record = data.subarray(space + 1, i + len - 1).toString('utf8');
    const eq = record.indexOf('=');
    if (eq > 0) out.set(record.slice(0, eq), record.slice(eq + 1));
    i += len;
  }
  return out;
}

/** A member name made safe: relative, normalised, never above the root. */
export function safeMemberName(raw: string): string | undefined {
  if (raw === '' || raw.includes('\0') || raw.startsWith('/')) return undefined;
  // Already normal (no "." or ".." segment, no "//", no trailing "/"): normalize would return it as is.
  if (!NOT_NORMAL.test(raw)) return raw;
  const name = posix.normalize(raw).replace(/\/+$/, '');
  if (name === '' || name === '.' || name === '..' || name.startsWith('../') || name.startsWith('/'))
    return undefined;
  return name;
}

/** What posix.normalize would change in a relative name: a "."/".." segment, "//", a trailing "/". */
const NOT_NORMAL = /(?:^|\/)\.\.?(?:\/|$)|\/\/|\/$/;

/** Whether a symlink member `name` → `target` stays inside the root. */
export function linkStaysInside(name: string, target: string): boolean {
  if (target === '' || target.startsWith('/')) return false;
  const resolved = posix.normalize(posix.join(posix.dirname(name), target));
  return resolved !== '..' && !resolved.startsWith('../');
}

/** Parses the manifest text: "<hex>  <name>" lines, with sha256sum's "\" escapes. */
export function parseManifest(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const escaped = line.startsWith('\\');
    const body = escaped ? line.slice(1) : line;
    const m = /^([0-9a-f]{64}) [ *](.*)$/s.exec(body);
    if (!m) throw new Error(`bad manifest line "${line.slice(0, 80)}"`);
    const name = escaped
      ? (m[2] as string).replace(/\\(\\|n)/g, (_x, c: string) => (c === 'n' ? '\n' : '\\'))
      : (m[2] as string);
    out.set(name, m[1] as string);
  }
  return out;
}

export class TarVerifier extends Transform {
  #state: State = AT_HEADER;
  #carry: Buffer = Buffer.alloc(0);
  #pax: Map<string, string> | undefined;
  /** Every regular file passed so far (and those a resumed transfer started with), in archive order. */
  readonly #hashes = new Map<string, StagedFile>();
  #manifest: Buffer | undefined;
  #zeroBlocks = 0;
  #files = 0;
  #bytes = 0;
  #passed = 0;
  #result: VerifiedContent | undefined;
  #endedEarly = false;
  /** The resumed file's tail passed (its hash is taken on the node after tar). */
  #tailDone = false;
  /** Folders and symlinks passed (a resumed transfer's agent sends them all again): the tree's fingerprint. */
  readonly #dirs = new Set<string>();
  readonly #links = new Map<string, string>();

  constructor(
    /** For messages: "site:example.com". */
    private readonly contentId: string,
    private readonly onBytes?: (bytesPassed: number) => void,
    /** Files the node already holds from an interrupted attempt (the agent leaves them out). */
    staged: readonly StagedFile[] = [],
    private readonly hooks: VerifierHooks = {},
  ) {
    super({ highWaterMark: 1024 * 1024 });
    for (const f of staged) {
      this.#hashes.set(f.name, f);
      this.#files++;
      this.#bytes += f.size;
    }
  }

  /** The regular files passed whole so far, in archive order (for resuming after a cut). */
  get staged(): StagedFile[] {
    const all = [...this.#hashes.values()];
    // A file completed from a tail is whole only once the node appended it: it and what follows move again.
    const pending = all.findIndex((f) => f.sha256 === '');
    return pending < 0 ? all : all.slice(0, pending);
  }

  /** The regular file whose bytes are passing now (a cut leaves it partial on the node). */
  get current(): { readonly name: string; readonly size: number } | undefined {
    // Until the node appends it, the resumed file is the one it holds in part, whatever follows.
    if (this.#tailDone) return this.hooks.tail;
    const s = this.#state;
    if (s.t !== 'file') return undefined;
    return s.name === TAIL_MEMBER && this.hooks.tail ? this.hooks.tail : { name: s.name, size: s.size };
  }

  /** The stream ended mid-tarball: a symptom (the source's connection dropped), not the cause. */
  get endedEarly(): boolean {
    return this.#endedEarly;
  }

  /** Set once the whole tarball passed and matched its manifest. */
  get result(): VerifiedContent | undefined {
    return this.#result;
  }

  #fail(message: string, where?: string): MmError {
    return new MmError('content-refused', `Content ${this.contentId}: ${message}`, where ?? this.contentId);
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    try {
      let rest = chunk;
      if (this.#carry.length > 0) {
        // A header cut by the chunk boundary (the only thing ever carried): complete just it,
        // instead of copying the whole chunk behind the carried bytes.
        const need = BLOCK - this.#carry.length;
        if (chunk.length < need) {
          this.#carry = Buffer.concat([this.#carry, chunk]);
          return done();
        }
        const block = Buffer.concat([this.#carry, chunk.subarray(0, need)]);
        this.#carry = Buffer.alloc(0);
        this.#consume(block);
        rest = chunk.subarray(need);
      }
      this.#consume(rest);
      done();
    } catch (e) {
      done(e as Error);
    }
  }

  override _flush(done: TransformCallback): void {
    try {
      this.#endedEarly = this.#carry.length > 0 || this.#state.t !== 'end';
      if (this.#endedEarly)
        throw this.#fail('the tarball ended before its end-of-archive blocks (the transfer was cut short)');
      this.#result = this.#check();
      done();
    } catch (e) {
      done(e as Error);
    }
  }

  /**
   * Takes whole blocks of data members straight through; headers one block at a time. What is
   * passed on leaves as one slice per run of contiguous bytes (not one per header, data and
   * padding piece): every slice pushed becomes at least one SSH packet to the node, and a
   * Maildir is mostly headers and small messages.
   */
  #consume(buf: Buffer): void {
    let runStart = 0;
    let runEnd = 0;
    const pass = (from: number, to: number): void => {
      if (from === runEnd) {
        runEnd = to;
        return;
      }
      this.#pass(buf.subarray(runStart, runEnd));
      runStart = from;
      runEnd = to;
    };
    try {
      this.#walk(buf, pass);
    } finally {
      this.#pass(buf.subarray(runStart, runEnd));
    }
  }

  #walk(buf: Buffer, pass: (from: number, to: number) => void): void {
    let i = 0;
    while (i < buf.length) {
      const s = this.#state;
      if (s.t === 'end') {
        // Zero padding after the end-of-archive blocks (tar writes whole records).
        pass(i, buf.length);
        i = buf.length;
        break;
      }
      if (s.t === 'header') {
        if (buf.length - i < BLOCK) break;
        if (this.#header(buf, i)) pass(i, i + BLOCK);
        i += BLOCK;
        continue;
      }
      // Member data, then its padding up to the next block.
      if (s.left > 0) {
        const n = Math.min(s.left, buf.length - i);
        const part = buf.subarray(i, i + n);
        if (s.t === 'file') {
          // Whole in this chunk (a small file, most of a Maildir): hashed in one call.
          if (n === s.size) s.sha256 = sha256Hex(part);
          else (s.hash ??= createHash('sha256')).update(part);
        } else if (s.t === 'pax' || s.t === 'manifest') s.parts.push(Buffer.from(part));
        if (s.t !== 'manifest') pass(i, i + n);
        s.left -= n;
        i += n;
        if (s.left > 0) continue;
      }
      if (s.pad > 0) {
        const n = Math.min(s.pad, buf.length - i);
        if (s.t !== 'manifest') pass(i, i + n);
        s.pad -= n;
        i += n;
        if (s.pad > 0) continue;
      }
      this.#memberDone();
    }
    this.#carry = Buffer.from(buf.subarray(i));
  }

  #pass(b: Buffer): void {
    if (b.length === 0) return;
    this.push(b);
    this.#passed += b.length;
    this.onBytes?.(this.#passed);
  }

  #memberDone(): void {
    const s = this.#state;
    if (s.t === 'file') {
      const tail = this.hooks.tail;
      if (tail && s.name === TAIL_MEMBER) {
        // Only the tail's bytes passed here: the whole file's hash is taken on the node.
        this.#hashes.set(tail.name, { name: tail.name, size: tail.size, mtime: s.mtime, sha256: '' });
        this.#tailDone = true;
      } else {
        const sha256 = s.sha256 ?? (s.hash ?? createHash('sha256')).digest('hex');
        const f = { name: s.name, size: s.size, mtime: s.mtime, sha256 };
        this.#hashes.set(s.name, f);
        // What follows the resumed file is not a run from the start until the node completed it.
        if (!this.#tailDone) this.hooks.onFile?.(f);
      }
      this.#files++;
    } else if (s.t === 'pax') {
      this.#pax = paxRecords(Buffer.concat(s.parts));
    } else if (s.t === 'manifest') {
      this.#manifest = Buffer.concat(s.parts);
    }
    if (s.t !== 'pax') this.#pax = undefined;
    this.#state = AT_HEADER;
  }

  /**
   * Checks the header block at `buf[at]` and sets the state for its member; false: do not pass it
   * on. Fields are read in place (no copy of the block, no string for a numeric field).
   */
  #header(buf: Buffer, at: number): boolean {
    let k = at;
    const blockEnd = at + BLOCK;
    while (k < blockEnd && buf[k] === 0) k++;
    if (k === blockEnd) {
      this.#zeroBlocks++;
      if (this.#zeroBlocks === 2) this.#state = { t: 'end' };
      return true;
    }
    if (this.#zeroBlocks > 0)
      throw this.#fail('a member follows an empty block: not a tarball the agent makes');
    if (this.#manifest) throw this.#fail(`a member follows ${MANIFEST_NAME}, which must be the last`);
    // The checksum field itself counts as 8 spaces.
    let sum = 8 * 0x20;
    for (k = at; k < at + 148; k++) sum += buf[k] as number;
    for (k = at + 156; k < blockEnd; k++) sum += buf[k] as number;
    const stored = octalField(buf, at + 148, 8, 'checksum');
    if (stored !== sum) throw this.#fail('a tar header has a wrong checksum (the stream is damaged)');
    const type = String.fromCharCode(buf[at + 156] as number);
    // "ustar\0" (POSIX); GNU's "ustar " has no prefix field.
    const ustar =
      buf[at + 257] === 0x75 &&
      buf[at + 258] === 0x73 &&
      buf[at + 259] === 0x74 &&
      buf[at + 260] === 0x61 &&
      buf[at + 261] === 0x72 &&
      buf[at + 262] === 0;
    const prefix = ustar && buf[at + 345] !== 0 ? textField(buf, at + 345, 155) : '';
    const rawName =
      this.#pax?.get('path') ?? (prefix ? `${prefix}/${textField(buf, at, 100)}` : textField(buf, at, 100));
    const paxSize = this.#pax?.get('size');
    const size = paxSize !== undefined ? Number(paxSize) : octalField(buf, at + 124, 12, 'size');
    const link = type === '2' ? (this.#pax?.get('linkpath') ?? textField(buf, at + 157, 100)) : '';
    const pad = (BLOCK - (size % BLOCK)) % BLOCK;
    if (type === 'x') {
      if (size > MAX_PAX_BYTES) throw this.#fail('a pax header is too large');
      this.#state = { t: 'pax', left: size, pad, parts: [] };
      return true;
    }
    // GNU tar's "./" entry for the root itself: nothing to check, nothing to hash.
    if (type === '5' && posix.normalize(rawName) === './') {
      this.#state = { t: 'skip', left: 0, pad: 0 };
      return true;
    }
    const name = safeMemberName(rawName);
    if (name === undefined)
      throw this.#fail(
        `member "${rawName}" is an absolute path or leaves the content root: refused`,
        rawName,
      );
    if (type === '0' || type === '\0' || type === '7') {
      if (name === MANIFEST_NAME) {
        if (size > MAX_MANIFEST_BYTES) throw this.#fail(`${MANIFEST_NAME} is too large`);
        this.#state = { t: 'manifest', left: size, pad, parts: [] };
        // The manifest is the node's marker, not part of the site: it is not passed on.
        return false;
      }
      const tail = this.hooks.tail;
      if (name === TAIL_MEMBER && (!tail || this.#hashes.has(tail.name) || size !== tail.size - tail.offset))
        throw this.#fail(`member "${name}" is not the resumed file's remaining bytes: refused`, name);
      this.#bytes += name === TAIL_MEMBER && tail ? tail.size : size;
      if (this.#hashes.has(name)) throw this.#fail(`member "${name}" appears twice`, name);
      const paxMtime = this.#pax?.get('mtime');
      const mtime =
        paxMtime === undefined ? octalField(buf, at + 136, 12, 'mtime') : this.#paxSeconds(paxMtime, name);
      this.#checkPaxOwner(name);
      if (name === TAIL_MEMBER && tail) this.hooks.onStart?.(tail.name, tail.size);
      else if (!this.#tailDone) this.hooks.onStart?.(name, size);
      this.#state = { t: 'file', name, size, mtime, left: size, pad, hash: undefined, sha256: undefined };
      return true;
    }
    // A folder's or symlink's times and owner are tar's to set on the node: only checked here.
    const paxDirMtime = this.#pax?.get('mtime');
    if (paxDirMtime !== undefined) this.#paxSeconds(paxDirMtime, name);
    this.#checkPaxOwner(name);
    if (type === '5') {
      this.#dirs.add(name);
      this.#state = { t: 'skip', left: 0, pad: 0 };
      return true;
    }
    if (type === '2') {
      if (!linkStaysInside(name, link))
        throw this.#fail(`symlink "${name}" → "${link}" points outside the content root: refused`, name);
      this.#links.set(name, link);
      this.#state = { t: 'skip', left: 0, pad: 0 };
      return true;
    }
    throw this.#fail(`member "${name}" has tar type "${type}", which content never holds: refused`, name);
  }

  /**
   * A pax `mtime` record's whole seconds (the agent writes them for times before 1970 or past
   * ustar's 11 octal digits; other writers add a fraction): what resume compares with the node.
   */
  #paxSeconds(value: string, name: string): number {
    const seconds = PAX_TIME.test(value) ? Math.floor(Number(value)) : NaN;
    if (!Number.isSafeInteger(seconds))
      throw this.#fail(
        `member "${name}" has a malformed pax mtime record "${value.slice(0, 40)}": refused`,
        name,
      );
    return seconds;
  }

  /** pax `uid`/`gid` records (owner ids of 2**21 or more) must be decimal ids, as tar reads them. */
  #checkPaxOwner(name: string): void {
    if (!this.#pax) return;
    for (const key of ['uid', 'gid'] as const) {
      const value = this.#pax.get(key);
      if (value !== undefined && !(PAX_ID.test(value) && Number.isSafeInteger(Number(value))))
        throw this.#fail(
          `member "${name}" has a malformed pax ${key} record "${value.slice(0, 40)}": refused`,
          name,
        );
    }
  }

  /**
   * Whether the manifest lists exactly the files passed, in the order they passed, each with the
   * SHA-256 computed: what the agent writes, checked in one walk over the text with no map and
   * no string per line. Anything else (another order, "./" names, escaped names, a resumed
   * file's tail, a mismatch) returns false and `#check` takes the general path, which names
   * the file.
   */
  #manifestMatchesInOrder(text: string): boolean {
    let at = 0;
    for (const { name, sha256 } of this.#hashes.values()) {
      if (sha256.length !== 64 || !text.startsWith(sha256, at)) return false;
      const nameAt = at + 66;
      const end = nameAt + name.length;
      if (text.charCodeAt(at + 64) !== 0x20 || text.charCodeAt(at + 65) !== 0x20) return false;
      if (!text.startsWith(name, nameAt) || text.charCodeAt(end) !== 0x0a) return false;
      // A name holding a backslash or a newline is escaped in the manifest: the general path reads it.
      if (name.includes('\\') || name.includes('\n')) return false;
      at = end + 1;
    }
    return at === text.length;
  }

  #check(): VerifiedContent {
    if (!this.#manifest) throw this.#fail(`the tarball has no ${MANIFEST_NAME}`);
    const text = this.#manifest.toString('utf8');
    const done = {
      files: this.#files,
      bytes: this.#bytes,
      manifestSha256: createHash('sha256').update(this.#manifest).digest('hex'),
      treeSha256: treeSha256({ dirs: this.#dirs, links: this.#links }),
    };
    if (this.#manifestMatchesInOrder(text)) return done;
    let listed: Map<string, string>;
    try {
      listed = parseManifest(text);
    } catch (e) {
      throw this.#fail(`${MANIFEST_NAME} cannot be read: ${(e as Error).message}`);
    }
    let tail: VerifiedContent['tail'];
    for (const [name, { sha256: hex }] of this.#hashes) {
      const want = listed.get(name) ?? listed.get(`./${name}`);
      if (want === undefined) throw this.#fail(`${name} is not in the agent's manifest`, name);
      if (hex === '' && name === this.hooks.tail?.name) tail = { name, sha256: want };
      else if (want !== hex)
        throw this.#fail(
          `${name} does not match the agent's manifest (SHA-256 ${hex}, manifest ${want}): nothing was published`,
          name,
        );
    }
    if (listed.size !== this.#hashes.size) {
      const missing = [...listed.keys()].find((n) => !this.#hashes.has(n.replace(/^\.\//, '')));
      throw this.#fail(`${missing ?? 'a file'} is in the manifest but not in the tarball`, missing);
    }
    return { ...done, ...(tail ? { tail } : {}) };
  }
}
