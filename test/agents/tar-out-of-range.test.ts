// Header values ustar cannot hold (issue 12: ownership, modes and mtimes kept): a file dated
// before 1970, a folder and a symlink too, one dated past ustar's 11 octal digits, and owner ids
// of 2**21 or more (LDAP/AD-backed servers). The writer must carry them in pax records, byte for
// byte as the independent encoder (ustar-reference.ts) writes them — on the small-file path, the
// large-file path and when resuming (every file through the general path) — and GNU tar must
// read back exactly those values.
import { describe, it, expect } from 'vitest';
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import {
  chownSync,
  lchownSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/layouts/agent-harness';
import { archiveTreeAt } from './tar-writer-harness';
import { referenceTarball } from './ustar-reference';

const NOW = 1_760_000_000;
const MARCH_1965 = Date.UTC(1965, 2, 1) / 1000; // -152,668,800
const PRE_EPOCH_DIR = Date.UTC(1960, 0, 1) / 1000;
const PAST_USTAR = 8 ** 11 + 12_345; // year 2242: 11 octal digits cannot hold it
const BIG_ID = 3_000_000; // ≥ 2**21 = 2,097,152
const root = process.getuid?.() === 0;

/** Sets a path's mtime (and atime) to `seconds`: touch(1), since Node's utimes turns a time before 1970 into now. */
const setTime = (path: string, seconds: number): void => {
  execFileSync('touch', ['-h', '-d', `@${seconds}`, path]);
};

interface Want {
  readonly mtime: number;
  readonly uid: number;
  readonly gid: number;
}

/** The tree, and what each member's header must say (owner checks only as root, who can chown). */
function buildTree(): { dir: string; want: Map<string, Want>; pastUstar: boolean } {
  const dir = tempDir('tor-tree');
  const want = new Map<string, Want>();
  const me = { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 };
  const file = (name: string, bytes: number, mtime: number, owner = me): void => {
    const f = join(dir, name);
    writeFileSync(f, randomBytes(bytes));
    if (root) chownSync(f, owner.uid, owner.gid);
    setTime(f, mtime);
    want.set(name, { mtime, ...owner });
  };
  mkdirSync(join(dir, 'old'));
  file('old/small-1965.txt', 700, MARCH_1965); // the small-file path
  file('old/large-1965.bin', 600_000, MARCH_1965); // larger than the writer's read block
  file('old/' + 'n'.repeat(120), 10, MARCH_1965); // a pax path and a pax mtime together
  file('owned-small.txt', 100, NOW - 60, { uid: BIG_ID, gid: BIG_ID + 1 });
  file('owned-large.bin', 300_000, NOW - 60, { uid: BIG_ID + 2, gid: 2_097_151 }); // gid: the largest that fits
  file('plain.txt', 50, NOW - 120); // in range: a plain ustar header as ever
  const link = join(dir, 'old', 'link');
  symlinkSync('small-1965.txt', link);
  if (root) lchownSync(link, BIG_ID, BIG_ID);
  setTime(link, MARCH_1965);
  want.set('old/link', { mtime: MARCH_1965, ...(root ? { uid: BIG_ID, gid: BIG_ID } : me) });
  // Past 8**11 seconds where the file system can hold it (ext4, xfs, tmpfs can; some cannot).
  const far = join(dir, 'far-future.txt');
  writeFileSync(far, 'far');
  setTime(far, PAST_USTAR);
  const pastUstar = Math.floor(lstatSync(far).mtimeMs / 1000) === PAST_USTAR;
  if (pastUstar) want.set('far-future.txt', { mtime: PAST_USTAR, ...me });
  // Folder times last: adding entries changed them.
  setTime(join(dir, 'old'), PRE_EPOCH_DIR);
  want.set('old', { mtime: PRE_EPOCH_DIR, ...me });
  return { dir, want, pastUstar };
}

function firstDifference(a: Buffer, b: Buffer): string {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++)
    if (a[i] !== b[i]) return `byte ${i} (block ${Math.floor(i / 512)}, offset ${i % 512})`;
  return a.length === b.length ? 'none' : `lengths ${a.length} and ${b.length}`;
}

/** GNU tar's own reading of the archive: "name uid gid mtime" per member, numeric owners. */
function gnuTarListing(tarball: string): Map<string, Want> {
  const x = tempDir('tor-x');
  execFileSync('tar', ['--same-owner', '-xpf', tarball, '-C', x], { stdio: ['ignore', 'ignore', 'ignore'] });
  const out = new Map<string, Want>();
  const text = execFileSync('find', [x, '-mindepth', '1', '-printf', '%P\\t%U\\t%G\\t%T@\\n'], {
    encoding: 'utf8',
  });
  for (const line of text.trim().split('\n')) {
    const [name, uid, gid, mtime] = line.split('\t') as [string, string, string, string];
    out.set(name, { uid: Number(uid), gid: Number(gid), mtime: Math.floor(Number(mtime)) });
  }
  return out;
}

describe('agent tar writer: values out of ustar range', () => {
  const { dir, want, pastUstar } = buildTree();

  it('a whole tree equals the reference encoding (pax mtime/uid/gid records, fields in range)', () => {
    const out = join(tempDir('tor-out'), 'all.tar');
    const r = archiveTreeAt(dir, out, NOW);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const got = readFileSync(out);
    expect(firstDifference(got, referenceTarball(dir, { now: NOW }))).toBe('none');
    // The records are really there (not two encoders agreeing on no record at all).
    const text = got.toString('latin1');
    expect(text).toContain(` mtime=${MARCH_1965}\n`);
    expect(text).toContain(` mtime=${PRE_EPOCH_DIR}\n`);
    if (pastUstar) expect(text).toContain(` mtime=${PAST_USTAR}\n`);
    if (root) {
      expect(text).toContain(` uid=${BIG_ID}\n`);
      expect(text).toContain(` gid=${BIG_ID + 1}\n`);
      expect(text).not.toContain(' gid=2097151\n');
    }
  });

  it('resuming (every file through the general path) equals the reference encoding too', () => {
    const out = join(tempDir('tor-out'), 'resumed.tar');
    const r = archiveTreeAt(dir, out, NOW, 'far-future.txt');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const got = readFileSync(out);
    expect(firstDifference(got, referenceTarball(dir, { now: NOW, resumeAfter: 'far-future.txt' }))).toBe(
      'none',
    );
  });

  it('GNU tar reads back exactly the source times and owners', () => {
    const out = join(tempDir('tor-out'), 'all.tar');
    expect(archiveTreeAt(dir, out, NOW).code).toBe(0);
    const got = gnuTarListing(out);
    for (const [name, w] of want) {
      const g = got.get(name);
      expect(g, name).toBeDefined();
      expect({ name, mtime: g!.mtime }).toEqual({ name, mtime: w.mtime });
      if (root) expect({ name, uid: g!.uid, gid: g!.gid }).toEqual({ name, uid: w.uid, gid: w.gid });
    }
  });
});
