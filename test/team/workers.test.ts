/**
 * A batch spread over three `mm worker` processes on a project shared on a real PostgreSQL,
 * into a real sandbox, one worker killed with SIGKILL while it holds a unit: the others take its
 * unit over when its lease expires, the batch ends done, and the sandbox (read back through
 * `sandbox.dump`) holds every object exactly once — the same rows as one uninterrupted
 * `mm migrate` on the file store. A second core instance attached to the same project from
 * another data dir hears the batch's progress live and sees a decision made with `mm` at once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Core, createCore } from '../../electron/core/core';
import { type ChangeNote, closeAllPgStores, linkedPgStore } from '../../electron/core/store/postgres-store';
import { PRODUCTION_VENUE, batchLockKey } from '../../electron/core/migration/pg-journal';
import type { RunningSandbox } from '../../electron/sandbox/sandbox';
import { tempDir } from '../helpers/paths';
import { type Postgres, startPostgres } from '../helpers/postgres';
import { PROJECT, freshRun, mm, mmOk, parseMigrate } from '../migration/env';
import { type SharedSource, sharedSource } from '../migration/shared-source';
import { cells, dump, duplicates, holdings, startWorker, until } from './team-helpers';

describe('a batch spread over three workers, one killed with SIGKILL', () => {
  let source: SharedSource;
  let pg: Postgres;
  let url: string;
  let expected: Record<string, number>;
  let run: { dataDir: string; sandbox: RunningSandbox };
  let observer: Core;
  const heard: ChangeNote[] = [];

  beforeAll(async () => {
    [source, pg] = await Promise.all([sharedSource(), startPostgres({ database: 'mmteam', user: 'mm' })]);
    url = `postgres://${pg.user}@127.0.0.1:${pg.port}/${pg.database}`;
    process.env['PGPASSWORD'] = pg.password;
    // the reference: one uninterrupted batch on the file store
    const baseline = await freshRun(source, { asyncMs: 40 });
    try {
      const result = parseMigrate(await mm(baseline.dataDir, ['migrate', '--json']));
      expect(result.state).toBe('done');
      expected = holdings(await dump(baseline.sandbox));
      expect(expected['mailboxes']).toBeGreaterThan(5);
    } finally {
      await baseline.sandbox.close();
    }
    run = await freshRun(source, { asyncMs: 40 });
    const moved = await mmOk(run.dataDir, ['project', 'move', '--store', url, '--json']);
    expect((JSON.parse(moved.stdout) as { documents: number }).documents).toBeGreaterThan(5);
    // the second instance: another data dir, attached, listening
    const otherDir = await tempDir('mm-team-observer-');
    await mmOk(otherDir, ['project', 'attach', PROJECT, '--store', url]);
    observer = createCore({ dataDir: otherDir, shell: 'cli' });
    const linked = await linkedPgStore(observer.projects.projectDir(PROJECT));
    if (!linked) throw new Error('the observer is not linked');
    await linked.store.listen();
    linked.store.changes.on('change', (n: ChangeNote) => heard.push(n));
  }, 600_000);

  afterAll(async () => {
    await run?.sandbox.close();
    await closeAllPgStores();
    await pg?.stop();
    await source?.stop();
  });

  it('finishes the batch with every object exactly once after a worker is killed mid-unit', async () => {
    const started = JSON.parse(
      (await mmOk(run.dataDir, ['workers', 'start', '--lease', '6', '--force', 'team test', '--json']))
        .stdout,
    ) as { jobId: string; units: number };
    expect(started.units).toBeGreaterThanOrEqual(3);
    const workers = [startWorker(run.dataDir), startWorker(run.dataDir), startWorker(run.dataDir)];
    try {
      // the victim: a worker holding a running unit once some of the batch's steps are journaled
      const victimPid = await until(
        'a worker in the middle of a unit',
        () => {
          const pid = cells(
            pg,
            `SELECT w.pid FROM mm_units u JOIN mm_workers w ON w.worker_id = u.worker_id
             WHERE u.state = 'running' AND (SELECT count(*) FROM mm_journal WHERE entry->>'t' = 'outcome') >= 5
             LIMIT 1;`,
          )[0];
          return pid === undefined ? undefined : Number(pid);
        },
        240_000,
      );
      const victim = workers.find((w) => w.child.pid === victimPid);
      expect(victim, 'the unit is held by one of our workers').toBeDefined();
      const heldUnit = cells(
        pg,
        `SELECT u.unit FROM mm_units u JOIN mm_workers w ON w.worker_id = u.worker_id WHERE w.pid = ${victimPid} AND u.state = 'running';`,
      )[0];
      expect(heldUnit).toBeDefined();
      victim?.child.kill('SIGKILL');
      const killed = await victim?.done;
      expect(killed?.signal).toBe('SIGKILL');
      const others = await Promise.all(workers.filter((w) => w !== victim).map((w) => w.done));
      for (const o of others) expect(o.code, o.stderr).toBe(0);
      // the killed worker's unit was taken over (a second attempt) and finished
      expect(
        cells(pg, `SELECT attempts || '|' || state FROM mm_units WHERE unit = '${String(heldUnit)}';`)[0],
      ).toMatch(/^[2-9]\|done$/);
      const states = pg.psql(
        `SELECT string_agg(DISTINCT state, ',') FROM mm_units WHERE job_id = '${started.jobId}';`,
      );
      expect(states).toContain('done');
      expect(states).not.toMatch(/failed|running|queued/);
    } finally {
      for (const w of workers)
        if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
    }
    const d = await dump(run.sandbox);
    expect(duplicates(d)).toEqual([]);
    expect(holdings(d)).toEqual(expected);

    // the observer saw the batch move and sees its end
    expect(heard.filter((n) => n.t === 'journal').length).toBeGreaterThan(10);
    expect(heard.some((n) => n.t === 'unit' && n.state === 'done')).toBe(true);
    const jobs = await observer.migration.jobs(PROJECT);
    expect(jobs.find((j) => j.jobId === started.jobId)?.state).toBe('done');
    const rows = await observer.migration.objects(PROJECT, started.jobId);
    expect(rows.length).toBeGreaterThan(3);
    expect(rows.filter((r) => r.state !== 'migrated')).toEqual([]);
  }, 600_000);

  it('refuses mm migrate on the shared project while workers hold its batch lock', async () => {
    const linked = await linkedPgStore(observer.projects.projectDir(PROJECT));
    if (!linked) throw new Error('the observer is not linked');
    const client = await linked.store.pool.connect();
    const key = batchLockKey(PROJECT, PRODUCTION_VENUE);
    try {
      // what a worker holds while it runs a unit
      await client.query('SELECT pg_advisory_lock_shared(hashtext($1))', [key]);
      const refused = await mm(run.dataDir, ['migrate', '--json']);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('running elsewhere');
    } finally {
      await client.query('SELECT pg_advisory_unlock_shared(hashtext($1))', [key]);
      client.release();
    }
  }, 120_000);

  it('shows the second instance a decision made with mm at once', async () => {
    const before = (await observer.decisions.list(PROJECT)).length;
    const sub = cells(
      pg,
      `SELECT body->'inventory'->'subscriptions'->0->>'id' FROM mm_documents WHERE project_id = '${PROJECT}' AND path = 'inventory/web01.json';`,
    )[0];
    expect(sub).toBeDefined();
    await mmOk(run.dataDir, ['decide', 'override', String(sub), '--not-migrated']);
    const list = await until(
      'the decision to reach the observer',
      async () => {
        const l = await observer.decisions.list(PROJECT);
        return l.length > before ? l : undefined;
      },
      10_000,
    );
    expect(list[0]?.summary).toContain(String(sub));
  }, 120_000);
});
