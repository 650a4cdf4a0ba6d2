import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { type DemoLayoutSummary, buildDemoLayout } from '../../agents/demo/build-demo-layout.mjs';
import { launchBrowser, screenshot, watchConsole } from '../helpers/browser';
import { tempDir } from '../helpers/paths';
import { type RunningHost, startHost } from '../helpers/processes';
import { type Sshd, startSshd } from '../helpers/sshd';
import { AppPage } from './pages/app-page';
import { InventoryPage } from './pages/inventory-page';
import { ServersPage } from './pages/servers-page';

describe('source servers in the MM CP', () => {
  let browser: Browser;
  let sshd: Sshd;
  let host: RunningHost;
  let layout: DemoLayoutSummary;
  let layoutRoot: string;

  beforeAll(async () => {
    [browser, sshd] = await Promise.all([launchBrowser(), startSshd()]);
    layoutRoot = await tempDir('mm-e2e-layout-');
    layout = buildDemoLayout(layoutRoot);
    host = await startHost(await tempDir());
  });
  afterAll(async () => {
    await host?.stop();
    await sshd?.stop();
    await browser?.close();
  });

  it('the demo project has the demo source server with its inventory', async () => {
    const page = await browser.newPage();
    const app = new AppPage(page);
    await app.open(host.url);
    const servers = new ServersPage(page);
    await servers.open('demo-migration');
    await expect
      .poll(() => servers.card('demo-linux-server').getByTestId('server-inventory').textContent())
      .toContain(`${layout.domains} domains`);
    await screenshot(page, 'source-servers-demo');
  });

  it('registers a server over SSH through the wizard, pins its key, fetches and browses its inventory', async () => {
    const page = await browser.newPage();
    const errors = watchConsole(page);
    const app = new AppPage(page);
    await app.open(host.url);
    const servers = new ServersPage(page);
    await servers.open('demo-migration');
    const { fingerprint } = await servers.registerOverSsh({
      name: 'web02',
      host: '127.0.0.1',
      port: sshd.port,
      user: sshd.user,
      privateKey: sshd.clientKey,
      agentPath: join(sshd.dir, 'agents'),
      sourceRoot: layoutRoot,
    });
    expect(fingerprint).toBe(sshd.hostFingerprint);
    await expect.poll(() => servers.card('web02').textContent()).toContain(sshd.hostFingerprint);
    await expect
      .poll(() => servers.card('web02').getByTestId('server-inventory').textContent())
      .toContain(`${layout.domains} domains`);

    const inventory = new InventoryPage(page);
    await inventory.open('demo-migration');
    await inventory.show('Domains');
    await inventory.onlyServer('web02');
    await expect.poll(() => inventory.count()).toMatch(new RegExp(`^${layout.domains} of \\d+ domains$`));
    await inventory.search('bäckerei');
    await expect.poll(() => inventory.count()).toMatch(/^1 of \d+ domains$/);
    await inventory.rows().first().click();
    await expect
      .poll(() => page.getByTestId('inventory-detail').textContent())
      .toContain('xn--bckerei-becker-5hb.test');
    await screenshot(page, 'inventory-domain-detail');
    await page.keyboard.press('Escape');
    await inventory.show('Accounts');
    await inventory.search('');
    await expect.poll(() => inventory.rows().count()).toBeGreaterThan(0);
    await screenshot(page, 'inventory-accounts');
    expect(errors).toEqual([]);
  });
});
