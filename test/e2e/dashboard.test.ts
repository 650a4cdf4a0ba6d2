import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshot, watchConsole } from '../helpers/browser';
import { tempDir } from '../helpers/paths';
import { type RunningHost, startHost } from '../helpers/processes';
import { AppPage } from './pages/app-page';
import { InventoryPage } from './pages/inventory-page';

describe('dashboard of the demo project', () => {
  let browser: Browser;
  let host: RunningHost;
  beforeAll(async () => {
    [browser, host] = await Promise.all([launchBrowser(), tempDir().then((d) => startHost(d))]);
  });
  afterAll(async () => {
    await host?.stop();
    await browser?.close();
  });

  it('shows the demo servers with a chart, and every number opens its filtered table', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const errors = watchConsole(page);
    const app = new AppPage(page);
    await app.open(host.url);
    await app.gotoProjects();
    await app.projectRow('Demo migration').getByRole('button', { name: 'Open' }).click();
    await page.getByTestId('dashboard-servers').waitFor();
    await page.locator('.recharts-surface').first().waitFor();
    // The demo's inventories are fixed: 12 domains on the Linux server, 7 on the Sphera server.
    const domains = Number(await page.getByTestId('stat-domains').textContent());
    expect(domains).toBe(19);
    await screenshot(page, 'dashboard');

    // A per-server number opens the inventory filtered to that server and kind.
    const row = page
      .getByTestId('dashboard-servers')
      .getByRole('row')
      .filter({ hasText: 'Demo Sphera server' });
    const sphereDomains = Number(await row.getByRole('button').nth(1).textContent());
    expect(sphereDomains).toBe(7);
    await row.getByRole('button').nth(1).click();
    const inventory = new InventoryPage(page);
    await expect.poll(() => inventory.count()).toBe('7 of 19 domains');
    expect(errors).toEqual([]);
  });

  it('remembers table filters across a reload', async () => {
    const page = await browser.newPage();
    const app = new AppPage(page);
    await app.open(host.url);
    const inventory = new InventoryPage(page);
    await inventory.open('demo-migration');
    await inventory.show('Accounts');
    await inventory.search('kiez');
    await expect.poll(() => inventory.count()).toBe('1 of 14 accounts');
    await page.reload();
    await page.locator('#root[data-app-state="loaded"]').waitFor();
    await expect.poll(() => page.getByLabel('Search').inputValue()).toBe('kiez');
    await expect.poll(() => inventory.count()).toBe('1 of 14 accounts');
  });
});
