/**
 * The release registry's gap (issue 15): a batch is recorded in the journal before the migration
 * service counts it as running (it still takes the batch lock and plans). A move asked at that
 * instant must be refused, naming the batch, not slip through and set the files aside under it.
 * Against a real PostgreSQL, the sandbox target and real project files: the test holds the
 * batch lock from another process as another window would, so the batch stays in that gap for seconds.
 */
import { spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatch } from '../../electron/api/handlers';
import type { Core } from '../../electron/core/core';
import { REPO_ROOT } from '../helpers/paths';
import type { Postgres } from '../helpers/postgres';
import { DEMO, type PgAndSandbox, cells, pgAndSandbox, until, verifiedDemo } from './team-helpers';

describe('a move at the instant a batch is recorded but not yet running', () => {
  let servers: PgAndSandbox;
  let pg: Postgres;
  let core: Core;
  let address: string;

  beforeAll(async () => {
    servers = await pgAndSandbox({ database: 'mmgap', prefix: 'mm-gap-' });
    ({ pg, url: address } = servers);
    core = await verifiedDemo(servers.dataDir, servers.sandbox);
  }, 300_000);

  afterAll(() => servers?.stop());

  it('is refused while the batch is recorded and waits for its lock; once it ran, the move goes', async () => {
    // another window's batch lock: the new batch is recorded, then waits for it
    const migration = join(core.projects.projectDir(DEMO), 'migration');
    await mkdir(migration, { recursive: true, mode: 0o700 });
    const holder = spawn(
      process.execPath,
      [
        '-e',
        `const l = require('proper-lockfile');
         l.lock(process.argv[1], { lockfilePath: process.argv[1] + '/batch.lock', stale: 5000, update: 1000 })
           .then((unlock) => { console.log('locked'); process.stdin.on('end', () => unlock().then(() => process.exit(0))); process.stdin.resume(); });`,
        migration,
      ],
      { cwd: REPO_ROOT, stdio: ['pipe', 'pipe', 'inherit'] },
    );
    await new Promise<void>((resolve) =>
      holder.stdout?.on('data', (d: Buffer) => /locked/.test(d.toString()) && resolve()),
    );
    const unlock = (): Promise<unknown> =>
      new Promise((resolve) => {
        holder.once('exit', resolve);
        holder.stdin?.end();
      });
    const started = core.migration.start(DEMO, { force: 'release gap test', concurrency: 1 });
    const job = await until(
      'the batch recorded in the journal',
      async () => (await core.migration.jobs(DEMO))[0],
      60_000,
    );
    expect(job.state).toBe('queued');

    const refused = await dispatch(core, 'projects:move-to-store', {
      projectId: DEMO,
      address,
      password: pg.password,
    });
    expect(refused.ok).toBe(false);
    if (!refused.ok) {
      expect(refused.error.code).toBe('busy');
      expect(refused.error.message).toMatch(
        /cannot be moved to PostgreSQL while migration batch being started runs/,
      );
    }
    // nothing reached the database, nothing was set aside
    expect(cells(pg, `SELECT count(*) FROM pg_tables WHERE tablename = 'mm_documents';`)).toEqual(['0']);

    await unlock();
    const { done } = await started;
    expect((await done).state).toBe('done');
    expect(core.projects.releases.runningOn(DEMO)).toEqual([]);

    // and the other way round: a batch cannot start while the project is released for a move
    await core.projects.releases.whileReleased(DEMO, 'moved', async () => {
      expect(() => core.projects.releases.starting(DEMO, 'migration batch being started')).toThrow(
        /while the project is being moved/,
      );
      await expect(core.migration.start(DEMO, { force: 'x' })).rejects.toThrow(/being moved/);
    });

    // the app's own move, with nothing running, still moves
    const moved = await dispatch(core, 'projects:move-to-store', {
      projectId: DEMO,
      address,
      password: pg.password,
    });
    expect(moved.ok, moved.ok ? '' : moved.error.message).toBe(true);
    expect(
      Number(cells(pg, `SELECT count(*) FROM mm_journal WHERE project_id = '${DEMO}';`)[0]),
    ).toBeGreaterThan(0);
  }, 300_000);
});
