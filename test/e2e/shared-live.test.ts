/**
 * An app and a script on one shared project (issue 15): the Verification, Selection and
 * Migration pages are open in headless Chromium through the browser host while `mm`, another
 * process on the same project in PostgreSQL, makes a decision, changes the selection and runs
 * a migration batch. Each open page shows the change without a reload — the new decision row
 * with its author, the new selection count, the batch done with its objects — and says who made
 * it. On real parts: the demo's Debian layout behind a real sshd, the sandbox target over HTTP,
 * a real PostgreSQL the test starts, the built renderer.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Inventory } from '../../shared/model/inventory';
import { osAuthor } from '../../electron/core/decisions/author';
import type { RunningSandbox } from '../../electron/sandbox/sandbox';
import { describeFileStoreOnly } from '../helpers/file-store-only';
import { screenshot, watchConsole } from '../helpers/browser';
import type { RunningHost } from '../helpers/processes';
import { PROJECT, mmOk, parseMigrate } from '../migration/env';
import { type SharedHost, sharedHost } from './shared-host';
import { AppPage } from './pages/app-page';

/** The machine is loaded (several engineers' tests on 2 cores): generous waits. */
const SLOW = 90_000;

// mm project move of a file project into a PostgreSQL this test starts: runs on PostgreSQL in either
// pass; on the PostgreSQL store the prepared project is rows of the suite's database, not files to move.
describeFileStoreOnly('moves a file project into its own PostgreSQL (mm project move reads the folder)')(
  'open pages follow a script on the shared project live',
  () => {
    let fixture: SharedHost;
    let browser: Browser;
    let run: { dataDir: string; sandbox: RunningSandbox };
    let host: RunningHost;
    let inventory: Inventory;

    beforeAll(async () => {
      // each target call takes 150 ms: a batch of one step at a time runs long enough to be seen moving
      fixture = await sharedHost({ database: 'mmuilive', asyncMs: 150 });
      ({ browser, host } = fixture);
      ({ run, inventory } = fixture.shared);
    }, 600_000);

    afterAll(() => fixture?.stop());

    /** A tab on one page of the project, loaded and showing its heading. */
    async function openPage(route: string, heading: string): Promise<{ page: Page; errors: string[] }> {
      const page = await browser.newPage();
      const errors = watchConsole(page);
      await new AppPage(page).open(`${host.url}#/p/${PROJECT}/${route}`);
      await page.getByRole('heading', { name: heading, exact: true }).first().waitFor({ timeout: SLOW });
      return { page, errors };
    }

    it("shows the script's decision, selection change and batch on the open pages without a reload", async () => {
      const me = osAuthor();
      const verification = await openPage('verification', 'Verification');
      await verification.page.getByRole('tab', { name: /Decisions/ }).click();
      await verification.page.getByTestId('decisions').waitFor();
      expect(await verification.page.getByTestId('decision-row').count()).toBe(0);

      const selection = await openPage('selection', 'Selection');
      const accountsCell = selection.page.getByTestId('selected-accounts').first();
      await accountsCell.waitFor({ timeout: SLOW });
      const selectedBefore = Number(/^(\d+) of/.exec((await accountsCell.textContent()) ?? '')?.[1]);
      expect(selectedBefore).toBeGreaterThan(1);

      const migration = await openPage('migration', 'Migration');
      expect(await migration.page.getByTestId('batch-card').count()).toBe(0);
      // the pages have asked the host to listen before the script writes
      await new Promise((r) => setTimeout(r, 2_000));
      const navigations = [verification, selection, migration].map(({ page }) => {
        let n = 0;
        page.on('framenavigated', (f) => {
          if (f === page.mainFrame()) n++;
        });
        return () => n;
      });

      // the script decides: the open Decisions tab shows the row, its author, and who changed it
      const sub = inventory.subscriptions[0];
      if (!sub) throw new Error('the demo inventory has no subscription');
      await mmOk(run.dataDir, ['decide', 'override', sub.id, '--not-migrated']);
      const row = verification.page.getByTestId('decision-row');
      await row.first().waitFor({ timeout: SLOW });
      expect(await row.count()).toBe(1);
      expect(await row.first().getAttribute('data-kind')).toBe('override');
      expect(await row.first().textContent()).toContain(me);
      await expect
        .poll(() => verification.page.getByTestId('shared-change').textContent(), { timeout: SLOW })
        .toMatch(
          new RegExp(
            `^${me.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}@[^ ]+ changed the (decisions|verification results)`,
          ),
        );
      await screenshot(verification.page, 'shared-live-decision');

      // the script unselects an account: the open Selection page counts one fewer
      const account = inventory.accounts.at(-1);
      if (!account) throw new Error('the demo inventory has no account');
      await mmOk(run.dataDir, ['select', 'accounts', account.id, '--remove']);
      await expect
        .poll(async () => Number(/^(\d+) of/.exec((await accountsCell.textContent()) ?? '')?.[1]), {
          timeout: SLOW,
        })
        .toBe(selectedBefore - 1);
      await selection.page
        .getByTestId('shared-change')
        .filter({ hasText: 'changed the selection' })
        .waitFor();

      // the script runs a batch: the open Migration page shows it running, then done with its objects
      let ended = false;
      const migrating = mmOk(run.dataDir, ['migrate', '--json', '--concurrency', '1']).finally(() => {
        ended = true;
      });
      const card = migration.page.getByTestId('batch-card');
      await card.waitFor({ timeout: SLOW });
      // running in the script, not "interrupted" (its process is alive and holds the batch lock)
      const seenRunning =
        ['queued', 'running'].includes((await card.getAttribute('data-state')) ?? '') &&
        (await migration.page.getByTestId('batch-interrupted').count()) === 0;
      const doneWhileRunning = Number(
        await migration.page.getByTestId('progress-steps').getAttribute('data-done'),
      );
      const stillRunning = !ended;
      const migrated = parseMigrate(await migrating);
      expect(migrated.state).toBe('done');
      // the card came while the script was still migrating, with the steps done so far
      expect({ seenRunning, stillRunning }).toEqual({ seenRunning: true, stillRunning: true });
      expect(doneWhileRunning).toBeLessThan(
        Number(await migration.page.getByTestId('progress-steps').getAttribute('data-total')),
      );
      expect(await card.getAttribute('data-job')).toBe(migrated.jobId);
      await expect.poll(() => card.getAttribute('data-state'), { timeout: SLOW }).toBe('done');
      await expect
        .poll(
          async () => Number(await migration.page.getByTestId('progress-objects').getAttribute('data-done')),
          {
            timeout: SLOW,
          },
        )
        .toBe(migrated.objects.migrated);
      await migration.page.getByTestId('shared-change').filter({ hasText: 'changed a batch' }).waitFor();
      await screenshot(migration.page, 'shared-live-batch');

      // none of it took a reload, and nothing went wrong in the pages
      expect(navigations.map((n) => n())).toEqual([0, 0, 0]);
      for (const p of [verification, selection, migration]) expect(p.errors).toEqual([]);
    }, 900_000);
  },
);
