/**
 * One file per source server's inventory: `<project>/inventory/<server-id>.json`. It is big and
 * rarely changes, so it lives apart from project.json (saving a decision never rewrites it).
 * Loaded documents are cached: lists and verification read them many times.
 */
import { rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Inventory } from '../../../shared/model/inventory';
import { MmError } from '../errors';
import { dropProjectKeys } from '../project/project-release';
import type { ProjectService } from '../project/project-service';
import type { SecretStore } from '../secrets/secret-store';
import { sealInventory } from './seal-inventory';
import { DocumentFile, dropSerialized, serializeAhead } from '../store/document-file';

export interface InventoryFile {
  schemaVersion: 1;
  serverId: string;
  fetchedAt: string;
  source: 'agent' | 'import';
  inventory: Inventory | null;
}

export class InventoryStore {
  readonly #docs = new Map<string, Promise<DocumentFile<InventoryFile>>>();

  constructor(
    private readonly projects: ProjectService,
    /** Seals customers' passwords and card numbers before anything is written. */
    private readonly secrets: SecretStore,
  ) {
    projects.releases.cache('inventories', (projectId) => dropProjectKeys(this.#docs, projectId));
  }

  file(projectId: string, serverId: string): string {
    if (!/^[\p{L}\p{N}][\p{L}\p{N}._-]*$/u.test(serverId)) {
      throw new MmError('invalid-input', `"${serverId}" is not a source server id.`, 'serverId');
    }
    return join(this.projects.projectDir(projectId), 'inventory', `${serverId}.json`);
  }

  async load(projectId: string, serverId: string): Promise<Inventory | undefined> {
    return (await (await this.doc(projectId, serverId)).current()).inventory ?? undefined;
  }

  async save(
    projectId: string,
    serverId: string,
    inventory: Inventory,
    source: 'agent' | 'import',
  ): Promise<void> {
    await this.saveFile(projectId, serverId, await this.prepare(serverId, inventory, source, projectId));
  }

  /**
   * The stored form of an inventory, its customers' secrets sealed and its JSON text made, for
   * saveFile: the import does this while the schema validator still runs. `projectId`: where it
   * goes (a shared project seals with its data key).
   */
  async prepare(
    serverId: string,
    inventory: Inventory,
    source: 'agent' | 'import',
    projectId?: string,
  ): Promise<InventoryFile> {
    return serializeAhead<InventoryFile>({
      schemaVersion: 1,
      serverId,
      fetchedAt: new Date().toISOString(),
      source,
      inventory: await this.seal(inventory, projectId),
    });
  }

  /** Replaces the stored inventory with one made by prepare. */
  async saveFile(projectId: string, serverId: string, file: InventoryFile): Promise<void> {
    if (file.serverId !== serverId)
      throw new MmError(
        'invalid-input',
        `An inventory of ${file.serverId} cannot be stored as ${serverId}'s.`,
        serverId,
      );
    try {
      const doc = await this.openForReplace(projectId, serverId);
      await doc.save(file);
    } finally {
      // The stored document stays cached: its text must not stay with it (PostgreSQL serialises on its own).
      dropSerialized(file);
    }
  }

  /** Seals customers' secrets (idempotent: sealed values stay as they are). */
  seal(inventory: Inventory, projectId?: string): Promise<Inventory> {
    return sealInventory(inventory, this.secrets, projectId);
  }

  /**
   * Forgets the project's opened documents (the next load reads them again): a migration batch
   * drops them once planned, as they are the largest thing it would otherwise keep alive.
   */
  release(projectId: string): void {
    dropProjectKeys(this.#docs, projectId);
  }

  async remove(projectId: string, serverId: string): Promise<void> {
    this.#docs.delete(`${projectId}/${serverId}`);
    await rm(this.file(projectId, serverId), { force: true });
  }

  /**
   * The document a new inventory replaces. A damaged file (store-corrupt) is replaced too — a
   * fetch or import writes the whole inventory — but kept first as `<file>.corrupt` (or
   * `.corrupt-<n>`), so nothing is lost without a trace. A newer version is never replaced.
   */
  private async openForReplace(projectId: string, serverId: string): Promise<DocumentFile<InventoryFile>> {
    try {
      const doc = await this.doc(projectId, serverId);
      await doc.current(); // re-reads a file changed on disk since it was opened
      return doc;
    } catch (e) {
      if (!(e instanceof MmError) || e.code !== 'store-corrupt') throw e;
      this.#docs.delete(`${projectId}/${serverId}`);
      const file = this.file(projectId, serverId);
      await rename(file, await freeName(`${file}.corrupt`));
      return this.doc(projectId, serverId);
    }
  }

  private async doc(projectId: string, serverId: string): Promise<DocumentFile<InventoryFile>> {
    // not while the project moves to PostgreSQL: it is opened again from there after
    await this.projects.releases.settled(projectId);
    const key = `${projectId}/${serverId}`;
    let doc = this.#docs.get(key);
    if (!doc) {
      doc = DocumentFile.open<InventoryFile>(this.file(projectId, serverId), {
        kind: 'inventory',
        currentVersion: 1,
        migrations: {},
        empty: () => ({ schemaVersion: 1, serverId, fetchedAt: '', source: 'agent', inventory: null }),
        check: inventoryProblem,
      });
      doc.catch(() => this.#docs.delete(key));
      this.#docs.set(key, doc);
    }
    return doc;
  }
}

async function freeName(base: string): Promise<string> {
  for (let n = 1; ; n++) {
    const name = n === 1 ? base : `${base}-${n}`;
    try {
      await stat(name);
    } catch {
      return name;
    }
  }
}

const LISTS = ['hosts', 'templates', 'accounts', 'subscriptions', 'domains'] as const;

/** What every reader of an inventory iterates: lists of objects with an id (hosts: objects). */
function inventoryProblem(d: InventoryFile): string | undefined {
  if (typeof d.serverId !== 'string') return 'it names no source server';
  const inv = d.inventory as unknown;
  if (inv === null || inv === undefined) return undefined;
  if (typeof inv !== 'object' || Array.isArray(inv)) return 'its inventory is not an object';
  const lists = inv as Record<string, unknown>;
  for (const list of LISTS) {
    const items = lists[list];
    if (!Array.isArray(items)) return `its ${list} are not a list`;
    const bad = items.findIndex(
      (x: unknown) =>
        typeof x !== 'object' ||
        x === null ||
        (list !== 'hosts' && typeof (x as { id?: unknown }).id !== 'string'),
    );
    if (bad >= 0) return `${list} entry ${bad + 1} is not an object with an id`;
  }
  return undefined;
}
