/**
 * The resume bookkeeping on its own, on real files through the local transport (the sandbox's
 * nodes use it): which staged files count as whole (size and tar's mtime, in archive order,
 * up to the first that is not), and how the lists of interrupted transfers are kept.
 */
import { mkdir, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { localTransport } from '../../electron/core/agent/local-transport';
import { rememberInterrupted, stagedPrefix, takeInterrupted } from '../../electron/core/content/resume';
import type { StagedFile } from '../../electron/core/content/tar-verify';
import { tempDir } from '../helpers/paths';

const MTIME = 1_600_000_000;
const file = (name: string, size: number, mtime = MTIME): StagedFile => ({
  name,
  size,
  mtime,
  sha256: 'ab'.repeat(32),
});

async function put(dir: string, name: string, size: number, mtime = MTIME): Promise<void> {
  const path = join(dir, name);
  await mkdir(join(path, '..'), { recursive: true });
  await writeFile(path, Buffer.alloc(size, 1));
  // As Dates: Node turns a negative number of seconds into now, a Date before 1970 it keeps.
  const at = new Date(mtime * 1000);
  await utimes(path, at, at);
}

describe('staged files that count as whole', () => {
  it('stops at the first file cut short, with another mtime or missing; names with spaces and newlines match', async () => {
    const staging = await tempDir('mm-resume-list-');
    await put(staging, 'a b.txt', 10);
    await put(staging, 'dir/new\nline', 20);
    await put(staging, 'dir/cut.bin', 5);
    await put(staging, 'later.bin', 7);
    const listed = [
      file('a b.txt', 10),
      file('dir/new\nline', 20),
      file('dir/cut.bin', 30),
      file('later.bin', 7),
    ];
    const node = localTransport();
    expect((await stagedPrefix(node, staging, listed)).map((f) => f.name)).toEqual([
      'a b.txt',
      'dir/new\nline',
    ]);
    // tar had not set the mtime yet: not whole either.
    await put(staging, 'dir/cut.bin', 30, MTIME + 99);
    expect(await stagedPrefix(node, staging, listed)).toHaveLength(2);
    await put(staging, 'dir/cut.bin', 30);
    expect(await stagedPrefix(node, staging, listed)).toHaveLength(4);
    // A file the node does not hold ends the run; so does a staging folder that is gone.
    expect(
      await stagedPrefix(node, staging, [file('a b.txt', 10), file('gone', 1), file('later.bin', 7)]),
    ).toHaveLength(1);
    expect(await stagedPrefix(node, join(staging, 'nowhere'), listed)).toEqual([]);
  });
  it('counts files dated before 1970 as whole (find prints their mtime negative)', async () => {
    const staging = await tempDir('mm-resume-list-old-');
    const old = -157_766_400; // 1965-01-01
    await put(staging, 'old.txt', 10, old);
    await put(staging, 'new.txt', 10);
    const listed = [file('old.txt', 10, old), file('new.txt', 10)];
    expect((await stagedPrefix(localTransport(), staging, listed)).map((f) => f.name)).toEqual([
      'old.txt',
      'new.txt',
    ]);
  });
});

describe('lists of interrupted transfers', () => {
  it('are taken once, only for the same content id, and the oldest go beyond 64', () => {
    rememberInterrupted('/s/one', 'site:a.test', [file('x', 1)]);
    expect(takeInterrupted('/s/one', 'site:b.test')).toBeUndefined();
    rememberInterrupted('/s/one', 'site:a.test', [file('x', 1)]);
    expect(takeInterrupted('/s/one', 'site:a.test')).toEqual([file('x', 1)]);
    expect(takeInterrupted('/s/one', 'site:a.test')).toBeUndefined();
    for (let i = 0; i < 70; i++) rememberInterrupted(`/s/${i}`, `site:${i}.test`, [file(`f${i}`, i)]);
    for (let i = 0; i < 6; i++) expect(takeInterrupted(`/s/${i}`, `site:${i}.test`)).toBeUndefined();
    for (let i = 6; i < 70; i++)
      expect(takeInterrupted(`/s/${i}`, `site:${i}.test`)).toEqual([file(`f${i}`, i)]);
  });
});
