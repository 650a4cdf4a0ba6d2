import { access, mkdir, writeFile } from 'node:fs/promises';
import { buildDemoLayout } from '../../agents/demo/build-demo-layout.mjs';
import { buildDemoSphera } from '../../agents/demo/build-demo-sphera.mjs';
import { join } from 'node:path';
import type { Core } from './core';
import { DEMO_PROJECT_NAME } from './core';

/**
 * The built-in demo: on the very first start of the app, a demo project, so a newcomer sees a
 * real dashboard at once. A marker keeps it from coming back once the engineer removes it.
 */
export async function ensureDemoProject(core: Core): Promise<void> {
  const marker = join(core.info.dataDir, '.demo-created');
  try {
    await access(marker);
    return;
  } catch {
    // first start
  }
  const existing = await core.projects.list();
  if (!existing.some((p) => p.demo)) {
    const project = await core.projects.create(
      DEMO_PROJECT_NAME,
      'A rehearsal on the built-in demo source server and the sandbox target.',
      true,
    );
    await addDemoSourceServer(core, project.id);
  }
  await mkdir(core.info.dataDir, { recursive: true });
  await writeFile(marker, new Date().toISOString());
}

export const DEMO_SERVER_NAME = 'Demo Linux server';
export const DEMO_SPHERA_NAME = 'Demo Sphera server';

/**
 * The demo source servers: a small Linux hosting server laid out under the data dir, served by
 * the real linux agent through the local transport, and a Sphera box served by the
 * hosting-description agent; both inventories fetched.
 */
export async function addDemoSourceServer(core: Core, projectId: string): Promise<void> {
  const root = join(core.info.dataDir, 'demo-source');
  buildDemoLayout(root);
  const server = await core.servers.add(projectId, {
    name: DEMO_SERVER_NAME,
    kind: 'linux',
    connection: { type: 'local', root },
    demo: true,
    // A plain Linux server keeps no customer addresses; the demo's customers are in Germany.
    settings: { defaultCountry: 'de' },
  });
  await core.inventory.fetch(projectId, server.id);

  // A second, Migration API v1 source whose data exercises every verification rule, and whose
  // acme-widgets.test is also hosted on the Linux server (a cross-server hosting conflict).
  const spheraRoot = join(core.info.dataDir, 'demo-sphera');
  buildDemoSphera(spheraRoot);
  const sphera = await core.servers.add(projectId, {
    name: DEMO_SPHERA_NAME,
    kind: 'sphera',
    apiVersion: 1,
    connection: { type: 'local', root: spheraRoot },
    demo: true,
  });
  await core.inventory.fetch(projectId, sphera.id);
}
