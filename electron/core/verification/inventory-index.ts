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
  /**
   * Domain name (lower-case ASCII) → where it is, for the names held by more than one server
   * (the only ones a cross-server conflict or a re-verification by name can reach): empty for a
   * single server, so a run at scale neither builds nor reads a key per domain.
   */
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

/**
 * Lists by key, in inventory order. Inventories list an account's objects together, so each run
 * of one key is cut from the inventory's own array in one piece: one map look-up per run rather
 * than per object, and a list of exactly its size (a list grown by `push` reserves 17 slots for
 * its second item; a list per account at scale is a lot of memory for the collector to copy).
 */
function groupRuns<V>(list: readonly V[], keyOf: (v: V) => string): Map<string, V[]> {
  const map = new Map<string, V[]>();
  let start = 0;
  for (let i = 1; i <= list.length; i++) {
    const key = keyOf(list[start] as V);
    if (i < list.length && keyOf(list[i] as V) === key) continue;
    const had = map.get(key);
    if (had) for (let j = start; j < i; j++) had.push(list[j] as V);
    else map.set(key, list.slice(start, i));
    start = i;
  }
  return map;
}

/** id → object; the last of a duplicated id wins, as in `new Map(list.map(...))`, without the pairs. */
function byId<T extends { readonly id: string }>(list: readonly T[]): Map<string, T> {
  const map = new Map<string, T>();
  for (const x of list) map.set(x.id, x);
  return map;
}

/*
 * Built with as few look-ups in the large maps as the tables allow: at ten times the bench's
 * size they hold 100,000 to 300,000 entries each, and every look-up there misses the CPU's
 * caches, which made the index grow faster than the inventory.
 */
export function indexServer(serverId: string, inventory: Inventory): ServerIndex {
  const accounts = byId(inventory.accounts);
  const subscriptions = byId(inventory.subscriptions);
  const domains = byId(inventory.domains);
  const subscriptionsByAccount = groupRuns(inventory.subscriptions, (x) => x.accountId);
  const subscriptionsByTemplate = new Map<string, Subscription[]>();
  const domainsByAccount = groupRuns(inventory.domains, (x) => x.accountId);
  const childAccounts = new Map<string, Account[]>();
  const domainsBySubscription = new Map<string, Domain[]>();
  const subscriptionIdsByDomain = new Map<string, string[]>();

  for (const a of inventory.accounts) if (a.parentId !== undefined) push(childAccounts, a.parentId, a);
  /** Records that the domain relates to subId; false when it already did. */
  const relate = (subId: string, domain: Domain): boolean => {
    const ids = subscriptionIdsByDomain.get(domain.id);
    if (ids === undefined) subscriptionIdsByDomain.set(domain.id, [subId]);
    else if (ids.includes(subId)) return false;
    // most domains relate to one or two subscriptions: keep those lists at their size
    else if (ids.length === 1) subscriptionIdsByDomain.set(domain.id, [ids[0] as string, subId]);
    else ids.push(subId);
    return true;
  };
  for (const s of inventory.subscriptions) {
    push(subscriptionsByTemplate, s.templateId, s);
    let provided: Domain[] | undefined;
    for (const id of s.domainIds) {
      const d = domains.get(id);
      if (d && relate(s.id, d)) (provided ??= []).push(d);
    }
    if (provided === undefined) continue;
    const had = domainsBySubscription.get(s.id);
    if (had) had.push(...provided);
    else domainsBySubscription.set(s.id, provided.length > 1 ? [...provided] : provided);
  }
  const link = (subId: string, d: Domain): void => {
    if (relate(subId, d) && subscriptions.has(subId)) push(domainsBySubscription, subId, d);
  };
  for (const d of inventory.domains) {
    const { hostingSubscriptionId: hosting, registrationSubscriptionId: registration } = d;
    if (hosting === undefined && registration === undefined) continue;
    // One look-up for both: almost always the subscriptions' own lists linked them already.
    // What it did not hold is linked by relate(), which looks again (hosting may be registration).
    const linked = subscriptionIdsByDomain.get(d.id);
    const hostingNew = hosting !== undefined && !linked?.includes(hosting);
    const registrationNew = registration !== undefined && !linked?.includes(registration);
    if (hostingNew) link(hosting, d);
    if (registrationNew) link(registration, d);
  }
  // The accounts, then owners only named by subscriptions, then by domains: each key once.
  const owners = new Set<string>(accounts.keys());
  for (const id of subscriptionsByAccount.keys()) owners.add(id);
  for (const id of domainsByAccount.keys()) owners.add(id);
  return {
    serverId,
    inventory,
    accounts,
    subscriptions,
    domains,
    templates: byId(inventory.templates),
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
  if (servers.length < 2) return { servers: indexed, domainsByName };
  // name → the one server holding it so far, or null once a second server holds it too
  const heldBy = new Map<string, string | null>();
  for (const s of servers)
    for (const d of s.inventory.domains) {
      const name = domainKey(d.name, d.asciiName);
      push(domainsByName, name, { serverId: s.id, domain: d });
      const on = heldBy.get(name);
      if (on === undefined) heldBy.set(name, s.id);
      else if (on !== null && on !== s.id) heldBy.set(name, null);
    }
  for (const [name, on] of heldBy) if (on !== null) domainsByName.delete(name);
  return { servers: indexed, domainsByName };
}
