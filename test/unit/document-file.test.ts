import { spawn } from 'node:child_process';
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MmError } from '../../electron/core/errors';
import { DocumentFile, type DocumentSpec, REVIEW_MARKER } from '../../electron/core/store/document-file';
import { failure } from '../helpers/failure';
import { REPO_ROOT, tempDir } from '../helpers/paths';

interface NotesV2 {
  schemaVersion: 2;
  notes: { text: string; author: string }[];
}

const spec: DocumentSpec<NotesV2> = {
  kind: 'notes',
  currentVersion: 2,
  migrations: {
    // v1 kept notes as strings; v2 names the author.
    1: (doc) => ({ notes: (doc['notes'] as string[]).map((text) => ({ text, author: 'unknown' })) }),
  },
  empty: () => ({ schemaVersion: 2, notes: [] }),
  check: (doc) => (Array.isArray(doc.notes) ? undefined : 'notes is not a list'),
};

describe('document files', () => {
  it('round-trips a document', async () => {
    const file = join(await tempDir(), 'sub', 'notes.json');
    const doc = await DocumentFile.open(file, spec);
    await doc.update((d) => ({ ...d, notes: [{ text: 'hello', author: 'ann' }] }));
    const again = await DocumentFile.open(file, spec);
    expect(again.data.notes).toEqual([{ text: 'hello', author: 'ann' }]);
  });

  it('reports a file truncated mid-write, naming it, and never overwrites it', async () => {
    const file = join(await tempDir(), 'notes.json');
    const doc = await DocumentFile.open(file, spec);
    await doc.save({ schemaVersion: 2, notes: [{ text: 'x'.repeat(1000), author: 'a' }] });
    const whole = await readFile(file, 'utf8');
    const truncated = whole.slice(0, Math.floor(whole.length / 2));
    await writeFile(file, truncated);
    const error = await DocumentFile.open(file, spec).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MmError);
    expect((error as MmError).code).toBe('store-corrupt');
    expect((error as MmError).message).toContain(file);
    expect((error as MmError).where).toBe(file);
    expect(await readFile(file, 'utf8')).toBe(truncated);
  });

  it('migrates an old schema forward and keeps the original as a backup on first write', async () => {
    const file = join(await tempDir(), 'notes.json');
    await writeFile(file, JSON.stringify({ schemaVersion: 1, notes: ['one', 'two'] }));
    const doc = await DocumentFile.open(file, spec);
    expect(doc.data).toEqual({
      schemaVersion: 2,
      notes: [
        { text: 'one', author: 'unknown' },
        { text: 'two', author: 'unknown' },
      ],
    });
    await doc.save(doc.data);
    expect(JSON.parse(await readFile(`${file}.v1.bak`, 'utf8'))).toEqual({
      schemaVersion: 1,
      notes: ['one', 'two'],
    });
    expect(JSON.parse(await readFile(file, 'utf8')).schemaVersion).toBe(2);
  });

  it('refuses a file from a newer version and one without a schema version', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'new.json'), JSON.stringify({ schemaVersion: 9, notes: [] }));
    await expect(DocumentFile.open(join(dir, 'new.json'), spec)).rejects.toMatchObject({
      code: 'store-too-new',
    });
    await writeFile(join(dir, 'none.json'), JSON.stringify({ notes: [] }));
    await expect(DocumentFile.open(join(dir, 'none.json'), spec)).rejects.toMatchObject({
      code: 'store-corrupt',
    });
    await writeFile(join(dir, 'shape.json'), JSON.stringify({ schemaVersion: 2, notes: 'no' }));
    await expect(DocumentFile.open(join(dir, 'shape.json'), spec)).rejects.toThrow(
      /damaged: notes is not a list/,
    );
  });

  it('leaves the previous whole file behind when the writer is killed inside a write', async () => {
    const file = join(await tempDir(), 'notes.json');
    // The child saves version 1, then starts saving version 2 with the file system's writeFile
    // made to stop half way: it writes the first half of the bytes, says so, and never returns.
    // It is killed right there, inside the write, every time. An atomic save wrote only a
    // temporary file by then; a save straight into notes.json would leave half a document.
    const script = `
      const { createRequire, syncBuiltinESMExports } = await import('node:module');
      const require = createRequire(import.meta.url);
      const fsp = require('node:fs/promises');
      const { DocumentFile } = await import(${JSON.stringify(join(REPO_ROOT, 'electron/core/store/document-file.ts'))});
      const spec = { kind: 'notes', currentVersion: 2, migrations: {}, empty: () => ({ schemaVersion: 2, notes: [] }) };
      const doc = await DocumentFile.open(${JSON.stringify(file)}, spec);
      const notes = (v) => Array.from({ length: 2000 }, (_, n) => ({ text: 'note ' + n, author: v }));
      await doc.save({ schemaVersion: 2, notes: notes('v1') });
      const realWriteFile = fsp.writeFile;
      const stopHalfWay = async (path, data, ...rest) => {
        const text = String(data);
        await realWriteFile(path, text.slice(0, text.length >> 1), ...rest);
        process.stdout.write('inside the write\\n');
        await new Promise(() => {});
      };
      fsp.writeFile = stopHalfWay;
      require('node:fs').promises.writeFile = stopHalfWay;
      syncBuiltinESMExports();
      await doc.save({ schemaVersion: 2, notes: notes('v2') });`;
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
    const doc = await DocumentFile.open(file, spec);
    expect(doc.data.notes).toHaveLength(2000);
    expect(doc.data.notes[0]).toEqual({ text: 'note 0', author: 'v1' });
  });

  it("another process's change is seen: current() re-reads it, update() applies to it, a deleted file is empty again", async () => {
    const file = join(await tempDir(), 'notes.json');
    const a = await DocumentFile.open(file, spec);
    const b = await DocumentFile.open(file, spec);
    await a.update((d) => ({ ...d, notes: [{ text: 'from a', author: 'a' }] }));
    expect((await b.current()).notes).toEqual([{ text: 'from a', author: 'a' }]);
    await b.update((d) => ({ ...d, notes: [...d.notes, { text: 'from b', author: 'b' }] }));
    // The same size, other bytes: the stamp's time tells them apart.
    await a.update((d) => ({
      ...d,
      notes: d.notes.map((n) => ({ ...n, text: n.text.replace('from', 'FROM') })),
    }));
    expect((await b.current()).notes.map((n) => n.text)).toEqual(['FROM a', 'FROM b']);
    await b.update((d) => ({ ...d, notes: [...d.notes, { text: 'last', author: 'b' }] }));
    expect((await a.current()).notes.map((n) => n.text)).toEqual(['FROM a', 'FROM b', 'last']);
    await rm(file);
    expect((await b.current()).notes).toEqual([]);
  });

  it('keeps every change when two holders of one file update it at once (the lock waits its turn)', async () => {
    const file = join(await tempDir(), 'notes.json');
    const holders = [await DocumentFile.open(file, spec), await DocumentFile.open(file, spec)];
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        holders[i % 2]!.update((d) => ({
          ...d,
          notes: [...d.notes, { text: `n${i}`, author: String(i % 2) }],
        })),
      ),
    );
    const final = await DocumentFile.open(file, spec);
    expect(final.data.notes.map((n) => n.text).sort()).toEqual(
      Array.from({ length: 10 }, (_, i) => `n${i}`).sort(),
    );
  });

  it('a failed write leaves the document in memory as it was', async () => {
    const dir = await tempDir();
    const file = join(dir, 'notes.json');
    const doc = await DocumentFile.open(file, spec);
    await doc.save({ schemaVersion: 2, notes: [{ text: 'kept', author: 'a' }] });
    // The file is replaced by a folder: the rename over it fails.
    await rm(file);
    await mkdir(file);
    await expect(doc.save({ schemaVersion: 2, notes: [{ text: 'lost', author: 'a' }] })).rejects.toThrow();
    expect(doc.data.notes).toEqual([{ text: 'kept', author: 'a' }]);
  });

  it('a review copy is read-only: a marker beside the file or one folder up refuses writes, unless the document is writable in review', async () => {
    for (const markerIn of ['same', 'parent'] as const) {
      const project = await tempDir();
      const file = join(project, 'sub', 'notes.json');
      await mkdir(join(project, 'sub'));
      await writeFile(join(markerIn === 'same' ? join(project, 'sub') : project, REVIEW_MARKER), 'read-only');
      const doc = await DocumentFile.open(file, spec);
      const e = await failure(doc.save({ schemaVersion: 2, notes: [] }));
      expect(e).toMatchObject({ code: 'read-only-review', where: file });
      expect(e.message).toBe(
        'This project is a review copy opened from a bundle: it is read-only (notes not changed). Leave comments instead.',
      );
      await expect(readFile(file)).rejects.toMatchObject({ code: 'ENOENT' });
      const comments = await DocumentFile.open(file, { ...spec, writableInReview: true });
      await comments.save({ schemaVersion: 2, notes: [{ text: 'a comment', author: 'reviewer' }] });
      expect((await DocumentFile.open(file, spec)).data.notes).toHaveLength(1);
    }
    // Two folders up is another project: not a review copy.
    const root = await tempDir();
    await mkdir(join(root, 'a', 'b'), { recursive: true });
    await writeFile(join(root, REVIEW_MARKER), 'read-only');
    await (
      await DocumentFile.open(join(root, 'a', 'b', 'notes.json'), spec)
    ).save({ schemaVersion: 2, notes: [] });
  });

  it('backs up only a file that was migrated, never one already current', async () => {
    const dir = await tempDir();
    const file = join(dir, 'notes.json');
    await writeFile(file, JSON.stringify({ schemaVersion: 2, notes: [] }));
    const doc = await DocumentFile.open(file, spec);
    await doc.save({ schemaVersion: 2, notes: [{ text: 'x', author: 'y' }] });
    expect((await readdir(dir)).filter((f) => f.endsWith('.bak'))).toEqual([]);
  });

  it('names each way a file can be wrong: not JSON, not an object, no valid schema version, a missing migration, too new', async () => {
    const dir = await tempDir();
    const open = async (name: string, text: string, s: DocumentSpec<NotesV2> = spec): Promise<MmError> => {
      await writeFile(join(dir, name), text);
      return failure(DocumentFile.open(join(dir, name), s));
    };
    const bad = await open('bad.json', '{"schemaVersion": 2, ');
    expect(bad).toMatchObject({ code: 'store-corrupt' });
    expect(bad.message).toMatch(
      new RegExp(
        `^The notes file ${join(dir, 'bad.json')} is not valid JSON \\(.+\\); it was left untouched\\.`,
      ),
    );
    for (const [name, text] of [
      ['array.json', '[]'],
      ['string.json', '"text"'],
      ['number.json', '7'],
    ] as const)
      expect(await open(name, text), name).toMatchObject({
        code: 'store-corrupt',
        message: `The notes file ${join(dir, name)} does not hold a JSON object.`,
      });
    for (const [name, version] of [
      ['zero.json', 0],
      ['half.json', 1.5],
      ['text.json', '"2"'],
      ['negative.json', -1],
    ] as const)
      expect(await open(name, `{"schemaVersion": ${version}, "notes": []}`), name).toMatchObject({
        code: 'store-corrupt',
        message: `The notes file ${join(dir, name)} has no valid schemaVersion.`,
      });
    expect(await open('new.json', '{"schemaVersion": 3, "notes": []}')).toMatchObject({
      code: 'store-too-new',
      message: `The notes file ${join(dir, 'new.json')} was written by a newer Migration Manager (schema 3, this one reads up to 2).`,
    });
    expect(
      await open('gap.json', '{"schemaVersion": 1, "notes": []}', { ...spec, currentVersion: 3 }),
    ).toMatchObject({
      code: 'store-migration-missing',
      message: `No migration from schema 2 for ${join(dir, 'gap.json')}.`,
    });
    // A document kind without a shape check opens whatever object it holds.
    const { check: _check, ...unchecked } = spec;
    await writeFile(join(dir, 'loose.json'), '{"schemaVersion": 2, "notes": "anything"}');
    expect((await DocumentFile.open(join(dir, 'loose.json'), unchecked)).data.notes).toBe('anything');
  });
});
