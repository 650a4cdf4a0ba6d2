/**
 * Look-up tables over the inventories, built once per inventory (they do not change with
 * decisions), so a full run is linear and an incremental run touches only what it needs.
 */
import type {
  Account,
  Domain,
  Inventory,
  ServiceTemplate,
  Subscription,
} from '../../../shared/model/inventory';
import { domainKey } from '../mapping/mapping-rules';

export interface ServerIndex {
  readonly serverId: string;
  readonly inventory: Inventory;
  readonly accounts: ReadonlyMap<string, Account>;
  readonly subscriptions: ReadonlyMap<string, Subscription>;
  readonly domains: ReadonlyMap<string, Domain>;
  readonly templates: ReadonlyMap<string, ServiceTemplate>;
  readonly subscriptionsByAccount: ReadonlyMap<string, readonly Subscription[]>;
  readonly domainsByAccount: ReadonlyMap<string, readonly Domain[]>;
  readonly childAccounts: ReadonlyMap<string, readonly Account[]>;
  readonly subscriptionsByTemplate: ReadonlyMap<string, readonly Subscription[]>;
  /** The domains a subscription provides (providedDomain) or that name it. */
  readonly domainsBySubscription: ReadonlyMap<string, readonly Domain[]>;
  /** The subscription ids a domain relates to, including ids the inventory lacks. */
  readonly subscriptionIdsByDomain: ReadonlyMap<string, readonly string[]>;
  /** Every account id that owns something (accounts, and owners named by domains/subscriptions). */
  readonly owners: ReadonlySet<string>;
}

export interface InventoryIndex {
  readonly servers: ReadonlyMap<string, ServerIndex>;
  /** Domain name (lower-case ASCII) → where it is, on every server. */
  readonly domainsByName: ReadonlyMap<
    string,
    readonly { readonly serverId: string; readonly domain: Domain }[]
  >;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

export function indexServer(serverId: string, inventory: Inventory): ServerIndex {
  const accounts = new Map(inventory.accounts.map((a) => [a.id, a]));
  const subscriptions = new Map(inventory.subscriptions.map((s) => [s.id, s]));
  const domains = new Map(inventory.domains.map((d) => [d.id, d]));
  const subscriptionsByAccount = new Map<string, Subscription[]>();
  const subscriptionsByTemplate = new Map<string, Subscription[]>();
  const domainsByAccount = new Map<string, Domain[]>();
  const childAccounts = new Map<string, Account[]>();
  const domainsBySubscription = new Map<string, Domain[]>();
  const subscriptionIdsByDomain = new Map<string, string[]>();
  const owners = new Set<string>(accounts.keys());

  for (const a of inventory.accounts) if (a.parentId !== undefined) push(childAccounts, a.parentId, a);
  const link = (subId: string, domain: Domain): void => {
    const ids = subscriptionIdsByDomain.get(domain.id);
    if (ids?.includes(subId)) return;
    push(subscriptionIdsByDomain, domain.id, subId);
    if (subscriptions.has(subId)) push(domainsBySubscription, subId, domain);
  };
  for (const s of inventory.subscriptions) {
    push(subscriptionsByAccount, s.accountId, s);
    push(subscriptionsByTemplate, s.templateId, s);
    owners.add(s.accountId);
    for (const id of s.domainIds) {
      const d = domains.get(id);
      if (d) link(s.id, d);
    }
  }
  for (const d of inventory.domains) {
    push(domainsByAccount, d.accountId, d);
    owners.add(d.accountId);
    if (d.hostingSubscriptionId !== undefined) link(d.hostingSubscriptionId, d);
    if (d.registrationSubscriptionId !== undefined) link(d.registrationSubscriptionId, d);
  }
  return {
    serverId,
    inventory,
    accounts,
    subscriptions,
    domains,
    templates: new Map(inventory.templates.map((t) => [t.id, t])),
    subscriptionsByAccount,
    domainsByAccount,
    childAccounts,
    subscriptionsByTemplate,
    domainsBySubscription,
    subscriptionIdsByDomain,
    owners,
  };
}

export function buildIndex(
  servers: readonly { readonly id: string; readonly inventory: Inventory }[],
): InventoryIndex {
  const indexed = new Map(servers.map((s) => [s.id, indexServer(s.id, s.inventory)]));
  const domainsByName = new Map<string, { serverId: string; domain: Domain }[]>();
  for (const s of servers)
    for (const d of s.inventory.domains)
      push(domainsByName, domainKey(d.name, d.asciiName), { serverId: s.id, domain: d });
  return { servers: indexed, domainsByName };
}
