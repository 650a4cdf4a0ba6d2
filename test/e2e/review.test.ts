import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshot, watchConsole } from '../helpers/browser';
import { tempDir } from '../helpers/paths';
import { startHost } from '../helpers/processes';
import { AppPage } from './pages/app-page';

async function download(page: Page, button: string, dir: string): Promise<string> {
  const [file] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: button }).click(),
  ]);
  const path = join(dir, file.suggestedFilename());
  await file.saveAs(path);
  return path;
}

describe('offline review in the MM CP', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(() => browser?.close());

  it('exports the demo project, opens it read-only elsewhere, comments, and merges the comments back', async () => {
    const engineerData = await tempDir();
    const reviewerData = await tempDir();
    const files = await tempDir();

    // The engineer exports the demo project for review, then closes the app.
    let engineer = await startHost(engineerData);
    let page = await browser.newPage({ acceptDownloads: true });
    const app = new AppPage(page);
    await app.open(engineer.url);
    await app.gotoProjects();
    await app.projectRow('Demo migration').getByRole('button', { name: 'Open' }).click();
    const bundle = await download(page, 'Export for review', files);
    expect(bundle).toMatch(/\.mmreview$/);
    await engineer.stop();

    // The reviewer opens it on another machine: no source server, no target.
    const reviewer = await startHost(reviewerData, ['--no-demo']);
    page = await browser.newPage({ acceptDownloads: true });
    const errors = watchConsole(page);
    const reviewApp = new AppPage(page);
    await reviewApp.open(reviewer.url);
    await reviewApp.gotoProjects();
    await page.locator('input[type=file]').setInputFiles(bundle);
    await page.getByTestId('review-banner').waitFor();
    await expect.poll(() => page.getByTestId('project-title').textContent()).toBe('Demo migration (review)');
    await screenshot(page, 'review-copy-dashboard');

    // Every page opens; what would reach a source server is refused with a clear message.
    const nav = page.getByRole('navigation', { name: 'Main navigation' });
    for (const label of [
      'Source servers',
      'Inventory',
      'Target',
      'Templates',
      'Selection',
      'Verification',
      'Migration',
      'Reports',
      'Dashboard',
    ]) {
      await nav.getByText(label, { exact: true }).click();
      await page.getByRole('heading', { level: 2 }).first().waitFor();
    }
    await nav.getByText('Source servers', { exact: true }).click();
    await page
      .locator('[data-testid="server-card"][data-server="demo-linux-server"]')
      .getByRole('button', { name: 'Fetch inventory' })
      .click();
    await expect.poll(() => page.getByTestId('api-error').first().textContent()).toMatch(/review copy/);

    await nav.getByText('Dashboard', { exact: true }).click();
    await page.getByLabel('New comment').fill('Please double-check the Kiez Café balance.');
    await page.getByRole('button', { name: 'Add comment' }).click();
    await page.getByTestId('comment').filter({ hasText: 'Kiez Café' }).waitFor();
    const back = await download(page, 'Export with my comments', files);
    await reviewer.stop();
    expect(errors.filter((e) => !/review copy|Failed to load resource/.test(e))).toEqual([]);

    // Back at the engineer's: merge.
    engineer = await startHost(engineerData);
    page = await browser.newPage();
    const again = new AppPage(page);
    await again.open(engineer.url);
    await again.gotoProjects();
    await again.projectRow('Demo migration').getByRole('button', { name: 'Open' }).click();
    await page.locator('input[type=file]').setInputFiles(back);
    await expect.poll(() => page.getByTestId('review-note').textContent()).toMatch(/Merged 1 new comments/);
    await page.getByTestId('comment').filter({ hasText: 'Kiez Café balance' }).waitFor();
    await screenshot(page, 'review-comments-merged');
    await engineer.stop();
  });
});
