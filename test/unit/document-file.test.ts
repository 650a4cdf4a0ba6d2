import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MmError } from '../../electron/core/errors';
import { DocumentFile, type DocumentSpec } from '../../electron/core/store/document-file';
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
});
