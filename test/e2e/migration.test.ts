/**
 * The Migration page in Chromium against the browser host and its demo sandbox: the demo's batch
 * previewed, started, paused and resumed from the page, then the object table, an object's
 * drawer and the read-back compared with what the sandbox itself holds (`sandbox.dump`), the
 * dashboard's migration numbers, and the migration report.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { domainToASCII } from 'node:url';
import { gunzipSync } from 'node:zlib';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TargetView } from '../../shared/model/target';
import { postXmlRpc } from '../../electron/core/target/http-transport';
import { launchBrowser, screenshot, watchConsole } from '../helpers/browser';
import { TEST_OUTPUT, tempDir } from '../helpers/paths';
import { type RunningHost, startHost } from '../helpers/processes';
import { AppPage } from './pages/app-page';
import { MigrationPage } from './pages/migration-page';
import { call } from '../helpers/host-api';

type Row = Record<string, unknown>;

/** One call to the demo's sandbox through its own API. */
async function sandboxCall(host: RunningHost, method: string, args: Row): Promise<unknown> {
  const target = await call<TargetView>(host, 'target:get', { projectId: 'demo-migration' });
  const url = target.poa?.url;
  if (!url) throw new Error('the demo project has no POA target');
  const answer = await postXmlRpc({ url }, method, [args]);
  if (answer.kind !== 'value') throw new Error(`${method} answered ${JSON.stringify(answer)}`);
  return answer.value;
}

/** Everything the demo's sandbox holds, read through its own API. */
async function sandboxDump(host: RunningHost): Promise<Record<string, Row[]>> {
  return (await sandboxCall(host, 'sandbox.dump', {})) as Record<string, Row[]>;
}

/**
 * The demo's sandbox keeps each request "running" 300 ms (DEMO_ASYNC_MS) so that a batch can be
 * paused or killed in its middle; once a test has done that, the rest of the batch need not wait
 * (the sandbox's own sandbox.setAsync; new requests only).
 */
async function targetWithoutLatency(host: RunningHost): Promise<void> {
  expect(await sandboxCall(host, 'sandbox.setAsync', { async_ms: 0 })).toEqual({ async_ms: 0 });
}

/** A file downloaded as the page does: a one-time token, then the GET with the secret's cookie. */
async function hostDownload(host: RunningHost, channel: string, request: unknown): Promise<Buffer> {
  const res = await fetch(`${host.origin}/api/download/${channel}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-mm-secret': host.secret },
    body: JSON.stringify(request),
  });
  const r = (await res.json()) as { ok: boolean; value: { token: string }; error?: { message: string } };
  if (!r.ok) throw new Error(`${channel}: ${r.error?.message}`);
  const got = await fetch(`${host.origin}/api/download/${r.value.token}`, {
    headers: { cookie: `mm-secret-${new URL(host.origin).port}=${host.secret}` },
  });
  if (got.status !== 200) throw new Error(`${channel}: GET answered ${got.status}`);
  return Buffer.from(await got.arrayBuffer());
}

/** A file uploaded as the page does: its raw bytes as the body, the request in a header. */
async function hostUpload<T>(
  host: RunningHost,
  channel: string,
  request: unknown,
  bytes: Buffer,
  fileName: string,
): Promise<T> {
  const res = await fetch(`${host.origin}/api/upload/${channel}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/octet-stream',
      'x-mm-secret': host.secret,
      'x-mm-request': encodeURIComponent(JSON.stringify(request)),
      'x-mm-file-name': encodeURIComponent(fileName),
    },
    body: new Uint8Array(bytes),
  });
  const r = (await res.json()) as { ok: boolean; value: { value: T }; error?: { message: string } };
  if (!r.ok) throw new Error(`${channel}: ${r.error?.message}`);
  return r.value.value;
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

/** "mailbox_id=4" codes of a drawer's steps of one kind. */
async function stepIds(
  drawer: ReturnType<Page['getByTestId']>,
  kind: string,
): Promise<Record<string, string>[]> {
  const out: Record<string, string>[] = [];
  for (const row of await drawer.locator(`[data-testid="object-step"][data-kind="${kind}"]`).all()) {
    const codes = await row.getByTestId('step-id').allTextContents();
    out.push(Object.fromEntries(codes.map((c) => c.split('=') as [string, string])));
  }
  return out;
}

/**
 * The demo made ready to migrate as an engineer would (the UI of these steps has its own test):
 * the suggested mappings accepted, everything selected; the preview verifies.
 */
async function readyToMigrate(host: RunningHost): Promise<void> {
  const suggested = await call<{ suggestions: { input: unknown }[] }>(host, 'mapping:suggest', {
    projectId: 'demo-migration',
  });
  expect(suggested.suggestions.length).toBeGreaterThan(0);
  await call(host, 'mapping:apply-suggestions', {
    projectId: 'demo-migration',
    mappings: suggested.suggestions.map((s) => s.input),
  });
  await call(host, 'selection:set', { projectId: 'demo-migration', mode: 'add', target: { by: 'all' } });
  // Nothing here asserts on the checks a batch runs when it ends (test/e2e/checks.test.ts does):
  // off, so they do not run beside the page's steps after each batch (mm check settings
  // --after-batch off).
  await call(host, 'checks:settings', { projectId: 'demo-migration', afterBatch: false });
}

describe('the Migration page on the demo project', () => {
  let browser: Browser;
  let host: RunningHost;
  let files: string;
  /** The host the kill test kills, with its data dir: started here, beside the others. */
  let doomed: { dataDir: string; host: RunningHost | undefined };
  beforeAll(async () => {
    [browser, host, files, doomed] = await Promise.all([
      launchBrowser(),
      tempDir().then((d) => startHost(d)),
      tempDir('mm-migration-e2e-'),
      tempDir().then(async (dataDir) => ({ dataDir, host: await startHost(dataDir) })),
    ]);
  });
  afterAll(async () => {
    await Promise.all([host?.stop(), doomed?.host?.stop()]);
    await browser?.close();
  });

  it('previews, starts, pauses and resumes the demo batch, then shows what the sandbox holds', async () => {
    await readyToMigrate(host);

    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const errors = watchConsole(page);
    const app = new AppPage(page);
    await app.open(host.url);
    await app.gotoProjects();
    await app.projectRow('Demo migration').getByRole('button', { name: 'Open' }).click();
    await page.getByTestId('project-title').waitFor();
    const migration = new MigrationPage(page);
    await migration.open();

    // What the batch will do, counted before it starts.
    const accounts = await migration.previewCount('accounts');
    const domains = await migration.previewCount('domains');
    await screenshot(page, 'migration-preview-1440');
    expect(accounts).toBeGreaterThan(0);
    expect(domains).toBeGreaterThan(0);
    const kinds = await migration.previewKinds();
    expect(kinds['Accounts']).toBe(accounts);

    // Start at 2 steps at once, pause once something is done, resume.
    await migration.start('2');
    await expect
      .poll(async () => (await migration.progress('steps')).done, { timeout: 120_000 })
      .toBeGreaterThan(0);
    await migration.control('Pause');
    await migration.waitForState('paused', 120_000);
    const paused = await migration.progress('steps');
    expect(paused.done).toBeLessThan(paused.total);
    // Paused means paused: nothing moves.
    await page.waitForTimeout(1_500);
    expect((await migration.progress('steps')).done).toBe(paused.done);
    await screenshot(page, 'migration-paused-1440');
    await targetWithoutLatency(host);
    await migration.control('Resume');
    const ended = await migration.waitForEnd();
    await screenshot(page, 'migration-ended-1440');
    expect(ended, (await migration.batch.textContent()) ?? '').toBe('done');

    // Every object migrated, and the read-back found everything the plan made.
    const objects = await migration.progress('objects');
    expect(objects).toEqual({ done: accounts + domains, total: accounts + domains, failed: 0 });
    const readBack = await migration.readBack();
    for (const [kind, n] of Object.entries(readBack)) expect(n.found, kind).toBe(n.planned);
    expect(readBack['accounts']?.found).toBe(accounts);
    expect(readBack['domains']?.found).toBe(domains);
    await expect.poll(() => migration.count()).toBe(`${accounts + domains} of ${accounts + domains} objects`);
    await screenshot(page, 'migration-done-1440');

    // The sandbox holds each migrated domain, and as many of each kind as the read-back says.
    const dump = await sandboxDump(host);
    const names: string[] = [];
    const table = await call<{ ref: { kind: string }; name: string; state: string }[]>(
      host,
      'migration:objects',
      {
        projectId: 'demo-migration',
        jobId: await migration.batch.getAttribute('data-job'),
      },
    );
    // The target holds domain names in IDNA ASCII.
    for (const o of table) if (o.ref.kind === 'domain') names.push(domainToASCII(o.name));
    expect(names).toHaveLength(domains);
    const ours = (dump['domains'] ?? []).filter((d) =>
      names.includes(String(d['domain_name']).toLowerCase()),
    );
    expect(ours.map((d) => String(d['domain_name']).toLowerCase()).sort()).toEqual([...names].sort());
    const subs = new Set(ours.map((d) => String(d['subscription_id'])));
    const inOurSubs = (table: string): number =>
      (dump[table] ?? []).filter((r) => subs.has(String(r['subscription_id']))).length;
    expect(inOurSubs('mailboxes')).toBe(readBack['mailboxes']?.found);
    expect(inOurSubs('databases')).toBe(readBack['databases']?.found);
    expect(inOurSubs('ftp_users')).toBe(readBack['ftpUsers']?.found);

    // One domain's drawer: its steps with the target's ids, the ones the sandbox has.
    const domain = ours.find((d) =>
      (dump['mailboxes'] ?? []).some((m) => String(m['subscription_id']) === String(d['subscription_id'])),
    );
    expect(domain, 'a migrated domain with mailboxes').toBeDefined();
    const domainName = String(domain?.['domain_name']);
    const shown = table.find((o) => o.ref.kind === 'domain' && domainToASCII(o.name) === domainName)?.name;
    const drawer = await migration.openObject(shown ?? domainName);
    const steps = drawer.getByTestId('object-step');
    expect(await steps.count()).toBeGreaterThan(1);
    expect(
      await drawer
        .locator('[data-testid="object-step"]:not([data-state="done"]):not([data-state="not-carried"])')
        .count(),
    ).toBe(0);
    // Its mailboxes as the drawer shows them (login and subscription) are the sandbox's.
    const mailboxes = await stepIds(drawer, 'mailbox');
    const sandboxMailboxes = (dump['mailboxes'] ?? []).filter(
      (m) => String(m['subscription_id']) === String(domain?.['subscription_id']),
    );
    expect(mailboxes.map((ids) => ids['login']).sort()).toEqual(
      sandboxMailboxes.map((m) => `${String(m['name'])}@${String(m['domain_name'])}`.toLowerCase()).sort(),
    );
    for (const ids of mailboxes) expect(ids['subscriptionId']).toBe(String(domain?.['subscription_id']));
    // The history timeline shows each step of it that the target (or a node) did.
    await drawer.getByTestId('history').waitFor();
    const history = (await drawer.getByTestId('history').textContent()) ?? '';
    const doneLabels = await drawer
      .locator('[data-testid="object-step"][data-state="done"] td:first-child p:first-child')
      .allTextContents();
    expect(doneLabels.length).toBeGreaterThan(1);
    for (const label of doneLabels) expect(history, label).toContain(`${label}: `);
    // … with the ids the target gave, the sandbox's own.
    expect(history).toContain(`subscriptionId=${String(domain?.['subscription_id'])}`);
    // The drawer is fixed to the viewport: shot as the viewport shows it.
    await page.screenshot({ path: join(TEST_OUTPUT, 'screenshots', 'migration-drawer-1440.png') });
    await page.setViewportSize({ width: 1024, height: 768 });
    await page.screenshot({ path: join(TEST_OUTPUT, 'screenshots', 'migration-drawer-1024.png') });
    await page.keyboard.press('Escape');
    await page.getByTestId('object-drawer').waitFor({ state: 'hidden' });
    await page.locator('.mantine-Drawer-overlay').waitFor({ state: 'detached' });
    await screenshot(page, 'migration-done-1024');
    await page.setViewportSize({ width: 1440, height: 900 });

    // The report of the batch: the same objects, with the target's ids.
    const report = await download(page, 'Migration report (HTML)', files);
    const reportPage = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await reportPage.goto(`file://${report}`);
    expect(await reportPage.locator('h1').textContent()).toBe('Migration report: Demo migration');
    expect(await reportPage.locator('td', { hasText: shown ?? domainName }).count()).toBeGreaterThan(0);
    await screenshot(reportPage, 'migration-report');
    await reportPage.screenshot({ path: join(TEST_OUTPUT, 'screenshots', 'migration-report-top.png') });
    await reportPage.close();

    // The dashboard counts the batch; its number opens the filtered table.
    await page
      .getByRole('navigation', { name: 'Main navigation' })
      .getByText('Dashboard', { exact: true })
      .click();
    const migrated = page.getByTestId('migration-stat-migrated');
    await expect
      .poll(async () => Number(await migrated.textContent()), { timeout: 30_000 })
      .toBe(accounts + domains);
    expect(Number(await page.getByTestId('migration-stat-failed').textContent())).toBe(0);
    await screenshot(page, 'dashboard-migration-1440');
    await migrated.click();
    await page.getByRole('heading', { name: 'Migration', exact: true }).waitFor();
    await expect.poll(() => migration.count()).toBe(`${accounts + domains} of ${accounts + domains} objects`);
    await page.getByTestId('migration-objects').waitFor();

    // The Reports page offers the same report: one CSV row per step, the domain's among them.
    await page
      .getByRole('navigation', { name: 'Main navigation' })
      .getByText('Reports', { exact: true })
      .click();
    const csv = await readFile(await download(page, 'Migration report (CSV)', files), 'utf8');
    expect(csv.split('\r\n')[0]).toBe(
      'Kind,Source server,Id,Name,Object state,Step id,Step kind,Step,Step state,Target ids,Message,How known,At',
    );
    const domainRows = csv.split('\r\n').filter((l) => l.startsWith('domain,'));
    expect(new Set(domainRows.map((l) => l.split(',')[2])).size).toBe(domains);
    expect(domainRows.every((l) => l.split(',')[4] === 'migrated')).toBe(true);
    expect(errors).toEqual([]);
  }, 900_000);

  it('in a review copy shows no control, and the bundle carries the migration report', async () => {
    const bundle = await hostDownload(host, 'review:export', { projectId: 'demo-migration' });
    const content = JSON.parse(gunzipSync(bundle).toString('utf8')) as {
      files: Record<string, { json?: { html: string; csv: string } }>;
    };
    const carried = content.files['reports/migration-report.json']?.json;
    expect(carried?.html).toContain('<h1>Migration report: Demo migration</h1>');
    expect(carried?.csv.split('\r\n')[0]).toMatch(/^Kind,Source server,Id,Name,Object state,Step id/);

    const copy = await hostUpload<{ id: string }>(host, 'review:open', {}, bundle, 'demo.mmreview');
    const page = await browser.newPage({ viewport: { width: 1024, height: 768 } });
    const app = new AppPage(page);
    await app.open(host.url);
    await page.goto(`${host.origin}/#/p/${encodeURIComponent(copy.id)}/migration`);
    await page.getByTestId('migration-read-only').waitFor();
    expect(await page.getByRole('button', { name: 'Start batch' }).count()).toBe(0);
    for (const control of ['Pause', 'Resume', 'Cancel', 'Retry failed'])
      expect(await page.getByRole('button', { name: control, exact: true }).count()).toBe(0);
    // What it does show: the migration report exported with the copy.
    await page.getByTestId('migration-exported').waitFor();
    const exported = await readFile(await download(page, 'Migration report (HTML)', files), 'utf8');
    expect(exported).toBe(carried?.html);
    await screenshot(page, 'migration-review-copy-1024');
  }, 120_000);

  it('offers Resume for a batch whose host was killed, and the resumed batch creates nothing twice', async () => {
    const { dataDir } = doomed;
    let first = doomed.host;
    if (!first) throw new Error('the host to kill was not started');
    let second: RunningHost | undefined;
    try {
      await readyToMigrate(first);
      const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
      const app = new AppPage(page);
      await app.open(first.url);
      await page.goto(`${first.origin}/#/p/demo-migration/migration`);
      const migration = new MigrationPage(page);
      const total = (await migration.previewCount('accounts')) + (await migration.previewCount('domains'));
      await migration.start('1');
      await expect
        .poll(async () => (await migration.progress('steps')).done, { timeout: 120_000 })
        .toBeGreaterThan(3);
      // The host dies mid-batch, as a crash or a power cut would end it.
      first.process.kill('SIGKILL');
      await new Promise((r) => first?.process.once('exit', r));
      first = doomed.host = undefined;
      second = await startHost(dataDir);
      await app.open(second.url);
      await page.goto(`${second.origin}/#/p/demo-migration/migration`);
      await page.getByTestId('batch-interrupted').waitFor();
      expect(await migration.batch.getByRole('button', { name: 'Resume', exact: true }).count()).toBe(1);
      await screenshot(page, 'migration-interrupted-1440');
      await targetWithoutLatency(second);
      await migration.control('Resume');
      expect(await migration.waitForEnd()).toBe('done');
      expect(await migration.progress('objects')).toEqual({ done: total, total, failed: 0 });
      for (const [kind, n] of Object.entries(await migration.readBack()))
        expect(n.found, kind).toBe(n.planned);
      // Each object exactly once on the target.
      const dump = await sandboxDump(second);
      const once = (table: string, key: (r: Row) => string): void => {
        const keys = (dump[table] ?? []).map(key);
        expect(
          keys.filter((k, i) => keys.indexOf(k) !== i),
          table,
        ).toEqual([]);
      };
      once('domains', (r) => String(r['domain_name']));
      once('mailboxes', (r) => `${String(r['name'])}@${String(r['domain_name'])}`);
      once('members', (r) => String(r['login']));
    } finally {
      await first?.stop();
      doomed.host = undefined;
      await second?.stop();
    }
  }, 600_000);
});
