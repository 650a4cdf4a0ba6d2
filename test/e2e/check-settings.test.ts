/**
 * The Checks page's settings in Chromium against the browser host: the engineer turns a kind
 * off, sets pages per site, the page timeout and a source server's web address, and saves;
 * the project's stored settings (what `mm check` and the batch-end run use) say the same, and
 * the page shows them again after a reload. An address that is not one is refused, named on
 * the page, and nothing is stored. The server's own settings drawer shows and changes the same
 * address.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckSettingsView } from '../../shared/model/checks';
import type { SourceServer } from '../../shared/model/server';
import { launchBrowser, screenshot, watchConsole } from '../helpers/browser';
import { call } from '../helpers/host-api';
import { tempDir } from '../helpers/paths';
import { type RunningHost, startHost } from '../helpers/processes';
import { AppPage } from './pages/app-page';

const PROJECT = 'demo-migration';

describe('the check settings on the Checks page', () => {
  let browser: Browser;
  let host: RunningHost;
  beforeAll(async () => {
    [browser, host] = await Promise.all([launchBrowser(), tempDir().then((d) => startHost(d))]);
  });
  afterAll(async () => {
    await host?.stop();
    await browser?.close();
  });

  it('saves kinds, sample, timeout and a source web address; refuses an address that is not one', async () => {
    const [server] = await call<SourceServer[]>(host, 'servers:list', { projectId: PROJECT });
    expect(server, 'the demo has a source server').toBeDefined();
    const name = server?.name ?? '';
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    page.setDefaultTimeout(30_000);
    const errors = watchConsole(page);
    const app = new AppPage(page);
    await app.open(host.url);
    await page.goto(new URL(`#/p/${PROJECT}/checks`, page.url()).toString());
    const card = page.getByTestId('check-settings');
    await card.waitFor();

    await card.getByRole('checkbox', { name: 'db', exact: true }).uncheck();
    await card.getByLabel('Pages per site').fill('7');
    await card.getByLabel('Page timeout (seconds)').fill('4');
    await card.getByLabel(`Web address of ${name}`).fill('http://127.0.0.1:8080');
    await card.getByTestId('check-settings-save').click();
    await card.getByTestId('check-settings-saved').waitFor();
    const stored = await call<CheckSettingsView>(host, 'checks:settings', { projectId: PROJECT });
    expect(stored).toMatchObject({
      kinds: ['web', 'mail', 'dns', 'users'],
      sample: 7,
      pageTimeoutSeconds: 4,
      sourceWeb: { [server?.id ?? '']: 'http://127.0.0.1:8080/' },
    });
    await screenshot(page, 'check-settings-1440');

    // After a reload the page shows what is stored.
    await page.reload();
    await card.waitFor();
    expect(await card.getByRole('checkbox', { name: 'db', exact: true }).isChecked()).toBe(false);
    expect(await card.getByLabel('Pages per site').inputValue()).toBe('7');
    expect(await card.getByLabel(`Web address of ${name}`).inputValue()).toBe('http://127.0.0.1:8080/');

    // Not an address: refused on the page, naming it; nothing stored.
    await card.getByLabel(`Web address of ${name}`).fill('10.0.0.5 port 80');
    await card.getByTestId('check-settings-save').click();
    await expect.poll(() => card.textContent()).toContain('"10.0.0.5 port 80"');
    expect(await card.textContent()).toContain(`web address of ${name}`);
    expect(await call<CheckSettingsView>(host, 'checks:settings', { projectId: PROJECT })).toEqual(stored);
    // The same address on the server's own settings drawer (Source servers page), changed there.
    await page.goto(new URL(`#/p/${PROJECT}/servers`, page.url()).toString());
    const serverCard = page.locator('.mantine-Card-root').filter({ hasText: name }).first();
    await serverCard.getByRole('button', { name: 'Settings', exact: true }).click();
    const field = page.getByTestId('server-web-address');
    const address = field.getByLabel('Web address for the page checks');
    await expect.poll(() => address.inputValue()).toBe('http://127.0.0.1:8080/');
    await address.fill('http://127.0.0.1:9090');
    await field.getByRole('button', { name: 'Save web address' }).click();
    await field.getByText('Saved').waitFor();
    expect(
      (await call<CheckSettingsView>(host, 'checks:settings', { projectId: PROJECT })).sourceWeb,
    ).toEqual({ [server?.id ?? '']: 'http://127.0.0.1:9090/' });
    await screenshot(page, 'server-web-address-1440');

    // The refusal itself is the only request that failed.
    expect(errors.filter((e) => !/Failed to load resource/.test(e))).toEqual([
      'HTTP 400 POST /api/call/checks:settings',
    ]);
  }, 180_000);
});
