import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshot, watchConsole } from '../helpers/browser';
import { tempDir } from '../helpers/paths';
import { type RunningHost, startHost } from '../helpers/processes';
import { AppPage } from './pages/app-page';
import { SelectionPage } from './pages/selection-page';
import { TemplatesPage, pick } from './pages/templates-page';
import { VerificationPage } from './pages/verification-page';

describe('mapping → selection → verification → resolution on the demo project', () => {
  let browser: Browser;
  let host: RunningHost;
  beforeAll(async () => {
    [browser, host] = await Promise.all([launchBrowser(), tempDir().then((d) => startHost(d))]);
  });
  afterAll(async () => {
    await host?.stop();
    await browser?.close();
  });

  it('maps the templates, selects everything, verifies, resolves one issue of each kind and undoes one', async () => {
    const page = await browser.newPage({ viewport: { width: 1500, height: 1000 } });
    // Generous: the whole suite shares two cores; the test waits for states, never sleeps.
    page.setDefaultTimeout(60_000);
    const errors = watchConsole(page);
    const app = new AppPage(page);
    await app.open(host.url);
    await app.gotoProjects();
    await app.projectRow('Demo migration').getByRole('button', { name: 'Open' }).click();
    await page.getByTestId('project-title').waitFor();

    // --- Mapping: accept three suggestions after review, map one template by hand ---------------
    const templates = new TemplatesPage(page);
    await templates.open();
    expect(await templates.count()).toBe('0 of 8 templates mapped');
    await templates.suggest();
    // Every suggestion shows how sure it is and why.
    await templates.suggestions
      .getByTestId('suggestion')
      .filter({ hasText: 'Extra disk 5 GB' })
      .getByText('75% sure')
      .waitFor();
    await templates.suggestions
      .getByText('PBA resource plan 301 "Extra disk space 1 GB" (match 75%)')
      .waitFor();
    await templates.applyOnly(['Linux web hosting (virtual)', 'Sphera Business', 'Extra disk 5 GB']);
    await templates.suggestions.getByText('3 mapping(s) stored.').waitFor();
    await templates.closeSuggestions();
    await templates
      .row('sph-extra-disk')
      .locator('[data-testid="mapping-state"]', { hasText: 'complete' })
      .waitFor();
    await expect.poll(() => templates.count()).toBe('3 of 8 templates mapped');

    const editor = await templates.openEditor('Linux DNS and mail (virtual)');
    await expect
      .poll(() => editor.getByRole('radio', { name: 'Hosting', exact: true }).isChecked())
      .toBe(true);
    await pick(editor, 'POA service template', 'DNS Hosting (17)');
    // The PBA plan that provisions the chosen POA template is picked with it.
    await expect
      .poll(() => editor.getByRole('textbox', { name: 'PBA hosting plan' }).inputValue())
      .toBe('DNS Hosting (yearly) (108)');
    await editor.getByRole('button', { name: 'Save mapping' }).click();
    await page
      .getByTestId('mapping-notice')
      .getByText('linux-dns-mail mapped (verified against the target)')
      .waitFor();
    await editor.waitFor({ state: 'hidden' });
    await expect.poll(() => templates.count()).toBe('4 of 8 templates mapped');
    // Target ids come with the target's names.
    await expect.poll(() => templates.row('linux-dns-mail').textContent()).toContain('POA 17 "DNS Hosting"');
    expect(await templates.row('sph-legacy').getByTestId('mapping-state').textContent()).toBe('unmapped');
    await screenshot(page, 'mapping');

    // --- Selection: everything on both servers ----------------------------------------------------
    const selection = new SelectionPage(page);
    await selection.open();
    await selection.selectAll();
    await expect.poll(async () => (await selection.totals()).domains).toBe('19 of 19');
    expect((await selection.totals()).accounts).toBe('14 of 14');
    // One domain off and on again, from the table.
    await selection.showDomains();
    await selection.search('kiez-cafe');
    const kiez = selection.checkbox('kiez-cafe.test', 'Demo Sphera server');
    await kiez.click();
    await expect.poll(async () => (await selection.totals()).domains).toBe('18 of 19');
    await kiez.click();
    await expect.poll(() => kiez.isChecked()).toBe(true);
    await expect.poll(async () => (await selection.totals()).domains).toBe('19 of 19');
    await screenshot(page, 'selection');

    // --- Verification ----------------------------------------------------------------------------
    const verification = new VerificationPage(page);
    await verification.open();
    await page.getByTestId('not-verified').waitFor();
    await verification.run();
    // The demo's inventories and the mapping above are fixed, and so are the verdicts.
    const failedBefore = await verification.count('domain', 'verification-failed');
    expect({
      autoApproved: await verification.count('domain', 'auto-approved'),
      failed: failedBefore,
    }).toEqual({ autoApproved: 11, failed: 8 });

    // Re-map: havel-yachts.test fails because its template (Sphera Basic) is unmapped.
    await verification.openRow('havel-yachts', 'domain');
    expect(await verification.status()).toBe('verification-failed');
    await verification.detail
      .getByText(/domain havel-yachts\.test on Demo Sphera server · account C12/)
      .waitFor();
    await verification
      .reason('unmapped-subscriptions')
      .getByText('Unmapped subscription(s)', { exact: true })
      .waitFor();
    await verification
      .reason('unmapped-subscriptions')
      .getByText(/Found one or more unmapped subscriptions/)
      .waitFor();
    await verification
      .reason('unmapped-subscriptions')
      .getByRole('button', { name: 'Map template Sphera Basic (sph-basic)' })
      .click();
    const remap = page.getByRole('dialog', { name: /^Map / });
    await pick(remap, 'POA service template', 'Linux Hosting Starter (11)');
    await expect
      .poll(() => remap.getByRole('textbox', { name: 'PBA hosting plan' }).inputValue())
      .toBe('Starter (monthly) (101)');
    await remap.getByRole('button', { name: 'Re-map and re-verify' }).click();
    await expect.poll(() => verification.status()).toBe('auto-approved');
    await verification.closeDetail();

    // Un-select a conflicting domain: acme-widgets.test is hosted on both servers.
    await verification.openRowOn('Demo Sphera server', 'acme-widgets.test', 'domain');
    expect(await verification.status()).toBe('verification-failed');
    await verification.applyFix(
      'hosting-on-several-servers',
      'Unselect acme-widgets.test on Demo Linux server',
    );
    await expect.poll(() => verification.status()).toBe('auto-approved');
    await verification.closeDetail();

    // Override: mitte-dental.test has two registration subscriptions (and an unmapped combo one).
    const detail = await verification.openRow('mitte-dental', 'domain');
    expect(await verification.status()).toBe('verification-failed');
    const unmapped = verification.reason('unmapped-subscriptions');
    // The reason names the subscriptions it is about, each a link to its result.
    expect(await unmapped.getByTestId('reason-objects').textContent()).toMatch(/Named here:.*S-210/);
    const sideEffects = new Map<string, string[]>();
    for (const id of ['S-211', 'S-212', 'S-210']) {
      const fix = unmapped.getByRole('button', { name: `Mark subscription ${id} not migrated` });
      sideEffects.set(
        id,
        await verification.applyFix('unmapped-subscriptions', `Mark subscription ${id} not migrated`),
      );
      await detail.getByTestId('decision-outcome').getByText(new RegExp(id)).waitFor();
      await fix.waitFor({ state: 'detached' });
    }
    // Each fix said beforehand what else it changes (the incremental verification's answer):
    // marking S-210 turns the domain itself from "failed" to "manual approval", and the notice
    // after it repeats that, with Undo.
    expect(sideEffects.get('S-211')).toEqual([]);
    expect(sideEffects.get('S-210')).toEqual([
      'domain mitte-dental.test: Verification failed → Manual approval required',
    ]);
    await detail
      .getByTestId('decision-outcome')
      .getByText('Also changed domain mitte-dental.test: Verification failed → Manual approval required')
      .waitFor();
    await detail.getByTestId('decision-outcome').getByRole('button', { name: 'Undo' }).waitFor();
    // Left with its resource subscription only: it now waits for the engineer.
    await expect.poll(() => verification.status()).toBe('manual-approval-required');

    // Manual approval.
    await verification.applyFix('no-hosting-subscription', 'Approve mitte-dental.test');
    await expect.poll(() => verification.status()).toBe('manually-approved');
    // An approved domain offers no Approve any more.
    expect(await detail.getByRole('button', { name: /^Approve/ }).count()).toBe(0);
    await verification.closeDetail();
    await expect.poll(() => verification.count('domain', 'manually-approved')).toBe(1);
    await expect.poll(() => verification.count('subscription', 'not-migrated')).toBe(3);
    await verification.openRow('S-211', 'subscription');
    expect(await verification.status()).toBe('not-migrated');
    await verification.reason('override-not-migrated').waitFor();
    await verification.closeDetail();
    // havel-yachts, mitte-dental and acme-widgets on both servers (one now unselected) no longer fail.
    await expect.poll(() => verification.count('domain', 'verification-failed')).toBe(failedBefore - 4);

    // Undo the approval: the domain waits for approval again.
    await verification.showDecisions();
    await expect.poll(() => verification.decisionRows().count()).toBe(6);
    // Classes and servers in words, not internal keys.
    const remapRow = verification.decisionRows().and(page.locator('[data-kind="remap"]'));
    expect(await remapRow.textContent()).toContain('Hosting (POA 11, PBA 101)');
    expect(await remapRow.textContent()).not.toMatch(/\bhosting \(POA/);
    await verification
      .decisionRows()
      .and(page.locator('[data-kind="approve"]'))
      .getByRole('button', { name: /^Undo/ })
      .click();
    const confirm = page.getByRole('dialog', { name: 'Undo this decision?' });
    await confirm.getByRole('button', { name: 'Undo decision' }).click();
    await page.getByTestId('undo-notice').waitFor();
    await page.locator('[data-testid="decision-row"][data-kind="approve"][data-undone="true"]').waitFor();
    await expect.poll(() => verification.count('domain', 'manually-approved')).toBe(0);
    await expect.poll(() => verification.count('domain', 'manual-approval-required')).toBe(1);
    await verification.showResults();
    await verification.openRow('mitte-dental', 'domain');
    expect(await verification.status()).toBe('manual-approval-required');
    await verification
      .reason('no-hosting-subscription')
      .getByRole('button', { name: /^Approve/ })
      .first()
      .waitFor();
    await verification.detailSettled();
    await screenshot(page, 'verification-detail');
    await verification.closeDetail();
    await verification.search('');
    await screenshot(page, 'verification');
    expect(errors).toEqual([]);
  }, 240_000);
});
