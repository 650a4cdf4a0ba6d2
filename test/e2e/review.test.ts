import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshot, watchConsole } from '../helpers/browser';
import { tempDir } from '../helpers/paths';
import { type RunningHost, startHost } from '../helpers/processes';
import { AppPage } from './pages/app-page';

/** Calls the host's API as the renderer does (with the per-run secret). */
async function call<T>(host: RunningHost, channel: string, body: unknown): Promise<T> {
  const res = await fetch(`${host.origin}/api/call/${channel}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-mm-secret': host.secret },
    body: JSON.stringify(body),
  });
  const r = (await res.json()) as { ok: boolean; value: T; error?: { message: string } };
  if (!r.ok) throw new Error(`${channel}: ${r.error?.message}`);
  return r.value;
}

/** Maps (the suggestions, as an engineer would accept them), selects all, verifies, resolves one issue. */
async function verifyAndResolve(host: RunningHost): Promise<void> {
  const projectId = 'demo-migration';
  const { suggestions } = await call<{ suggestions: { input: unknown }[] }>(host, 'mapping:suggest', {
    projectId,
  });
  await call(host, 'mapping:apply-suggestions', { projectId, mappings: suggestions.map((x) => x.input) });
  await call(host, 'selection:set', { projectId, mode: 'add', target: { by: 'all' } });
  await call(host, 'verification:run', { projectId });
  await expect
    .poll(
      async () =>
        (await call<{ verifiedAt: string | null }>(host, 'verification:summary', { projectId })).verifiedAt,
      { timeout: 20_000 },
    )
    .not.toBeNull();
  await call(host, 'decisions:apply', {
    projectId,
    decision: { kind: 'approve', serverId: 'demo-sphera-server', domainId: 'zahn-termin.test' },
  });
}

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

    // The engineer verifies and resolves, exports the demo project for review, then closes the app.
    let engineer = await startHost(engineerData);
    await verifyAndResolve(engineer);
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
    // The verification results and the decision travelled with the bundle.
    await nav.getByText('Verification', { exact: true }).click();
    await page.getByLabel('Search results').fill('zahn-termin');
    await page.getByTestId('table-row').filter({ hasText: 'Approved manually' }).first().waitFor();
    await screenshot(page, 'review-copy-verification');
    // The report is made from the copy's own data, offline.
    await nav.getByText('Reports', { exact: true }).click();
    const report = await download(page, 'Download HTML', files);
    const reportPage = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    await reportPage.goto(`file://${report}`);
    await expect
      .poll(() => reportPage.locator('h1').textContent())
      .toBe('Verification report: Demo migration (review)');
    expect(await reportPage.locator('td', { hasText: 'Approved manually' }).count()).toBeGreaterThan(0);
    await screenshot(reportPage, 'verification-report');
    await reportPage.close();
    // The target cannot be reached from the copy either.
    await nav.getByText('Target', { exact: true }).click();
    await page.getByRole('button', { name: 'Test connection' }).click();
    await expect.poll(async () => (await page.locator('body').textContent()) ?? '').toMatch(/review copy/);
    // A comment on one object (a domain), from its drawer in the inventory.
    await nav.getByText('Inventory', { exact: true }).click();
    await page.getByText('Domains', { exact: true }).click();
    await page.getByLabel('Search').fill('havel-yachts');
    await page.getByTestId('table-row').filter({ hasText: 'havel-yachts.test' }).first().click();
    const drawer = page.getByRole('dialog');
    await drawer.getByLabel('New comment').fill('Expired 10 days ago: confirm with the customer.');
    await drawer.getByRole('button', { name: 'Add comment' }).click();
    await drawer.getByTestId('comment').filter({ hasText: 'confirm with the customer' }).waitFor();
    await page.keyboard.press('Escape');
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
    await expect.poll(() => page.getByTestId('review-note').textContent()).toMatch(/Merged 2 new comments/);
    await page.getByTestId('comment').filter({ hasText: 'Kiez Café balance' }).waitFor();
    await screenshot(page, 'review-comments-merged');
    await engineer.stop();
  });
});
