/**
 * The selection of a project (SPEC R5): accounts and domains chosen for migration, per source
 * server; bulk by ids, filter, template or server. Part of the project, in its own file.
 */
import type { HeldDomain, SelectionChange, SelectionView } from '../../../shared/model/verification';
import { MmError } from '../errors';
import type { InventoryService } from '../inventory/inventory-service';
import type { ProjectService } from '../project/project-service';
import type { ServerService } from '../servers/server-service';
import type { DocumentCache } from '../store/document-cache';
import type { SelectedIds } from '../verification/input';
import { loadInventories } from '../verification/project-inventories';
import { type MutableSelection, applyChange } from './select-rules';
import { type SelectionFile, selectionStore } from './selection-store';

function heldList(file: SelectionFile): HeldDomain[] {
  return Object.entries(file.held ?? {}).flatMap(([serverId, domains]) =>
    Object.entries(domains).map(([domainId, decisionId]) => ({ serverId, domainId, decisionId })),
  );
}

export class SelectionService {
  readonly #store: DocumentCache<SelectionFile>;

  constructor(
    projects: ProjectService,
    private readonly servers: ServerService,
    private readonly inventory: InventoryService,
  ) {
    this.#store = selectionStore(projects);
  }

  async revision(projectId: string): Promise<number> {
    return (await this.#store.read(projectId)).revision;
  }

  /** Selected ids per server, as verification reads them. */
  async ids(projectId: string): Promise<Map<string, SelectedIds>> {
    const file = await this.#store.read(projectId);
    return new Map(
      Object.entries(file.servers).map(([id, s]) => [
        id,
        { accounts: new Set(s.accounts), domains: new Set(s.domains) },
      ]),
    );
  }

  async get(projectId: string): Promise<SelectionView> {
    const file = await this.#store.read(projectId);
    const loaded = await loadInventories(this.servers, this.inventory, projectId);
    return {
      servers: loaded.map(({ server, inventory }) => ({
        serverId: server.id,
        accounts: file.servers[server.id]?.accounts.length ?? 0,
        domains: file.servers[server.id]?.domains.length ?? 0,
        totalAccounts: inventory.accounts.length,
        totalDomains: inventory.domains.length,
      })),
      selected: Object.fromEntries(
        loaded.map(({ server }) => [server.id, file.servers[server.id] ?? { accounts: [], domains: [] }]),
      ),
      held: heldList(file),
    };
  }

  /** Applies a bulk change on one server or all; ids no server has are an error and change nothing. */
  async change(projectId: string, change: SelectionChange): Promise<SelectionView> {
    const loaded = await loadInventories(this.servers, this.inventory, projectId, change.serverId);
    if (loaded.length === 0 && change.mode !== 'clear')
      throw new MmError(
        'no-inventory',
        'No source server of the project has an inventory yet: fetch one first.',
      );
    const file = await this.#store.read(projectId);
    const next: Record<string, { accounts: string[]; domains: string[] }> = { ...file.servers };
    let missing: Set<string> | undefined;
    for (const { server, inventory } of loaded) {
      const current = file.servers[server.id];
      const sel: MutableSelection = {
        accounts: new Set(current?.accounts),
        domains: new Set(current?.domains),
      };
      const notHere = applyChange(sel, inventory, change);
      // A domain a recorded "unselect" decision keeps out stays out: undo the decision to select it.
      if (change.mode === 'add')
        for (const id of Object.keys(file.held?.[server.id] ?? {})) sel.domains.delete(id);
      missing = missing ? new Set([...missing].filter((id) => notHere.includes(id))) : new Set(notHere);
      next[server.id] = { accounts: [...sel.accounts], domains: [...sel.domains] };
    }
    if (change.mode === 'clear' && change.serverId === undefined)
      for (const id of Object.keys(next)) delete next[id];
    if (missing && missing.size > 0) {
      const what =
        change.target?.by === 'template' ? 'template' : (change.target?.by ?? 'object').replace(/s$/, '');
      throw new MmError(
        'object-not-found',
        `No ${change.serverId ? 'such' : 'source server has that'} ${what}: ${[...missing].join(', ')}.`,
        [...missing][0],
      );
    }
    await this.#store.update(projectId, (d) => ({ ...d, revision: d.revision + 1, servers: next }));
    return this.get(projectId);
  }

  async isDomainSelected(projectId: string, serverId: string, domainId: string): Promise<boolean> {
    return (await this.#store.read(projectId)).servers[serverId]?.domains.includes(domainId) ?? false;
  }

  /**
   * Selects or unselects one domain (the "unselect" decision and its undo). An unselect made by a
   * decision holds the domain out of bulk selection; selecting it again releases the hold.
   */
  async setDomain(
    projectId: string,
    serverId: string,
    domainId: string,
    selected: boolean,
    decisionId?: string,
  ): Promise<void> {
    await this.#store.update(projectId, (d) => {
      const s = d.servers[serverId] ?? { accounts: [], domains: [] };
      const domains = s.domains.filter((id) => id !== domainId);
      if (selected) domains.push(domainId);
      const onServer = { ...d.held?.[serverId] };
      if (selected) delete onServer[domainId];
      else if (decisionId) onServer[domainId] = decisionId;
      return {
        ...d,
        revision: d.revision + 1,
        servers: { ...d.servers, [serverId]: { ...s, domains } },
        held: { ...d.held, [serverId]: onServer },
      };
    });
  }
}
