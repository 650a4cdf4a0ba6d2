/**
 * The agent's content listing (`--extract=contentManifest`, agents/lib/MigrationAgent/
 * Resync.pm): "<sha256> <size> <name>" per regular file, in archive order, names escaped as
 * sha256sum(1) does. And what re-sync compares it with: a previous listing or the target
 * node's files. Pure.
 */
import { createHash } from 'node:crypto';
import { MmError } from '../errors';

export interface ListedFile {
  readonly sha256: string;
  readonly size: number;
}

/** name → hash and size, in the agent's order (a Map keeps it). */
export type Listing = Map<string, ListedFile>;

const unescape = (s: string): string => s.replace(/\\(\\|n)/g, (_x, c: string) => (c === 'n' ? '\n' : '\\'));
const escapeName = (name: string): { escaped: boolean; text: string } =>
  /[\\\n]/.test(name)
    ? { escaped: true, text: name.replace(/\\/g, '\\\\').replace(/\n/g, '\\n') }
    : { escaped: false, text: name };

export function parseListing(text: string, what: string): Listing {
  const out: Listing = new Map();
  let n = 0;
  for (const line of text.split('\n')) {
    n++;
    if (line === '') continue;
    const escaped = line.startsWith('\\');
    const m = /^([0-9a-f]{64}) (\d+) (.*)$/s.exec(escaped ? line.slice(1) : line);
    if (!m)
      throw new MmError(
        'agent-output-invalid',
        `${what}, line ${n}: not "<sha256> <size> <name>": "${line.slice(0, 80)}"`,
        what,
      );
    out.set(escaped ? unescape(m[3] ?? '') : (m[3] ?? ''), { sha256: m[1] ?? '', size: Number(m[2]) });
  }
  return out;
}

/** The MANIFEST.sha256 a full tarball of the same files would carry: its SHA-256 is the marker's. */
export function manifestSha256(listing: Listing): string {
  const h = createHash('sha256');
  for (const [name, f] of listing) {
    const e = escapeName(name);
    h.update(`${e.escaped ? '\\' : ''}${f.sha256}  ${e.text}\n`);
  }
  return h.digest('hex');
}

export interface ListingDiff {
  readonly added: string[];
  readonly changed: string[];
  readonly deleted: string[];
  /** Bytes of the added and changed files: what moves. */
  readonly bytes: number;
}

/** What changed from `before` (what the target holds) to `now` (the source). */
export function diffListings(before: ReadonlyMap<string, { sha256: string }>, now: Listing): ListingDiff {
  const added: string[] = [];
  const changed: string[] = [];
  let bytes = 0;
  for (const [name, f] of now) {
    const was = before.get(name);
    if (!was) added.push(name);
    else if (was.sha256 !== f.sha256) changed.push(name);
    else continue;
    bytes += f.size;
  }
  const deleted = [...before.keys()].filter((name) => !now.has(name));
  return { added, changed, deleted, bytes };
}

/**
 * The agent's --members values: names one a line (escaped like the listing), each value under
 * `maxBytes` so that it fits one command-line argument (Linux allows 128 KiB per argument).
 */
export function memberBatches(names: readonly string[], maxBytes = 96 * 1024): string[] {
  const out: string[] = [];
  let current = '';
  for (const name of names) {
    const e = escapeName(name);
    const line = `${e.escaped ? '\\' : ''}${e.text}\n`;
    if (Buffer.byteLength(line) > maxBytes)
      throw new MmError(
        'content-refused',
        `The file name "${name.slice(0, 80)}…" is too long to ask the agent for.`,
        name,
      );
    if (current !== '' && Buffer.byteLength(current) + Buffer.byteLength(line) > maxBytes) {
      out.push(current);
      current = '';
    }
    current += line;
  }
  if (current !== '') out.push(current);
  return out;
}
