/**
 * The start of most hostile-input tests: a fresh sandbox (untouched.ts), a core on its data
 * dir, the projects named, and for the inventory cases a local server with a good inventory
 * imported first (a refused import or a damaged file must leave it as it was).
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Core, createCore } from '../../electron/core/core';
import { type Sandbox, sandbox } from './untouched';

export interface HostileCore {
  readonly box: Sandbox;
  readonly core: Core;
}

/** A fresh sandbox and a core on its data dir, with these projects created in this order. */
export async function coreInSandbox(...projects: readonly string[]): Promise<HostileCore> {
  const box = await sandbox();
  const core = createCore({ dataDir: box.dataDir, shell: 'test' });
  for (const name of projects) await core.projects.create(name);
  return { box, core };
}

/**
 * Adds the local Linux server `web01` (rooted at the sandbox) to project `acme` and imports
 * `xml`, written as `fileName` in the sandbox.
 */
export async function importedWeb01(box: Sandbox, core: Core, fileName: string, xml: string): Promise<void> {
  await core.servers.add('acme', {
    name: 'web01',
    kind: 'linux',
    apiVersion: 2,
    connection: { type: 'local', root: box.root },
  });
  await writeFile(join(box.root, fileName), xml);
  await core.inventory.importFile('acme', 'web01', join(box.root, fileName));
}
