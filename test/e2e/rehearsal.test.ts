/**
 * Rehearsal in Chromium against the browser host and its demo sandbox (the demo project's real
 * target): Rehearse on the Migration page, read the outcome (summary, per-object table with its
 * filter), download its CSV and JSON with the buttons (streamed by the host: the same bytes as
 * `mm rehearsal export`), check the real target was not written, sign off, then start the real
 * run — which now needs that sign-off — and see the target hold what the rehearsal said it would.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HoldingsPage, RehearsalOutcome, RehearsalStatus } from '../../shared/model/rehearsal';
import type { TargetView } from '../../shared/model/target';
import { postXmlRpc } from '../../electron/core/target/http-transport';
import { launchBrowser, screenshot, watchConsole } from '../helpers/browser';
import { tempDir } from '../helpers/paths';
import { type RunningHost, runMm, startHost } from '../helpers/processes';
import { AppPage } from './pages/app-page';
import { MigrationPage } from './pages/migration-page';
import { call, readyDemo } from '../helpers/host-api';

const PROJECT = 'demo-migration';

/** The demo's real target, read through its own API. */
async function dump(host: RunningHost): Promise<Record<string, Record<string, unknown>[]>> {
  const target = await call<TargetView>(host, 'target:get', { projectId: PROJECT });
  const answer = await postXmlRpc({ url: target.poa?.url ?? '' }, 'sandbox.dump', [{}]);
  if (answer.kind !== 'value') throw new Error(`sandbox.dump answered ${JSON.stringify(answer)}`);
  return answer.value as Record<string, Record<string, unknown>[]>;
}

describe('Rehearsal on the Migration page', () => {
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

  it('rehearses, shows the outcome, signs it off, then runs the real migration', async () => {
    // The demo made ready as an engineer would (mappings suggested and accepted, all selected).
    await readyDemo(host, PROJECT);
    const before = JSON.stringify(await dump(host));

    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const errors = watchConsole(page);
    const app = new AppPage(page);
    await app.open(host.url);
    await app.gotoProjects();
    await app.projectRow('Demo migration').getByRole('button', { name: 'Open' }).click();
    await page.getByTestId('project-title').waitFor();
    const migration = new MigrationPage(page);
    await migration.open();

    await page.getByTestId('rehearse-button').click();
    const outcome = page.locator('[data-testid="rehearsal-outcome"][data-state="done"]');
    await outcome.waitFor({ timeout: 240_000 });
    await screenshot(page, 'rehearsal-outcome-1440');
    const id = (await outcome.getAttribute('data-rehearsal')) ?? '';
    const shown = await call<RehearsalOutcome>(host, 'rehearsal:show', { projectId: PROJECT, id });
    expect(await outcome.getAttribute('data-fingerprint')).toBe(shown.fingerprint);
    expect(shown.objects?.failed).toBe(0);
    expect(shown.create?.domains).toBeGreaterThan(0);
    // The real target was only listed, never written.
    expect(JSON.stringify(await dump(host))).toBe(before);

    // The per-object table, whole and filtered to one kind: a page at a time from the core.
    const total = shown.holdingCounts.total;
    const whole = await call<HoldingsPage>(host, 'rehearsal:holdings', {
      projectId: PROJECT,
      id,
      offset: 0,
      limit: 1_000,
    });
    expect(whole.total).toBe(total);
    // the demo's rehearsal fits one page: its rows are every object
    expect(total).toBeGreaterThan(0);
    expect(whole.rows).toHaveLength(total);
    const count = page.getByTestId('rehearsal-holdings-count');
    await expect.poll(() => count.textContent()).toBe(`${total} of ${total} objects`);
    const firstRow = page.getByTestId('rehearsal-holdings').getByTestId('table-row').first();
    expect(await firstRow.textContent()).toContain(whole.rows[0]?.name ?? '');
    await page.getByRole('textbox', { name: 'Kind' }).click();
    await page.getByRole('option', { name: 'mailbox', exact: true }).click();
    const mailboxes = shown.holdingCounts.kinds.mailbox ?? 0;
    expect(mailboxes).toBe(whole.rows.filter((h) => h.kind === 'mailbox').length);
    await expect.poll(() => count.textContent()).toBe(`${mailboxes} of ${total} objects`);
    // a search (debounced) narrows it in the core, and the table shows just those
    const mailbox = whole.rows.find((h) => h.kind === 'mailbox')?.name ?? '';
    await page.getByRole('textbox', { name: "Search the rehearsal's objects" }).fill(mailbox.toUpperCase());
    const q = mailbox.toLowerCase();
    const found = whole.rows.filter(
      (h) =>
        h.kind === 'mailbox' &&
        (h.name.toLowerCase().includes(q) || (h.owner ?? '').toLowerCase().includes(q)),
    ).length;
    await expect.poll(() => count.textContent()).toBe(`${found} of ${total} objects`);
    await expect
      .poll(() => page.getByTestId('rehearsal-holdings').getByTestId('table-row').count())
      .toBe(found);

    // The exports, downloaded with the buttons: the host streams the very bytes the CLI writes.
    const files = await tempDir('mm-e2e-rehearsal-files-');
    for (const format of ['csv', 'json'] as const) {
      const [file] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('button', { name: `Rehearsal (${format.toUpperCase()})` }).click(),
      ]);
      expect(file.suggestedFilename()).toBe(`${PROJECT}-rehearsal-${id}.${format}`);
      const saved = join(files, file.suggestedFilename());
      await file.saveAs(saved);
      const cli = join(files, `cli.${format}`);
      const exported = await runMm([
        'rehearsal',
        'export',
        id,
        '--format',
        format,
        '--out',
        cli,
        '--data-dir',
        dataDir,
      ]);
      expect(exported.code, exported.stderr).toBe(0);
      const [got, want] = await Promise.all([readFile(saved, 'utf8'), readFile(cli, 'utf8')]);
      // the JSON carries the diff against the newest rehearsal before it, none here: the same either way
      expect(got).toBe(want);
      expect(got).toContain(whole.rows[0]?.name ?? '');
      await expect
        .poll(() => page.getByTestId('rehearsal-export-saved').textContent())
        .toBe(`Saved ${PROJECT}-rehearsal-${id}.${format}`);
    }

    // Before the sign-off the real run needs one.
    const status = await call<RehearsalStatus>(host, 'rehearsal:status', { projectId: PROJECT });
    expect(status).toMatchObject({ required: true, signOff: null, fingerprint: shown.fingerprint });

    // Started now from the page, the real run is refused, saying why.
    await page.getByRole('button', { name: 'Start batch' }).click();
    await page.getByText(/has no signed-off rehearsal/).waitFor();
    expect(await page.getByText(/has no signed-off rehearsal/).textContent()).toContain(shown.fingerprint);
    expect(JSON.stringify(await dump(host))).toBe(before);

    await page.getByLabel('Sign-off comment (optional)').fill('counts checked against the inventory');
    await page.getByTestId('rehearsal-signoff').click();
    await page.getByTestId('rehearsal-signed-off').waitFor();
    await expect.poll(() => page.getByTestId('rehearsal-status').textContent()).toContain('Signed off by');
    await screenshot(page, 'rehearsal-signed-off-1440');

    // The real run, started from the page, is accepted and creates what the rehearsal said.
    await migration.start('4');
    const ended = await migration.waitForEnd();
    expect(ended, (await migration.batch.textContent()) ?? '').toBe('done');
    const after = await dump(host);
    const c = shown.create as NonNullable<RehearsalOutcome['create']>;
    expect((after['domains'] ?? []).length).toBe(c.domains + c.subdomains + c.pointers);
    expect((after['mailboxes'] ?? []).length).toBe(c.mailboxes);
    expect((after['dns_records'] ?? []).length).toBe(c.dnsRecords);
    expect(errors).toEqual([]);
  }, 600_000);
});
