/**
 * Look-up tables over the inventories, built once per inventory (they do not change with
 * decisions), so a full run is linear and an incremental run touches only what it needs.
 *
 * Every object is numbered once, here, by its position in its inventory list (accounts by
 * owner, below), and every relation between objects is kept as numbers in typed arrays
 * indexed by those numbers. At ten times the bench's size, Maps keyed by id strings held
 * 100,000 to 300,000 entries each; every look-up in them missed the CPU's caches and every
 * entry was traced by the garbage collector, so a run grew faster than the inventory. Only one
 * id → number Map per kind is left, for what arrives as an id (a reference in the inventory, a
 * decision's subject); the rules walk arrays.
 */
import type {
  Account,
  Domain,
  Inventory,
  ServiceTemplate,
  Subscription,
} from '../../../shared/model/inventory';
import { domainKey } from '../mapping/mapping-rules';

/**
 * Numbers → numbers, grouped: the items of group g are `items[start[g]]` up to (not including)
 * `items[start[g + 1]]`, in the order they were related.
 */
export interface Groups {
  readonly start: Int32Array;
  readonly items: Int32Array;
}

export interface ServerIndex {
  readonly serverId: string;
  readonly inventory: Inventory;
  /**
   * Owners: every account id that owns something, numbered — the accounts in inventory order,
   * then owners only named by subscriptions, then by domains. An owner's number is its
   * "account number" everywhere below.
   */
  readonly owners: readonly string[];
  readonly ownerNumber: ReadonlyMap<string, number>;
  /** Owner number → the account (the last of a duplicated id), undefined for owners not in the accounts. */
  readonly ownerAccount: readonly (Account | undefined)[];
  /** Owner number → the owner number of its account's parent when the parent is an account, else -1. */
  readonly parentOwner: Int32Array;
  /** Owner number → owner numbers of the accounts naming it as parent (one per account object). */
  readonly children: Groups;
  /** Subscription id → its number: the position of the last subscription with that id. */
  readonly subscriptionNumber: ReadonlyMap<string, number>;
  /** Domain id → its number: the position of the last domain with that id. */
  readonly domainNumber: ReadonlyMap<string, number>;
  /**
   * Position → the number of the object its id means (the last with that id); undefined when
   * no id is duplicated (then the number is the position).
   */
  readonly subscriptionCanonical: Int32Array | undefined;
  readonly domainCanonical: Int32Array | undefined;
  /** Subscription position → its owner's number; domain position → its owner's number. */
  readonly subscriptionOwner: Int32Array;
  readonly domainOwner: Int32Array;
  /** Owner number → positions of its subscriptions, and of its domains, in inventory order. */
  readonly subscriptionsOfOwner: Groups;
  readonly domainsOfOwner: Groups;
  /**
   * Subscription number → positions of the domains it provides (providedDomain) or that name it.
   * The position is the domain object that related first (for a duplicated domain id, the
   * subscription's own list relates the last object, a domain's own reference that object).
   */
  readonly domainsOfSubscription: Groups;
  /**
   * Domain number → numbers of the subscriptions it relates to; numbers from
   * `inventory.subscriptions.length` on are ids the inventory lacks (`missingSubscriptions`).
   */
  readonly subscriptionsOfDomain: Groups;
  readonly missingSubscriptions: readonly string[];
  readonly templates: ReadonlyMap<string, ServiceTemplate>;
  /** The subscriptions of a template (built on first use: only a re-mapping asks). */
  subscriptionsOfTemplate(templateId: string): readonly Subscription[];
}

export interface InventoryIndex {
  readonly servers: ReadonlyMap<string, ServerIndex>;
  /**
   * Domain name (lower-case ASCII) → where it is (server, domain object and its position), for
   * the names held by more than one server (the only ones a cross-server conflict or a
   * re-verification by name can reach): empty for a single server, so a run at scale neither
   * builds nor reads a key per domain.
   */
  readonly domainsByName: ReadonlyMap<string, readonly DomainAt[]>;
}

export interface DomainAt {
  readonly serverId: string;
  readonly domain: Domain;
  readonly at: number;
}

/** Items of group g, as a fresh array of numbers (for callers that are not hot). */
export function groupOf(groups: Groups, g: number): number[] {
  if (g < 0 || g + 1 >= groups.start.length) return [];
  return Array.from(groups.items.subarray(groups.start[g], groups.start[g + 1]));
}

export const subscriptionNo = (ix: ServerIndex, position: number): number =>
  ix.subscriptionCanonical === undefined ? position : (ix.subscriptionCanonical[position] as number);

export const domainNo = (ix: ServerIndex, position: number): number =>
  ix.domainCanonical === undefined ? position : (ix.domainCanonical[position] as number);

/** The subscription an id means, or undefined. */
export function subscriptionById(ix: ServerIndex, id: string): Subscription | undefined {
  const n = ix.subscriptionNumber.get(id);
  return n === undefined ? undefined : ix.inventory.subscriptions[n];
}

/** The domain an id means, or undefined. */
export function domainById(ix: ServerIndex, id: string): Domain | undefined {
  const n = ix.domainNumber.get(id);
  return n === undefined ? undefined : ix.inventory.domains[n];
}

/** The account an id means, or undefined (also for owners not in the accounts). */
export function accountById(ix: ServerIndex, id: string): Account | undefined {
  const n = ix.ownerNumber.get(id);
  return n === undefined ? undefined : ix.ownerAccount[n];
}

/** id → position of the last object with it, and each position's canonical number when ids repeat. */
function numberIds(list: readonly { readonly id: string }[]): {
  byId: Map<string, number>;
  canonical: Int32Array | undefined;
} {
  const byId = new Map<string, number>();
  for (let i = 0; i < list.length; i++) byId.set((list[i] as { id: string }).id, i);
  if (byId.size === list.length) return { byId, canonical: undefined };
  const canonical = new Int32Array(list.length);
  for (let i = 0; i < list.length; i++) canonical[i] = byId.get((list[i] as { id: string }).id) as number;
  return { byId, canonical };
}

/**
 * Groups numbers by key with a counting sort: `keyOf[i]` is the group of item i (-1: none), and
 * items keep their order within a group. Two passes over typed arrays, no Map.
 */
function groupBy(keyOf: Int32Array, count: number, groups: number, valueOf?: Int32Array): Groups {
  const start = new Int32Array(groups + 1);
  for (let i = 0; i < count; i++) {
    const k = keyOf[i] as number;
    if (k >= 0) start[k + 1] = (start[k + 1] as number) + 1;
  }
  for (let g = 0; g < groups; g++) start[g + 1] = (start[g + 1] as number) + (start[g] as number);
  const fill = start.slice(0, groups);
  const items = new Int32Array(start[groups] as number);
  for (let i = 0; i < count; i++) {
    const k = keyOf[i] as number;
    if (k < 0) continue;
    const at = fill[k] as number;
    fill[k] = at + 1;
    items[at] = valueOf ? (valueOf[i] as number) : i;
  }
  return { start, items };
}

/**
 * Numbers each run of one owner id with one look-up (inventories list an account's objects
 * together), adding owners not seen before; returns each position's owner number.
 */
function ownersOf(
  list: readonly { readonly accountId: string }[],
  ownerNumber: Map<string, number>,
  owners: string[],
): Int32Array {
  const out = new Int32Array(list.length);
  let lastId: string | undefined;
  let last = -1;
  for (let i = 0; i < list.length; i++) {
    const id = (list[i] as { accountId: string }).accountId;
    if (id !== lastId) {
      let n = ownerNumber.get(id);
      if (n === undefined) {
        n = owners.length;
        ownerNumber.set(id, n);
        owners.push(id);
      }
      lastId = id;
      last = n;
    }
    out[i] = last;
  }
  return out;
}

/** Relations between subscriptions and domains, appended in the order the old tables made them. */
class Relations {
  readonly sub: Int32Array;
  readonly domain: Int32Array;
  /** The domain object's position (may differ from `domain`'s number for a duplicated id). */
  readonly object: Int32Array;
  length = 0;

  constructor(capacity: number) {
    this.sub = new Int32Array(capacity);
    this.domain = new Int32Array(capacity);
    this.object = new Int32Array(capacity);
  }

  add(sub: number, domain: number, object: number): void {
    const i = this.length++;
    this.sub[i] = sub;
    this.domain[i] = domain;
    this.object[i] = object;
  }
}

export function indexServer(serverId: string, inventory: Inventory): ServerIndex {
  const { accounts, subscriptions, domains } = inventory;
  const nSubs = subscriptions.length;
  const nDomains = domains.length;

  // Owners: the accounts first (the last object of a duplicated id is the account), then owners
  // only named by subscriptions, then by domains: each key once.
  const ownerNumber = new Map<string, number>();
  const owners: string[] = [];
  const ownerAccount: (Account | undefined)[] = [];
  for (const a of accounts) {
    let n = ownerNumber.get(a.id);
    if (n === undefined) {
      n = owners.length;
      ownerNumber.set(a.id, n);
      owners.push(a.id);
    }
    ownerAccount[n] = a;
  }
  const accountOwners = owners.length;
  const subscriptionOwner = ownersOf(subscriptions, ownerNumber, owners);
  const domainOwner = ownersOf(domains, ownerNumber, owners);
  const nOwners = owners.length;
  for (let n = accountOwners; n < nOwners; n++) ownerAccount.push(undefined);

  // Parents: looked up among the accounts (an owner only named by objects is no parent).
  const parentOwner = new Int32Array(nOwners).fill(-1);
  const childParent = new Int32Array(accounts.length).fill(-1);
  const childOwner = new Int32Array(accounts.length);
  // Without a duplicated account id an account's owner number is its position: no look-up.
  const unique = accountOwners === accounts.length;
  for (let i = 0; i < accounts.length; i++) {
    const a = accounts[i] as Account;
    childOwner[i] = unique ? i : (ownerNumber.get(a.id) as number);
    if (a.parentId === undefined) continue;
    const p = ownerNumber.get(a.parentId);
    if (p !== undefined && p < accountOwners) childParent[i] = p;
  }
  if (unique) parentOwner.set(childParent.subarray(0, accountOwners));
  else
    for (let n = 0; n < accountOwners; n++) {
      const a = ownerAccount[n] as Account;
      if (a.parentId === undefined) continue;
      const p = ownerNumber.get(a.parentId);
      if (p !== undefined && p < accountOwners) parentOwner[n] = p;
    }
  const children = groupBy(childParent, accounts.length, nOwners, childOwner);

  const subs = numberIds(subscriptions);
  const doms = numberIds(domains);
  const subNo = (p: number): number => (subs.canonical === undefined ? p : (subs.canonical[p] as number));
  const domNo = (p: number): number => (doms.canonical === undefined ? p : (doms.canonical[p] as number));

  // Relations in the order the rules expect them: each subscription's own list, then each
  // domain's hosting and registration subscription (usually already related: dropped below).
  let capacity = 0;
  for (const s of subscriptions) capacity += s.domainIds.length;
  for (const d of domains)
    capacity +=
      (d.hostingSubscriptionId !== undefined ? 1 : 0) + (d.registrationSubscriptionId !== undefined ? 1 : 0);
  const rel = new Relations(capacity);
  // A subscription's domains are nearly always its owner's: found among those by comparing ids
  // (when no domain id repeats, the one found is the one the id means), else looked up.
  const domainsOfOwner = groupBy(domainOwner, nDomains, nOwners);
  for (let p = 0; p < nSubs; p++) {
    const ids = (subscriptions[p] as Subscription).domainIds;
    if (ids.length === 0) continue;
    const n = subNo(p);
    const owner = subscriptionOwner[p] as number;
    const from = domainsOfOwner.start[owner] as number;
    const to = domainsOfOwner.start[owner + 1] as number;
    for (const id of ids) {
      let q = -1;
      if (doms.canonical === undefined)
        for (let k = from; k < to; k++) {
          const at = domainsOfOwner.items[k] as number;
          if ((domains[at] as Domain).id === id) {
            q = at;
            break;
          }
        }
      if (q < 0) q = doms.byId.get(id) ?? -1;
      if (q >= 0) rel.add(n, q, q);
    }
  }
  const ownLists = rel.length;
  const listed = groupBy(rel.domain, ownLists, nDomains);
  /** Whether a subscription's own list already related domain c to the subscription with this id. */
  const listedWith = (c: number, id: string): boolean => {
    for (let k = listed.start[c] as number; k < (listed.start[c + 1] as number); k++)
      if ((subscriptions[rel.sub[listed.items[k] as number] as number] as Subscription).id === id)
        return true;
    return false;
  };
  const missing: string[] = [];
  const missingNumber = new Map<string, number>();
  const subNumberOf = (id: string): number => {
    const n = subs.byId.get(id);
    if (n !== undefined) return n;
    let m = missingNumber.get(id);
    if (m === undefined) {
      m = nSubs + missing.length;
      missingNumber.set(id, m);
      missing.push(id);
    }
    return m;
  };
  for (let q = 0; q < nDomains; q++) {
    const d = domains[q] as Domain;
    const { hostingSubscriptionId: hosting, registrationSubscriptionId: registration } = d;
    if (hosting === undefined && registration === undefined) continue;
    // Almost always related already: then the id needs no look-up (a repeat is dropped below).
    const c = domNo(q);
    if (hosting !== undefined && !listedWith(c, hosting)) rel.add(subNumberOf(hosting), c, q);
    if (registration !== undefined && !listedWith(c, registration)) rel.add(subNumberOf(registration), c, q);
  }

  // Per domain, the first relation to each subscription wins (in the order made).
  const byDomain = groupBy(rel.domain, rel.length, nDomains);
  const keep = new Int32Array(rel.length).fill(-1); // relation → its subscription when kept
  const subOfDomain = new Int32Array(rel.length).fill(-1); // item slot → kept subscription
  for (let d = 0; d < nDomains; d++) {
    const from = byDomain.start[d] as number;
    const to = byDomain.start[d + 1] as number;
    let kept = from;
    for (let k = from; k < to; k++) {
      const r = byDomain.items[k] as number;
      const s = rel.sub[r] as number;
      let seen = false;
      for (let j = from; j < kept; j++) if (subOfDomain[j] === s) seen = true;
      if (seen) continue;
      subOfDomain[kept++] = s;
      if (s < nSubs) keep[r] = s;
    }
    for (let j = kept; j < to; j++) subOfDomain[j] = -1;
  }
  // Compact the per-domain lists (dropped relations left gaps).
  const domainKeys = new Int32Array(rel.length).fill(-1);
  for (let d = 0; d < nDomains; d++)
    for (let k = byDomain.start[d] as number; k < (byDomain.start[d + 1] as number); k++)
      if ((subOfDomain[k] as number) >= 0) domainKeys[k] = d;
  const subscriptionsOfDomain = groupBy(domainKeys, rel.length, nDomains, subOfDomain);
  const domainsOfSubscription = groupBy(keep, rel.length, nSubs, rel.object);

  let byTemplate: Map<string, Subscription[]> | undefined;
  return {
    serverId,
    inventory,
    owners,
    ownerNumber,
    ownerAccount,
    parentOwner,
    children,
    subscriptionNumber: subs.byId,
    domainNumber: doms.byId,
    subscriptionCanonical: subs.canonical,
    domainCanonical: doms.canonical,
    subscriptionOwner,
    domainOwner,
    subscriptionsOfOwner: groupBy(subscriptionOwner, nSubs, nOwners),
    domainsOfOwner,
    domainsOfSubscription,
    subscriptionsOfDomain,
    missingSubscriptions: missing,
    templates: new Map(inventory.templates.map((t) => [t.id, t])),
    subscriptionsOfTemplate(templateId: string): readonly Subscription[] {
      if (byTemplate === undefined) {
        byTemplate = new Map();
        for (const s of subscriptions) {
          const list = byTemplate.get(s.templateId);
          if (list) list.push(s);
          else byTemplate.set(s.templateId, [s]);
        }
      }
      return byTemplate.get(templateId) ?? [];
    },
  };
}

export function buildIndex(
  servers: readonly { readonly id: string; readonly inventory: Inventory }[],
): InventoryIndex {
  const indexed = new Map(servers.map((s) => [s.id, indexServer(s.id, s.inventory)]));
  const domainsByName = new Map<string, DomainAt[]>();
  if (servers.length < 2) return { servers: indexed, domainsByName };
  // name → the one server holding it so far, or null once a second server holds it too
  const heldBy = new Map<string, string | null>();
  for (const s of servers)
    s.inventory.domains.forEach((d, at) => {
      const name = domainKey(d.name, d.asciiName);
      const list = domainsByName.get(name);
      if (list) list.push({ serverId: s.id, domain: d, at });
      else domainsByName.set(name, [{ serverId: s.id, domain: d, at }]);
      const on = heldBy.get(name);
      if (on === undefined) heldBy.set(name, s.id);
      else if (on !== null && on !== s.id) heldBy.set(name, null);
    });
  for (const [name, on] of heldBy) if (on !== null) domainsByName.delete(name);
  return { servers: indexed, domainsByName };
}
