/**
 * Pausing, resuming and cancelling a batch spread over two `mm worker` processes on a project
 * shared on a real PostgreSQL, into a real sandbox with latency: paused, the workers finish the
 * step in hand and take nothing more (no step starts, no intent stays open); resumed, they go
 * on; cancelled, the units still queued are dropped (from pg-boss too), the batch is cancelled,
 * the workers end, every journaled intent has its outcome, and the sandbox holds nothing twice.
 * Pause and cancel go through `mm workers`, the status through the browser host's contract
 * call (what the Workers page uses), and Resume through the Migration page's call, which sends
 * a spread batch's controls to the workers (and refuses a local batch while it is unfinished).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeAllPgStores } from '../../electron/core/store/postgres-store';
import type { RunningSandbox } from '../../electron/sandbox/sandbox';
import { type Postgres, startPostgres } from '../helpers/postgres';
import type { WorkersView } from '../../shared/model/workers';
import { call } from '../helpers/host-api';
import { startHost } from '../helpers/processes';
import { PROJECT, freshRun, mm, mmOk } from '../migration/env';
import { type SharedSource, sharedSource } from '../migration/shared-source';
import { type Worker, cells, dump, duplicates, startWorker, until } from './team-helpers';

describe('a spread batch paused, resumed and cancelled while two workers run it', () => {
  let source: SharedSource;
  let pg: Postgres;
  let run: { dataDir: string; sandbox: RunningSandbox };

  beforeAll(async () => {
    [source, pg] = await Promise.all([
      sharedSource({ checksAfterBatch: false }),
      startPostgres({ database: 'mmctl', user: 'mm' }),
    ]);
    process.env['PGPASSWORD'] = pg.password;
    // latency on every target call: the batch lasts long enough to be paused in its middle
    run = await freshRun(source, { asyncMs: 150 });
    await mmOk(run.dataDir, [
      'project',
      'move',
      '--store',
      `postgres://${pg.user}@127.0.0.1:${pg.port}/${pg.database}`,
    ]);
  }, 600_000);

  afterAll(async () => {
    await run?.sandbox.close();
    await closeAllPgStores();
    await pg?.stop();
    await source?.stop();
  });

  it('stops at step boundaries, goes on, and cancels without leaving anything half-written', async () => {
    const started = JSON.parse(
      (await mmOk(run.dataDir, ['workers', 'start', '--force', 'control test', '--json'])).stdout,
    ) as { jobId: string; units: number };
    expect(started.units).toBeGreaterThanOrEqual(3);
    const job = started.jobId;
    const count = (sql: string): number => Number(cells(pg, sql)[0]);
    const outcomes = (): number =>
      count(`SELECT count(*) FROM mm_journal WHERE entry->>'t' = 'outcome' AND entry->>'job' = '${job}';`);
    // an intent without its outcome: a step that was started and not settled
    const openIntents = (): number =>
      count(
        `SELECT count(*) FROM mm_journal i WHERE i.entry->>'t' = 'intent' AND i.entry->>'job' = '${job}'
           AND NOT EXISTS (SELECT 1 FROM mm_journal o WHERE o.entry->>'t' = 'outcome'
             AND o.entry->>'job' = '${job}' AND o.entry->>'step' = i.entry->>'step');`,
      );
    const unitsIn = (state: string): number =>
      count(`SELECT count(*) FROM mm_units WHERE job_id = '${job}' AND state = '${state}';`);
    const batchState = (): string | undefined =>
      cells(
        pg,
        `SELECT entry->'job'->>'state' FROM mm_journal WHERE entry->>'t' = 'job'
           AND entry->'job'->>'jobId' = '${job}' ORDER BY seq DESC LIMIT 1;`,
      )[0];

    const workers: Worker[] = [startWorker(run.dataDir), startWorker(run.dataDir)];
    try {
      await until('a unit in its middle', () => (outcomes() >= 3 ? true : undefined), 240_000);

      // pause: the units in hand stop at their next step boundary
      const paused = JSON.parse((await mmOk(run.dataDir, ['workers', 'pause', '--json'])).stdout) as {
        state: string;
      };
      expect(paused.state).toBe('paused');
      await until('the units in hand to stop', () => (unitsIn('running') === 0 ? true : undefined), 60_000);
      expect(batchState()).toBe('paused');
      expect(openIntents()).toBe(0);
      const atPause = outcomes();
      const unfinished = unitsIn('queued') + unitsIn('paused');
      expect(unfinished, 'the batch was paused before its end').toBeGreaterThan(0);
      // nothing moves while paused, and the workers wait rather than end
      await new Promise((r) => setTimeout(r, 4_000));
      expect(outcomes()).toBe(atPause);
      expect(unitsIn('running')).toBe(0);
      for (const w of workers) expect(w.child.exitCode).toBeNull();
      // a second pause is refused, naming the state
      const again = await mm(run.dataDir, ['workers', 'pause']);
      expect(again.code).toBe(1);
      expect(again.stderr).toContain('is paused');

      // what the Workers page is given while paused, and its Resume: through the browser host
      const host = await startHost(run.dataDir, ['--no-demo']);
      try {
        const view = await call<WorkersView>(host, 'workers:status', { projectId: PROJECT });
        if (!view.shared) throw new Error('the Workers page does not see the project as shared');
        const batch = view.batches.find((b) => b.jobId === job);
        expect(batch?.state).toBe('paused');
        expect(batch?.counts.running).toBe(0);
        expect(view.workers.filter((w) => w.alive)).toHaveLength(2);
        expect(view.workers.reduce((n, w) => n + w.stepsDone, 0)).toBeLessThanOrEqual(atPause);
        // the Migration page meanwhile: no local batch beside it, and its Resume goes to the workers
        await expect(call(host, 'migration:start', { projectId: PROJECT })).rejects.toThrow(
          /spread over workers and paused/,
        );
        await call(host, 'migration:control', { projectId: PROJECT, jobId: job, action: 'resume' });
        expect(batchState()).toBe('running');
      } finally {
        await host.stop();
      }
      await until('steps after the resume', () => (outcomes() > atPause ? true : undefined), 120_000);

      // cancel: queued units dropped, units in hand finish their step and stop
      const cancelled = JSON.parse((await mmOk(run.dataDir, ['workers', 'cancel', '--json'])).stdout) as {
        state: string;
        dropped: number;
      };
      expect(cancelled.state).toBe('cancelled');
      expect(batchState()).toBe('cancelled');
      const ended = await Promise.all(workers.map((w) => w.done));
      for (const e of ended) expect(e.code, e.stderr).toBe(0);
    } finally {
      for (const w of workers)
        if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
    }
    expect(unitsIn('running') + unitsIn('queued') + unitsIn('paused')).toBe(0);
    expect(unitsIn('cancelled'), 'units dropped or stopped by the cancel').toBeGreaterThan(0);
    expect(openIntents()).toBe(0);
    expect(
      count(
        `SELECT count(*) FROM mm_boss.job WHERE singleton_key LIKE '${job}/%' AND state IN ('created', 'retry', 'active');`,
      ),
      'nothing of the batch left in the queue',
    ).toBe(0);
    expect(batchState()).toBe('cancelled');
    expect(duplicates(await dump(run.sandbox))).toEqual([]);
    // a cancelled batch cannot be resumed
    const resumed = await mm(run.dataDir, ['workers', 'resume', '--job', job]);
    expect(resumed.code).toBe(1);
    expect(resumed.stderr).toContain('is cancelled');
  }, 900_000);
});
