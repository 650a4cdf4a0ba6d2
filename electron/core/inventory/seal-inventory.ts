/**
 * Customers' secrets in an inventory — control-panel and registrar passwords and hashes, card
 * numbers — are sealed with the secret store's master key before the inventory is written, so
 * no inventory file holds them in plain text. What verification needs of them (does a
 * password contain "&"?) is kept beside the sealed value; the migration engine unseals.
 */
import {
  type Credentials,
  type Inventory,
  type Password,
  type PaymentTool,
  SEALED_PREFIX,
} from '../../../shared/model/inventory';
import type { SecretStore } from '../secrets/secret-store';

export const PASSWORD_CONTEXT = 'inventory:password';
export const CARD_CONTEXT = 'inventory:card-number';

/**
 * A synchronous sealer for customers' passwords (inventories' and domain services'): the value
 * sealed under PASSWORD_CONTEXT, whether the plain one contains "&" kept beside it. Sealed
 * values are returned as they are.
 */
export async function passwordSealer(secrets: SecretStore): Promise<(p: Password) => Password> {
  const seal = await secrets.sealer(PASSWORD_CONTEXT);
  return (p) =>
    p.value.startsWith(SEALED_PREFIX)
      ? p
      : {
          ...p,
          value: `${SEALED_PREFIX}${seal(p.value)}`,
          hasAmpersand: !p.crypted && p.value.includes('&'),
        };
}

export async function sealInventory(inv: Inventory, secrets: SecretStore): Promise<Inventory> {
  const sealPassword = await passwordSealer(secrets);
  const sealCard = await secrets.sealer(CARD_CONTEXT);
  const credentials = (c: Credentials | undefined): Credentials | undefined =>
    c?.password ? { ...c, password: sealPassword(c.password) } : c;
  const tool = (t: PaymentTool): PaymentTool =>
    t.encryptedNumber === undefined || t.encryptedNumber.startsWith(SEALED_PREFIX)
      ? t
      : { ...t, encryptedNumber: `${SEALED_PREFIX}${sealCard(t.encryptedNumber)}` };
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

/** The plain value of a sealed inventory secret (for the migration engine). */
export async function unsealInventoryValue(
  secrets: SecretStore,
  context: string,
  value: string,
): Promise<string> {
  return value.startsWith(SEALED_PREFIX) ? secrets.unseal(context, value.slice(SEALED_PREFIX.length)) : value;
}
