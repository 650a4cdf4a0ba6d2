import { type Core, createCore } from '../../electron/core/core';
import { tempDir } from '../helpers/paths';
import { v1Source, writeInventory } from './fixtures';

/**
 * A project in a fresh data dir with the v1 source imported from a local server "web01",
 * everything selected and verified, through the core (on the project's real files).
 */
export async function verifiedV1Project(name: string): Promise<{ core: Core; projectId: string }> {
  const dataDir = await tempDir();
  const core = createCore({ dataDir, shell: 'test' });
  const projectId = (await core.projects.create(name)).id;
  await core.servers.add(projectId, {
    name: 'web01',
    kind: 'linux',
    apiVersion: 1,
    connection: { type: 'local', root: dataDir },
  });
  await core.inventory.importFile(projectId, 'web01', await writeInventory(dataDir, v1Source(), 'web01.xml'));
  await core.selection.change(projectId, { mode: 'add', target: { by: 'all' } });
  await core.verification.run(projectId);
  return { core, projectId };
}
