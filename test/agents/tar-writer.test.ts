// MigrationAgent::Tar's per-file path (one read, one one-shot hash and one write for a file of a
// block or less; the last block of a larger file read with one byte more to see growth): what it
// writes is read back by GNU tar and sha256sum, and files that change while they are streamed
// are cut or padded at every size class, with one warning each.
import { describe, it, expect } from 'vitest';
import { chmodSync, chownSync, lstatSync, mkdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { openTar, sha256, tempDir } from '../helpers/layouts/agent-harness';
import { archiveChanging, archiveSwapped, archiveTree } from './tar-writer-harness';

const BLOCK = 262144;
/** Around the tar block (512) and the writer's read block (256 KiB), and one of several blocks. */
const SIZES = [0, 1, 511, 512, 513, 4095, BLOCK - 1, BLOCK, BLOCK + 1, 600_000];

function bytesOf(size: number, seed: number): Buffer {
  const b = Buffer.alloc(size);
  for (let i = 0; i < size; i++) b[i] = (i * 31 + seed * 7) & 0xff;
  return b;
}

describe('agent tar writer: small and block-sized files', () => {
  it('GNU tar and sha256sum read back every size, mode, owner and mtime', () => {
    const dir = tempDir('tw-tree');
    mkdirSync(join(dir, 'cur'));
    const root = process.getuid?.() === 0;
    SIZES.forEach((size, k) => {
      const f = join(dir, 'cur', `m${size}`);
      writeFileSync(f, bytesOf(size, k));
      chmodSync(f, [0o600, 0o644, 0o755, 0o4755][k % 4]!);
      utimesSync(f, 1_600_000_000 + k * 1000, 1_600_000_000 + k * 1000);
      if (root) chownSync(f, 1000 + k, 2000 + k);
    });
    const out = join(tempDir('tw-out'), 't.tar');
    const r = archiveTree(dir, out);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    // GNU tar's own listing: sizes, modes and owners as numbers, times in full.
    const listing = execFileSync('tar', ['--numeric-owner', '--full-time', '-tvf', out], {
      encoding: 'utf8',
    });
    expect(listing).not.toMatch(/warning|error/i);
    const into = tempDir('tw-x');
    execFileSync('tar', ['--same-owner', '-xpf', out, '-C', into]);
    SIZES.forEach((size, k) => {
      const name = `cur/m${size}`;
      const src = lstatSync(join(dir, name));
      const got = lstatSync(join(into, name));
      expect(readFileSync(join(into, name)).equals(bytesOf(size, k)), name).toBe(true);
      expect(got.mode & 0o7777, name).toBe(src.mode & 0o7777);
      expect(got.mtimeMs, name).toBe(src.mtimeMs);
      if (root) expect([got.uid, got.gid], name).toEqual([1000 + k, 2000 + k]);
    });
    // The manifest is what sha256sum -c accepts, one line per file in archive order.
    const check = spawnSync('sha256sum', ['-c', 'MANIFEST.sha256'], { cwd: into, encoding: 'utf8' });
    expect(check.status, check.stdout + check.stderr).toBe(0);
    expect(check.stdout.trim().split('\n')).toHaveLength(SIZES.length);
    expect(openTar(out).members).toEqual([
      'cur/',
      ...SIZES.map((s) => `cur/m${s}`).sort(),
      'MANIFEST.sha256',
    ]);
  });

  for (const size of SIZES) {
    it(`a ${size}-byte file that grows while streamed is cut at its header size, with one warning`, () => {
      const dir = tempDir('tw-grow');
      const body = bytesOf(size, 3);
      writeFileSync(join(dir, 'g.bin'), body);
      const out = join(tempDir('tw-growout'), 'g.tar');
      const r = archiveChanging(dir, 'g.bin', 'grow', out);
      expect(r.code).toBe(0);
      expect(r.stderr).toMatch(/^agent\.pl: warning: .*g\.bin grew while it was archived.*\n$/);
      const tar = openTar(out);
      expect(tar.files.get('g.bin')?.equals(body)).toBe(true);
      expect(tar.manifest.get('g.bin')).toBe(sha256(body));
      expect(tar.files.get('after.txt')?.toString()).toBe('after');
    });
    if (size <= 3) continue;
    it(`a ${size}-byte file that shrinks while streamed is padded to its header size, with one warning`, () => {
      const dir = tempDir('tw-shrink');
      const body = bytesOf(size, 5);
      writeFileSync(join(dir, 's.bin'), body);
      const out = join(tempDir('tw-shrinkout'), 's.tar');
      const r = archiveChanging(dir, 's.bin', 'shrink', out);
      expect(r.code).toBe(0);
      expect(r.stderr).toMatch(/^agent\.pl: warning: .*s\.bin shrank while it was archived.*\n$/);
      const padded = Buffer.concat([body.subarray(0, 3), Buffer.alloc(size - 3)]);
      const tar = openTar(out);
      expect(tar.files.get('s.bin')?.equals(padded)).toBe(true);
      expect(tar.manifest.get('s.bin')).toBe(sha256(padded));
      expect(tar.files.get('after.txt')?.toString()).toBe('after');
    });
  }
  // The small-file path trusts the walk's lstat while the read brings exactly the size it saw;
  // whatever took the file's place in between is opened without following or waiting, then
  // fstat-ed and refused.
  for (const swap of ['fifo', 'symlink', 'dir'] as const) {
    it(`a regular file swapped for a ${swap} after the walk's lstat is refused, never read or waited on`, () => {
      const dir = tempDir('tw-swap');
      writeFileSync(join(dir, 'm.txt'), 'message body');
      const out = join(tempDir('tw-swapout'), 'm.tar');
      const r = archiveSwapped(dir, 'm.txt', swap, out);
      expect(r.code, r.stderr).not.toBe(0);
      expect(r.code).not.toBe(-1); // not killed by the timeout: nothing waited on the fifo
      expect(r.stderr).toMatch(
        swap === 'symlink' ? /cannot open .*m\.txt/ : /cannot archive .*m\.txt: not a regular file/,
      );
    });
  }
});
