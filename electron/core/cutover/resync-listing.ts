/**
 * The agent's content listing (`--extract=contentManifest`, agents/lib/MigrationAgent/
 * Resync.pm): "<sha256> <size> <name>" per regular file, in archive order, names escaped as
 * sha256sum(1) does; "D <name>" per directory and "L <target> <name>" per symlink. And what
 * re-sync compares it with: a previous listing or the target node's files, folders and links.
 * Pure.
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

/** A content root as the agent lists it: regular files, every directory, every symlink. */
export interface TreeListing {
  readonly files: Listing;
  /** Directory names (relative, no trailing slash), empty ones included. */
  readonly dirs: Set<string>;
  /** Symlink name → its target, as readlink gives it. */
  readonly links: Map<string, string>;
  /**
   * The agent said ("T") that it lists folders and symlinks. An older agent does not: its
   * listing's lack of them says nothing, and nothing may be removed for it.
   */
  readonly withTree: boolean;
}

/** A symlink's target on an "L" line: "\\", "\n" and "\s" (space) escapes. */
const unescapeTarget = (s: string): string =>
  s.replace(/\\(\\|n|s)/g, (_x, c: string) => (c === 'n' ? '\n' : c === 's' ? ' ' : '\\'));

export function parseTree(text: string, what: string): TreeListing {
  const files: Listing = new Map();
  const dirs = new Set<string>();
  const links = new Map<string, string>();
  let withTree = false;
  let n = 0;
  for (const line of text.split('\n')) {
    n++;
    if (line === '') continue;
    const escaped = line.startsWith('\\');
    const body = escaped ? line.slice(1) : line;
    const name = (raw: string): string => (escaped ? unescape(raw) : raw);
    const m = /^([0-9a-f]{64}) (\d+) (.*)$/s.exec(body);
    if (m) {
      files.set(name(m[3] ?? ''), { sha256: m[1] ?? '', size: Number(m[2]) });
      continue;
    }
    if (body === 'T') {
      withTree = true;
      continue;
    }
    const d = /^D (.+)$/s.exec(body);
    if (d) {
      dirs.add(name(d[1] ?? ''));
      continue;
    }
    const l = /^L (\S+) (.+)$/s.exec(body);
    if (l) {
      links.set(name(l[2] ?? ''), unescapeTarget(l[1] ?? ''));
      continue;
    }
    throw new MmError(
      'agent-output-invalid',
      `${what}, line ${n}: not "<sha256> <size> <name>", "D <name>" or "L <target> <name>": "${line.slice(0, 80)}"`,
      what,
    );
  }
  return { files, dirs, links, withTree };
}

/** The regular files of a listing (its directories and symlinks are read by parseTree). */
export function parseListing(text: string, what: string): Listing {
  return parseTree(text, what).files;
}

/** A fingerprint of a listing's directories and symlinks (the marker keeps it beside the manifest's). */
export function treeSha256(tree: Pick<TreeListing, 'dirs' | 'links'>): string {
  const h = createHash('sha256');
  for (const d of [...tree.dirs].sort()) h.update(`D\0${d}\0`);
  for (const [name, target] of [...tree.links].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
    h.update(`L\0${name}\0${target}\0`);
  return h.digest('hex');
}

export interface TreeDiff {
  /** Directories the source has and the target does not (created, empty ones included). */
  readonly dirsAdded: string[];
  /** Directories the target has and the source no longer does (removed when empty), deepest first. */
  readonly dirsDeleted: string[];
  /** Symlinks new on the source, or pointing elsewhere now. */
  readonly linksAdded: string[];
  readonly linksChanged: string[];
  /** Symlinks the source no longer has. */
  readonly linksDeleted: string[];
}

/** What changed in the directories and symlinks from `before` (the target) to `now` (the source). */
export function diffTrees(
  before: Pick<TreeListing, 'dirs' | 'links'>,
  now: Pick<TreeListing, 'dirs' | 'links'>,
): TreeDiff {
  const deeperFirst = (a: string, b: string): number =>
    b.split('/').length - a.split('/').length || (a < b ? 1 : a > b ? -1 : 0);
  return {
    dirsAdded: [...now.dirs].filter((d) => !before.dirs.has(d)).sort(),
    dirsDeleted: [...before.dirs].filter((d) => !now.dirs.has(d)).sort(deeperFirst),
    linksAdded: [...now.links.keys()].filter((l) => !before.links.has(l)).sort(),
    linksChanged: [...now.links]
      .filter(([l, t]) => before.links.has(l) && before.links.get(l) !== t)
      .map(([l]) => l)
      .sort(),
    linksDeleted: [...before.links.keys()].filter((l) => !now.links.has(l)).sort(),
  };
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
