/**
 * Customers' secrets in a shared project's inventories (issue 15): control-panel, registrar,
 * mailbox, FTP and database passwords and card numbers. On a file project they are sealed with
 * the data dir's master key (`secret-store.ts`). On a project shared on PostgreSQL they are
 * sealed with a per-project data key instead, so every data dir given the project's key — an
 * engineer's, a worker's on another machine — opens them:
 *
 * - the data key is 32 random bytes kept as a shared secret `inventory-key/<key id>` in
 *   `mm_secrets`, i.e. sealed under the project key like the server and target credentials;
 * - `mm project rotate-key` re-seals every `mm_secrets` row, so the data keys are re-wrapped
 *   with the rest and every inventory value stays openable without rewriting inventories;
 * - a data key is named after the project key generation it was made under, so after a rotation
 *   the next seal makes a new data key the old project key never opened;
 * - a value in this form reads `mm-sealed:p1.<data key id>.<base64>`, bound (GCM additional
 *   data) to the project, the data key and its use (password or card number).
 *
 * A value sealed the old way on a shared project (fetched before the project was shared) still
 * opens for the data dir that sealed it; `reseal-inventories.ts` turns it into this form.
 */
import { randomBytes } from 'node:crypto';
import { SEALED_PREFIX } from '../../../shared/model/inventory';
import { MmError } from '../errors';
import { WRITER } from '../store/postgres-store';
import { engineerKey } from './engineer-key';
import { gcmOpen, gcmSeal } from './gcm';
import { openSecret, sealSecret } from './project-key';
import type { SecretStore } from './secret-store';
import { SharedSecretStore } from './shared-secrets';

export const PASSWORD_CONTEXT = 'inventory:password';
export const CARD_CONTEXT = 'inventory:card-number';

/** What follows SEALED_PREFIX in the project form (base64, the data dir form, has no "."). */
const PROJECT_FORM = /^p1\.([0-9a-f]{16})\.([A-Za-z0-9+/=]+)$/;
const DATA_KEY_NAME = 'inventory-key/';

function aad(projectId: string, dataKeyId: string, context: string): string {
  return `mm-inventory\u0000${projectId}\u0000${dataKeyId}\u0000${context}`;
}

/** Whether a stored value (with or without SEALED_PREFIX) is in the shared project form. */
export function inProjectForm(value: string): boolean {
  const body = value.startsWith(SEALED_PREFIX) ? value.slice(SEALED_PREFIX.length) : value;
  return PROJECT_FORM.test(body);
}

/** The shared side of the secret store when `localId` is a project shared on PostgreSQL. */
async function sharedRoute(
  secrets: SecretStore,
  localId: string | undefined,
): Promise<SharedSecretStore | undefined> {
  if (localId === undefined || !(secrets instanceof SharedSecretStore)) return undefined;
  const route = await secrets.keys(localId).catch((e: unknown) => {
    if (e instanceof MmError && e.code === 'invalid-state') return undefined; // a file project
    throw e;
  });
  return route ? secrets : undefined;
}

interface DataKey {
  readonly key: Buffer;
  /** the project's id in the database, bound into every value */
  readonly projectId: string;
}

/**
 * Opened data keys of each secret store (a core), by project (this data dir's id) and data key
 * id: opening a batch's thousands of values asks the database once per key, and a store made
 * later (after a grant or a rotation) reads them afresh.
 */
const openedBy = new WeakMap<SharedSecretStore, Map<string, Promise<DataKey>>>();

function openedOf(shared: SharedSecretStore): Map<string, Promise<DataKey>> {
  let m = openedBy.get(shared);
  if (!m) openedBy.set(shared, (m = new Map()));
  return m;
}

/** The data key for new seals (made now, under the current project key, when there is none). */
async function currentDataKey(shared: SharedSecretStore, localId: string): Promise<DataKey & { id: string }> {
  const { keys, route } = await shared.keys(localId);
  return route.store.tx(async (client) => {
    const { key: projectKey, keyId } = await keys.openOrCreate(client);
    const opened = openedOf(shared);
    const known = opened.get(`${localId}\u0000${keyId}`);
    if (known) return { ...(await known), id: keyId };
    const name = `${DATA_KEY_NAME}${keyId}`;
    const { rows } = await client.query<{ sealed: string }>(
      'SELECT sealed FROM mm_secrets WHERE project_id = $1 AND name = $2',
      [route.projectId, name],
    );
    let sealed = rows[0]?.sealed;
    if (sealed === undefined) {
      sealed = sealSecret(projectKey, route.projectId, name, randomBytes(32).toString('base64'));
      // openOrCreate holds the project's advisory lock: no other process makes one meanwhile
      await client.query(
        `INSERT INTO mm_secrets (project_id, name, key_id, sealed, updated_by) VALUES ($1, $2, $3, $4, $5)`,
        [route.projectId, name, keyId, sealed, WRITER],
      );
    }
    const key = Buffer.from(openSecret(projectKey, route.projectId, name, sealed), 'base64');
    opened.set(`${localId}\u0000${keyId}`, Promise.resolve({ key, projectId: route.projectId }));
    return { key, projectId: route.projectId, id: keyId };
  });
}

/**
 * A data key named in a sealed value; refused naming the grant when this data dir lacks the
 * project key, and saying so when the project is not shared here.
 */
function dataKey(shared: SharedSecretStore, localId: string, id: string, context: string): Promise<DataKey> {
  const opened = openedOf(shared);
  const cacheKey = `${localId}\u0000${id}`;
  let key = opened.get(cacheKey);
  if (!key) {
    key = (async () => {
      const { keys, route } = await shared.keys(localId).catch((e: unknown) => {
        if (!(e instanceof MmError) || e.code !== 'invalid-state') throw e;
        throw new MmError(
          'secret-unreadable',
          `A customer's ${what(context)} is sealed under a shared project's key, but project ${localId} is not shared on PostgreSQL in this data dir; open it in the shared project.`,
          context,
        );
      });
      const name = `${DATA_KEY_NAME}${id}`;
      const { rows } = await route.store.query<{ sealed: string }>(
        'SELECT sealed FROM mm_secrets WHERE project_id = $1 AND name = $2',
        [route.projectId, name],
      );
      const projectKey = (await keys.open()).key; // not granted: says which grant to ask for
      const row = rows[0];
      if (!row)
        throw new MmError(
          'secret-unreadable',
          `Project ${localId}'s inventory secrets were sealed under data key ${id}, which the project no longer holds (${name} is missing from mm_secrets); fetch the inventory again.`,
          name,
        );
      return {
        key: Buffer.from(openSecret(projectKey, route.projectId, name, row.sealed), 'base64'),
        projectId: route.projectId,
      };
    })();
    key.catch(() => opened.delete(cacheKey));
    opened.set(cacheKey, key);
  }
  return key;
}

/**
 * A synchronous sealer for many values of one project and use: the project form on a shared
 * project, the data dir's master key otherwise. Returns the value with SEALED_PREFIX.
 */
export async function inventorySealer(
  secrets: SecretStore,
  localId: string | undefined,
  context: string,
): Promise<(value: string) => string> {
  const shared = await sharedRoute(secrets, localId);
  if (!shared || localId === undefined) {
    const seal = await secrets.sealer(context);
    return (value) => `${SEALED_PREFIX}${seal(value)}`;
  }
  const { id, key, projectId } = await currentDataKey(shared, localId);
  const bound = aad(projectId, id, context);
  // a unique nonce per value: random per sealer, then counted (as the data dir's sealer does)
  const base = randomBytes(12);
  let counter = 0;
  return (value) => {
    if (counter === 0xffffffff) throw new Error('one sealer seals at most 2^32 values');
    const iv = Buffer.from(base);
    iv.writeUInt32BE(counter++, 8);
    return `${SEALED_PREFIX}p1.${id}.${gcmSeal(key, bound, value, iv).toString('base64')}`;
  };
}

/**
 * The plain value of a sealed inventory secret. `localId` is the project it belongs to (needed
 * for the shared form). A value sealed the old way opens with this data dir's master key, or
 * is refused saying who can re-seal it.
 */
export async function openInventoryValue(
  secrets: SecretStore,
  localId: string | undefined,
  context: string,
  value: string,
): Promise<string> {
  if (!value.startsWith(SEALED_PREFIX)) return value;
  const body = value.slice(SEALED_PREFIX.length);
  const m = PROJECT_FORM.exec(body);
  if (!m) {
    try {
      return await secrets.unseal(context, body);
    } catch (e) {
      const shared = await sharedRoute(secrets, localId).catch(() => undefined);
      if (!shared || localId === undefined || !(e instanceof MmError) || e.code !== 'secret-unreadable')
        throw e;
      throw await foreignValue(shared, localId, context);
    }
  }
  const [, id = '', sealed = ''] = m;
  if (!(secrets instanceof SharedSecretStore) || localId === undefined)
    throw new MmError(
      'secret-unreadable',
      `A customer's ${what(context)} is sealed under a shared project's key, but no shared project was named to open it with.`,
      context,
    );
  const { key, projectId } = await dataKey(secrets, localId, id, context);
  const plain = gcmOpen(key, aad(projectId, id, context), Buffer.from(sealed, 'base64'));
  if (plain === undefined)
    throw new MmError(
      'secret-unreadable',
      `A customer's ${what(context)} of project ${localId} does not open with the project's data key ${id} (damaged, or copied from another project); fetch the inventory again.`,
      context,
    );
  return plain.toString('utf8');
}

function what(context: string): string {
  return context === CARD_CONTEXT ? 'card number' : 'password';
}

/** The refusal for a value sealed by another data dir's master key, naming the fix. */
export async function foreignValue(
  shared: SharedSecretStore,
  localId: string,
  context: string,
  account?: string,
): Promise<MmError> {
  const key = (await engineerKey(shared.local)).publicKey.text;
  return new MmError(
    'inventory-secret-foreign',
    `${account ? `${account}: its` : "A customer's"} ${what(context)} in project ${localId}'s inventory is still sealed under the master key of the data dir that fetched it (before the project was shared), which this data dir cannot open. In that data dir, run: mm project grant ${localId} --engineer ${key} (it re-seals the inventory's secrets under the project's key).`,
    account ?? context,
  );
}
