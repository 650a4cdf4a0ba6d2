/**
 * A project on a synthetic inventory, as the benches need it: one local source server named
 * "bench" holding the inventory, every template mapped as an engineer would have, everything
 * selected. Verification is left to the bench (some time it, some only need it done).
 */
import type { Core } from '../../electron/core/core';
import { InventoryStore } from '../../electron/core/inventory/inventory-store';
import type { Inventory } from '../../shared/model/inventory';
import { syntheticMapping } from './synthetic';

export const BENCH_SERVER = 'bench';

export async function syntheticProject(
  core: Core,
  name: string,
  inventory: Inventory,
  root: string,
): Promise<string> {
  const projectId = (await core.projects.create(name)).id;
  await core.servers.add(projectId, {
    name: BENCH_SERVER,
    kind: 'linux',
    apiVersion: inventory.apiVersion,
    connection: { type: 'local', root },
  });
  await new InventoryStore(core.projects, core.secrets).save(projectId, BENCH_SERVER, inventory, 'import');
  for (const m of syntheticMapping(BENCH_SERVER))
    await core.mapping.put(projectId, m.serverId, m.templateId, {
      ...m,
      tlds: m.tlds ?? [],
      check: 'unverified',
      updatedAt: '',
      updatedBy: 'bench',
    });
  await core.selection.change(projectId, { mode: 'add', target: { by: 'all' } });
  return projectId;
}
