/**
 * Customers' secrets of a shared project that are still sealed the old way — under the master
 * key of the data dir that fetched the inventory, before the project was shared or moved — are
 * re-sealed under the project's data key (`inventory-keys.ts`) by that data dir, the only one
 * that can open them: when the project is shared or moved (`shareProject`), and when it grants
 * the project to another engineer or worker (`mm project grant`). What another data dir sealed
 * is left as it is and counted.
 *
 * Inventories (`inventory/<server>.json`) and domain services (`domain-services/<server>.json`)
 * are rewritten row by row as a document write is: the row locked, the next revision, a note on
 * mm_changes. Only sealed strings change: fetchedAt and every revision verification stamps with
 * stay, so results and plans stay current.
 */
import { SEALED_PREFIX } from '../../../shared/model/inventory';
import { WRITER } from '../store/postgres-store';
import {
  CARD_CONTEXT,
  PASSWORD_CONTEXT,
  foreignValue,
  inProjectForm,
  inventorySealer,
} from './inventory-keys';
import type { SharedSecretStore } from './shared-secrets';

export interface ResealResult {
  /** values turned into the project form */
  readonly resealed: number;
  /** values another data dir sealed, left for it */
  readonly foreign: number;
  /** where those are: "account <id>" or "domain <id>", with the document */
  readonly foreignAt: readonly string[];
}

/** The documents that hold customers' secrets. */
const SEALED_DOCUMENTS = `(path LIKE 'inventory/%.json' OR path LIKE 'domain-services/%.json')`;
/**
 * Of those, the ones still holding a value in the data dir's form, filtered by the server: once
 * everything is re-sealed, a worker's start reads no inventory at all.
 */
const WITH_OLD_FORM = `body::text ~ 'mm-sealed:(?!p1\\.)'`;

/** A card number is kept as encryptedNumber; every other sealed value is a password. */
function contextOf(key: string): string {
  return key === 'encryptedNumber' ? CARD_CONTEXT : PASSWORD_CONTEXT;
}

/** Where a value sits, for messages: the account or domain its path goes through. */
function ownerOf(path: readonly (string | number)[], root: unknown): string {
  let node: unknown = root;
  let owner = '';
  for (const [i, step] of path.entries()) {
    if (node === null || typeof node !== 'object') break;
    node = (node as Record<string | number, unknown>)[step];
    const prev = path[i - 1];
    if ((prev === 'accounts' || prev === 'subscriptions') && node && typeof node === 'object') {
      const r = node as Record<string, unknown>;
      const id = prev === 'accounts' ? r['id'] : r['accountId'];
      if (typeof id === 'string') owner = `account ${id}`;
    }
    if (prev === 'domains' && typeof step === 'string') owner = `domain ${step}`;
  }
  return owner;
}

/** Every sealed string in the old form, with where it is and what it is. */
function oldForms(
  node: unknown,
  path: (string | number)[] = [],
  out: { path: (string | number)[]; value: string; context: string }[] = [],
): typeof out {
  if (Array.isArray(node)) node.forEach((v, i) => oldForms(v, [...path, i], out));
  else if (node !== null && typeof node === 'object')
    for (const [k, v] of Object.entries(node as Record<string, unknown>)) {
      if (typeof v === 'string' && v.startsWith(SEALED_PREFIX) && !inProjectForm(v))
        out.push({ path: [...path, k], value: v, context: contextOf(k) });
      else if (typeof v === 'object') oldForms(v, [...path, k], out);
    }
  return out;
}

function setAt(root: unknown, path: readonly (string | number)[], value: string): void {
  let node = root as Record<string | number, unknown>;
  for (const step of path.slice(0, -1)) node = node[step] as Record<string | number, unknown>;
  node[path[path.length - 1] ?? ''] = value;
}

/** Re-seals what this data dir sealed in project `localId`'s inventories under the project's data key. */
export async function resealInventories(shared: SharedSecretStore, localId: string): Promise<ResealResult> {
  const { route } = await shared.keys(localId);
  const { rows: docs } = await route.store.query<{ path: string }>(
    `SELECT path FROM mm_documents WHERE project_id = $1 AND ${SEALED_DOCUMENTS} AND ${WITH_OLD_FORM} ORDER BY path`,
    [route.projectId],
  );
  const sealers = new Map<string, (v: string) => string>();
  const sealerFor = async (context: string): Promise<(v: string) => string> => {
    let s = sealers.get(context);
    if (!s) sealers.set(context, (s = await inventorySealer(shared, localId, context)));
    return s;
  };
  let resealed = 0;
  const foreignAt: string[] = [];
  for (const { path } of docs) {
    await route.store.tx(async (client) => {
      const { rows } = await client.query<{ revision: string; body: unknown }>(
        'SELECT revision, body FROM mm_documents WHERE project_id = $1 AND path = $2 FOR UPDATE',
        [route.projectId, path],
      );
      const row = rows[0];
      if (!row) return;
      const body = row.body;
      let changed = 0;
      for (const v of oldForms(body)) {
        const plain = await shared.local
          .unseal(v.context, v.value.slice(SEALED_PREFIX.length))
          .catch(() => undefined);
        if (plain === undefined) {
          foreignAt.push(`${ownerOf(v.path, body) || v.path.join('.')} (${path})`);
          continue;
        }
        setAt(body, v.path, (await sealerFor(v.context))(plain));
        changed++;
      }
      if (changed === 0) return;
      const revision = Number(row.revision) + 1;
      await client.query(
        `UPDATE mm_documents SET body = $3, revision = $4, updated_at = now(), updated_by = $5
         WHERE project_id = $1 AND path = $2`,
        [route.projectId, path, JSON.stringify(body), revision, WRITER],
      );
      await client.query('SELECT pg_notify($1, $2)', [
        'mm_changes',
        JSON.stringify({ t: 'doc', p: route.projectId, path, rev: revision, by: WRITER }),
      ]);
      resealed += changed;
    });
  }
  return { resealed, foreign: foreignAt.length, foreignAt: [...new Set(foreignAt)] };
}

/**
 * Refuses, before any work, a data dir that cannot open project `localId`'s customers' secrets:
 * not granted the project's key, or values still sealed under another data dir's master key
 * (named by account, with the command that fixes it). Nothing to check on a file project.
 */
export async function assertInventorySecretsOpen(shared: SharedSecretStore, localId: string): Promise<void> {
  const { keys, route } = await shared.keys(localId);
  if (await keys.exists()) await keys.open(); // not granted: names the grant to ask for
  const { rows } = await route.store.query<{ path: string; body: unknown }>(
    `SELECT path, body FROM mm_documents WHERE project_id = $1 AND ${SEALED_DOCUMENTS} AND ${WITH_OLD_FORM}
     ORDER BY path`,
    [route.projectId],
  );
  const refused: { owner: string; context: string }[] = [];
  for (const { path, body } of rows)
    for (const v of oldForms(body)) {
      const opens = await shared.local.unseal(v.context, v.value.slice(SEALED_PREFIX.length)).then(
        () => true,
        () => false,
      );
      if (!opens)
        refused.push({ owner: `${ownerOf(v.path, body) || v.path.join('.')} (${path})`, context: v.context });
    }
  const first = refused[0];
  if (!first) return;
  const owners = [...new Set(refused.map((r) => r.owner))];
  const shown =
    owners.length > 5 ? `${owners.slice(0, 5).join(', ')} and ${owners.length - 5} more` : owners.join(', ');
  throw await foreignValue(shared, localId, first.context, shown);
}
