/**
 * The inventory index is built with few look-ups (objects numbered by position, relations kept
 * as numbers in typed arrays, names indexed only when several servers hold them): these check
 * it holds exactly what grouping each object one by one gives, on the bench's synthetic source, in its own order and shuffled (an
 * account's objects scattered through the inventory), with duplicates and dangling references.
 */
import { describe, expect, it } from 'vitest';
import type { Domain, Inventory, Subscription } from '../../shared/model/inventory';
import { syntheticInventory } from '../../build/bench/synthetic';
import {
  type Groups,
  type ServerIndex,
  buildIndex,
  domainNo,
  groupOf,
  indexServer,
  subscriptionNo,
} from '../../electron/core/verification/inventory-index';
import { domainKey } from '../../electron/core/mapping/mapping-rules';
import { shuffled } from './shuffled';

/** The plain way: one look-up per object, lists grown by push. */
function group<V>(list: readonly V[], keyOf: (v: V) => string | undefined): Map<string, V[]> {
  const map = new Map<string, V[]>();
  for (const v of list) {
    const key = keyOf(v);
    if (key === undefined) continue;
    const had = map.get(key);
    if (had) had.push(v);
    else map.set(key, [v]);
  }
  return map;
}

/** What each domain relates to, and each subscription provides, linked one by one. */
function links(inv: Inventory): { ids: Map<string, string[]>; provided: Map<string, Domain[]> } {
  const ids = new Map<string, string[]>();
  const provided = new Map<string, Domain[]>();
  const domains = new Map(inv.domains.map((d) => [d.id, d]));
  const subs = new Set(inv.subscriptions.map((s) => s.id));
  const link = (subId: string, d: Domain): void => {
    const list = ids.get(d.id) ?? [];
    if (list.includes(subId)) return;
    ids.set(d.id, [...list, subId]);
    if (subs.has(subId)) provided.set(subId, [...(provided.get(subId) ?? []), d]);
  };
  for (const s of inv.subscriptions)
    for (const id of s.domainIds) {
      const d = domains.get(id);
      if (d) link(s.id, d);
    }
  for (const d of inv.domains) {
    if (d.hostingSubscriptionId !== undefined) link(d.hostingSubscriptionId, d);
    if (d.registrationSubscriptionId !== undefined) link(d.registrationSubscriptionId, d);
  }
  return { ids, provided };
}

/** The numbered index read back as the id-keyed tables it replaced. */
function asTables(ix: ServerIndex) {
  const { subscriptions, domains } = ix.inventory;
  const byOwner = <V>(groups: Groups, list: readonly V[]): Map<string, V[]> => {
    const map = new Map<string, V[]>();
    ix.owners.forEach((id, n) => {
      const items = groupOf(groups, n).map((p) => list[p] as V);
      if (items.length > 0) map.set(id, items);
    });
    return map;
  };
  const domainsBySubscription = new Map<string, Domain[]>();
  subscriptions.forEach((s, p) => {
    if (subscriptionNo(ix, p) !== p) return; // a duplicated id: its last object stands for it
    const items = groupOf(ix.domainsOfSubscription, p).map((q) => domains[q] as Domain);
    if (items.length > 0) domainsBySubscription.set(s.id, items);
  });
  const subscriptionIdsByDomain = new Map<string, string[]>();
  domains.forEach((d, q) => {
    if (domainNo(ix, q) !== q) return;
    const ids = groupOf(ix.subscriptionsOfDomain, q).map((n) =>
      n < subscriptions.length
        ? (subscriptions[n] as Subscription).id
        : (ix.missingSubscriptions[n - subscriptions.length] as string),
    );
    if (ids.length > 0) subscriptionIdsByDomain.set(d.id, ids);
  });
  const childAccounts = new Map<string, string[]>();
  ix.owners.forEach((id, n) => {
    const items = groupOf(ix.children, n).map((c) => ix.owners[c] as string);
    if (items.length > 0) childAccounts.set(id, items);
  });
  return {
    subscriptionsByAccount: byOwner(ix.subscriptionsOfOwner, subscriptions),
    domainsByAccount: byOwner(ix.domainsOfOwner, domains),
    domainsBySubscription,
    subscriptionIdsByDomain,
    childAccounts,
  };
}

function expectIndexOf(inv: Inventory): void {
  const ix = indexServer('s', inv);
  const tables = asTables(ix);
  expect(tables.subscriptionsByAccount).toEqual(group(inv.subscriptions, (s) => s.accountId));
  expect(tables.domainsByAccount).toEqual(group(inv.domains, (d) => d.accountId));
  // children by id, of parents that are accounts (a parent missing from the accounts has none)
  const accountIds = new Set(inv.accounts.map((a) => a.id));
  const children = new Map(
    [...group(inv.accounts, (a) => a.parentId)]
      .filter(([parent]) => accountIds.has(parent))
      .map(([parent, list]) => [parent, list.map((a) => a.id)]),
  );
  expect(tables.childAccounts).toEqual(children);
  for (const [templateId, list] of group(inv.subscriptions, (s) => s.templateId))
    expect(ix.subscriptionsOfTemplate(templateId)).toEqual(list);
  const { ids, provided } = links(inv);
  expect(tables.subscriptionIdsByDomain).toEqual(ids);
  expect(tables.domainsBySubscription).toEqual(provided);
  // the accounts first, then owners named only by subscriptions, then only by domains
  const owners = new Set([
    ...inv.accounts.map((a) => a.id),
    ...inv.subscriptions.map((s) => s.accountId),
    ...inv.domains.map((d) => d.accountId),
  ]);
  expect([...ix.owners]).toEqual([...owners]);
  // numbers: an id means the last object holding it; each owner's account is the last with its id
  const lastAccount = new Map(inv.accounts.map((a) => [a.id, a]));
  ix.owners.forEach((id, n) => {
    expect(ix.ownerNumber.get(id)).toBe(n);
    expect(ix.ownerAccount[n]).toBe(lastAccount.get(id));
    const parent = lastAccount.get(id)?.parentId;
    const p = ix.parentOwner[n] as number;
    expect(p >= 0 ? ix.owners[p] : undefined).toBe(
      parent !== undefined && accountIds.has(parent) ? parent : undefined,
    );
  });
  const lastSub = new Map(inv.subscriptions.map((s, p) => [s.id, p]));
  inv.subscriptions.forEach((s, p) => {
    expect(subscriptionNo(ix, p)).toBe(lastSub.get(s.id));
    expect(ix.owners[ix.subscriptionOwner[p] as number]).toBe(s.accountId);
  });
  const lastDomain = new Map(inv.domains.map((d, q) => [d.id, q]));
  inv.domains.forEach((d, q) => {
    expect(domainNo(ix, q)).toBe(lastDomain.get(d.id));
    expect(ix.owners[ix.domainOwner[q] as number]).toBe(d.accountId);
  });
}

describe('inventory index', () => {
  const inv = syntheticInventory({ accounts: 400, domains: 790, subscriptions: 1180, today: '2025-06-15' });

  it("groups the synthetic source as one look-up per object does, in the inventory's order", () => {
    expectIndexOf(inv);
  });

  it("groups a shuffled inventory the same way (an account's objects not together)", () => {
    expectIndexOf({
      ...inv,
      accounts: shuffled(inv.accounts, 1),
      subscriptions: shuffled(inv.subscriptions, 2),
      domains: shuffled(inv.domains, 3),
    });
  });

  it('keeps duplicated ids (a subscription, a domain), owners missing from the accounts and links to absent subscriptions', () => {
    const sub = inv.subscriptions[0] as Subscription;
    const domain = inv.domains[0] as Domain;
    expectIndexOf({
      ...inv,
      subscriptions: [
        ...inv.subscriptions,
        { ...sub, domainIds: [...sub.domainIds, domain.id, 'no-such-domain'] },
        { ...sub, id: 'orphan-sub', accountId: 'no-such-account' },
      ],
      domains: [
        ...inv.domains,
        // the same domain id again, under another hosting subscription
        { ...domain, hostingSubscriptionId: 'h-3' },
        {
          ...domain,
          id: 'orphan.test',
          name: 'orphan.test',
          accountId: 'ghost',
          hostingSubscriptionId: 'nope',
        },
      ],
    });
  });

  it('indexes by name only the names held by more than one server', () => {
    expect(buildIndex([{ id: 'a', inventory: inv }]).domainsByName.size).toBe(0);
    const other = syntheticInventory({ accounts: 10, domains: 20, subscriptions: 30, today: '2025-06-15' });
    const index = buildIndex([
      { id: 'a', inventory: inv },
      { id: 'b', inventory: other },
    ]);
    // the second server's ten accounts carry the same names as the first's first ten
    expect(index.domainsByName.size).toBe(other.domains.length);
    for (const d of other.domains) {
      const where = index.domainsByName.get(domainKey(d.name, d.asciiName)) ?? [];
      expect(where.map((o) => o.serverId)).toEqual(['a', 'b']);
    }
  });
});
