/**
 * Documents with a long top-level list are written in pieces (store/json-pieces.ts): the bytes
 * on disk must be exactly JSON.stringify's, and the write as atomic as lowdb's.
 */
import { spawn } from 'node:child_process';
import { mkdir, readFile, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DocumentFile, type DocumentSpec } from '../../electron/core/store/document-file';
import { LONG_LIST, jsonPieces, worthPieces } from '../../electron/core/store/json-pieces';
import { REPO_ROOT, tempDir } from '../helpers/paths';

interface Listing {
  schemaVersion: 1;
  title?: string;
  rows: unknown[];
}

const spec: DocumentSpec<Listing> = {
  kind: 'listing',
  currentVersion: 1,
  migrations: {},
  empty: () => ({ schemaVersion: 1, rows: [] }),
};

/** Entries of every kind JSON treats specially, repeated to a long list. */
function awkwardRows(n: number): unknown[] {
  const kinds = [
    { id: 'plain', n: 1, ok: true, none: null },
    { id: 'gaps', skipped: undefined, fn: () => 1, list: [1, undefined, () => 2, Symbol('s')] },
    { id: 'text', s: 'quote " backslash \\ newline \n tab \t nul \u0000 é 中 😀 lone \ud800' },
    { id: 'numbers', nan: NaN, inf: -Infinity, negZero: -0, big: 1e300, small: 5e-324 },
    { id: 'date', at: new Date(Date.UTC(2025, 5, 15)) },
    { id: 'nested', a: { b: [{ c: [[], {}] }] }, 1: 'integer keys first', z: 'then the rest' },
    'a string entry',
    42,
    null,
    undefined,
    () => 'a function entry',
    [1, [2, [3]]],
  ];
  return Array.from({ length: n }, (_, i) => kinds[i % kinds.length]);
}

describe('documents written in pieces', () => {
  it('are exactly the bytes of JSON.stringify, with awkward values and keys around the long list', () => {
    const doc = {
      schemaVersion: 1,
      before: 'x',
      dropped: undefined,
      rows: awkwardRows(LONG_LIST * 3),
      after: { when: new Date(0), list: [undefined] },
      more: awkwardRows(LONG_LIST + 1),
      fn: () => 0,
    };
    expect(worthPieces(doc)).toBe(true);
    const pieces = [...jsonPieces(doc)];
    expect(pieces.join('')).toBe(JSON.stringify(doc));
  });

  it('are pieces indeed: a 20 MB document never makes one string of it', () => {
    const doc = {
      schemaVersion: 1,
      rows: Array.from({ length: 100_000 }, (_, i) => ({ i, t: 'y'.repeat(180) })),
    };
    const pieces = [...jsonPieces(doc)];
    expect(pieces.length).toBeGreaterThan(10);
    expect(Math.max(...pieces.map((p) => p.length))).toBeLessThan(2 * 1024 * 1024);
    expect(pieces.join('')).toBe(JSON.stringify(doc));
  });

  it('only documents with a long top-level list, and never one with its own toJSON', () => {
    expect(worthPieces({ rows: new Array(LONG_LIST - 1).fill(1) })).toBe(false);
    expect(worthPieces({ rows: new Array(LONG_LIST).fill(1) })).toBe(true);
    expect(worthPieces({ inner: { rows: new Array(LONG_LIST).fill(1) } })).toBe(false);
    expect(worthPieces({ rows: new Array(LONG_LIST).fill(1), toJSON: () => ({}) })).toBe(false);
    expect(worthPieces(new Array(LONG_LIST).fill(1))).toBe(false);
  });

  it('a DocumentFile saves and reopens one, byte for byte, leaving no temp file', async () => {
    const dir = await tempDir();
    const file = join(dir, 'listing.json');
    const doc = await DocumentFile.open(file, spec);
    const next: Listing = { schemaVersion: 1, title: 'long', rows: awkwardRows(LONG_LIST * 2) };
    await doc.save(next);
    expect(await readFile(file, 'utf8')).toBe(JSON.stringify(next));
    expect(await readdir(dir)).toEqual(['listing.json']);
    const again = await DocumentFile.open(file, spec);
    expect(again.data).toEqual(JSON.parse(JSON.stringify(next)));
  });

  it('a failed write leaves the file, the document in memory and no temp file behind', async () => {
    const dir = await tempDir();
    const file = join(dir, 'listing.json');
    const doc = await DocumentFile.open(file, spec);
    await doc.save({ schemaVersion: 1, rows: ['kept'] });
    // The file is replaced by a folder: the rename over it fails after every piece was written.
    await rm(file);
    await mkdir(file);
    await expect(doc.save({ schemaVersion: 1, rows: new Array(LONG_LIST).fill('lost') })).rejects.toThrow(
      /listing file .*listing\.json could not be written/,
    );
    expect(doc.data.rows).toEqual(['kept']);
    expect((await readdir(dir)).sort()).toEqual(['listing.json']);
  });

  it('leaves the previous whole file behind when the writer is killed between pieces', async () => {
    const file = join(await tempDir(), 'listing.json');
    // The child saves version 1, then starts saving version 2 whose 200,000th entry stops the
    // writer for good (its toJSON never returns) after many pieces went to the temp file. It is
    // killed right there; the file must still be version 1, whole.
    const script = `
      const { DocumentFile } = await import(${JSON.stringify(join(REPO_ROOT, 'electron/core/store/document-file.ts'))});
      const spec = { kind: 'listing', currentVersion: 1, migrations: {}, empty: () => ({ schemaVersion: 1, rows: [] }) };
      const doc = await DocumentFile.open(${JSON.stringify(file)}, spec);
      const rows = (v) => Array.from({ length: 300000 }, (_, n) => ({ n, v, pad: 'p'.repeat(40) }));
      await doc.save({ schemaVersion: 1, rows: rows('v1') });
      const v2 = rows('v2');
      v2[200000] = { toJSON() { process.stdout.write('inside the write\\n'); for (;;); } };
      await doc.save({ schemaVersion: 1, rows: v2 });`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: REPO_ROOT,
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise((r) => child.once('exit', r));
    const inside = await Promise.race([
      new Promise<boolean>((resolve) => child.stdout.once('data', () => resolve(true))),
      exited.then(() => false),
    ]);
    expect(inside, `the child never reached the write: ${stderr}`).toBe(true);
    child.kill('SIGKILL');
    await exited;
    const temp = await readFile(join(file, '..', '.listing.json.tmp'), 'utf8');
    expect(temp.length).toBeGreaterThan(1024 * 1024); // pieces of version 2 did reach the disk
    const doc = await DocumentFile.open(file, spec);
    expect(doc.data.rows).toHaveLength(300000);
    expect(doc.data.rows[0]).toEqual({ n: 0, v: 'v1', pad: 'p'.repeat(40) });
  }, 120_000);
});
