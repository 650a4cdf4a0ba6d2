/**
 * Reads a tar stream (the source agent's domainContent tarball, or `tar -c` run on a target
 * node) into evidence: per regular file its size, SHA-256 and, when asked, its first bytes
 * (an HTML page's <title>, a message's headers), boiled down at once to a short note (the title,
 * the Message-ID) so a 100,000-message Maildir never holds its heads in memory. Nothing is
 * written anywhere. Understands ustar, pax 'x' path records and GNU
 * long names; links, folders and devices are not files and are left out.
 */
import { createHash, type Hash } from 'node:crypto';
import { posix } from 'node:path';
import { Writable } from 'node:stream';

const BLOCK = 512;
const MAX_META_BYTES = 1024 * 1024;

export interface TarFile {
  readonly size: number;
  readonly sha256: string;
  /** What `describe` made of the file's first bytes (a title, a Message-ID). */
  readonly note?: string;
}

export interface TarEvidenceOptions {
  /** How many leading bytes to read of a file for `describe` (0: none). */
  keepHead?(name: string): number;
  /** A short note from a file's first bytes; the bytes themselves are dropped. */
  describe?(name: string, head: Buffer): string | undefined;
  /** Members to leave out entirely (the agent's manifest, nested sites). */
  skip?(name: string): boolean;
}

function field(b: Buffer, start: number, len: number): string {
  const s = b.subarray(start, start + len);
  const nul = s.indexOf(0);
  return (nul < 0 ? s : s.subarray(0, nul)).toString('utf8');
}

function octal(b: Buffer, start: number, len: number): number {
  if ((b[start] ?? 0) & 0x80) {
    let v = (b[start] ?? 0) & 0x7f;
    for (let i = 1; i < len; i++) v = v * 256 + (b[start + i] ?? 0);
    return v;
  }
  const t = field(b, start, len).trim();
  if (t !== '' && !/^[0-7]+$/.test(t)) throw new Error(`not a tar stream (size field "${t}")`);
  return t === '' ? 0 : parseInt(t, 8);
}

function paxPath(data: Buffer): string | undefined {
  let i = 0;
  let path: string | undefined;
  while (i < data.length) {
    const sp = data.indexOf(0x20, i);
    if (sp < 0) break;
    const len = parseInt(data.subarray(i, sp).toString('ascii'), 10);
    if (!Number.isFinite(len) || len <= 0) break;
    const rec = data.subarray(sp + 1, i + len - 1).toString('utf8');
    if (rec.startsWith('path=')) path = rec.slice(5);
    i += len;
  }
  return path;
}

/** "./a/b" and "a/b/" → "a/b"; the root itself → "". */
export function memberPath(raw: string): string {
  const n = posix.normalize(raw.replace(/^\.\/+/, '')).replace(/\/+$/, '');
  return n === '.' ? '' : n;
}

type Member =
  | {
      t: 'file';
      name: string;
      left: number;
      pad: number;
      hash: Hash;
      head: Buffer[];
      headLeft: number;
      size: number;
    }
  | { t: 'meta'; kind: 'pax' | 'long'; left: number; pad: number; parts: Buffer[] }
  | { t: 'skip'; left: number; pad: number };

export class TarEvidence extends Writable {
  readonly files = new Map<string, TarFile>();
  #pending: Buffer = Buffer.alloc(0);
  #member: Member | undefined;
  #nextName: string | undefined;
  #ended = false;

  constructor(private readonly options: TarEvidenceOptions = {}) {
    super();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, done: (e?: Error | null) => void): void {
    try {
      this.#pending = this.#pending.length ? Buffer.concat([this.#pending, chunk]) : chunk;
      this.#drain();
      done();
    } catch (e) {
      done(e as Error);
    }
  }

  #drain(): void {
    for (;;) {
      const m = this.#member;
      if (this.#ended) {
        this.#pending = Buffer.alloc(0);
        return;
      }
      if (!m) {
        if (this.#pending.length < BLOCK) return;
        const header = this.#pending.subarray(0, BLOCK);
        this.#pending = this.#pending.subarray(BLOCK);
        this.#header(header);
        continue;
      }
      if (m.left > 0) {
        if (this.#pending.length === 0) return;
        const take = this.#pending.subarray(0, Math.min(m.left, this.#pending.length));
        this.#pending = this.#pending.subarray(take.length);
        m.left -= take.length;
        if (m.t === 'file') {
          m.hash.update(take);
          if (m.headLeft > 0) {
            const h = take.subarray(0, m.headLeft);
            m.head.push(Buffer.from(h));
            m.headLeft -= h.length;
          }
        } else if (m.t === 'meta') m.parts.push(Buffer.from(take));
        continue;
      }
      if (this.#pending.length < m.pad) return;
      this.#pending = this.#pending.subarray(m.pad);
      this.#finish(m);
      this.#member = undefined;
    }
  }

  #header(h: Buffer): void {
    if (h.every((b) => b === 0)) {
      this.#ended = true;
      return;
    }
    const size = octal(h, 124, 12);
    const type = String.fromCharCode(h[156] ?? 0);
    const pad = (BLOCK - (size % BLOCK)) % BLOCK;
    const prefix = field(h, 345, 155);
    const raw = this.#nextName ?? (prefix ? `${prefix}/${field(h, 0, 100)}` : field(h, 0, 100));
    if (type === 'x' || type === 'L') {
      if (size > MAX_META_BYTES) throw new Error(`a tar header record of ${size} bytes`);
      this.#member = { t: 'meta', kind: type === 'x' ? 'pax' : 'long', left: size, pad, parts: [] };
      return;
    }
    this.#nextName = undefined;
    const name = memberPath(raw);
    const regular = type === '0' || type === '\0' || type === '7';
    if (!regular || name === '' || this.options.skip?.(name)) {
      this.#member = { t: 'skip', left: size, pad };
      return;
    }
    const keep = Math.min(this.options.keepHead?.(name) ?? 0, size);
    this.#member = {
      t: 'file',
      name,
      left: size,
      pad,
      size,
      hash: createHash('sha256'),
      head: [],
      headLeft: keep,
    };
  }

  #finish(m: Member): void {
    if (m.t === 'file') {
      const note = m.head.length ? this.options.describe?.(m.name, Buffer.concat(m.head)) : undefined;
      this.files.set(m.name, {
        size: m.size,
        sha256: m.hash.digest('hex'),
        ...(note !== undefined ? { note } : {}),
      });
    } else if (m.t === 'meta') {
      const data = Buffer.concat(m.parts);
      this.#nextName = m.kind === 'pax' ? (paxPath(data) ?? this.#nextName) : field(data, 0, data.length);
    }
  }
}
