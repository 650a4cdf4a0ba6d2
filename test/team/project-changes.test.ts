/**
 * Two engineers on one shared project see each other live (issue 15): core B, in this process,
 * watches the project (`projects:watch` → watchProjectChanges) while engineer A, another process
 * (`mm` in a data dir of its own, attached to the same PostgreSQL), decides, changes the
 * selection and runs a migration batch. On real parts: the demo's Debian layout behind a real
 * sshd, the sandbox target over HTTP, a real PostgreSQL the test starts.
 *
 * B must receive typed events (the part of the project, who wrote) merged per part (a batch's
 * journal is a few events, never one per row: at most 4 a second), and none for its own writes.
 * A burst of 10,000 journal rows committed at once by another writer is merged into a handful.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { EventPayloads } from '../../shared/contract';
import type { Inventory } from '../../shared/model/inventory';
import type { SharedChange } from '../../shared/model/project-changes';
import { type Core, createCore } from '../../electron/core/core';
import { CHANGE_WINDOW_MS, watchProjectChanges } from '../../electron/core/store/project-changes';
import { WRITER } from '../../electron/core/store/postgres-store';
import type { RunningSandbox } from '../../electron/sandbox/sandbox';
import { describeFileStoreOnly } from '../helpers/file-store-only';
import { tempDir } from '../helpers/paths';
import type { Postgres } from '../helpers/postgres';
import { PROJECT, SERVER, mmOk, parseMigrate } from '../migration/env';
import { type SharedRun, attachedEngineer, sharedRun } from './team-helpers';

/** Polls until `check` holds (the machine is loaded: generous by default). */
async function until(what: string, check: () => boolean, ms = 60_000): Promise<void> {
  for (const deadline = Date.now() + ms; !check();) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

interface Heard extends SharedChange {
  /** when this process received it (ms) */
  readonly received: number;
}

// mm project move of a file project into a PostgreSQL this test starts: runs on PostgreSQL in either
// pass; on the PostgreSQL store the prepared project is rows of the suite's database, not files to move.
describeFileStoreOnly('moves a file project into its own PostgreSQL (mm project move reads the folder)')(
  "another engineer's changes reach this core live, typed and merged",
  () => {
    let shared: SharedRun;
    let pg: Postgres;
    let run: { dataDir: string; sandbox: RunningSandbox };
    let coreB: Core;
    let inventory: Inventory;
    const heard: Heard[] = [];
    let stop: (() => void) | undefined;

    const of = (part: string): Heard[] => heard.filter((h) => h.part === part);

    beforeAll(async () => {
      shared = await sharedRun({ database: 'mmlive', asyncMs: 20 });
      ({ pg, run, inventory } = shared);
      coreB = (await attachedEngineer(shared.url, 'mm-live-b-')).core;
      stop = coreB.events.subscribe((event, payload) => {
        if (event !== 'project:shared-change') return;
        heard.push({ ...(payload as EventPayloads['project:shared-change']), received: Date.now() });
      });
    }, 600_000);

    afterAll(async () => {
      stop?.();
      await shared?.stop();
    });

    it('watches a shared project (a file project has nothing to hear)', async () => {
      expect(await watchProjectChanges(coreB, PROJECT)).toBe(true);
      // once per core and project: asking again does not listen twice
      expect(await watchProjectChanges(coreB, PROJECT)).toBe(true);
      const fileDir = await tempDir('mm-live-files-');
      const fileCore = createCore({ dataDir: fileDir, shell: 'test' });
      const made = await fileCore.projects.create('Files only');
      expect(await watchProjectChanges(fileCore, made.id)).toBe(false);
    }, 60_000);

    it("does not echo this core's own writes", async () => {
      const sub = inventory.subscriptions[1]?.id;
      if (!sub) throw new Error('the demo inventory has fewer than two subscriptions');
      await coreB.decisions.apply(
        PROJECT,
        { kind: 'override', serverId: SERVER, subscriptionId: sub },
        'bea',
      );
      expect((await coreB.decisions.list(PROJECT)).length).toBe(1);
      // well past a window: nothing came back for B's own decision or its re-verification
      await new Promise((r) => setTimeout(r, 4 * CHANGE_WINDOW_MS));
      expect(heard).toEqual([]);
    }, 120_000);

    it("hears A's decision as a decisions change naming A's process", async () => {
      const sub = inventory.subscriptions[0]?.id ?? '';
      await mmOk(run.dataDir, ['decide', 'override', sub, '--not-migrated']);
      await until('the decision', () => of('decisions').length > 0);
      const decision = of('decisions')[0];
      expect(decision).toMatchObject({ projectId: PROJECT, part: 'decisions' });
      expect(decision?.by).toHaveLength(1);
      expect(decision?.by[0]).toMatch(/^.+@.+:\d+$/);
      expect(decision?.by[0]).not.toBe(WRITER);
      // the re-verification it caused is its own part, from the same writer
      await until('the re-verification', () => of('verification').length > 0);
      expect(of('verification')[0]?.by).toEqual(decision?.by);
      // what B reads now has A's decision (B's own from before, and A's)
      expect((await coreB.decisions.list(PROJECT)).length).toBe(2);
    }, 120_000);

    it("hears A's selection change", async () => {
      const account = inventory.accounts.at(-1)?.id;
      if (!account) throw new Error('the demo inventory has no account');
      const before = heard.length;
      await mmOk(run.dataDir, ['select', 'accounts', account, '--remove']);
      await until('the selection', () => heard.slice(before).some((h) => h.part === 'selection'));
      const selection = await coreB.selection.get(PROJECT);
      expect(JSON.stringify(selection)).not.toContain(`"${account}"`);
    }, 120_000);

    it("hears A's batch as merged migration events, at most four a second", async () => {
      const before = heard.length;
      let ended = false;
      const migrating = mmOk(run.dataDir, ['migrate', '--json']).finally(() => {
        ended = true;
      });
      // while A's batch runs, B reads it as running elsewhere, never as interrupted
      const seen = new Set<string>();
      while (!ended) {
        const job = (await coreB.migration.jobs(PROJECT))[0];
        if (job) seen.add(`${job.state}${job.interrupted ? ' interrupted' : ''}`);
        await new Promise((r) => setTimeout(r, 200));
      }
      const migrated = parseMigrate(await migrating);
      expect(migrated.state).toBe('done');
      expect(seen).toContain('running');
      expect([...seen].filter((s) => s.includes('interrupted'))).toEqual([]);
      expect(migrated.objects.migrated).toBeGreaterThan(0);
      // the batch's last write is heard within a window or two
      await new Promise((r) => setTimeout(r, 4 * CHANGE_WINDOW_MS));
      const batch = heard.slice(before).filter((h) => h.part === 'migration');
      const writes = batch.reduce((n, h) => n + h.writes, 0);
      const rows = batch.reduce((n, h) => n + h.rows, 0);
      // every journal row A committed arrived, merged: far fewer events than writes
      const journalRows = Number(
        pg
          .psql(
            `SELECT count(*) FROM mm_journal WHERE project_id = '${PROJECT}' AND venue = 'migration/journal.jsonl';`,
          )
          .match(/^\s*(\d+)\s*$/m)?.[1],
      );
      expect(rows).toBe(journalRows);
      expect(batch.length).toBeGreaterThan(0);
      console.info(`batch: ${batch.length} migration events for ${writes} writes, ${rows} journal rows`);
      expect(writes).toBeGreaterThan(batch.length);
      for (let i = 1; i < batch.length; i++) {
        const gap = Date.parse(batch[i]?.at ?? '') - Date.parse(batch[i - 1]?.at ?? '');
        // one window per event (timers may fire a little early, never a burst)
        expect(gap).toBeGreaterThanOrEqual(CHANGE_WINDOW_MS - 20);
      }
      // the batch's log lines are the log's part, heard too
      expect(heard.slice(before).some((h) => h.part === 'log')).toBe(true);
      // the batch B reads is A's, finished
      expect((await coreB.migration.jobs(PROJECT))[0]?.state).toBe('done');
    }, 600_000);

    it('merges a burst of 10,000 journal rows from another writer into a few events', async () => {
      const before = heard.length;
      const started = Date.now();
      // one transaction: 10,000 rows, each announced as the store announces a log append
      pg.psql(`DO $$
        BEGIN
          FOR i IN 1..10000 LOOP
            INSERT INTO mm_journal (project_id, venue, entry)
              VALUES ('${PROJECT}', 'migration/burst.jsonl', jsonb_build_object('i', i));
            -- distinct payloads: PostgreSQL folds identical notifications of one transaction
            PERFORM pg_notify('mm_changes', json_build_object('i', i,
              't', 'journal', 'p', '${PROJECT}', 'venue', 'migration/burst.jsonl', 'n', 1,
              'by', 'loadtest@elsewhere:' || (i % 3))::text);
          END LOOP;
        END $$;`);
      const burst = (): Heard[] => heard.slice(before).filter((h) => h.part === 'migration');
      await until('the burst', () => burst().reduce((n, h) => n + h.rows, 0) >= 10_000);
      const events = burst();
      console.info(`burst: ${events.length} events for 10,000 rows, heard in ${Date.now() - started} ms`);
      expect(events.reduce((n, h) => n + h.writes, 0)).toBe(10_000);
      const seconds = (Date.now() - started) / 1000;
      // at most one event per window since the burst began (plus the one open when it ended)
      expect(events.length).toBeLessThanOrEqual(Math.ceil(seconds * (1000 / CHANGE_WINDOW_MS)) + 1);
      expect(events.length).toBeLessThan(20);
      // each event names the writers it merged, each once
      expect(new Set(events.flatMap((h) => h.by))).toEqual(
        new Set(['loadtest@elsewhere:0', 'loadtest@elsewhere:1', 'loadtest@elsewhere:2']),
      );
      for (const e of events) expect(new Set(e.by).size).toBe(e.by.length);
    }, 180_000);
  },
);
