/**
 * One file per source server's inventory: `<project>/inventory/<server-id>.json`. It is big and
 * rarely changes, so it lives apart from project.json (saving a decision never rewrites it).
 * Loaded documents are cached: lists and verification read them many times.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Inventory } from '../../../shared/model/inventory';
import { MmError } from '../errors';
import type { ProjectService } from '../project/project-service';
import type { SecretStore } from '../secrets/secret-store';
import { sealInventory } from './seal-inventory';
import { DocumentFile } from '../store/document-file';

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
  ) {}

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
    const sealed = await this.seal(inventory);
    const doc = await this.doc(projectId, serverId);
    await doc.save({
      schemaVersion: 1,
      serverId,
      fetchedAt: new Date().toISOString(),
      source,
      inventory: sealed,
    });
  }

  /** Seals customers' secrets (idempotent: sealed values stay as they are). */
  seal(inventory: Inventory): Promise<Inventory> {
    return sealInventory(inventory, this.secrets);
  }

  async remove(projectId: string, serverId: string): Promise<void> {
    this.#docs.delete(`${projectId}/${serverId}`);
    await rm(this.file(projectId, serverId), { force: true });
  }

  private doc(projectId: string, serverId: string): Promise<DocumentFile<InventoryFile>> {
    const key = `${projectId}/${serverId}`;
    let doc = this.#docs.get(key);
    if (!doc) {
      doc = DocumentFile.open<InventoryFile>(this.file(projectId, serverId), {
        kind: 'inventory',
        currentVersion: 1,
        migrations: {},
        empty: () => ({ schemaVersion: 1, serverId, fetchedAt: '', source: 'agent', inventory: null }),
        check: (d) =>
          d.inventory == null || Array.isArray(d.inventory.domains) ? undefined : 'it has no domain list',
      });
      doc.catch(() => this.#docs.delete(key));
      this.#docs.set(key, doc);
    }
    return doc;
  }
}
