import { access, writeFile, mkdir } from 'node:fs/promises';
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
    await core.projects.create(
      DEMO_PROJECT_NAME,
      'A rehearsal on the built-in demo source server and the sandbox target.',
      true,
    );
  }
  await mkdir(core.info.dataDir, { recursive: true });
  await writeFile(marker, new Date().toISOString());
}
