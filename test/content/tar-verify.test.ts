// The manager's tarball verifier on the agent's real tarballs (MigrationAgent::Tar through Perl)
// and GNU tar's: the same result and the same bytes passed on whatever the chunking (a small
// file whole in one chunk is hashed in one call, one cut across chunks piece by piece), header
// fields read in place including the forms tar writes besides the agent's (leading spaces,
// base-256), the manifest matched in one ordered walk or, when it is in another order or
// names files "./x", through the general path, and a changed byte named either way.
import { describe, it, expect } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { TarVerifier, type VerifiedContent } from '../../electron/core/content/tar-verify';
import { AGENTS, tempDir } from '../helpers/layouts/agent-harness';

const sha = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');

function bytesOf(size: number, seed: number): Buffer {
  const b = Buffer.alloc(size);
  for (let i = 0; i < size; i++) b[i] = (i * 13 + seed) & 0xff;
  return b;
}

/**
 * A content tree: small messages, one file of several 64 KiB chunks, long and UTF-8 names, a
 * symlink; with `escaped`, names holding a backslash and a newline too (their manifest lines are
 * escaped, which the general path reads).
 */
function makeTree(escaped = false): { dir: string; files: Map<string, Buffer> } {
  const dir = tempDir('tv-tree');
  const files = new Map<string, Buffer>();
  const put = (name: string, data: Buffer): void => {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), data);
    files.set(name, data);
  };
  for (let i = 0; i < 300; i++) put(`cur/1717${i}.M${i}P1:2,S`, bytesOf((i * 977) % 5000, i));
  put('big.bin', bytesOf(200_000, 9));
  put(`${'d'.repeat(90)}/${'e'.repeat(90)}/${'f'.repeat(90)}`, bytesOf(10, 1));
  put('n'.repeat(120), bytesOf(20, 2));
  if (escaped) {
    put('back\\slash', bytesOf(30, 3));
    put('new\nline', bytesOf(40, 4));
  }
  put('café ü.txt', bytesOf(50, 5));
  put('empty', Buffer.alloc(0));
  symlinkSync('big.bin', join(dir, 'link'));
  utimesSync(join(dir, 'big.bin'), 1_500_000_000, 1_500_000_000);
  return { dir, files };
}

/** The agent's tarball of `dir`, as its writer makes it. */
function agentTar(dir: string): Buffer {
  const code = `use strict; use warnings; use lib '${AGENTS}/lib'; use MigrationAgent::Tar; my $t = MigrationAgent::Tar->new(\\*STDOUT); $t->add_tree($ARGV[0]); $t->finish;`;
  const r = spawnSync('perl', ['-e', code, dir], { maxBuffer: 64 * 1024 * 1024 });
  expect(r.stderr.toString()).toBe('');
  return r.stdout;
}

interface Verified {
  readonly result: VerifiedContent | undefined;
  readonly out: Buffer;
  readonly hashes: Map<string, string>;
  readonly mtimes: Map<string, number>;
}

/** Feeds `tar` to a verifier in chunks of `chunk` bytes; resolves with what passed, rejects with its error. */
async function verify(tar: Buffer, chunk: number): Promise<Verified> {
  const v = new TarVerifier('site:test.example');
  const parts: Buffer[] = [];
  const chunks = function* (): Generator<Buffer> {
    for (let i = 0; i < tar.length; i += chunk) yield tar.subarray(i, i + chunk);
  };
  await pipeline(
    Readable.from(chunks()),
    v,
    new Writable({
      write(c: Buffer, _e, cb) {
        parts.push(c);
        cb();
      },
    }),
  );
  return {
    result: v.result,
    out: Buffer.concat(parts),
    hashes: new Map(v.staged.map((f) => [f.name, f.sha256])),
    mtimes: new Map(v.staged.map((f) => [f.name, f.mtime])),
  };
}

/** A tar header's checksum set again after a field was rewritten. */
function resum(tar: Buffer, at: number): void {
  tar.fill(0x20, at + 148, at + 156);
  let sum = 0;
  for (let k = 0; k < 512; k++) sum += tar[at + k]!;
  tar.write(`${sum.toString(8).padStart(6, '0')}\0 `, at + 148, 'latin1');
}

/** Offset of the header of the member whose ustar name field is `name`. */
function headerOf(tar: Buffer, name: string): number {
  for (let at = 0; at + 512 <= tar.length; at += 512) {
    if (tar.toString('latin1', at, at + name.length) !== name || tar[at + name.length] !== 0) continue;
    if (tar.toString('latin1', at + 257, at + 262) === 'ustar') return at;
  }
  throw new Error(`no header for ${name}`);
}

describe('TarVerifier', () => {
  it.each([false, true])(
    'passes the agent tarball with the same result and bytes for every chunking (escaped names: %s)',
    async (escaped) => {
      const { dir, files } = makeTree(escaped);
      const tar = agentTar(dir);
      const whole = await verify(tar, tar.length);
      expect(whole.result?.files).toBe(files.size);
      expect(whole.result?.bytes).toBe([...files.values()].reduce((n, b) => n + b.length, 0));
      for (const [name, data] of files) expect(whole.hashes.get(name), name).toBe(sha(data));
      expect(whole.mtimes.get('big.bin')).toBe(1_500_000_000);
      // What passed is the tarball less its manifest member: GNU tar unpacks it to the same files.
      const into = tempDir('tv-x');
      execFileSync('tar', ['-xf', '-', '-C', into], { input: whole.out });
      for (const [name, data] of files) expect(readFileSync(join(into, name)).equals(data), name).toBe(true);
      for (const chunk of [7, 100, 511, 512, 513, 4096, 65536]) {
        const got = await verify(tar, chunk);
        expect(got.result, `chunks of ${chunk}`).toEqual(whole.result);
        expect(got.out.equals(whole.out), `chunks of ${chunk}`).toBe(true);
        expect(got.hashes).toEqual(whole.hashes);
      }
    },
  );

  it('a changed byte names its file, whether the file came in one chunk or across several', async () => {
    for (const escaped of [false, true]) {
      const { dir } = makeTree(escaped);
      const tar = agentTar(dir);
      for (const [name, chunk] of [
        ['cur/171710.M10P1:2,S', 65536],
        ['cur/171710.M10P1:2,S', 100],
        ['big.bin', 65536],
      ] as const) {
        const bad = Buffer.from(tar);
        bad[headerOf(bad, name) + 512 + 5]! ^= 0xff;
        await expect(verify(bad, chunk), `${name} in chunks of ${chunk}`).rejects.toThrow(
          new RegExp(`${name.replace(/[.$]/g, '\\$&')} does not match the agent's manifest`),
        );
      }
    }
  });

  it('reads size and mtime written with leading spaces, trailing spaces and in base-256', async () => {
    const { dir, files } = makeTree();
    const tar = agentTar(dir);
    const at = headerOf(tar, 'big.bin');
    // size as "   606500 " (octal of 200,000 with spaces, as some tars write it).
    tar.write(`   ${(200_000).toString(8)} \0`, at + 124, 'latin1');
    // mtime in GNU base-256: the high bit set, the value in the following big-endian bytes.
    tar.fill(0, at + 136, at + 148);
    tar[at + 136] = 0x80;
    tar.writeUInt32BE(1_500_000_000, at + 144);
    resum(tar, at);
    const got = await verify(tar, 65536);
    expect(got.result?.files).toBe(files.size);
    expect(got.hashes.get('big.bin')).toBe(sha(files.get('big.bin')!));
    expect(got.mtimes.get('big.bin')).toBe(1_500_000_000);
    // A field that is not octal is still refused, naming the field.
    tar.write('12x4567\0', at + 124, 'latin1');
    resum(tar, at);
    await expect(verify(tar, 65536)).rejects.toThrow(/bad size field "12x4567"/);
  });

  it('a manifest in another order or with "./" names (GNU tar, sha256sum) verifies; a wrong line is named', async () => {
    const dir = tempDir('tv-gnu');
    const names = ['a.txt', 'b.txt', 'c/d.txt'];
    mkdirSync(join(dir, 'c'));
    names.forEach((n, k) => writeFileSync(join(dir, n), bytesOf(700 * (k + 1), k)));
    const sums = execFileSync('sha256sum', names.map((n) => `./${n}`).reverse(), {
      cwd: dir,
      encoding: 'utf8',
    });
    writeFileSync(join(dir, 'MANIFEST.sha256'), sums);
    const gnuTar = (): Buffer =>
      execFileSync('tar', ['--format=ustar', '-cf', '-', '-C', dir, ...names, 'MANIFEST.sha256'], {
        maxBuffer: 1 << 24,
      });
    const got = await verify(gnuTar(), 512);
    expect(got.result?.files).toBe(3);
    expect(got.result?.manifestSha256).toBe(sha(sums));
    writeFileSync(join(dir, 'MANIFEST.sha256'), sums.replace(/^[0-9a-f]{8}/m, '00000000'));
    await expect(verify(gnuTar(), 512)).rejects.toThrow(/c\/d\.txt does not match the agent's manifest/);
  });
});
