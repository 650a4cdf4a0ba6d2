/**
 * The log and kept-file ports resolve their place once (`store/resolved-once.ts`), not at every
 * use, against a real PostgreSQL and real files. Every read of a folder's link file
 * (`store.json`) is counted where it happens (node:fs/promises' readFile, wrapped): a migration
 * log of 1,000 batches on a file project reads it once, and so does a kept file written 100
 * times. The project is then moved into PostgreSQL by the open core: the release drops the log
 * the core held, so the next 1,000 batches (again one link read) are rows in the database and
 * the set-aside file never grows.
 */
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { dispatch } from '../../electron/api/handlers';
import { type Core, createCore } from '../../electron/core/core';
import { blobAt } from '../../electron/core/store/file-blob';
import { closeAllPgStores } from '../../electron/core/store/postgres-store';
import type { ProjectMoveResult } from '../../shared/model/project-move';
import { tempDir } from '../helpers/paths';
import { type Postgres, startPostgres } from '../helpers/postgres';
import { cells } from './team-helpers';

const linkReads = vi.hoisted(() => ({ count: 0 }));

vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs/promises')>();
  const readFileCounted = ((...args: Parameters<typeof actual.readFile>) => {
    if (/[\\/]store\.json$/.test(String(args[0]))) linkReads.count++;
    return actual.readFile(...args);
  }) as typeof actual.readFile;
  return { ...actual, readFile: readFileCounted, default: { ...actual, readFile: readFileCounted } };
});

const BATCHES = 1000;

/** The link-file reads made while `work` runs. */
async function linkReadsDuring(work: () => Promise<void>): Promise<number> {
  const before = linkReads.count;
  await work();
  return linkReads.count - before;
}

/** One append per batch: each write awaited before the next is made. */
async function writeBatches(core: Core, projectId: string, from: number): Promise<void> {
  for (let i = from; i < from + BATCHES; i++) await core.log(projectId).write('info', `batch ${i}`);
}

const linesOf = (text: string): string[] => text.split('\n').filter((l) => l !== '');

describe('log and kept-file ports resolve their place once', () => {
  let pg: Postgres;
  let dataDir: string;
  let core: Core;
  let projectId: string;
  const saved = { store: process.env['MM_STORE'], password: process.env['PGPASSWORD'] };

  beforeAll(async () => {
    // the project starts as files, whatever store the suite runs on; the password only typed
    delete process.env['MM_STORE'];
    delete process.env['PGPASSWORD'];
    dataDir = await tempDir('mm-port-once-');
    pg = await startPostgres({ database: 'mmonce', user: 'mm' });
    core = createCore({ dataDir, shell: 'browser' });
    projectId = (await core.projects.create('Port once')).id;
  }, 120_000);

  afterAll(async () => {
    await closeAllPgStores();
    await pg?.stop();
    if (saved.store !== undefined) process.env['MM_STORE'] = saved.store;
    if (saved.password !== undefined) process.env['PGPASSWORD'] = saved.password;
  });

  it('reads the link file once for a migration log of 1,000 batches, and once for a kept file written 100 times', async () => {
    const dir = core.projects.projectDir(projectId);
    const started = performance.now();
    expect(await linkReadsDuring(() => writeBatches(core, projectId, 0))).toBe(1);
    console.log(`${BATCHES} log batches on files: ${(performance.now() - started).toFixed(0)} ms`);
    expect(linesOf(await readFile(join(dir, 'migration-log.jsonl'), 'utf8'))).toHaveLength(BATCHES);

    const control = blobAt(join(dir, 'migration', 'jobs', 'j1.control'));
    const reads = await linkReadsDuring(async () => {
      for (let i = 0; i < 100; i++) {
        await control.write(i % 2 === 0 ? 'pause' : 'resume');
        expect(await control.read()).toBe(i % 2 === 0 ? 'pause' : 'resume');
      }
      await control.remove();
    });
    expect(reads).toBe(1);
    expect(await control.read()).toBeUndefined();
  }, 120_000);

  it('sends the batches after a move to the database: the release dropped the log the core held', async () => {
    const address = `postgres://${pg.user}@127.0.0.1:${pg.port}/${pg.database}`;
    const moved = await dispatch(core, 'projects:move-to-store', {
      projectId,
      address,
      password: pg.password,
    });
    if (!moved.ok) throw new Error(`${moved.error.code}: ${moved.error.message}`);
    const { setAside } = moved.value as ProjectMoveResult;
    const venueRows = (): number =>
      Number(
        cells(
          pg,
          `SELECT count(*) FROM mm_journal WHERE project_id = '${projectId}' AND venue = 'migration-log.jsonl';`,
        )[0],
      );
    expect(venueRows()).toBe(BATCHES);

    const started = performance.now();
    expect(await linkReadsDuring(() => writeBatches(core, projectId, BATCHES))).toBe(1);
    console.log(`${BATCHES} log batches on PostgreSQL: ${(performance.now() - started).toFixed(0)} ms`);
    expect(venueRows()).toBe(2 * BATCHES);
    const last = await core.log(projectId).read(1);
    expect(last.map((l) => l.message)).toEqual([`batch ${2 * BATCHES - 1}`]);

    // the files set aside by the move kept their 1,000 lines; no log file came back in the folder
    const dir = core.projects.projectDir(projectId);
    expect(linesOf(await readFile(join(setAside, 'migration-log.jsonl'), 'utf8'))).toHaveLength(BATCHES);
    expect(await readdir(dir)).not.toContain('migration-log.jsonl');
  }, 300_000);
});
