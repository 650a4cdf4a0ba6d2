/**
 * The add-server wizard as a new user meets it: a refused field is named on the field in plain
 * words; a failed connection test keeps what was typed and Back leads to it; a wizard closed
 * half-way leaves no half-registered server; steps done can be clicked.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshot } from '../helpers/browser';
import { serverNames } from '../helpers/host-api';
import { tempDir } from '../helpers/paths';
import { type RunningHost, startHost } from '../helpers/processes';
import { AppPage } from './pages/app-page';
import { ServersPage } from './pages/servers-page';

describe('the add-server wizard', () => {
  let browser: Browser;
  let host: RunningHost;
  beforeAll(async () => {
    [browser, host] = await Promise.all([
      launchBrowser(),
      tempDir().then((d) => startHost(d, ['--no-demo'])),
    ]);
  });
  afterAll(async () => {
    await host?.stop();
    await browser?.close();
  });

  it('names refused fields plainly, keeps what was typed after a failed test, and leaves nothing behind', async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    page.setDefaultTimeout(15_000);
    const app = new AppPage(page);
    await app.open(host.url);
    await app.gotoProjects();
    await app.createProject('Wizard');
    const projectId = 'wizard';
    const servers = new ServersPage(page);
    await servers.open(projectId);
    await page.getByRole('button', { name: 'Register a source server' }).click();
    const dialog = page.getByRole('dialog', { name: 'Register a source server' });

    // No name: said on the Name field, in words, with no schema jargon anywhere.
    await dialog.getByRole('textbox', { name: 'Host', exact: true }).fill('127.0.0.1');
    await dialog.getByLabel('SSH port').fill('1');
    await dialog.getByRole('textbox', { name: 'User', exact: true }).fill('root');
    await dialog.getByRole('textbox', { name: 'Password', exact: true }).fill('not-the-password');
    await dialog.getByRole('button', { name: 'Register and test' }).click();
    await dialog.getByText('Enter a name', { exact: true }).waitFor();
    expect(await dialog.textContent()).not.toMatch(/Too small|expected string/);
    expect(await dialog.getByTestId('api-error').count()).toBe(0);

    // Nothing listens on port 1: the test fails on step 2.
    await dialog.getByRole('textbox', { name: 'Name', exact: true }).fill('web01');
    await dialog.getByRole('button', { name: 'Register and test' }).click();
    await dialog.getByTestId('api-error').waitFor();
    expect(await serverNames(host, projectId)).toEqual(['web01']);
    await screenshot(page, 'wizard-test-failed');

    // Back: the form as typed, and the half-registered server gone.
    await dialog.getByRole('button', { name: 'Back' }).click();
    await expect
      .poll(() => dialog.getByRole('textbox', { name: 'Host', exact: true }).inputValue())
      .toBe('127.0.0.1');
    expect(await dialog.getByRole('textbox', { name: 'Name', exact: true }).inputValue()).toBe('web01');
    expect(await dialog.getByRole('textbox', { name: 'User', exact: true }).inputValue()).toBe('root');
    expect(await dialog.getByLabel('SSH port').inputValue()).toBe('1');
    await expect.poll(() => serverNames(host, projectId)).toEqual([]);

    // Again to step 2, then a click on the first step goes back as well; closing leaves nothing.
    await dialog.getByRole('button', { name: 'Register and test' }).click();
    await dialog.getByTestId('api-error').waitFor();
    await dialog
      .getByRole('button', { name: /Connection/ })
      .first()
      .click();
    await expect
      .poll(() => dialog.getByRole('textbox', { name: 'Host', exact: true }).inputValue())
      .toBe('127.0.0.1');
    await expect.poll(() => serverNames(host, projectId)).toEqual([]);
    await dialog.getByRole('button', { name: 'Register and test' }).click();
    await dialog.getByTestId('api-error').waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await expect.poll(() => serverNames(host, projectId)).toEqual([]);
    await page.getByText('No source servers yet').waitFor();
  });
});
