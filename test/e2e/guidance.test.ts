/**
 * A new user is led, not left guessing: the address without its secret says where the right one
 * is; the dashboard shows the steps with what is done and a button to the next; verifying an
 * empty selection says so; a fix link opens Selection filtered to its object; an inventory
 * object reads as a card; unselect decisions hold against "Select all" in the UI too.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshot, watchConsole } from '../helpers/browser';
import { tempDir } from '../helpers/paths';
import { type RunningHost, startHost } from '../helpers/processes';
import { AppPage } from './pages/app-page';
import { SelectionPage } from './pages/selection-page';
import { VerificationPage } from './pages/verification-page';

const PROJECT = 'demo-migration';

async function call(host: RunningHost, channel: string, body: unknown): Promise<unknown> {
  const res = await fetch(`${host.origin}/api/call/${channel}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-mm-secret': host.secret },
    body: JSON.stringify(body),
  });
  const r = (await res.json()) as { ok: boolean; value: unknown; error?: { message: string } };
  if (!r.ok) throw new Error(`${channel}: ${r.error?.message}`);
  return r.value;
}

describe('guidance for a new user', () => {
  let browser: Browser;
  let host: RunningHost;
  beforeAll(async () => {
    [browser, host] = await Promise.all([launchBrowser(), tempDir().then((d) => startHost(d))]);
  });
  afterAll(async () => {
    await host?.stop();
    await browser?.close();
  });

  it('without the secret the page says which address to open, and offers nothing that would fail', async () => {
    const page = await browser.newPage();
    await page.goto(host.origin);
    await expect
      .poll(() => page.getByTestId('no-secret').textContent())
      .toMatch(/Open the address that npm start printed/);
    expect(await page.getByRole('button').count()).toBe(0);
    expect(await page.getByRole('navigation').count()).toBe(0);
    await screenshot(page, 'no-secret');
    await page.close();
  });

  it('leads through the steps, says when nothing was verified, and opens filtered views', async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    page.setDefaultTimeout(15_000);
    const errors = watchConsole(page);
    const app = new AppPage(page);
    await app.open(host.url);
    await app.gotoProjects();
    await app.projectRow('Demo migration').getByRole('button', { name: 'Open' }).click();

    // The steps: servers and the (sandbox) target are done, nothing is mapped: that is next.
    const steps = page.getByTestId('project-steps');
    await steps.waitFor();
    const state = (step: string) => steps.locator(`[data-step="${step}"]`).getAttribute('data-state');
    expect(await state('servers')).toBe('done');
    expect(await state('target')).toBe('done');
    expect(await state('templates')).toBe('attention');
    expect(await state('verification')).toBe('todo');
    await expect.poll(() => steps.getByTestId('next-step').textContent()).toBe('Next: Map the templates');
    await screenshot(page, 'dashboard-steps');
    await steps.getByTestId('next-step').click();
    await page.getByRole('heading', { name: 'Templates', exact: true }).waitFor();

    // Verifying an empty selection says so instead of a silent "Done".
    const verification = new VerificationPage(page);
    await verification.open();
    await page.getByRole('button', { name: 'Run verification' }).click();
    await expect.poll(() => page.getByTestId('empty-selection').textContent()).toMatch(/Nothing is selected/);
    await page
      .getByTestId('table-empty')
      .getByText(/select accounts and domains on the Selection page/)
      .waitFor();

    // With everything selected and verified, a fix link opens Selection filtered to its object.
    await call(host, 'selection:set', { projectId: PROJECT, mode: 'add', target: { by: 'all' } });
    await verification.run();
    await verification.openRow('C23', 'account');
    await verification.reason('no-domains').getByRole('button', { name: 'Change the selection' }).click();
    await page.getByRole('heading', { name: 'Selection', exact: true }).waitFor();
    await expect.poll(() => page.getByLabel('Search accounts and domains').inputValue()).toBe('C23');
    await page.getByTestId('selection-table').getByTestId('table-row').filter({ hasText: 'C23' }).waitFor();
    expect(await page.getByTestId('selection-table').getByTestId('table-row').count()).toBe(1);

    // An unselect decision holds against "Select all", and the page says why.
    await call(host, 'decisions:apply', {
      projectId: PROJECT,
      decision: { kind: 'unselect', serverId: 'demo-sphera-server', domainId: 'zahn-termin.test' },
    });
    const selection = new SelectionPage(page);
    await page.reload();
    await selection.servers.waitFor();
    await selection.selectAll();
    await expect.poll(async () => (await selection.totals()).domains).toBe('18 of 19');
    await page
      .getByTestId('held-domains')
      .getByText(/zahn-termin\.test on Demo Sphera server/)
      .waitFor();

    // Undo is offered only where it can work: of two re-mappings of one template, only the later.
    for (const [poa, pba] of [
      [11, 101],
      [12, 102],
    ])
      await call(host, 'decisions:apply', {
        projectId: PROJECT,
        decision: {
          kind: 'remap',
          mapping: {
            serverId: 'demo-sphera-server',
            templateId: 'sph-legacy',
            class: 'hosting',
            poaTemplateId: poa,
            pbaPlanId: pba,
          },
        },
      });
    await page.goto(new URL(`#/p/${PROJECT}/verification`, page.url()).toString());
    await verification.showDecisions();
    const remaps = verification.decisionRows().and(page.locator('[data-kind="remap"]'));
    await expect.poll(() => remaps.count()).toBe(2);
    await expect.poll(() => remaps.nth(0).getByRole('button', { name: /^Undo/ }).count()).toBe(1);
    expect(await remaps.nth(1).getByRole('button', { name: /^Undo/ }).count()).toBe(0);
    expect(await remaps.nth(1).textContent()).toMatch(/in force \(undo d-\w+ first\)/);

    // An inventory object reads as a card of labelled fields, not JSON.
    await page.goto(new URL(`#/p/${PROJECT}/inventory?kind=domains&q=kiez-cafe`, page.url()).toString());
    await page
      .getByTestId('inventory-table')
      .getByTestId('table-row')
      .filter({ hasText: 'kiez-cafe.test' })
      .click();
    await page.getByText('On source server Demo Sphera server. Customer passwords are masked.').waitFor();
    const card = page.getByTestId('inventory-detail');
    await card.getByRole('rowheader', { name: 'Account id' }).waitFor();
    expect(await card.textContent()).not.toContain('{');
    await screenshot(page, 'inventory-detail-card');
    expect(errors.filter((e) => !/Failed to load resource/.test(e))).toEqual([]);
  });
});
