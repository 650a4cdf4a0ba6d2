/**
 * A document with every sealed customer secret replaced by its plain value, for tests that
 * compare what a project holds before and after its secrets were sealed again in another form
 * (a move into PostgreSQL re-seals an inventory's secrets under the project's data key: the
 * sealed text changes, what it opens to must not).
 */
import { SEALED_PREFIX } from '../../shared/model/inventory';
import {
  CARD_CONTEXT,
  PASSWORD_CONTEXT,
  openInventoryValue,
} from '../../electron/core/secrets/inventory-keys';
import type { SecretStore } from '../../electron/core/secrets/secret-store';

export async function openSealed<T>(secrets: SecretStore, projectId: string, value: T): Promise<T> {
  const walk = async (node: unknown, key: string): Promise<unknown> => {
    if (typeof node === 'string' && node.startsWith(SEALED_PREFIX))
      return `plain:${await openInventoryValue(
        secrets,
        projectId,
        key === 'encryptedNumber' ? CARD_CONTEXT : PASSWORD_CONTEXT,
        node,
      )}`;
    if (Array.isArray(node)) return Promise.all(node.map((v) => walk(v, key)));
    if (node !== null && typeof node === 'object')
      return Object.fromEntries(
        await Promise.all(Object.entries(node).map(async ([k, v]) => [k, await walk(v, k)] as const)),
      );
    return node;
  };
  return (await walk(value, '')) as T;
}
