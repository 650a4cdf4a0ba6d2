/**
 * The page's event stream across a host restart: while the host is down the page says it is
 * reconnecting and keeps trying with a growing delay (longer than the browser's one 3 s retry),
 * and once the host listens again on the same address the banner goes and live updates flow.
 */
import { createServer } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshot } from '../helpers/browser';
import { call } from '../helpers/host-api';
import { tempDir } from '../helpers/paths';
import { type RunningHost, startHost } from '../helpers/processes';
import { causedByRestart, unexplainedErrors, watchCalls, watchErrorsAt } from '../helpers/restart-errors';
import { AppPage } from './pages/app-page';

/** A port free right now on 127.0.0.1 (the host is restarted on it). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

describe('the event stream across a host restart', () => {
  let browser: Browser;
  let host: RunningHost | undefined;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await host?.stop();
    await browser?.close();
  });

  it('shows that it is reconnecting while the host is down and resumes live updates when it is back', async () => {
    const dataDir = await tempDir();
    const port = await freePort();
    // The same address and secret on both starts, as a host restarted by its user with --port.
    const args = ['--no-demo', '--port', String(port), '--secret', 'reconnect-test-secret-0123456789'];
    host = await startHost(dataDir, args);
    const page = await browser.newPage();
    page.setDefaultTimeout(30_000);
    const errors = watchErrorsAt(page);
    const calls = watchCalls(page);
    const app = new AppPage(page);
    await app.open(host.url);
    await app.gotoProjects();
    await app.createProject('Plesk box 3');
    const banner = page.getByTestId('host-reconnecting');
    expect(await banner.count()).toBe(0);

    // Stopped once the page has settled: then a failed call is a fault, not the stop's doing.
    await expect.poll(() => calls.quietFor(500), { timeout: 30_000 }).toBe(true);
    const stoppedAt = Date.now();
    await host.stop();
    await banner.waitFor();
    // Down for longer than the browser's own retry interval, several of our tries in a row.
    await expect
      .poll(async () => (await banner.textContent()) ?? '', { timeout: 30_000 })
      .toMatch(/try [3-9]/);
    await screenshot(page, 'host-reconnecting');

    host = await startHost(dataDir, args);
    await banner.waitFor({ state: 'detached' });
    // Live again: from here on, a failed try of the stream is a fault, not the restart.
    const restart = { origin: new URL(host.url).origin, from: stoppedAt, to: Date.now() };
    // Live again: a rename made by another client reaches the open page through the stream (the
    // navigation's project name follows projects:changed).
    const { projectId } = (await page.evaluate(() => ({ projectId: location.hash.split('/')[2] ?? '' }))) as {
      projectId: string;
    };
    await call(host, 'projects:rename', { projectId, name: 'Plesk box 3b' });
    await expect.poll(() => page.getByTestId('nav-project').textContent()).toBe('Plesk box 3b');

    // Only the stream's failed tries while the host was stopping, down or starting, nothing else.
    expect(unexplainedErrors(errors, restart).join('\n')).toBe('');
    expect(errors.filter((e) => causedByRestart(e, restart)).length).toBeGreaterThan(0);
    await page.close();
  });
});
