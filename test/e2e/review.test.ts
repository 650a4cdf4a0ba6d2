import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshot, watchConsole } from '../helpers/browser';
import { tempDir } from '../helpers/paths';
import { type RunningHost, startHost } from '../helpers/processes';
import { AppPage } from './pages/app-page';

/** Names of controls that would change a project or reach a source server or the target. */
const WRITE_CONTROLS: readonly RegExp[] = [
  /^Register a source server$/,
  /^Test connection$/,
  /^Fetch (inventory|domain services)$/,
  /^Remove$/,
  /^Settings$/,
  /^Save (target|settings|mapping)$/,
  /^Suggest mappings$/,
  /^Import$/,
  /^(Edit the mapping of|Map) /,
  /^Remove the mapping of /,
  /^Select all$/,
  /^(Select|Unselect) everything on /,
  /^Clear selection$/,
  /^Select (its subscribers|matching accounts|the \d+ shown)$/,
  /^Run verification$/,
  /^Undo/,
  /^Merge reviewer comments$/,
];

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

interface ApiRequest {
  readonly method: string;
  readonly path: string;
  readonly type: string;
  readonly bytes: number;
}

/** The API requests a page makes, with their bodies' type and size (a bundle is never a call's). */
function watchApi(page: Page): ApiRequest[] {
  const seen: ApiRequest[] = [];
  page.on('request', (r) => {
    const url = new URL(r.url());
    if (!url.pathname.startsWith('/api/')) return;
    seen.push({
      method: r.method(),
      path: decodeURIComponent(url.pathname),
      type: r.headers()['content-type'] ?? '',
      bytes: r.postDataBuffer()?.length ?? 0,
    });
  });
  return seen;
}

/** No call carried a file: every call's body is small. */
function callsAreSmall(seen: readonly ApiRequest[]): void {
  const calls = seen.filter((r) => r.path.startsWith('/api/call/'));
  expect(calls.length).toBeGreaterThan(0);
  expect(calls.filter((r) => r.bytes > 16 * 1024)).toEqual([]);
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
    page.setDefaultTimeout(15_000);
    const exporting = watchApi(page);
    const app = new AppPage(page);
    await app.open(engineer.url);
    await app.gotoProjects();
    await app.projectRow('Demo migration').getByRole('button', { name: 'Open' }).click();
    const bundle = await download(page, 'Export for review', files);
    expect(bundle).toMatch(/\.mmreview$/);
    // Saved as it was made: the page asked for a one-time token (the browser then fetched and
    // saved the file itself, the download above); no call answered it.
    expect(
      exporting.filter((r) => r.path.startsWith('/api/download/')).map((r) => `${r.method} ${r.path}`),
    ).toEqual(['POST /api/download/review:export']);
    callsAreSmall(exporting);
    await engineer.stop();

    // The reviewer opens it on another machine: no source server, no target.
    const reviewer = await startHost(reviewerData, ['--no-demo']);
    page = await browser.newPage({ acceptDownloads: true });
    page.setDefaultTimeout(15_000);
    const errors = watchConsole(page);
    const opening = watchApi(page);
    const reviewApp = new AppPage(page);
    await reviewApp.open(reviewer.url);
    await reviewApp.gotoProjects();
    await page.locator('input[type=file]').setInputFiles(bundle);
    await page.getByTestId('review-banner').waitFor();
    await expect.poll(() => page.getByTestId('project-title').textContent()).toBe('Demo migration (review)');
    // The picked file went as the body of an upload, its raw bytes, not as a call's base64.
    expect(opening.filter((r) => r.path.startsWith('/api/upload/'))).toEqual([
      {
        method: 'POST',
        path: '/api/upload/review:open',
        type: 'application/octet-stream',
        bytes: expect.any(Number) as number,
      },
    ]);
    callsAreSmall(opening);
    await screenshot(page, 'review-copy-dashboard');

    // Every page opens under the read-only banner and offers nothing that writes: no button that
    // would fail only after a click.
    const nav = page.getByRole('navigation', { name: 'Main navigation' });
    // Each page's data-bearing element: once it shows, every button that depends on data would too.
    const loaded: Record<string, string> = {
      'Source servers': '[data-testid="server-card"]',
      Inventory: '[data-testid="table-row"]',
      Target: '[data-testid="target-read-only"]',
      Templates: '[data-testid="mapping-row"]',
      Selection: '[data-testid="selection-table"] [data-testid="table-row"]',
      Verification: '[data-testid="verification-table"] [data-testid="table-row"]',
      Reports: 'button:has-text("Download HTML")',
      Dashboard: '[data-testid="dashboard-servers"]',
    };
    for (const [label, selector] of Object.entries(loaded)) {
      await nav.getByText(label, { exact: true }).click();
      await page.getByRole('heading', { level: 2 }).first().waitFor();
      await page.getByTestId('review-banner').waitFor();
      await page.locator(selector).first().waitFor();
      const offered = await page
        .getByRole('button')
        .evaluateAll((els) => els.map((e) => (e.getAttribute('aria-label') ?? e.textContent ?? '').trim()));
      const writes = offered.filter((name) => WRITE_CONTROLS.some((w) => w.test(name)));
      expect(writes, `${label} offers ${writes.join(', ')}`).toEqual([]);
    }
    expect(await page.getByTestId('nav-project').textContent()).toContain('(read-only)');
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
    // The demo's manual approvals, as the bundle carried them: the same four cells every time.
    expect(await reportPage.locator('td', { hasText: 'Approved manually' }).count()).toBe(4);
    await screenshot(reportPage, 'verification-report');
    await reportPage.close();
    // The target's settings are shown, and said to be unreachable from the copy.
    await nav.getByText('Target', { exact: true }).click();
    await expect.poll(() => page.getByTestId('target-read-only').textContent()).toMatch(/not reachable/);
    // The drawer of a result offers no fix (comments stay).
    await nav.getByText('Verification', { exact: true }).click();
    await page.getByLabel('Search results').fill('zahn-termin');
    await page.getByTestId('table-row').filter({ hasText: 'zahn-termin.test' }).first().click();
    await page.getByTestId('verification-detail').waitFor();
    await page.getByTestId('reason').first().waitFor();
    expect(
      await page
        .getByRole('dialog')
        .getByRole('button', { name: /^(Approve|Mark|Unselect|Map)/ })
        .count(),
    ).toBe(0);
    await page.getByRole('dialog').getByLabel('New comment').waitFor();
    await page.keyboard.press('Escape');
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

    await nav.getByText('Dashboard', { exact: true }).click();
    await page.getByLabel('New comment').fill('Please double-check the Kiez Café balance.');
    await page.getByRole('button', { name: 'Add comment' }).click();
    await page.getByTestId('comment').filter({ hasText: 'Kiez Café' }).waitFor();
    const back = await download(page, 'Export with my comments', files);
    await reviewer.stop();
    // Only the review copy's own refusals may be reported; any HTTP error (a 404, a 500) fails.
    expect(errors.filter((e) => !/review copy/.test(e))).toEqual([]);

    // Back at the engineer's: merge.
    engineer = await startHost(engineerData);
    page = await browser.newPage();
    const merging = watchApi(page);
    const again = new AppPage(page);
    await again.open(engineer.url);
    await again.gotoProjects();
    await again.projectRow('Demo migration').getByRole('button', { name: 'Open' }).click();
    // Through the dashboard's own button: the projects page has a file input too (open a
    // bundle as a new copy), and the page may not have left it yet.
    const chooser = page.waitForEvent('filechooser');
    await page.getByRole('button', { name: 'Merge reviewer comments' }).click();
    await (await chooser).setFiles(back);
    await expect.poll(() => page.getByTestId('review-note').textContent()).toMatch(/Merged 2 new comments/);
    expect(
      merging.filter((r) => r.path.startsWith('/api/upload/')).map((r) => `${r.path} ${r.type}`),
    ).toEqual(['/api/upload/review:merge-comments application/octet-stream']);
    callsAreSmall(merging);
    await page.getByTestId('comment').filter({ hasText: 'Kiez Café balance' }).waitFor();
    await screenshot(page, 'review-comments-merged');
    await engineer.stop();
  }, 180_000); // two hosts, a bundle each way, every page of the copy: more than a minute
});
