/**
 * The e2e fixture of a project shared on PostgreSQL: headless Chromium, a prepared migration run
 * moved into a PostgreSQL of its own (sharedRun, test/team/team-helpers.ts) and the browser host
 * serving that run's data dir — the pages open on it while `mm` processes work on the same
 * project. PGPASSWORD is set before the host starts, so it finds the password as a worker
 * machine does.
 */
import type { Browser } from 'playwright-core';
import { launchBrowser } from '../helpers/browser';
import { type RunningHost, startHost } from '../helpers/processes';
import { type SharedRun, sharedRun } from '../team/team-helpers';

export interface SharedHost {
  readonly browser: Browser;
  readonly shared: SharedRun;
  readonly host: RunningHost;
  /** Stops the host, closes the browser, then stops what sharedRun started. */
  stop(): Promise<void>;
}

/** Starts Chromium and the shared run side by side, then the host (`--no-demo`) on the run's data dir. */
export async function sharedHost(o: Parameters<typeof sharedRun>[0]): Promise<SharedHost> {
  const [browser, shared] = await Promise.all([launchBrowser(), sharedRun(o)]);
  const host = await startHost(shared.run.dataDir, ['--no-demo']);
  return {
    browser,
    shared,
    host,
    stop: async () => {
      await host.stop();
      await browser.close();
      await shared.stop();
    },
  };
}
