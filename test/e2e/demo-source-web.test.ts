/**
 * The demo's source web server, through the browser host: the host serves the demo Linux
 * server's document roots on a free loopback port and sets it as that server's web address in
 * the check settings; the demo migrated into the sandbox, the batch's checks fetch every page
 * from it and the target and the web check passes for the Linux server's domains (no "could not
 * be reached" warning). On the next start the address follows the new port; one the user set is
 * kept.
 */
import { readFile } from 'node:fs/promises';
import { get } from 'node:http';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CheckRun, CheckSettingsView } from '../../shared/model/checks';
import type { JobSummary } from '../../shared/model/migration';
import { call, readyDemo } from '../helpers/host-api';
import { tempDir } from '../helpers/paths';
import { type RunningHost, startHost } from '../helpers/processes';

const PROJECT = 'demo-migration';

/** The demo Linux server's id and the web address its check settings hold. */
async function linuxWebAddress(host: RunningHost): Promise<{ id: string; url: string | undefined }> {
  const servers = await call<{ id: string; name: string }[]>(host, 'servers:list', { projectId: PROJECT });
  const linux = servers.find((s) => s.name === 'Demo Linux server');
  if (!linux) throw new Error('the demo has no "Demo Linux server"');
  const settings = await call<CheckSettingsView>(host, 'checks:settings', { projectId: PROJECT });
  return { id: linux.id, url: settings.sourceWeb?.[linux.id] };
}

/** GET `url` with a Host header, as the check asks a source web server (fetch drops Host). */
function getAs(url: string, host: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    get(url, { headers: { host } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    }).on('error', reject);
  });
}

describe('the demo source web server', () => {
  let host: RunningHost | undefined;
  afterAll(async () => {
    await host?.stop();
  });

  it('serves the demo docroots so the web check of a migrated demo passes, on each start’s port', async () => {
    const dataDir = await tempDir();
    host = await startHost(dataDir);
    const { id, url } = await linuxWebAddress(host);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    // A real web server over the layout: a site's index page is the file on disk, by Host header.
    const index = join(
      dataDir,
      'demo-source',
      'home',
      'acme',
      'web',
      'shop.acme-widgets.test',
      'public_html',
    );
    const res = await getAs(url ?? '', 'shop.acme-widgets.test');
    expect(res.status).toBe(200);
    expect(res.body).toBe(await readFile(join(index, 'index.html'), 'utf8'));

    await readyDemo(host, PROJECT);
    const started = host;
    const { jobId } = await call<{ jobId: string }>(started, 'migration:start', { projectId: PROJECT });
    await expect
      .poll(
        async () => (await call<JobSummary>(started, 'migration:job', { projectId: PROJECT, jobId })).state,
        { timeout: 300_000, interval: 1_000 },
      )
      .toBe('done');
    await expect
      .poll(async () => (await call<CheckRun[]>(started, 'checks:runs', { projectId: PROJECT })).length, {
        timeout: 180_000,
        interval: 1_000,
      })
      .toBe(1);
    const [run] = await call<CheckRun[]>(started, 'checks:runs', { projectId: PROJECT });
    const linuxDomains = run?.domains.filter((d) => d.server === id) ?? [];
    expect(linuxDomains.length, 'the Linux server’s migrated domains').toBeGreaterThan(0);
    const webChecks = linuxDomains.map((d) => ({
      domain: d.domain,
      web: d.checks.filter((c) => c.kind === 'web'),
    }));
    for (const { domain, web } of webChecks) {
      expect(web.length, `${domain}: a web check`).toBeGreaterThan(0);
      for (const c of web) {
        expect(c.message, domain).not.toMatch(/could not be reached/);
        expect(c.status, `${domain}: ${c.message}`).toBe('pass');
      }
    }

    // The next start: a new port, and the address follows it.
    await host.stop();
    host = await startHost(dataDir);
    const again = await linuxWebAddress(host);
    expect(again.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect((await getAs(again.url ?? '', 'shop.acme-widgets.test')).status).toBe(200);

    // An address the user set is theirs: kept over the next start.
    await call(host, 'checks:settings', { projectId: PROJECT, sourceWeb: { [id]: 'http://10.0.0.5:8080/' } });
    await host.stop();
    host = await startHost(dataDir);
    expect((await linuxWebAddress(host)).url).toBe('http://10.0.0.5:8080/');
  }, 600_000);
});
