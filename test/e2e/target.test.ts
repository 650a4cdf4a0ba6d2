import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PoaClient } from '../../electron/core/target/poa-client';
import { startSandbox } from '../../electron/sandbox/sandbox';
import { launchBrowser, screenshot, watchConsole } from '../helpers/browser';
import { tempDir } from '../helpers/paths';
import { startHost } from '../helpers/processes';
import { startSshd } from '../helpers/sshd';
import { AppPage } from './pages/app-page';
import { TargetPage } from './pages/target-page';

describe('the Target page in Chromium through the browser host', () => {
  let browser: Browser;
  /** Hosts and sandboxes to stop even when a test fails half-way. */
  const cleanup: (() => Promise<void>)[] = [];
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterEach(async () => {
    await Promise.all(cleanup.splice(0).map((stop) => stop()));
  });
  afterAll(async () => {
    await browser?.close();
  });

  /** A browser host with no demo, a new project, and its Target page open. */
  async function newProjectOnTargetPage(name: string) {
    const host = await startHost(await tempDir(), ['--no-demo']);
    cleanup.push(() => host.stop());
    const page = await browser.newPage();
    const errors = watchConsole(page);
    const app = new AppPage(page);
    await app.open(host.url);
    await app.gotoProjects();
    await app.createProject(name);
    const target = new TargetPage(page);
    await target.open();
    return { page, errors, target };
  }

  it('sets the target to a sandbox through the UI, sees its templates and plans, and browses what it holds', async () => {
    const sandbox = await startSandbox({ dataDir: await tempDir('mm-sandbox-') });
    cleanup.push(() => sandbox.close());
    const poa = new PoaClient({ url: sandbox.poaUrl });
    const accountId = await poa.addAccount({
      account_type: 'C',
      person: { first_name: 'Ada', last_name: 'Lovelace' },
      address: { street_name: 'St James Sq', zipcode: 'SW1', city: 'London', country: 'gb', state: 'LDN' },
      phone: { country_code: '44', area_code: '20', phone_num: '5550100', ext_num: '' },
      email: 'ada@engine.example',
    });
    const sub = await poa.activateSubscription({ account_id: accountId, service_template_id: 13 });
    await poa.addDomain({ subscription_id: sub, domain_name: 'engine.example' });

    const { page, errors, target } = await newProjectOnTargetPage('Rehearsal');
    await target.fill({
      poaUrl: sandbox.poaUrl,
      poaUser: 'admin',
      poaPassword: 'p&ss',
      pbaUrl: sandbox.pbaUrl,
    });
    await target.save();
    await page.getByRole('button', { name: 'Test connection' }).waitFor();
    await expect
      .poll(() => target.form.getByLabel('POA password').getAttribute('placeholder'))
      .toContain('stored');

    await target.testConnection();
    await target.templates.getByText('Linux Hosting Professional').waitFor();
    await target.plans.getByText('Domain registration .info').waitFor();
    expect(await target.plans.getByRole('row').count()).toBe(21); // header + 20 plans

    // Content nodes: the sandbox's own web and mail nodes (nothing registered), tested green.
    const nodes = page.getByTestId('target-nodes');
    await nodes.getByTestId('node-web').getByText("The sandbox's own (local)").waitFor();
    await nodes.getByTestId('node-mail').getByText(`${sandbox.dataDir}/nodes/mail`).waitFor();
    await nodes.getByTestId('node-web').getByRole('button', { name: 'Test' }).click();
    await nodes
      .getByTestId('node-web')
      .getByText(/^ok · \d+ ms$/)
      .waitFor();

    await target.browser.getByRole('tab', { name: /Domains/ }).click();
    await target.browser
      .getByRole('table', { name: 'Domains' })
      .getByRole('cell', { name: 'engine.example', exact: true })
      .waitFor();
    // The tab's badge counts what the table holds (all shown: far below the browser's cut).
    const shownRows = await target.browser
      .getByRole('table', { name: 'Domains' })
      .locator('tbody tr')
      .count();
    expect(shownRows).toBeGreaterThan(0);
    expect(await target.browser.getByTestId('target-count-domains').textContent()).toBe(String(shownRows));
    await screenshot(page, 'target-sandbox');
    expect(errors).toEqual([]);
  });

  it('registers a mail node over SSH from the page (key, host key pinned on first connection), tests it and removes it', async () => {
    const sandbox = await startSandbox({ dataDir: await tempDir('mm-sandbox-') });
    cleanup.push(() => sandbox.close());
    const sshd = await startSshd();
    cleanup.push(() => sshd.stop());
    const { page, errors, target } = await newProjectOnTargetPage('Nodes');
    await target.fill({
      poaUrl: sandbox.poaUrl,
      poaUser: 'admin',
      poaPassword: 'sandbox',
      pbaUrl: sandbox.pbaUrl,
    });
    await target.save();

    const nodes = page.getByTestId('target-nodes');
    await nodes.getByTestId('node-mail').getByText("The sandbox's own (local)").waitFor();
    await nodes.getByRole('button', { name: 'Add a node' }).click();
    const form = nodes.getByTestId('add-node-form');
    const register = form.getByRole('button', { name: 'Register and test' });
    expect(await register.isDisabled()).toBe(true); // nothing typed yet
    await form.getByRole('textbox', { name: 'Role' }).click();
    await page.getByRole('option', { name: /^Mail node/ }).click();
    await form.getByRole('textbox', { name: 'Host', exact: true }).fill('127.0.0.1');
    await form.getByRole('textbox', { name: 'SSH port' }).fill(String(sshd.port));
    await form.getByRole('textbox', { name: 'SSH user' }).fill(sshd.user);
    const mailRoot = await tempDir('mm-mail-node-');
    await form.getByRole('textbox', { name: 'Root folder' }).fill(mailRoot);
    await form.getByText('Private key', { exact: true }).click(); // the segmented control's label
    await form.getByRole('textbox', { name: 'Private key' }).fill(sshd.clientKey);
    await form.getByLabel(/^Pin the host key/).check();
    await register.click();

    const row = nodes.getByTestId('node-mail');
    await row.getByText(`${sshd.user}@127.0.0.1:${sshd.port}`).waitFor();
    await row.getByText(sshd.hostFingerprint).waitFor(); // pinned: what the node showed
    await row.getByText(/^ok · \d+ ms$/).waitFor();
    await screenshot(page, 'target-node-added');

    await row.getByRole('button', { name: 'Remove' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Remove the node' }).click();
    await nodes.getByTestId('node-mail').getByText("The sandbox's own (local)").waitFor();
    expect(errors).toEqual([]);
  });

  it('shows a bad URL as the core refuses it, on the field', async () => {
    const host = await startHost(await tempDir(), ['--no-demo']);
    cleanup.push(() => host.stop());
    const page = await browser.newPage();
    const app = new AppPage(page);
    await app.open(host.url);
    await app.gotoProjects();
    await app.createProject('Typos');
    const target = new TargetPage(page);
    await target.open();
    await target.fill({ poaUrl: 'file:///etc/passwd', pbaUrl: '' });
    await target.save();
    // Said on the POA URL field, in words (no "poaUrl:" prefix, no alert repeating it).
    const message = target.form.locator('.mantine-TextInput-error').first();
    await expect.poll(() => message.textContent()).toMatch(/^[A-Z]/);
    expect(await message.textContent()).not.toContain('poaUrl');
    expect(await target.form.getByTestId('api-error').count()).toBe(0);
    expect(
      await target.form.getByRole('textbox', { name: 'POA URL', exact: true }).getAttribute('aria-invalid'),
    ).toBe('true');
  });

  it('the demo project starts with the built-in sandbox target configured', async () => {
    const host = await startHost(await tempDir());
    cleanup.push(() => host.stop());
    const page = await browser.newPage();
    const app = new AppPage(page);
    await app.open(host.url);
    await app.gotoProjects();
    await app.projectRow('Demo migration').getByRole('button', { name: 'Open' }).click();
    const target = new TargetPage(page);
    await target.open();
    await page.getByText('Sandbox target', { exact: true }).waitFor();
    await target.testConnection();
    await target.templates.getByText('Linux Hosting Starter').waitFor();
    await target.plans.getByText('Dedicated IP address').waitFor();
    await screenshot(page, 'target-demo');
  });
});
