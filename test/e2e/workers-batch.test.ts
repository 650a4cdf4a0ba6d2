/**
 * A batch spread over workers, driven from the Workers page in Chromium through the browser
 * host: started with its button on a project shared on a real PostgreSQL, taken by two real
 * `mm worker` processes migrating into a real sandbox, then paused (no unit left running, the
 * badge says so), resumed and cancelled from the page. The workers end by themselves, no
 * journaled intent is left without its outcome, and the sandbox holds nothing twice.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSandbox } from '../../electron/sandbox/sandbox';
import { screenshot, watchConsole } from '../helpers/browser';
import type { Postgres } from '../helpers/postgres';
import type { RunningHost } from '../helpers/processes';
import { PROJECT } from '../migration/env';
import { type Worker, cells, dump, duplicates, startWorker, until } from '../team/team-helpers';
import { type SharedHost, sharedHost } from './shared-host';
import { AppPage } from './pages/app-page';

// mm project move into a PostgreSQL this test starts: from files, or on the PostgreSQL store from the
// suite's database (a move between databases), so it runs in either pass.
describe('the Workers page drives a spread batch', () => {
  let fixture: SharedHost;
  let browser: Browser;
  let pg: Postgres;
  let run: { dataDir: string; sandbox: RunningSandbox };
  let host: RunningHost;

  beforeAll(async () => {
    // the host and the workers find the password in PGPASSWORD, as a worker machine does
    fixture = await sharedHost({ database: 'mmuibatch', asyncMs: 150 });
    ({ browser, host } = fixture);
    ({ pg, run } = fixture.shared);
  }, 600_000);

  afterAll(() => fixture?.stop());

  it('starts, pauses, resumes and cancels the batch from its buttons', async () => {
    const page = await browser.newPage();
    const errors = watchConsole(page);
    await new AppPage(page).open(`${host.url}#/p/${PROJECT}/workers`);
    await page.getByRole('heading', { name: 'Workers', exact: true }).first().waitFor();
    await page.getByLabel('Without a signed-off rehearsal, because').fill('workers page test');
    await page.getByRole('button', { name: 'Start the batch' }).click();
    await page.getByTestId('workers-started').waitFor({ timeout: 60_000 });
    const state = page.getByTestId('spread-batch-state');
    await expect.poll(() => state.textContent(), { timeout: 30_000 }).toBe('running');
    const job = cells(pg, `SELECT DISTINCT job_id FROM mm_units;`)[0];
    if (job === undefined) throw new Error('no batch was queued');
    const outcomes = (): number =>
      Number(
        cells(
          pg,
          `SELECT count(*) FROM mm_journal WHERE entry->>'t' = 'outcome' AND entry->>'job' = '${job}';`,
        )[0],
      );

    const workers: Worker[] = [startWorker(run.dataDir), startWorker(run.dataDir)];
    try {
      await page.getByTestId('worker-row').nth(1).waitFor({ timeout: 60_000 });
      await until('steps of the batch', () => (outcomes() >= 3 ? true : undefined), 240_000);

      await page.getByRole('button', { name: 'Pause', exact: true }).click();
      await expect.poll(() => state.textContent(), { timeout: 30_000 }).toBe('paused');
      // the units in hand stop at their step boundary; the page hears it
      await expect
        .poll(() => page.getByTestId('spread-batch-counts').textContent(), { timeout: 60_000 })
        .toMatch(/ 0 running,/);
      await screenshot(page, 'workers-batch-paused');
      const atPause = outcomes();
      await new Promise((r) => setTimeout(r, 3_000));
      expect(outcomes()).toBe(atPause);

      await page.getByRole('button', { name: 'Resume', exact: true }).click();
      await expect.poll(() => state.textContent(), { timeout: 30_000 }).toBe('running');
      await until('steps after the resume', () => (outcomes() > atPause ? true : undefined), 120_000);

      await page.getByRole('button', { name: 'Cancel', exact: true }).click();
      await page.getByRole('dialog').getByRole('button', { name: 'Cancel the batch' }).click();
      await expect.poll(() => state.textContent(), { timeout: 30_000 }).toBe('cancelled');
      const ended = await Promise.all(workers.map((w) => w.done));
      for (const e of ended) expect(e.code, e.stderr).toBe(0);
      await expect
        .poll(() => page.getByTestId('spread-batch-counts').textContent(), { timeout: 30_000 })
        .toMatch(/^0 queued, 0 running, 0 paused, .* [1-9]\d* cancelled$/);
      await screenshot(page, 'workers-batch-cancelled');
    } finally {
      for (const w of workers)
        if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
    }
    // every step begun was settled and journaled; nothing was made twice
    expect(
      cells(
        pg,
        `SELECT count(*) FROM mm_journal i WHERE i.entry->>'t' = 'intent' AND i.entry->>'job' = '${job}'
           AND NOT EXISTS (SELECT 1 FROM mm_journal o WHERE o.entry->>'t' = 'outcome'
             AND o.entry->>'job' = '${job}' AND o.entry->>'step' = i.entry->>'step');`,
      )[0],
    ).toBe('0');
    expect(duplicates(await dump(run.sandbox))).toEqual([]);
    expect(errors).toEqual([]);
  }, 900_000);
});
