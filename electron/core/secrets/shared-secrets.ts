/**
 * The core's secret store (issue 15): the data dir's own sealed store, except for the
 * credentials of a project shared on PostgreSQL (names `project/<id>/…` of a project folder
 * holding a store link). Those live in the database's `mm_secrets`, sealed with the project's
 * key (`project-key.ts`), so every engineer and worker data dir that was given the key reads
 * the same server, target and node credentials without typing them again; the database never
 * holds a plain secret or a plain key. Services keep calling get/set/delete by name and never
 * know which of the two holds a value.
 *
 * Credentials this data dir held before its project was shared are moved into the database
 * (sealed) the first time the project's key is available here; until a data dir is granted
 * the key, a shared value is refused with what to do, while a value only this data dir holds
 * still reads as before.
 */
import { MmError } from '../errors';
import { readLink } from '../store/postgres-link';
import { type PgStore, WRITER, pgStoreFor } from '../store/postgres-store';
import { engineerKey } from './engineer-key';
import { ProjectKeys, openSecret, sealSecret } from './project-key';
import { resealInventories } from './reseal-inventories';
import type { SealedSecretStore, SecretStore } from './secret-store';

interface Route {
  readonly localId: string;
  readonly store: PgStore;
  /** the project's id in the database */
  readonly projectId: string;
  /** the name within the project (`server/<id>/password`); '' for the whole project */
  readonly rest: string;
}

const PROJECT_NAME = /^project\/([^/]+)\/(.*)$/s;

export class SharedSecretStore implements SecretStore {
  constructor(
    readonly local: SealedSecretStore,
    private readonly projectDir: (projectId: string) => string,
  ) {}

  get protection(): string {
    return this.local.protection;
  }

  // Values sealed for use elsewhere without a project (the data dir's own) stay under its master
  // key; an inventory's customer secrets go through inventory-keys.ts, which seals a shared
  // project's under its data key.
  seal(context: string, value: string): Promise<string> {
    return this.local.seal(context, value);
  }

  sealer(context: string): Promise<(value: string) => string> {
    return this.local.sealer(context);
  }

  unseal(context: string, sealed: string): Promise<string> {
    return this.local.unseal(context, sealed);
  }

  /** Where a name lives: undefined for this data dir's own store. */
  private async route(name: string): Promise<Route | undefined> {
    const m = PROJECT_NAME.exec(name);
    if (!m?.[1]) return undefined;
    let dir: string;
    try {
      dir = this.projectDir(m[1]);
    } catch {
      return undefined; // not a project id: never a project folder, so never shared
    }
    const link = await readLink(dir);
    if (!link) return undefined;
    return { localId: m[1], store: pgStoreFor(link.url), projectId: link.projectId, rest: m[2] ?? '' };
  }

  /** The project's key as this data dir holds it. */
  async keys(localId: string): Promise<{ keys: ProjectKeys; route: Route }> {
    const route = await this.route(`project/${localId}/`);
    if (!route)
      throw new MmError(
        'invalid-state',
        `Project ${localId} is not shared on PostgreSQL: its credentials stay in this data dir ("mm project move --store …" shares it).`,
        'project',
      );
    return {
      keys: new ProjectKeys(route.store, route.projectId, await engineerKey(this.local), WRITER),
      route,
    };
  }

  /**
   * Makes sure the shared project has a key (this engineer its first holder when it has none),
   * moves the credentials this data dir holds for it into the database, sealed, and re-seals
   * the inventory secrets this data dir sealed under its master key with the project's data key.
   */
  async shareProject(localId: string): Promise<{ moved: number; resealed: number }> {
    const { keys, route } = await this.keys(localId);
    const prefix = `project/${localId}/`;
    const names = (await this.local.names(prefix)).filter((n) => n.length > prefix.length);
    const values = await Promise.all(names.map(async (n) => [n, await this.local.get(n)] as const));
    await route.store.tx(async (client) => {
      const { key, keyId } = await keys.openOrCreate(client);
      for (const [name, value] of values) {
        if (value === undefined) continue;
        const rest = name.slice(prefix.length);
        // what the team holds already wins over this data dir's older copy
        await client.query(
          `INSERT INTO mm_secrets (project_id, name, key_id, sealed, updated_by) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (project_id, name) DO NOTHING`,
          [route.projectId, rest, keyId, sealSecret(key, route.projectId, rest, value), WRITER],
        );
      }
    });
    for (const name of names) await this.local.delete(name);
    const { resealed } = await resealInventories(this, localId);
    return { moved: names.length, resealed };
  }

  async get(name: string): Promise<string | undefined> {
    const route = await this.route(name);
    if (!route || route.rest === '') return this.local.get(name);
    const { rows } = await route.store.query<{ sealed: string }>(
      'SELECT sealed FROM mm_secrets WHERE project_id = $1 AND name = $2',
      [route.projectId, route.rest],
    );
    const row = rows[0];
    if (!row) {
      const mine = await this.local.get(name);
      if (mine === undefined) {
        // nothing here or there: refused when the project shares credentials this data dir cannot
        // read (a missing password would otherwise fail later, far from its cause)
        const { keys } = await this.keys(route.localId);
        if ((await keys.exists()) && !(await this.granted(keys))) throw keys.notGranted();
        return undefined;
      }
      // entered here before the project was shared: shared now when this data dir can
      await this.shareProject(route.localId).catch((e: unknown) => {
        if (!(e instanceof MmError && e.code === 'project-key-not-granted')) throw e;
      });
      return mine;
    }
    const { keys } = await this.keys(route.localId);
    const { key } = await keys.open();
    return openSecret(key, route.projectId, route.rest, row.sealed);
  }

  private async granted(keys: ProjectKeys): Promise<boolean> {
    return keys.open().then(
      () => true,
      (e: unknown) => {
        if (e instanceof MmError && e.code === 'project-key-not-granted') return false;
        throw e;
      },
    );
  }

  async set(name: string, value: string): Promise<void> {
    const route = await this.route(name);
    if (!route || route.rest === '') return this.local.set(name, value);
    // this data dir's older credentials of the project go along (and a first key is made)
    await this.shareProject(route.localId);
    const { keys } = await this.keys(route.localId);
    await route.store.tx(async (client) => {
      const { key, keyId } = await keys.openOrCreate(client);
      await client.query(
        `INSERT INTO mm_secrets (project_id, name, key_id, sealed, updated_by) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (project_id, name) DO UPDATE
           SET key_id = EXCLUDED.key_id, sealed = EXCLUDED.sealed, updated_at = now(), updated_by = EXCLUDED.updated_by`,
        [route.projectId, route.rest, keyId, sealSecret(key, route.projectId, route.rest, value), WRITER],
      );
    });
  }

  async delete(name: string): Promise<void> {
    const route = await this.route(name);
    if (route && route.rest !== '')
      await route.store.query('DELETE FROM mm_secrets WHERE project_id = $1 AND name = $2', [
        route.projectId,
        route.rest,
      ]);
    await this.local.delete(name);
  }

  /**
   * A removed server's or node's credentials go for the whole team. A whole project's prefix
   * only ever clears this data dir: removing a shared project's folder here (it is gone before
   * this runs) must not take the team's credentials with it.
   */
  async deletePrefix(prefix: string): Promise<void> {
    const route = await this.route(prefix);
    if (route && route.rest !== '')
      await route.store.query(
        'DELETE FROM mm_secrets WHERE project_id = $1 AND left(name, length($2)) = $2',
        [route.projectId, route.rest],
      );
    await this.local.deletePrefix(prefix);
  }
}

/** The shared side of the core's secret store, for the commands that manage project keys. */
export function sharedSecrets(secrets: SecretStore): SharedSecretStore {
  if (!(secrets instanceof SharedSecretStore))
    throw new MmError('internal', 'this core keeps no shared project credentials');
  return secrets;
}
