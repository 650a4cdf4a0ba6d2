/**
 * The Checks page in Chromium against the browser host and its demo sandbox: the demo batch
 * migrated (through the API; the Migration page has its own test) ran the post-migration
 * checks when it ended; the dashboard counts them and opens the page; a DNS record is then
 * deleted on the target through the sandbox's POA API, the checks are run again from the page
 * for that domain, and the page shows the domain failed with the record named; the run is
 * saved as CSV with the same difference.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckRun } from '../../shared/model/checks';
import type { JobSummary } from '../../shared/model/migration';
import type { TargetView } from '../../shared/model/target';
import { PoaClient } from '../../electron/core/target/poa-client';
import { launchBrowser, screenshot, watchConsole } from '../helpers/browser';
import { tempDir } from '../helpers/paths';
import { type RunningHost, startHost } from '../helpers/processes';
import { AppPage } from './pages/app-page';
import { call, readyDemo } from '../helpers/host-api';

const PROJECT = 'demo-migration';

describe('the Checks page on the demo project', () => {
  let browser: Browser;
  let host: RunningHost;
  let files: string;
  beforeAll(async () => {
    [browser, host, files] = await Promise.all([
      launchBrowser(),
      tempDir().then((d) => startHost(d)),
      tempDir('mm-checks-e2e-'),
    ]);
  });
  afterAll(async () => {
    await host?.stop();
    await browser?.close();
  });

  it('shows the batch’s checks, runs them again and names a record deleted on the target', async () => {
    // The demo made ready and migrated as an engineer would (those pages have their own tests).
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
    // The batch ran the checks when it ended (after its summary: wait for the stored run).
    await expect
      .poll(async () => (await call<CheckRun[]>(host, 'checks:runs', { projectId: PROJECT })).length, {
        timeout: 120_000,
        interval: 1_000,
      })
      .toBe(1);
    const [batchRun] = await call<CheckRun[]>(host, 'checks:runs', { projectId: PROJECT });
    expect(batchRun?.trigger).toBe('batch');
    expect(batchRun?.jobId).toBe(jobId);
    expect(batchRun?.counts.fail).toBe(0);
    const withDns = batchRun?.domains.find((d) =>
      d.checks.some((c) => c.kind === 'dns' && /records? answered over UDP/.test(c.message)),
    );
    expect(withDns, 'a migrated domain with DNS records').toBeDefined();
    const domain = withDns?.domain ?? '';

    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const errors = watchConsole(page);
    const app = new AppPage(page);
    await app.open(host.url);
    await app.gotoProjects();
    await app.projectRow('Demo migration').getByRole('button', { name: 'Open' }).click();
    await page.getByTestId('project-title').waitFor();

    // The dashboard counts the newest run; its number opens the page filtered.
    const card = page.getByTestId('dashboard-checks');
    await expect
      .poll(() => card.getByTestId('checks-stat-fail').textContent(), { timeout: 30_000 })
      .toBe('0');
    const passed = Number(await card.getByTestId('checks-stat-pass').textContent());
    const warned = Number(await card.getByTestId('checks-stat-warn').textContent());
    expect(passed + warned).toBe(batchRun?.domains.length);
    await card.getByTestId('checks-stat-pass').click();
    await page.getByRole('heading', { name: 'Checks' }).waitFor();
    const rows = page.getByTestId('checks-table').locator('tbody > tr[data-status]');
    await expect.poll(() => rows.count(), { timeout: 30_000 }).toBe(passed);
    expect(await page.getByTestId('checks-table').locator('tr[data-status="fail"]').count()).toBe(0);
    await screenshot(page, 'checks-after-batch-1440');

    // Drift on the target: the domain's first A record deleted through the POA API.
    const target = await call<TargetView>(host, 'target:get', { projectId: PROJECT });
    const poa = new PoaClient({ url: target.poa?.url ?? '' }, { timeoutMs: 10_000 });
    const record = (await poa.getDnsRecords(domain)).find((r) => r.type === 'A');
    expect(record, `an A record of ${domain}`).toBeDefined();
    await poa.call('pem.deleteDNSRecord', { record_id: record?.record_id ?? 0 }, 'record');

    // Run again from the page, for that domain only.
    await page.getByLabel('Only these domains').fill(domain);
    await page.getByTestId('checks-run').click();
    await page.locator('[data-testid="job-progress"][data-state="done"]').waitFor({ timeout: 120_000 });
    await expect
      .poll(() => page.getByTestId('checks-summary').textContent(), { timeout: 30_000 })
      .toContain('1 failed');
    await page.locator('label', { hasText: /^Failed$/ }).click();
    await expect
      .poll(() => page.getByTestId('checks-table').locator('tbody > tr[data-status]').count())
      .toBe(1);
    const row = page.getByTestId(`check-row-${domain}`);
    expect(await row.getAttribute('data-status')).toBe('fail');
    await row.getByRole('button', { name: `Details of ${domain}` }).click();
    const detail = page.getByTestId(`check-detail-${domain}`);
    const name = record?.host === '@' ? domain : `${record?.host ?? ''}.${domain}`;
    const differences = await detail.getByTestId('check-difference').allTextContents();
    expect(differences).toContain(`record ${name} A ${record?.data ?? ''}: not in the target's API`);
    expect(
      differences.some((d) =>
        d.startsWith(`record ${name} A ${record?.data ?? ''}: the target's name server`),
      ),
    ).toBe(true);
    await screenshot(page, 'checks-drift-1440');

    // The run as CSV names the same failure.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download CSV' }).click(),
    ]);
    const csv = join(files, download.suggestedFilename());
    await download.saveAs(csv);
    expect(await readFile(csv, 'utf8')).toContain(`${domain},`);
    expect(await readFile(csv, 'utf8')).toContain(`not in the target's API`);
    expect(errors).toEqual([]);
  }, 420_000);
});
