/**
 * The Cut-over page in Chromium against the browser host and its demo sandbox, the demo batch
 * migrated through the API first (the Migration page has its own test): the engineer gives the
 * target's IP pool, stores the rules' proposals (the Linux server's dedicated IP gets the free
 * dedicated one) and maps an IP by hand in the table; the DNS switch sheet shows each migrated
 * domain answered by the target; re-sync finds nothing, then, after a page is added on the
 * source, shows it and moves it from the domain's button, and the target's web server serves it.
 */
import { writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DnsSheet } from '../../shared/model/cutover';
import type { JobSummary } from '../../shared/model/migration';
import type { TargetView } from '../../shared/model/target';
import { postXmlRpc } from '../../electron/core/target/http-transport';
import { SANDBOX_IP_POOL } from '../../electron/sandbox/catalogue';
import { launchBrowser, screenshot, watchConsole } from '../helpers/browser';
import { tempDir } from '../helpers/paths';
import { type RunningHost, startHost } from '../helpers/processes';
import { AppPage } from './pages/app-page';
import { call, readyDemo } from '../helpers/host-api';

const PROJECT = 'demo-migration';
const DOMAIN = 'becker-torten.test';

function get(url: string, host: string, path: string): Promise<{ status: number; body: string }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, path, headers: { Host: host } }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the Cut-over page on the demo project', () => {
  let browser: Browser;
  let host: RunningHost;
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await tempDir();
    [browser, host] = await Promise.all([launchBrowser(), startHost(dataDir)]);
  });
  afterAll(async () => {
    await host?.stop();
    await browser?.close();
  });

  it('maps IPs in the table, shows the switch sheet, and re-syncs a page added on the source', async () => {
    await readyDemo(host, PROJECT);
    const { jobId } = await call<{ jobId: string }>(host, 'migration:start', { projectId: PROJECT });
    await expect
      .poll(
        async () => (await call<JobSummary>(host, 'migration:job', { projectId: PROJECT, jobId })).state,
        {
          timeout: 240_000,
          interval: 1_000,
        },
      )
      .toBe('done');

    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const errors = watchConsole(page);
    const app = new AppPage(page);
    await app.open(host.url);
    await app.gotoProjects();
    await app.projectRow('Demo migration').getByRole('button', { name: 'Open' }).click();
    await page.getByTestId('project-title').waitFor();
    await page.getByRole('link', { name: 'Cut-over' }).click();
    await page.getByRole('heading', { name: 'Cut-over' }).waitFor();

    // IP mapping: the pool, the rules' proposals stored, one IP mapped by hand.
    const ipMap = page.getByTestId('ip-map');
    const of = (kind: string): string =>
      SANDBOX_IP_POOL.filter((p) => p.kind === kind)
        .map((p) => p.address)
        .join(', ');
    await ipMap.getByLabel('Shared IPs').fill(of('shared'));
    await ipMap.getByLabel('Dedicated IPs').fill(of('dedicated'));
    await ipMap.getByRole('button', { name: 'Save pool' }).click();
    await expect.poll(() => ipMap.getByTestId('ip-map-note').textContent()).toBe('Target pool saved.');
    await ipMap.getByRole('button', { name: 'Suggest and store' }).click();
    const row = (source: string) => ipMap.getByTestId('ip-map-row').filter({ hasText: source });
    await expect.poll(() => row('203.0.113.11').textContent()).toContain('192.0.2.20');
    expect(await row('203.0.113.11').textContent()).toContain('free dedicated IP');
    await row('198.51.100.10').getByLabel('Target IP for 198.51.100.10').fill('192.0.2.11');
    await row('198.51.100.10').getByRole('button', { name: 'Set' }).click();
    await expect.poll(() => row('198.51.100.10').textContent()).toContain('set by hand');
    await screenshot(page, 'cutover-ip-map-1440');

    // The DNS switch sheet: the migrated domain is answered by the target.
    const sheet = await call<DnsSheet>(host, 'cutover:dns-sheet', { projectId: PROJECT });
    expect(
      sheet.domains.find((d) => d.domain === DOMAIN)?.live.status,
      JSON.stringify(sheet).slice(0, 2000),
    ).toBe('ready');
    await page.getByRole('tab', { name: 'DNS switch sheet' }).click();
    const card = page.locator(`[data-testid="dns-sheet-domain"][data-domain="${DOMAIN}"]`);
    await card.waitFor({ timeout: 60_000 });
    expect(await card.textContent()).toContain('target: ready');
    expect(await card.textContent()).toContain('lower the TTL');
    await screenshot(page, 'cutover-dns-sheet-1440');

    // Re-sync: nothing at first; a page added on the source is shown, then moved.
    await page.getByRole('tab', { name: 'Re-sync' }).click();
    const resync = page.getByTestId('resync');
    await resync.getByRole('button', { name: 'What would move (all)' }).click();
    await expect
      .poll(() => resync.getByTestId('resync-last').textContent(), { timeout: 120_000 })
      .toContain('Nothing changed on the source since the last copy.');
    const docRoot = join(dataDir, 'demo-source', 'home', 'bakery', 'web', DOMAIN, 'public_html');
    await writeFile(join(docRoot, 'cutover.html'), '<html><title>Cut-over</title></html>\n');
    await resync.getByRole('button', { name: 'What would move (all)' }).click();
    const item = resync.getByTestId('resync-item').filter({ hasText: `site:${DOMAIN}` });
    await item.waitFor({ timeout: 120_000 });
    expect(await resync.getByTestId('resync-last').textContent()).toContain('Would move');
    await item.getByRole('button', { name: `Re-sync ${DOMAIN}` }).click();
    await expect
      .poll(() => resync.getByTestId('resync-last').textContent(), { timeout: 120_000 })
      .toMatch(/Moved .*: 1 file\(s\)/);
    await screenshot(page, 'cutover-resync-1440');
    // The target's web server (the sandbox names it) serves the page by Host header.
    const target = await call<TargetView>(host, 'target:get', { projectId: PROJECT });
    const nodes = await postXmlRpc({ url: target.poa?.url ?? '' }, 'sandbox.nodes', [{}]);
    const web =
      nodes.kind === 'value' ? (nodes.value as { web_server?: { url?: string } }).web_server?.url : undefined;
    expect(web, 'the sandbox names its web server').toBeDefined();
    expect(await get(web ?? '', DOMAIN, '/cutover.html')).toEqual({
      status: 200,
      body: '<html><title>Cut-over</title></html>\n',
    });
    expect(errors).toEqual([]);
  }, 480_000);
});
