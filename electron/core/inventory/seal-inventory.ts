/**
 * Customers' secrets in an inventory — control-panel and registrar passwords and hashes, card
 * numbers — are sealed before the inventory is written, so no inventory file or row holds them
 * in plain text: with the data dir's master key on a file project, with the project's data key
 * on a project shared on PostgreSQL (`secrets/inventory-keys.ts`), so every granted engineer and
 * worker opens them. What verification needs of them (does a password contain "&"?) is kept
 * beside the sealed value; the migration engine unseals.
 */
import {
  type Credentials,
  type Inventory,
  type Password,
  type PaymentTool,
  SEALED_PREFIX,
} from '../../../shared/model/inventory';
import {
  CARD_CONTEXT,
  PASSWORD_CONTEXT,
  inventorySealer,
  openInventoryValue,
} from '../secrets/inventory-keys';
import type { SecretStore } from '../secrets/secret-store';

export { CARD_CONTEXT, PASSWORD_CONTEXT };

/**
 * A synchronous sealer for customers' passwords (inventories' and domain services'): the value
 * sealed under PASSWORD_CONTEXT, whether the plain one contains "&" kept beside it. Sealed
 * values are returned as they are.
 */
export async function passwordSealer(
  secrets: SecretStore,
  projectId?: string,
): Promise<(p: Password) => Password> {
  const seal = await inventorySealer(secrets, projectId, PASSWORD_CONTEXT);
  return (p) =>
    p.value.startsWith(SEALED_PREFIX)
      ? p
      : {
          ...p,
          value: seal(p.value),
          hasAmpersand: !p.crypted && p.value.includes('&'),
        };
}

/** `projectId`: the project it is stored in (a shared one seals with its data key). */
export async function sealInventory(
  inv: Inventory,
  secrets: SecretStore,
  projectId?: string,
): Promise<Inventory> {
  const sealPassword = await passwordSealer(secrets, projectId);
  const sealCard = await inventorySealer(secrets, projectId, CARD_CONTEXT);
  const credentials = (c: Credentials | undefined): Credentials | undefined =>
    c?.password ? { ...c, password: sealPassword(c.password) } : c;
  const tool = (t: PaymentTool): PaymentTool =>
    t.encryptedNumber === undefined || t.encryptedNumber.startsWith(SEALED_PREFIX)
      ? t
      : { ...t, encryptedNumber: sealCard(t.encryptedNumber) };
  return {
    ...inv,
    accounts: inv.accounts.map((a) => {
      const ccpLogin = credentials(a.ccpLogin);
      return { ...a, ...(ccpLogin ? { ccpLogin } : {}), paymentTools: a.paymentTools.map(tool) };
    }),
    subscriptions: inv.subscriptions.map((s) => {
      const registrarLogin = credentials(s.registrarLogin);
      return registrarLogin ? { ...s, registrarLogin } : s;
    }),
  };
}

/**
 * The plain value of a sealed inventory secret (for the migration engine); `projectId` is the
 * project it was read from, needed for a shared project's values.
 */
export function unsealInventoryValue(
  secrets: SecretStore,
  context: string,
  value: string,
  projectId?: string,
): Promise<string> {
  return openInventoryValue(secrets, projectId, context, value);
}
