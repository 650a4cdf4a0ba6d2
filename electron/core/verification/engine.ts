/**
 * Verification as pure functions (seed "Verification flow"): a full pass over every account
 * group, and an incremental pass that recomputes only the groups a change touched and returns
 * a patch. Step 4 (store the results) is the service's.
 */
import type { DecisionInput } from '../../../shared/model/decision';
import type { Domain } from '../../../shared/model/inventory';
import type { VerificationResult } from '../../../shared/model/verification';
import { domainKey } from '../mapping/mapping-rules';
import { Evaluation, OWN_CODES, resultKey } from './evaluation';
import { type InventoryIndex, type ServerIndex, accountById, domainById, groupOf } from './inventory-index';
import type { UnchangedKeeper } from './unchanged-results';
import type { VerificationInput } from './input';

export type Results = ReadonlyMap<string, VerificationResult>;

/** What a change touched: account groups, and domain names whose cross-server conflicts may change. */
export interface Touched {
  readonly accounts: readonly { readonly serverId: string; readonly accountId: string }[];
  readonly names: readonly string[];
}

/**
 * `keeper`: given the previous run's results, each new result equal to its previous one is
 * replaced by that previous object as soon as it is made (unchanged-results.ts).
 */
export function verifyAll(
  index: InventoryIndex,
  input: VerificationInput,
  onProgress?: (done: number, total: number) => void,
  keeper?: UnchangedKeeper,
): Map<string, VerificationResult> {
  const evaluation = new Evaluation(index, input, true);
  const results = new Map<string, VerificationResult>();
  // A full run starts from nothing, so "out of scope" (null) needs no entry.
  const sink = {
    set: (key: string, value: VerificationResult | null): void => {
      if (value) results.set(key, keeper ? keeper.keep(key, value) : value);
    },
  };
  const total = [...index.servers.values()].reduce((n, ix) => n + ix.owners.length, 0);
  let done = 0;
  for (const ix of index.servers.values()) {
    for (let owner = 0; owner < ix.owners.length; owner++) {
      evaluation.groupOf(ix.serverId, owner, sink);
      if (onProgress && ++done % 2000 === 0) onProgress(done, total);
    }
  }
  return results;
}

export interface Patch {
  /** key → new result, or null when the object left the verification's scope. */
  readonly changes: Map<string, VerificationResult | null>;
  readonly recomputed: number;
}

export function reverify(
  index: InventoryIndex,
  input: VerificationInput,
  previous: Results,
  touched: Touched,
): Patch {
  const evaluation = new Evaluation(index, input);
  const queue: { serverId: string; accountId: string }[] = [...touched.accounts];
  for (const name of touched.names)
    for (const o of index.domainsByName.get(name) ?? [])
      queue.push({ serverId: o.serverId, accountId: o.domain.accountId });
  // A customer's scope decides whether its reseller has something to migrate.
  for (const t of [...queue]) {
    const ix = index.servers.get(t.serverId);
    const parentId = ix && accountById(ix, t.accountId)?.parentId;
    if (parentId !== undefined) queue.push({ serverId: t.serverId, accountId: parentId });
  }
  const done = new Set<string>();
  const out = new Map<string, VerificationResult | null>();
  let recomputed = 0;
  while (queue.length > 0) {
    const t = queue.pop();
    if (!t) break;
    const key = `${t.serverId}\n${t.accountId}`;
    if (done.has(key)) continue;
    done.add(key);
    const group = new Map<string, VerificationResult | null>();
    evaluation.group(t.serverId, t.accountId, group);
    recomputed += group.size;
    for (const [k, v] of group) out.set(k, v);
    // When the account's own verdict changed, its customers' verdicts may change with it.
    const accountKey = resultKey('account', t.serverId, t.accountId);
    if (ownSignature(previous.get(accountKey)) !== ownSignature(group.get(accountKey) ?? undefined)) {
      const ix = index.servers.get(t.serverId);
      const owner = ix?.ownerNumber.get(t.accountId);
      if (ix && owner !== undefined)
        for (const child of groupOf(ix.children, owner))
          queue.push({ serverId: t.serverId, accountId: ix.owners[child] as string });
    }
  }
  const changes = new Map<string, VerificationResult | null>();
  for (const [k, v] of out) {
    const before = previous.get(k);
    if (v === null ? before !== undefined : !sameResult(before, v)) changes.set(k, v);
  }
  return { changes, recomputed };
}

function ownSignature(r: VerificationResult | null | undefined): string {
  if (!r) return '-';
  return r.reasons
    .filter((x) => OWN_CODES.has(x.code))
    .map((x) => x.code)
    .join(',');
}

function sameResult(a: VerificationResult | undefined, b: VerificationResult): boolean {
  return a !== undefined && JSON.stringify(a) === JSON.stringify(b);
}

/** Applies a patch to results in place. */
export function applyPatch(results: Map<string, VerificationResult>, patch: Patch): void {
  for (const [k, v] of patch.changes) {
    if (v) results.set(k, v);
    else results.delete(k);
  }
}

/** The account groups and names a decision touches. */
export function touchedBy(index: InventoryIndex, change: DecisionInput): Touched {
  const accounts: { serverId: string; accountId: string }[] = [];
  const names = new Set<string>();
  const bySubscription = (ix: ServerIndex, subId: string): void => {
    const n = ix.subscriptionNumber.get(subId);
    if (n === undefined) return;
    const sub = ix.inventory.subscriptions[n];
    if (sub) accounts.push({ serverId: ix.serverId, accountId: sub.accountId });
    for (const at of groupOf(ix.domainsOfSubscription, n)) {
      const d = ix.inventory.domains[at] as Domain;
      accounts.push({ serverId: ix.serverId, accountId: d.accountId });
      names.add(domainKey(d.name, d.asciiName));
    }
  };
  const byDomain = (ix: ServerIndex, domainId: string): void => {
    const n = ix.domainNumber.get(domainId);
    const d = domainById(ix, domainId);
    if (!d || n === undefined) return;
    accounts.push({ serverId: ix.serverId, accountId: d.accountId });
    names.add(domainKey(d.name, d.asciiName));
    // numbers past the inventory's subscriptions are ids it lacks
    for (const s of groupOf(ix.subscriptionsOfDomain, n)) {
      const sub = ix.inventory.subscriptions[s];
      if (sub) accounts.push({ serverId: ix.serverId, accountId: sub.accountId });
    }
  };
  switch (change.kind) {
    case 'override': {
      const ix = index.servers.get(change.serverId);
      if (ix) bySubscription(ix, change.subscriptionId);
      break;
    }
    case 'approve':
    case 'unselect': {
      const ix = index.servers.get(change.serverId);
      if (ix) byDomain(ix, change.domainId);
      break;
    }
    case 'remap': {
      const ix = index.servers.get(change.mapping.serverId);
      for (const sub of ix?.subscriptionsOfTemplate(change.mapping.templateId) ?? [])
        if (ix) bySubscription(ix, sub.id);
      break;
    }
  }
  return { accounts, names: [...names] };
}
