// The agent's tarball byte for byte (issue 12: the writer is tuned for many small files, and the
// manager checks every member against the manifest, so a tuned writer must not change one byte):
// the Perl writer's output over a tree with every kind of member equals an independent encoder's
// (ustar-reference.ts), whole and when resuming after a file.
import { describe, it, expect } from 'vitest';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  mkdirSync,
  readFileSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { tempDir } from '../helpers/layouts/agent-harness';
import { archiveTreeAt } from './tar-writer-harness';
import { referenceTarball } from './ustar-reference';

const NOW = 1_760_000_000;
const BLOCK = 262144;
const root = process.getuid?.() === 0;

/** A Maildir with folders, files around every size boundary of the writer, and odd members. */
function buildTree(): { dir: string; messages: string[] } {
  const dir = tempDir('tb-tree');
  const messages: string[] = [];
  for (const folder of ['cur', 'new', '.Archive/cur']) mkdirSync(join(dir, folder), { recursive: true });
  for (let i = 0; i < 120; i++) {
    const folder = ['cur', 'new', '.Archive/cur'][i % 3]!;
    const name = `${folder}/17170${String(i).padStart(5, '0')}.M${i}P1.test:2,S`;
    const f = join(dir, name);
    writeFileSync(f, randomBytes((i * 977) % 5000));
    chmodSync(f, i % 2 ? 0o600 : 0o640);
    utimesSync(f, NOW - i * 3600, NOW - i * 3600);
    if (root && i % 5 === 0) chownSync(f, 5000 + i, 6000 + i);
    messages.push(name);
  }
  // Around the tar block and the writer's read block; 4.5 MB goes through openssl's SHA-256.
  mkdirSync(join(dir, 'sizes'));
  for (const size of [0, 1, 511, 512, 513, BLOCK - 1, BLOCK, BLOCK + 1, 600_000, 4_500_000]) {
    writeFileSync(join(dir, 'sizes', `f${size}`), randomBytes(size));
  }
  chmodSync(join(dir, 'sizes', 'f1'), 0o4755);
  // Names: a backslash, a newline, UTF-8, bytes that are not UTF-8, one too long for ustar's name
  // field alone (a prefix split) and one that fits no split (a pax path).
  mkdirSync(join(dir, 'names'));
  for (const n of ['back\\slash', 'new\nline', 'ünïcode.txt', 'x'.repeat(120)])
    writeFileSync(join(dir, 'names', n), n);
  writeFileSync(Buffer.from(`${dir}/names/latin-\xe9`, 'latin1'), 'not utf-8');
  const deep = join(dir, 'd'.repeat(60), 'e'.repeat(60));
  mkdirSync(deep, { recursive: true });
  writeFileSync(join(deep, 'n'.repeat(90)), 'deep');
  // Links (a long target needs a pax linkpath), an empty folder, and a fifo (left out).
  symlinkSync('../sizes/f1', join(dir, 'names', 'link'));
  symlinkSync('t'.repeat(150), join(dir, 'names', 'longlink'));
  mkdirSync(join(dir, 'empty'));
  execFileSync('mkfifo', [join(dir, 'names', 'fifo')]);
  // Folder times last: adding entries changed them.
  for (const d of ['cur', 'new', '.Archive', '.Archive/cur', 'sizes', 'names', 'empty'])
    utimesSync(join(dir, d), NOW - 86_400, NOW - 86_400);
  return { dir, messages: messages.sort() };
}

/** Where two buffers first differ, for a message that points at the header or data at fault. */
function firstDifference(a: Buffer, b: Buffer): string {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++)
    if (a[i] !== b[i]) return `byte ${i} (block ${Math.floor(i / 512)}, offset ${i % 512})`;
  return a.length === b.length ? 'none' : `lengths ${a.length} and ${b.length}`;
}

describe('agent tar writer: the tarball byte for byte', () => {
  const { dir, messages } = buildTree();

  it('a whole tree equals the reference encoding', () => {
    const out = join(tempDir('tb-out'), 'all.tar');
    const r = archiveTreeAt(dir, out, NOW);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const got = readFileSync(out);
    const want = referenceTarball(dir, { now: NOW });
    expect(firstDifference(got, want)).toBe('none');
    expect(got.length % 10240).toBe(0);
  });

  it('resuming after a message leaves out that file and the ones before it, the manifest still lists all', () => {
    const after = messages[40]!;
    const out = join(tempDir('tb-out'), 'resumed.tar');
    const r = archiveTreeAt(dir, out, NOW, after);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const got = readFileSync(out);
    const want = referenceTarball(dir, { now: NOW, resumeAfter: after });
    expect(firstDifference(got, want)).toBe('none');
  });
});
