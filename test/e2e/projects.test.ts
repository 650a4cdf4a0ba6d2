import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshot, watchConsole } from '../helpers/browser';
import { tempDir } from '../helpers/paths';
import { startHost } from '../helpers/processes';
import { AppPage } from './pages/app-page';

describe('MM CP in Chromium through the browser host', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('creates a project through the UI and finds it again after the host restarts', async () => {
    const dataDir = await tempDir();
    const first = await startHost(dataDir);
    const page = await browser.newPage();
    const errors = watchConsole(page);
    const app = new AppPage(page);
    await app.open(first.url);

    // The built-in demo project greets a newcomer on the first start.
    await app.gotoProjects();
    await expect.poll(() => app.projectRow('Demo migration').count()).toBe(1);

    await app.createProject('Ensim box 7', 'Old Ensim server in rack 7');
    await screenshot(page, 'dashboard-new-project');
    await first.stop();

    const second = await startHost(dataDir);
    expect(second.secret).not.toBe(first.secret);
    await app.open(second.url);
    await app.gotoProjects();
    await app.projectRow('Ensim box 7').waitFor();
    await app.projectRow('Ensim box 7').getByRole('button', { name: 'Open' }).click();
    await expect.poll(() => page.getByTestId('project-title').textContent()).toBe('Ensim box 7');
    await screenshot(page, 'projects-after-restart');
    await second.stop();
    expect(errors).toEqual([]);
  });

  it("shows the core's error on the field when a project name is refused", async () => {
    const dataDir = await tempDir();
    const host = await startHost(dataDir, ['--no-demo']);
    const page = await browser.newPage();
    const app = new AppPage(page);
    await app.open(host.url);
    await app.gotoProjects();
    await page.getByRole('button', { name: 'New project' }).click();
    const dialog = page.getByRole('dialog', { name: 'New migration project' });
    await dialog.getByLabel('Name').fill('../etc/passwd');
    await dialog.getByRole('button', { name: 'Create' }).click();
    // Said on the Name field itself, in the core's plain words.
    await dialog.getByText(/^A project name is 1-64 letters/).waitFor();
    expect(await dialog.getByTestId('api-error').count()).toBe(0);
    await host.stop();
  });
});
