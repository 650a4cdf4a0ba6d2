/**
 * The resume log of a shared project on a real PostgreSQL (resume-log.ts over
 * resume-log-store.ts): two data dirs' folders linked to one project read the same log, which is
 * `mm_journal` rows and no file; an attempt's start replaces the older log whole; files are
 * appended in batches while it runs; discarding it (or removing it by name) leaves no row; and
 * another project's log of the same content id and staging folder is its own.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  LARGE_FILE_BYTES,
  ResumeLog,
  loadResumeLog,
  removeResumeLog,
} from '../../electron/core/content/resume-log';
import type { StagedFile } from '../../electron/core/content/tar-verify';
import { writeLink } from '../../electron/core/store/postgres-link';
import { closeAllPgStores, linkedPgStore } from '../../electron/core/store/postgres-store';
import { tempDir } from '../helpers/paths';
import { type Postgres, startPostgres } from '../helpers/postgres';

const STAGING = '/srv/vhosts/7/webspace/.mm-staging/site-a';
const ID = 'site:a.test';
const file = (name: string, size = 10): StagedFile => ({
  name,
  size,
  mtime: 1_600_000_000,
  sha256: 'cd'.repeat(32),
});

let pg: Postgres;
let url: string;

/** A project folder in a fresh data dir, linked to `projectId` in the test's database. */
async function linkedFolder(projectId: string): Promise<string> {
  const dir = join(await tempDir('mm-resume-log-pg-'), 'projects', projectId);
  await mkdir(dir, { recursive: true });
  await writeLink(dir, { schemaVersion: 1, store: 'postgres', url, projectId });
  return dir;
}

async function rows(projectId: string): Promise<number> {
  const linked = await linkedPgStore(await linkedFolder(projectId));
  const { rows: r } = await linked!.store.query<{ n: string }>(
    `SELECT count(*) AS n FROM mm_journal WHERE project_id = $1 AND venue LIKE 'content-resume/%'`,
    [projectId],
  );
  return Number(r[0]?.n ?? 0);
}

beforeAll(async () => {
  pg = await startPostgres({ database: 'mmresumelog', user: 'mm' });
  process.env['PGPASSWORD'] = pg.password;
  url = `postgres://${pg.user}@127.0.0.1:${pg.port}/${pg.database}`;
}, 120_000);

afterAll(async () => {
  await closeAllPgStores();
  await pg?.stop();
});

describe('the resume log of a shared project', () => {
  it('is rows another data dir reads back, replaced whole when an attempt starts, gone once discarded', async () => {
    const a = await linkedFolder('shared');
    const b = await linkedFolder('shared');
    const logsA = join(a, 'content-resume');
    const logsB = join(b, 'content-resume');

    const first = await ResumeLog.begin(logsA, STAGING, ID, [file('old')]);
    await first.close();
    // The next attempt starts over what the node holds: the old log is replaced, not extended.
    const log = await ResumeLog.begin(logsA, STAGING, ID, [file('a b.txt'), file('new\nline')]);
    for (let i = 0; i < 1100; i++) log.file(file(`m/${i}`, 100));
    // A batch of 1,000 files is appended while the attempt runs, before it is closed.
    let seen = 0;
    for (let t = 0; t < 100 && seen < 1002; t++) {
      seen = (await loadResumeLog(logsB, STAGING, ID))?.files.length ?? 0;
      if (seen < 1002) await new Promise((r) => setTimeout(r, 50));
    }
    expect(seen).toBeGreaterThanOrEqual(1002);
    log.started('big.bin', LARGE_FILE_BYTES);
    await log.close();
    const back = await loadResumeLog(logsB, STAGING, ID);
    expect(back?.files.slice(0, 3)).toEqual([file('a b.txt'), file('new\nline'), file('m/0', 100)]);
    expect(back?.files).toHaveLength(1102);
    expect(back?.started).toEqual({ name: 'big.bin', size: LARGE_FILE_BYTES });
    // No file in either data dir: the database holds it (the head line, the files, the start).
    expect(existsSync(logsA) || existsSync(logsB)).toBe(false);
    expect(await rows('shared')).toBe(1104);
    // Another project's log of the same content and staging is its own.
    expect(
      await loadResumeLog(join(await linkedFolder('other'), 'content-resume'), STAGING, ID),
    ).toBeUndefined();
    expect(await loadResumeLog(logsB, STAGING, 'site:b.test')).toBeUndefined();

    // B takes over: its attempt replaces the log and, once published, discards it.
    const taken = await ResumeLog.begin(logsB, STAGING, ID, back?.files ?? []);
    await taken.discard();
    expect(await loadResumeLog(logsA, STAGING, ID)).toBeUndefined();
    expect(await rows('shared')).toBe(0);
    // A log a kill left after publishing is removed by name (the step's reconcile does).
    await (await ResumeLog.begin(logsA, STAGING, ID, [file('x')])).close();
    await removeResumeLog(logsB, STAGING, ID);
    expect(await rows('shared')).toBe(0);
  }, 120_000);
});
