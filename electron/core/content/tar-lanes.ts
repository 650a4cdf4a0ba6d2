/**
 * The verified tarball (tar-verify.ts's output) dealt out member by member into several tar
 * streams ("lanes"), each unpacked by a `tar -x` of its own on the node (unpack.ts): a Maildir
 * is 100,000 small files, and one `tar -x` creating them one after another is what bounds its
 * transfer; two of them use two cores. A member goes whole into one lane (its pax header with
 * it), each regular file to the lane with the least work given so far: its bytes plus FILE_COST
 * per file.
 *
 * Folders and symlinks are kept (in archive order; a header or two each, proportional to the
 * number of folders like the verifier's manifest) for a last `tar -x` run after every lane
 * finished: it sets each folder's mode, owner and mtime once nothing writes into it any more (a
 * lane finishing early would otherwise set a folder's mtime that another lane's files change
 * afterwards), and makes the symlinks only once every file is in place.
 *
 * Every folder's header also goes to every lane, where it stands (as in the archive) before any
 * file inside it, so each lane's tar makes the folder, or finds it made, before it opens a file
 * there. Left to make a missing parent folder on its own, GNU tar (1.34) fails the file with
 * "Cannot open: No such file or directory" when another lane's tar made that folder between its
 * failed open and its own mkdir (EEXIST: it retries only after making a folder itself). The
 * lanes get the folder writable by its owner (a read-only folder would lock the other lanes out
 * once the first lane finished and set its mode); the last run sets the real mode.
 *
 * Only checks what it needs to deal the members out: every header was already checked by the
 * verifier, which stands before this in the pipe.
 */
import { PassThrough, Writable } from 'node:stream';

const BLOCK = 512;
const END = Buffer.alloc(2 * BLOCK);
/**
 * What creating one file costs tar -x, in bytes written: ~100 µs a file against ~0.6 ms a MB
 * (the content bench's Maildir and site on the node).
 */
const FILE_COST = 128 * 1024;
/**
 * Each lane is a session channel of the node's connection, besides the last run's and the
 * publish's: OpenSSH refuses more than MaxSessions (10 by default) open at once.
 */
export const MAX_LANES = 8;

/** The size field: octal, or GNU base-256 (first byte's high bit set) past the octal field's reach. */
function sizeField(b: Buffer): number {
  if ((b[124] ?? 0) & 0x80) {
    let v = (b[124] ?? 0) & 0x7f;
    for (let i = 125; i < 136; i++) v = v * 256 + (b[i] ?? 0);
    return v;
  }
  const text = b.subarray(124, 136).toString('latin1').replace(/\0.*$/s, '').trim();
  return text === '' ? 0 : parseInt(text, 8);
}

/** The `size` record of a pax header's data, if it has one. */
function paxSize(data: Buffer): number | undefined {
  const m = /(?:^|\n)\d+ size=(\d+)\n/.exec(data.toString('latin1'));
  return m ? Number(m[1]) : undefined;
}

type Dest =
  | { readonly t: 'lane'; readonly lane: number }
  | { readonly t: 'last' }
  /** A folder: every lane and the last run. */
  | { readonly t: 'all' }
  | { readonly t: 'none' };

/**
 * A folder's header as the lanes get it: its mode with the owner's rwx added (checksum made
 * again); the header itself when it already has them.
 */
export function ownerWritable(block: Buffer): Buffer {
  const field = block.subarray(100, 108).toString('latin1').replace(/\0.*$/s, '').trim();
  const mode = parseInt(field, 8);
  if (!Number.isInteger(mode) || (mode & 0o700) === 0o700) return block;
  const copy = Buffer.from(block);
  copy.write(`${(mode | 0o700).toString(8).padStart(7, '0')}\0`, 100, 8, 'latin1');
  // The checksum counts its own field as spaces.
  copy.fill(0x20, 148, 156);
  let sum = 0;
  for (const b of copy) sum += b;
  copy.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8, 'latin1');
  return copy;
}

export class TarLanes extends Writable {
  /** One tar stream per lane (each ends with its own end-of-archive blocks). */
  readonly lanes: readonly PassThrough[];
  /** Work given to each lane so far, in bytes (regular files go to the least loaded). */
  readonly #given: number[];
  /** Folders and symlinks, whole members, for the last run (`lastRun` once this finished). */
  readonly #last: Buffer[] = [];
  /** A header cut by a chunk boundary, or a pax header waiting for the member it belongs to. */
  #carry: Buffer = Buffer.alloc(0);
  #pending: Buffer[] = [];
  #paxSize: number | undefined;
  /** Data (and padding) bytes of the current member still to route, and where they go. */
  #left = 0;
  #dest: Dest = { t: 'none' };
  /** Collecting a pax header's data (it decides the next member's size). */
  #pax: Buffer[] | undefined;
  #ended = false;

  constructor(count: number) {
    super({ highWaterMark: 1024 * 1024 });
    if (!Number.isInteger(count) || count < 1 || count > MAX_LANES)
      throw new Error(`lanes must be a whole number from 1 to ${MAX_LANES}, not ${count}`);
    this.lanes = Array.from({ length: count }, () => new PassThrough({ highWaterMark: 1024 * 1024 }));
    this.#given = this.lanes.map(() => 0);
  }

  /** The folders and symlinks as one tar stream, for after the lanes (set when this finished). */
  lastRun(): Buffer {
    return Buffer.concat([...this.#last, END]);
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, done: (e?: Error | null) => void): void {
    // What goes to each lane from this chunk leaves as one write: each write is at least one SSH
    // packet to the node, and a Maildir member is a few KB.
    const out: Buffer[][] = this.lanes.map(() => []);
    try {
      this.#route(chunk, out);
    } catch (e) {
      return done(e as Error);
    }
    let waiting = 0;
    const drained = (): void => {
      if (--waiting === 0) done();
    };
    out.forEach((parts, i) => {
      if (parts.length === 0) return;
      const lane = this.lanes[i] as PassThrough;
      if (!lane.write(parts.length === 1 ? parts[0] : Buffer.concat(parts))) {
        waiting++;
        lane.once('drain', drained);
      }
    });
    if (waiting === 0) done();
  }

  override _final(done: (e?: Error | null) => void): void {
    for (const lane of this.lanes) lane.end(END);
    done();
  }

  /**
   * Stops the lanes only when this stops before finishing (a failure, or the caller giving up).
   *
   * A Writable destroys itself right after 'finish' (autoDestroy). When this class destroyed its
   * lanes there unconditionally, a lane whose `tar -x` had not yet read everything given to it
   * (up to a lane's 1 MB buffer, routinely the lane holding a large file when the node's tar is
   * slower than the source, i.e. under load) lost those bytes and never emitted 'end': its pipe
   * never ended the tar's stdin, that tar waited for the rest of its archive forever, and the
   * transfer waited for its exit (the hang behind the 2-lane backout, reproduced here with a
   * lane read slower than the tarball arrives; neither the SSH channels nor sshd were involved,
   * it hung the same on the local transport). After 'finish' each lane already has its end
   * queued behind its bytes: it is left to drain and end on its own.
   */
  override _destroy(e: Error | null, done: (e?: Error | null) => void): void {
    if (!this.writableFinished) this.stopLanes();
    done(e);
  }

  /** Every lane stopped at once, whatever it still holds (a lane's tar failed: the others stop). */
  stopLanes(): void {
    for (const lane of this.lanes) lane.destroy();
  }

  #route(chunk: Buffer, out: Buffer[][]): void {
    const buf = this.#carry.length > 0 ? Buffer.concat([this.#carry, chunk]) : chunk;
    this.#carry = Buffer.alloc(0);
    let i = 0;
    while (i < buf.length && !this.#ended) {
      if (this.#left > 0) {
        const n = Math.min(this.#left, buf.length - i);
        this.#give(buf.subarray(i, i + n), out);
        this.#left -= n;
        i += n;
        if (this.#left === 0 && this.#pax) {
          this.#paxSize = paxSize(Buffer.concat(this.#pax));
          this.#pax = undefined;
        }
        continue;
      }
      if (buf.length - i < BLOCK) break;
      this.#header(buf.subarray(i, i + BLOCK), out);
      i += BLOCK;
    }
    // What follows the end-of-archive blocks is zero padding: each lane gets its own end.
    if (!this.#ended && i < buf.length) this.#carry = Buffer.from(buf.subarray(i));
  }

  #header(block: Buffer, out: Buffer[][]): void {
    if (block.every((b) => b === 0)) {
      this.#ended = true;
      return;
    }
    const type = String.fromCharCode(block[156] as number);
    const size = this.#paxSize ?? sizeField(block);
    this.#paxSize = undefined;
    const data = size + ((BLOCK - (size % BLOCK)) % BLOCK);
    if (type === 'x') {
      // Its member decides the lane: held until that member's header.
      this.#pending.push(Buffer.from(block));
      this.#dest = { t: 'none' };
      this.#pax = [];
      this.#left = data;
      return;
    }
    if (type === '0' || type === '\0' || type === '7') {
      let lane = 0;
      for (let k = 1; k < this.#given.length; k++)
        if ((this.#given[k] as number) < (this.#given[lane] as number)) lane = k;
      this.#dest = { t: 'lane', lane };
      this.#given[lane] = (this.#given[lane] as number) + FILE_COST;
    } else this.#dest = type === '5' ? { t: 'all' } : { t: 'last' };
    for (const p of this.#pending) this.#to(p, out);
    this.#pending = [];
    if (this.#dest.t === 'all') {
      const writable = ownerWritable(block);
      for (const parts of out) parts.push(writable);
      this.#last.push(Buffer.from(block));
    } else this.#to(block, out);
    this.#left = data;
  }

  /** Member data: to the current member's destination (a pax header's data is held with it). */
  #give(part: Buffer, out: Buffer[][]): void {
    if (this.#pax) {
      const copy = Buffer.from(part);
      this.#pax.push(copy);
      this.#pending.push(copy);
      return;
    }
    this.#to(part, out);
  }

  #to(part: Buffer, out: Buffer[][]): void {
    const d = this.#dest;
    if (d.t === 'lane') {
      (out[d.lane] as Buffer[]).push(part);
      this.#given[d.lane] = (this.#given[d.lane] as number) + part.length;
    } else if (d.t === 'last') this.#last.push(Buffer.from(part));
    else if (d.t === 'all') {
      for (const parts of out) parts.push(part);
      this.#last.push(Buffer.from(part));
    }
  }
}
