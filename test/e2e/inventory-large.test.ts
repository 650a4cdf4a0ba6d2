/**
 * The Inventory page on 20,000 domains (the bench's synthetic source) in Chromium: only the rows
 * in view are in the DOM, scrolling to the end draws the last rows, the keyboard moves through
 * them and scrolls along, and the count always equals the rows the table holds and the rows the
 * search really matches.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syntheticInventory } from '../../build/bench/synthetic';
import { syntheticProject } from '../../build/bench/synthetic-project';
import { createCore } from '../../electron/core/core';
import type { DomainRow, Inventory, InventoryRows } from '../../shared/model/inventory';
import { launchBrowser, watchConsole } from '../helpers/browser';
import { call } from '../helpers/host-api';
import { tempDir } from '../helpers/paths';
import { type RunningHost, startHost } from '../helpers/processes';
import { InventoryPage } from './pages/inventory-page';

const SIZE = { accounts: 10_000, domains: 20_000, subscriptions: 30_000 };

describe('Inventory table on 20,000 domains', () => {
  let host: RunningHost;
  let browser: Browser;
  let page: Page;
  let inventory: Inventory;
  /** The rows as the page receives them, read through the host's API. */
  let listed: readonly DomainRow[];
  let errors: string[];
  const table = (): ReturnType<Page['getByTestId']> => page.getByTestId('inventory-table');
  const drawnNames = (): Promise<string[]> =>
    table()
      .getByTestId('table-row')
      .evaluateAll((rows) => rows.map((r) => r.querySelector('[role="gridcell"]')?.textContent ?? ''));

  beforeAll(async () => {
    const dataDir = await tempDir('mm-e2e-inventory-large-');
    const core = createCore({ dataDir, shell: 'cli' });
    inventory = syntheticInventory(SIZE);
    const projectId = await syntheticProject(core, 'Large', inventory, dataDir);
    host = await startHost(dataDir);
    const rows = await call<InventoryRows>(host, 'inventory:list', { projectId, kind: 'domains' });
    if (rows.kind !== 'domains') throw new Error(`inventory:list answered ${rows.kind}, not domains`);
    listed = rows.rows;
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    errors = watchConsole(page);
    await page.goto(host.url);
    await page.goto(new URL(`#/p/${projectId}/inventory?kind=domains`, page.url()).toString());
    await page
      .getByTestId('inventory-count')
      .filter({ hasText: `20000 of 20000 domains` })
      .waitFor({ timeout: 60_000 });
  });

  afterAll(async () => {
    await browser?.close();
    await host?.stop();
  });

  it('draws only the rows in view, and the last rows once scrolled to the end', async () => {
    const drawn = await table().getByTestId('table-row').count();
    expect(drawn).toBeGreaterThan(10);
    expect(drawn).toBeLessThan(40);
    expect(await drawnNames()).toContain(inventory.domains[0]!.name);

    await table()
      .getByRole('grid')
      .evaluate((el) => el.scrollTo({ top: el.scrollHeight }));
    const last = inventory.domains[inventory.domains.length - 1]!.name;
    await expect.poll(drawnNames).toContain(last);
    expect(await table().getByTestId('table-row').count()).toBeLessThan(40);
    await table()
      .getByRole('grid')
      .evaluate((el) => el.scrollTo({ top: 0 }));
    await expect.poll(drawnNames).toContain(inventory.domains[0]!.name);
  });

  it('moves the cursor with the keyboard and scrolls the selected row into view', async () => {
    const grid = table().getByRole('grid');
    await grid.focus();
    // 40 rows down: well past the ~15 rows in view.
    for (let i = 0; i < 40; i++) await page.keyboard.press('ArrowDown');
    const selected = table().locator('[role="row"][aria-selected="true"]');
    await expect.poll(() => selected.count()).toBe(1);
    expect(await selected.locator('[role="gridcell"]').first().textContent()).toBe(
      inventory.domains[40]!.name,
    );
    const inView = await selected.evaluate((row) => {
      const scroller = row.closest('[role="grid"]')!.getBoundingClientRect();
      const box = row.getBoundingClientRect();
      return box.top >= scroller.top && box.bottom <= scroller.bottom;
    });
    expect(inView).toBe(true);
  });

  it('shows the true count of matching rows for each search, also after scrolling far down', async () => {
    const inventoryPage = new InventoryPage(page);
    await table()
      .getByRole('grid')
      .evaluate((el) => el.scrollTo({ top: el.scrollHeight }));
    for (const query of ['d-12', 'acc-99', '-b.', 'no-such-domain-anywhere']) {
      await inventoryPage.search(query);
      // The search matches any field of a row, case-insensitively.
      const expected = listed.filter((r) =>
        Object.values(r).some((v) => String(v).toLowerCase().includes(query)),
      ).length;
      await expect.poll(() => inventoryPage.count()).toBe(`${expected} of 20000 domains`);
      expect(await table().getAttribute('data-row-count')).toBe(String(expected));
      // After the rows shrank under a scrolled table, the rows in view are drawn, not a blank.
      if (expected > 0) await expect.poll(() => inventoryPage.rows().count()).toBeGreaterThan(0);
      else await page.getByTestId('table-empty').waitFor();
    }
    await inventoryPage.search('');
    await expect.poll(() => inventoryPage.count()).toBe('20000 of 20000 domains');
    expect(errors).toEqual([]);
  });
});
