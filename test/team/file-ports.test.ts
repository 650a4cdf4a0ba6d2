/**
 * The two ports every non-document file of a project goes through (issue 15), on both stores
 * with a real PostgreSQL the test starts: an append-only log (`lineLogAt`) and a file kept whole
 * (`blobAt`). The same calls must give the same answers from a plain folder and from a folder
 * linked to the database; the file store writes the bytes and modes it always wrote; the
 * database side announces each write on mm_changes, keeps a NUL from a remote message instead
 * of failing, serves the last lines and matching lines on their own, and lists a folder's
 * entries (a rehearsal per record) from its rows.
 */
import { mkdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blobAt, namesUnder } from '../../electron/core/store/file-blob';
import { lineLogAt, pgLineLogAt } from '../../electron/core/store/line-log';
import { writeLink } from '../../electron/core/store/postgres-link';
import { type ChangeNote, closeAllPgStores, pgStoreFor } from '../../electron/core/store/postgres-store';
import { tempDir } from '../helpers/paths';
import { type Postgres, startPostgres } from '../helpers/postgres';
import { onPgStore } from '../helpers/store-under-test';
import { cells, until } from './team-helpers';

const describeHere = onPgStore ? describe.skip : describe;

describeHere('logs and kept files, from a folder or from PostgreSQL', () => {
  let pg: Postgres;
  let url: string;
  let plain: string;
  let linked: string;

  beforeAll(async () => {
    pg = await startPostgres({ database: 'mmports', user: 'mm' });
    url = `postgres://${pg.user}@127.0.0.1:${pg.port}/${pg.database}`;
    process.env['PGPASSWORD'] = pg.password;
    plain = join(await tempDir('mm-ports-files-'), 'projects', 'p1');
    linked = join(await tempDir('mm-ports-pg-'), 'projects', 'p1');
    await mkdir(plain, { recursive: true });
    await mkdir(linked, { recursive: true });
    await writeLink(linked, { schemaVersion: 1, store: 'postgres', url, projectId: 'shared-p1' });
  }, 60_000);

  afterAll(async () => {
    await closeAllPgStores();
    await pg?.stop();
  });

  it('a log answers the same from a file and from rows; the file holds the bytes it always held', async () => {
    const lines = [
      JSON.stringify({ kind: 'domains', id: 'a.test', status: 'ok' }),
      JSON.stringify({ kind: 'domains', id: 'b.test', status: 'warn' }),
      JSON.stringify({ kind: 'accounts', id: 'a.test', status: 'ok' }),
    ];
    for (const dir of [plain, linked]) {
      const log = lineLogAt(join(dir, 'rehearsals', 'signoffs.jsonl'), { mode: 0o600 });
      expect(await log.text(), dir).toBeUndefined();
      await log.append(lines.slice(0, 2));
      await log.append([]);
      await log.append(lines.slice(2));
      const text = (await log.text()) ?? '';
      expect(text.split('\n').map((l) => (l === '' ? l : (JSON.parse(l) as unknown)))).toEqual([
        ...lines.map((l) => JSON.parse(l) as unknown),
        '',
      ]);
      // hints: a store may give fewer lines, never other ones; callers filter as before
      const last = ((await log.text({ last: 1 })) ?? '').split('\n').filter((l) => l !== '');
      // (a row comes back with jsonb's key order: the same object)
      expect(JSON.parse(last[last.length - 1] ?? '') as unknown).toEqual(JSON.parse(lines[2] ?? ''));
      const matched = ((await log.text({ match: { kind: 'domains', id: 'b.test' } })) ?? '')
        .split('\n')
        .filter((l) => l.includes('"b.test"'));
      expect(matched.map((l) => JSON.parse(l) as unknown)).toEqual([JSON.parse(lines[1] ?? '')]);
      expect(await log.text({ match: { id: 'nowhere' } }).then((t) => t?.includes('nowhere') ?? false)).toBe(
        false,
      );
      await log.clear();
      expect(await log.text()).toBeUndefined();
    }
    // the file store: newline-terminated lines, appended with the mode asked for
    const file = join(plain, 'migration-log.jsonl');
    await lineLogAt(file, { mode: 0o600 }).append(lines);
    expect(await readFile(file, 'utf8')).toBe(`${lines.join('\n')}\n`);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    // the database: rows under the file's path, nothing on disk
    await lineLogAt(join(linked, 'migration-log.jsonl')).append(lines);
    expect(
      cells(
        pg,
        "SELECT count(*) FROM mm_journal WHERE project_id = 'shared-p1' AND venue = 'migration-log.jsonl';",
      ),
    ).toEqual(['3']);
    await expect(stat(join(linked, 'migration-log.jsonl'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('keeps a NUL of a remote message (jsonb refuses \\u0000), and refuses a line that is not JSON', async () => {
    const log = lineLogAt(join(linked, 'verification-history.jsonl'));
    await log.append([JSON.stringify({ message: 'agent said a\u0000b', path: 'C:\\\\u0000dir' })]);
    const back = JSON.parse(((await log.text()) ?? '').trim()) as { message: string; path: string };
    expect(back.message).toBe('agent said a\ufffdb');
    // an escaped backslash followed by "u0000" is text, not a NUL: left alone
    expect(back.path).toBe('C:\\\\u0000dir');
    await expect(log.append(['{"torn": '])).rejects.toMatchObject({ code: 'invalid-input' });
  });

  it('replaces a log of rows whole in one transaction: a refused replace leaves the old log', async () => {
    const log = await pgLineLogAt(join(linked, 'content-resume', 'k.jsonl'));
    if (!log) throw new Error('the linked folder has no database log');
    await log.append(['{"v":1}', '{"f":"a"}']);
    await log.replace(['{"v":1}', '{"f":"b"}', '{"f":"c"}']);
    expect(await log.text()).toBe('{"v":1}\n{"f":"b"}\n{"f":"c"}\n');
    await expect(log.replace(['{"v":1}', '{"f": '])).rejects.toMatchObject({ code: 'invalid-input' });
    expect(await log.text()).toBe('{"v":1}\n{"f":"b"}\n{"f":"c"}\n');
  });

  it('a kept file answers the same from a file and from a row, lists its folder, and is announced', async () => {
    const store = pgStoreFor(url);
    await store.listen();
    const heard: ChangeNote[] = [];
    store.changes.on('change', (n: ChangeNote) => heard.push(n));
    for (const dir of [plain, linked]) {
      const record = blobAt(join(dir, 'rehearsals', 'r-20261130-151014-e38e95', 'rehearsal.json'), {
        mode: 0o600,
      });
      expect(await record.read()).toBeUndefined();
      await record.write('{"state":"running"}');
      await record.write('{"state":"done"}');
      expect(await record.read()).toBe('{"state":"done"}');
      await blobAt(join(dir, 'rehearsals', 'policy.json')).write('{"policy":"required"}');
      expect((await namesUnder(join(dir, 'rehearsals'))).sort()).toEqual([
        'policy.json',
        'r-20261130-151014-e38e95',
      ]);
      expect(await namesUnder(join(dir, 'nothing-here'))).toEqual([]);
      const control = blobAt(join(dir, 'migration', 'jobs', 'j1.control'));
      await control.write('pause');
      await control.remove();
      await control.remove();
      expect(await control.read()).toBeUndefined();
    }
    // the file store: the record written whole with its mode, no temporary file left
    const file = join(plain, 'rehearsals', 'r-20261130-151014-e38e95', 'rehearsal.json');
    expect(await readFile(file, 'utf8')).toBe('{"state":"done"}');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await namesUnder(join(plain, 'rehearsals', 'r-20261130-151014-e38e95'))).toEqual([
      'rehearsal.json',
    ]);
    // the database: who wrote it, and every write heard
    expect(
      cells(
        pg,
        "SELECT updated_by FROM mm_files WHERE project_id = 'shared-p1' AND path = 'rehearsals/policy.json';",
      )[0],
    ).toMatch(/@.+:\d+/);
    await until(
      'the notes of the kept files',
      () =>
        heard.some(
          (n) => n.t === 'file' && n.path === 'rehearsals/r-20261130-151014-e38e95/rehearsal.json',
        ) && heard.filter((n) => n.t === 'file' && n.path === 'migration/jobs/j1.control').length === 2
          ? true
          : undefined,
      10_000,
    );
  });
});
