/** The registered source servers of a project with their stored inventories (those fetched). */
import type { Inventory } from '../../../shared/model/inventory';
import type { SourceServer } from '../../../shared/model/server';
import type { InventoryService } from '../inventory/inventory-service';
import type { ServerService } from '../servers/server-service';

export interface ServerInventory {
  readonly server: SourceServer;
  readonly inventory: Inventory;
}

export async function loadInventories(
  servers: ServerService,
  inventory: InventoryService,
  projectId: string,
  serverRef?: string,
): Promise<ServerInventory[]> {
  const list = serverRef ? [await servers.get(projectId, serverRef)] : await servers.list(projectId);
  const loaded = await Promise.all(
    list.map(async (server) => ({ server, inventory: await inventory.load(projectId, server.id) })),
  );
  return loaded.filter((e): e is ServerInventory => e.inventory !== undefined);
}
