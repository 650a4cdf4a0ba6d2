/**
 * The demo composition: the app shells start a sandbox in-process and point the demo project
 * at it. Its ports are new on every start, so the demo's target is (re)attached on every start,
 * not only when the demo is created. Lives beside the sandbox, outside the core.
 */
import { join } from 'node:path';
import type { Core } from '../core/core';
import { attachDemoSourceWeb, startDemoSourceWeb } from './demo-source-web';
import { type RunningSandbox, startSandbox } from './sandbox';

/** Requests of the demo's sandbox run this long: enough for the engine to be seen waiting. */
export const DEMO_ASYNC_MS = 300;

/** The app's sandbox, with the demo source's web server when there is a demo layout. */
export type AppSandbox = RunningSandbox & { readonly demoSourceWebUrl?: string };

/**
 * Starts the app's own sandbox on free loopback ports, its state under `<data>/sandbox`, and
 * the demo source's web server beside it (closed with it).
 */
export async function startAppSandbox(dataDir: string): Promise<AppSandbox> {
  const sandbox = await startSandbox({
    dataDir: join(dataDir, 'sandbox'),
    poaPort: 0,
    pbaPort: 0,
    webPort: 0,
    asyncMs: DEMO_ASYNC_MS,
  });
  const web = await startDemoSourceWeb(dataDir).catch(async (e: unknown) => {
    await sandbox.close();
    throw e;
  });
  if (!web) return sandbox;
  return {
    ...sandbox,
    demoSourceWebUrl: web.url,
    close: async () => {
      await Promise.all([sandbox.close(), web.close()]);
    },
  };
}

/**
 * Points every demo project at the running sandbox (the sandbox needs no credentials), and its
 * Linux demo server at the demo source's web server when one runs.
 */
export async function attachDemoTarget(
  core: Core,
  sandbox: Pick<RunningSandbox, 'poaUrl' | 'pbaUrl'> & { readonly demoSourceWebUrl?: string },
): Promise<void> {
  for (const project of await core.projects.list()) {
    if (!project.demo || project.problem !== undefined) continue;
    await core.target.set(project.id, {
      poaUrl: sandbox.poaUrl,
      poaUser: '',
      poaPassword: '',
      pbaUrl: sandbox.pbaUrl,
      pbaUser: '',
      pbaPassword: '',
      tlsFingerprint: '',
      sandbox: true,
    });
  }
  if (sandbox.demoSourceWebUrl) await attachDemoSourceWeb(core, sandbox.demoSourceWebUrl);
}
