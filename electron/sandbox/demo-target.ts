/**
 * The demo project's target is the sandbox the app starts in-process. Its ports are new on every
 * start, so the demo's target is (re)attached on every start, not only when the demo is created.
 */
import { join } from 'node:path';
import type { Core } from '../core';
import { type RunningSandbox, startSandbox } from './sandbox/sandbox';

/** Starts the app's own sandbox on free loopback ports, its state under `<data>/sandbox`. */
export function startAppSandbox(dataDir: string): Promise<RunningSandbox> {
  return startSandbox({ dataDir: join(dataDir, 'sandbox'), poaPort: 0, pbaPort: 0, webPort: 0 });
}

/** Points every demo project at the running sandbox (the sandbox needs no credentials). */
export async function attachDemoTarget(
  core: Core,
  sandbox: Pick<RunningSandbox, 'poaUrl' | 'pbaUrl'>,
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
}
