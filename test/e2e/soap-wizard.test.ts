/**
 * A source server without SSH, registered through the wizard as an engineer would: the real
 * linux agent serving `perl agent.pl --serve` on loopback (plain HTTP and HTTPS with a
 * certificate nobody pinned yet), the browser host, real Chromium. The inventory fetched from
 * the server card holds exactly the layout's domains; a wrong token is said plainly and leaves
 * no server behind.
 */
import { existsSync, rmSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshot, watchConsole } from '../helpers/browser';
import { serverNames } from '../helpers/host-api';
import { type LinuxLayout, buildLinuxLayout, standardLinuxLayout } from '../helpers/layouts/linux-layout';
import { tempDir } from '../helpers/paths';
import { type RunningHost, startHost } from '../helpers/processes';
import { type ServedAgent, makeCertificate, serveAgent } from '../soap/served-agent';
import { AppPage } from './pages/app-page';
import { InventoryPage } from './pages/inventory-page';
import { ServersPage, SoapWizard } from './pages/servers-page';
import { storedInDatabase } from '../helpers/store-under-test';

const PROJECT = 'soap-sources';

/**
 * The domains the linux agent reports for a layout: every site (a subdomain counts under its
 * parent), zone and mail domain, once by its ASCII name — the rule test/agents/linux.test.ts
 * checks against the agent's own answer.
 */
function expectedDomains(l: LinuxLayout): Set<string> {
  const ascii = (name: string): string => new URL(`http://${name.replace(/\.$/, '')}`).hostname;
  return new Set([
    ...l.sites.filter((s) => !s.parent).map((s) => ascii(s.serverName)),
    ...l.zones.map((z) => ascii(z.statementName)),
    ...[...l.mailDomainsInline, ...l.mailDomainsTable].map(ascii),
  ]);
}

/** Every file below a directory, with its text (to prove a token is nowhere in plain text). */
async function allText(dir: string): Promise<string> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const texts = await Promise.all(
    entries.filter((e) => e.isFile()).map((e) => readFile(join(e.parentPath, e.name), 'latin1')),
  );
  // on the PostgreSQL store the project's documents are rows: their text counts as well
  const rows = (await storedInDatabase(dir)).map(([, bytes]) => bytes.toString('latin1'));
  return [...texts, ...rows].join('\n');
}

describe('a SOAP source server registered through the wizard', () => {
  let browser: Browser;
  let host: RunningHost;
  let dataDir: string;
  let http: ServedAgent;
  let https: ServedAgent;
  let marker: string;
  let domains: number;

  beforeAll(async () => {
    const root = await tempDir('mm-e2e-soap-layout-');
    // Hostile names in the layout run `touch <marker>` if anything hands them to a shell.
    marker = join(await tempDir('mm-e2e-soap-marker-'), 'touched');
    const layout = standardLinuxLayout(marker);
    buildLinuxLayout(root, layout);
    domains = expectedDomains(layout).size;
    dataDir = await tempDir();
    [browser, host, http, https] = await Promise.all([
      launchBrowser(),
      startHost(dataDir, ['--no-demo']),
      serveAgent('linux', { root }),
      makeCertificate().then((tls) => serveAgent('linux', { root, tls })),
    ]);
    const page = await browser.newPage();
    const app = new AppPage(page);
    await app.open(host.url);
    await app.gotoProjects();
    await app.createProject('SOAP sources');
    await page.close();
  });
  afterAll(async () => {
    await http?.kill();
    await https?.kill();
    await host?.stop();
    await browser?.close();
    if (marker) rmSync(marker, { force: true });
  });

  it('over plain HTTP: URL and token, finish, fetch the inventory on the card: the layout’s domains', async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const errors = watchConsole(page);
    await new AppPage(page).open(host.url);
    const servers = new ServersPage(page);
    await servers.open(PROJECT);
    const wizard = new SoapWizard(page);
    await wizard.registerAndTest({ name: 'win01', url: http.url, token: http.token });
    const connected = await wizard.connected();
    expect(connected).toContain(`soap ${http.url}`);
    expect(connected).toMatch(/Perl 5\.\d+\.\d+/);
    await wizard.finish();

    await expect.poll(() => servers.card('win01').textContent()).toContain(`agent over SOAP at ${http.url}`);
    expect(await servers.card('win01').getByTestId('server-inventory').textContent()).toBe(
      'No inventory yet',
    );
    await servers.fetchInventory('win01');
    await expect
      .poll(() => servers.card('win01').getByTestId('server-inventory').textContent())
      .toContain(` ${domains} domains`);
    await screenshot(page, 'soap-server-inventory-1440');

    const inventory = new InventoryPage(page);
    await inventory.open(PROJECT);
    await inventory.show('Domains');
    await inventory.onlyServer('win01');
    await expect.poll(() => inventory.count()).toBe(`${domains} of ${domains} domains`);

    // The agent answered over SOAP (its request log), the token is sealed, no name reached a shell.
    expect(http.stderr()).toMatch(/POST \/mm-agent 200/);
    expect(await serverNames(host, PROJECT)).toEqual(['win01']);
    expect(await allText(dataDir)).not.toContain(http.token);
    expect(existsSync(marker)).toBe(false);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('over HTTPS: the unknown certificate’s fingerprint is shown, accepted and pinned, then the inventory', async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const errors = watchConsole(page);
    await new AppPage(page).open(host.url);
    const servers = new ServersPage(page);
    await servers.open(PROJECT);
    const wizard = new SoapWizard(page);
    await wizard.registerAndTest({ name: 'tls01', url: https.url, token: https.token });
    expect(await wizard.certificateFingerprint()).toBe(https.fingerprint);
    await screenshot(page, 'soap-wizard-certificate-1440');
    await wizard.acceptCertificate();
    expect(await wizard.connected()).toContain(`Certificate ${https.fingerprint} (pinned now)`);
    await wizard.finish();

    await servers.fetchInventory('tls01');
    await expect
      .poll(() => servers.card('tls01').getByTestId('server-inventory').textContent())
      .toContain(` ${domains} domains`);
    expect(await allText(dataDir)).toContain(https.fingerprint!);
    expect(await allText(dataDir)).not.toContain(https.token);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('a wrong token: refused plainly on the page, and no server is stored', async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await new AppPage(page).open(host.url);
    const servers = new ServersPage(page);
    await servers.open(PROJECT);
    const before = await serverNames(host, PROJECT);
    const wizard = new SoapWizard(page);
    await wizard.registerAndTest({ name: 'badtoken', url: http.url, token: 'x'.repeat(32) });
    expect(await wizard.testError()).toContain('refused the token');
    await screenshot(page, 'soap-wizard-wrong-token-1440');
    expect(http.stderr()).toMatch(/POST \/mm-agent 401/);
    await wizard.cancel();

    await expect.poll(() => serverNames(host, PROJECT)).toEqual(before);
    await page.reload();
    await page.getByRole('heading', { name: 'Source servers' }).waitFor();
    await expect.poll(() => page.getByTestId('server-card').count()).toBe(before.length);
    expect(await servers.card('badtoken').count()).toBe(0);
    expect(await allText(dataDir)).not.toContain('x'.repeat(32));
    await page.close();
  });
});
