/**
 * One verification pass: the rules wired to the index and the input, each verdict computed at
 * most once (memoized), so a full pass is linear and an incremental pass computes only the
 * account groups it is asked for plus the few verdicts those read.
 *
 * Objects are handled by the numbers the index gave them (inventory-index.ts): memos are
 * arrays indexed by number in a full pass and small Maps keyed by number in an incremental
 * one, never Maps keyed by id strings.
 */
import type { Account, Domain, Subscription } from '../../../shared/model/inventory';
import type { MappingInput } from '../../../shared/model/mapping';
import type { ResultReason, VerificationResult } from '../../../shared/model/verification';
import type { VerifiedKind } from '../../../shared/statuses';
import { domainKey, hasHosting, mappingState } from '../mapping/mapping-rules';
import { type AccountOwnFacts, type ParentFacts, accountOwnReasons, verifyAccount } from './account-rules';
import { dayNumber } from './dates';
import { type DomainFacts, type RelatedSubscription, verifyDomain } from './domain-rules';
import {
  type DomainAt,
  type InventoryIndex,
  type ServerIndex,
  domainNo,
  subscriptionNo,
} from './inventory-index';
import { type SelectedIds, type VerificationInput, type VerifiedServer, objectKey } from './input';
import { isBlocking } from './reason';
import { type SubscriptionVerdict, verifySubscription } from './subscription-rules';

export const resultKey = (kind: VerifiedKind, serverId: string, id: string): string =>
  `${kind}\n${serverId}\n${id}`;

const NOTHING: SelectedIds = { accounts: new Set(), domains: new Set() };

/** Codes an account owns itself; its customers and subscriptions depend on exactly these. */
export const OWN_CODES: ReadonlySet<string> = new Set([
  'no-domains',
  'no-domains-selected',
  'parent-not-selected',
  'parent-missing',
  'parent-failed',
]);

/** A decision map keyed by objectKey: looked up only when it holds something (a key is a new string). */
function byObject<V>(map: ReadonlyMap<string, V> | undefined, serverId: string, id: string): V | undefined {
  return map && map.size > 0 ? map.get(objectKey(serverId, id)) : undefined;
}

/** A template's mapping on one server, and whether it is complete (read once per template). */
interface TemplateMapping {
  readonly mapping: MappingInput | undefined;
  readonly complete: boolean;
}

/**
 * Yes/no facts per object number, each decided once per pass: a typed array when the pass
 * visits every object (a full run), a Map of the few asked for otherwise (an incremental run
 * must not allocate per object of the inventory).
 */
class Flags {
  readonly #dense: Int8Array | undefined;
  readonly #sparse = new Map<number, boolean>();

  constructor(size: number, dense: boolean) {
    this.#dense = dense ? new Int8Array(size) : undefined;
  }

  /** 1: yes, -1: no, 0: not decided yet (no closure per question: they are asked millions of times). */
  get(n: number): number {
    if (this.#dense !== undefined) return this.#dense[n] as number;
    const yes = this.#sparse.get(n);
    return yes === undefined ? 0 : yes ? 1 : -1;
  }

  /** Records the fact for n and returns it. */
  set(n: number, yes: boolean): boolean {
    if (this.#dense !== undefined) this.#dense[n] = yes ? 1 : -1;
    else this.#sparse.set(n, yes);
    return yes;
  }

  /**
   * Decides, for every n below `count` whose id `idAt` gives, whether `set` holds that id
   * (each id once). The set is walked in step with the numbers: where their orders agree (a
   * selection made from the inventory lists it in its order) an id is compared with the set's
   * next one, and looked up (a hash-table miss out of the CPU's caches at scale) only where
   * they differ. Full passes only.
   */
  fillFrom(count: number, idAt: (n: number) => string | undefined, set: ReadonlySet<string>): void {
    const dense = this.#dense;
    if (dense === undefined) return;
    const walk = set.values();
    let next = walk.next();
    for (let n = 0; n < count; n++) {
      const id = idAt(n);
      if (id === undefined) continue;
      if (next.done !== true && next.value === id) {
        dense[n] = 1;
        next = walk.next();
      } else dense[n] = set.has(id) ? 1 : -1;
    }
  }
}

/** One server's part of a pass, its memos keyed by the index's numbers. */
class ServerPass {
  /*
   * Verdict memos stay small: nearly every verdict is read within its own account's group, and
   * nearly every account's own reasons right after they are made; only what is read across
   * groups is kept for the whole pass (holding every verdict would keep 300,000 objects alive
   * at ten times the bench's size, for the collector to trace and promote).
   */
  /** Verdicts (by subscription number) of the subscriptions of the owner whose group is in hand. */
  readonly groupVerdicts = new Map<number, SubscriptionVerdict>();
  groupOwner = -1;
  /** Verdicts of subscriptions read from another owner's group. */
  readonly verdicts = new Map<number, SubscriptionVerdict>();
  /** Own reasons (by owner number) of accounts with customers (each customer reads them). */
  readonly own = new Map<number, ResultReason[]>();
  /** The own reasons of the last account without customers, read again by its subscriptions. */
  lastOwn: { readonly owner: number; readonly reasons: ResultReason[] } | undefined;
  /** The blocking reasons last filtered out of an owner's own reasons (`own`: that list). */
  lastFailures: { readonly own: ResultReason[]; readonly failures: ResultReason[] } | undefined;
  readonly visiting = new Set<number>();
  readonly templates = new Map<string, TemplateMapping>();
  /** Domain number → selected; owner number → in scope (selected, or owner of a selected domain). */
  readonly selected: Flags;
  /** Owner number → the account itself is selected. */
  readonly accountSelected: Flags;
  readonly inScope: Flags;
  /** resultKey(kind, serverId, "") per kind: a result's key is then one concatenation. */
  readonly keyPrefix: Readonly<Record<VerifiedKind, string>>;

  constructor(
    readonly s: VerifiedServer,
    readonly ix: ServerIndex,
    readonly sel: SelectedIds,
    dense: boolean,
  ) {
    const { domains } = ix.inventory;
    this.selected = new Flags(domains.length, dense);
    // a domain's number is the position of the last with its id: decided there
    this.selected.fillFrom(
      domains.length,
      (n) => (domainNo(ix, n) === n ? (domains[n] as Domain).id : undefined),
      sel.domains,
    );
    this.accountSelected = new Flags(ix.owners.length, dense);
    this.accountSelected.fillFrom(ix.owners.length, (n) => ix.owners[n], sel.accounts);
    this.inScope = new Flags(ix.owners.length, dense);
    this.keyPrefix = {
      account: resultKey('account', s.id, ''),
      subscription: resultKey('subscription', s.id, ''),
      domain: resultKey('domain', s.id, ''),
    };
  }
}

export class Evaluation {
  readonly #servers: ReadonlyMap<string, VerifiedServer>;
  readonly #passes = new Map<string, ServerPass | null>();
  readonly #today: number;

  /**
   * `full`: the pass will visit every group (verifyAll), so per-object memos are arrays sized
   * to the inventory; otherwise they are Maps of what the pass touches.
   */
  constructor(
    readonly index: InventoryIndex,
    readonly input: VerificationInput,
    private readonly full = false,
  ) {
    this.#servers = new Map(input.servers.map((s) => [s.id, s]));
    const today = dayNumber(input.today);
    if (today === undefined)
      throw new Error(`verification needs today's date as YYYY-MM-DD, not "${input.today}"`);
    this.#today = today;
  }

  /** The server's pass, or undefined when the input or the index lacks the server. */
  private pass(serverId: string): ServerPass | undefined {
    let p = this.#passes.get(serverId);
    if (p === undefined) {
      const s = this.#servers.get(serverId);
      const ix = this.index.servers.get(serverId);
      p = s && ix ? new ServerPass(s, ix, this.selected(serverId), this.full) : null;
      this.#passes.set(serverId, p);
    }
    return p ?? undefined;
  }

  selected(serverId: string): SelectedIds {
    return this.input.selection.get(serverId) ?? NOTHING;
  }

  /** Whether domain number n (position `at`'s id) is selected. */
  private domainSelected(here: ServerPass, n: number): boolean {
    const known = here.selected.get(n);
    if (known !== 0) return known > 0;
    return here.selected.set(n, here.sel.domains.has((here.ix.inventory.domains[n] as Domain).id));
  }

  /** Selected itself, or owner of a selected domain (a domain never migrates without its owner). */
  private accountInScope(here: ServerPass, owner: number): boolean {
    const known = here.inScope.get(owner);
    if (known !== 0) return known > 0;
    let selected = here.accountSelected.get(owner);
    if (selected === 0)
      selected = here.accountSelected.set(owner, here.sel.accounts.has(here.ix.owners[owner] as string))
        ? 1
        : -1;
    if (selected > 0) return here.inScope.set(owner, true);
    const { start, items } = here.ix.domainsOfOwner;
    for (let k = start[owner] as number; k < (start[owner + 1] as number); k++)
      if (this.domainSelected(here, domainNo(here.ix, items[k] as number)))
        return here.inScope.set(owner, true);
    return here.inScope.set(owner, false);
  }

  /**
   * Of an account in scope, unless every domain it provides was left out of the selection.
   * `at`: the subscription's position (its owner), `n`: its number (the domains its id provides).
   */
  private subscriptionInScope(here: ServerPass, at: number, n: number): boolean {
    const { ix } = here;
    if (!this.accountInScope(here, ix.subscriptionOwner[at] as number)) return false;
    const { start, items } = ix.domainsOfSubscription;
    const from = start[n] as number;
    const to = start[n + 1] as number;
    if (from === to) return true;
    for (let k = from; k < to; k++)
      if (this.domainSelected(here, domainNo(ix, items[k] as number))) return true;
    return false;
  }

  private ownReasons(here: ServerPass, owner: number): ResultReason[] {
    const memo = here.own.get(owner);
    if (memo) return memo;
    if (here.lastOwn?.owner === owner) return here.lastOwn.reasons;
    const account = here.ix.ownerAccount[owner];
    if (!account) return [];
    if (here.visiting.has(owner)) return []; // a parent loop in the source's data: stop climbing
    here.visiting.add(owner);
    const own = accountOwnReasons(this.ownFacts(here, owner, account));
    here.visiting.delete(owner);
    const { start } = here.ix.children;
    if ((start[owner] as number) < (start[owner + 1] as number)) here.own.set(owner, own);
    else here.lastOwn = { owner, reasons: own };
    return own;
  }

  /** The blocking part of an owner's own reasons; its subscriptions ask one after another. */
  private ownFailures(here: ServerPass, owner: number): ResultReason[] {
    const own = this.ownReasons(here, owner);
    const last = here.lastFailures;
    if (last !== undefined && last.own === own) return last.failures;
    const failures = own.filter(isBlocking);
    here.lastFailures = { own, failures };
    return failures;
  }

  private ownFacts(here: ServerPass, owner: number, account: Account): AccountOwnFacts {
    const { ix } = here;
    const p = ix.parentOwner[owner] as number;
    const parentAccount = p >= 0 ? ix.ownerAccount[p] : undefined;
    const parent: ParentFacts | undefined =
      parentAccount && parentAccount.id !== account.id
        ? {
            account: parentAccount,
            inScope: this.accountInScope(here, p),
            ownFailures: this.ownReasons(here, p).filter(isBlocking),
          }
        : undefined;
    const domains = ix.domainsOfOwner;
    let selectedDomainCount = 0;
    for (let k = domains.start[owner] as number; k < (domains.start[owner + 1] as number); k++)
      if (this.domainSelected(here, domainNo(ix, domains.items[k] as number))) selectedDomainCount++;
    let customersInScope = 0;
    if (account.type === 'reseller') {
      const { start, items } = ix.children;
      for (let k = start[owner] as number; k < (start[owner + 1] as number); k++)
        if (this.accountInScope(here, items[k] as number)) customersInScope++;
    }
    return {
      server: here.s,
      account,
      domainCount: (domains.start[owner + 1] as number) - (domains.start[owner] as number),
      selectedDomainCount,
      ...(account.parentId !== undefined && account.parentId !== account.id && !parentAccount
        ? { missingParentId: account.parentId }
        : {}),
      customersInScope,
      parent,
    };
  }

  /** The mapping of a template on a server, and whether it is complete. */
  private templateMapping(here: ServerPass, templateId: string): TemplateMapping {
    let t = here.templates.get(templateId);
    if (t === undefined) {
      const mapping = this.input.mappings.get(objectKey(here.s.id, templateId));
      t = { mapping, complete: mappingState(mapping) === 'complete' };
      here.templates.set(templateId, t);
    }
    return t;
  }

  private overridden(serverId: string, subscriptionId: string): boolean {
    const overrides = this.input.decisions.overrides;
    return overrides.size > 0 && overrides.has(objectKey(serverId, subscriptionId));
  }

  /** The domains subscription number n provides, as objects. */
  private domainsOf(ix: ServerIndex, n: number): Domain[] {
    const { start, items } = ix.domainsOfSubscription;
    const out: Domain[] = [];
    for (let k = start[n] as number; k < (start[n + 1] as number); k++)
      out.push(ix.inventory.domains[items[k] as number] as Domain);
    return out;
  }

  /** The verdict of subscription number n (a number the index gave an inventory subscription). */
  private verdict(here: ServerPass, n: number): SubscriptionVerdict {
    const memo = here.groupVerdicts.get(n) ?? here.verdicts.get(n);
    if (memo) return memo;
    const { ix } = here;
    const sub = ix.inventory.subscriptions[n] as Subscription;
    const owner = ix.subscriptionOwner[n] as number;
    const { mapping, complete } = this.templateMapping(here, sub.templateId);
    const v = verifySubscription({
      server: here.s,
      subscription: sub,
      domains: this.domainsOf(ix, n),
      mapping,
      mappingComplete: complete,
      template: ix.templates.get(sub.templateId),
      overridden: this.overridden(here.s.id, sub.id),
      ownerFailures: this.ownFailures(here, owner),
      today: this.#today,
    });
    if (owner === here.groupOwner) here.groupVerdicts.set(n, v);
    else here.verdicts.set(n, v);
    return v;
  }

  /**
   * Whether a domain is hosted here, for the cross-server conflict: a subscription not marked
   * "not migrated" whose class is hosting; an unmapped one counts when the domain names it as
   * its hosting subscription or the agent's hint says hosting (unless the policy skips it).
   * `n`: the domain's number (the subscriptions its id relates to).
   */
  private hostsDomain(here: ServerPass, domain: Domain, n: number): boolean {
    const { ix } = here;
    const subscriptions = ix.inventory.subscriptions;
    const { start, items } = ix.subscriptionsOfDomain;
    for (let k = start[n] as number; k < (start[n + 1] as number); k++) {
      const number = items[k] as number;
      if (number >= subscriptions.length) continue; // an id the inventory lacks
      const sub = subscriptions[number] as Subscription;
      const id = sub.id;
      if (this.overridden(here.s.id, id)) continue;
      const { mapping, complete } = this.templateMapping(here, sub.templateId);
      if (complete && mapping) {
        if (hasHosting(mapping.class)) return true;
        continue;
      }
      if (here.s.settings.unmappedPolicy === 'skip') continue;
      const hint = ix.templates.get(sub.templateId)?.kind;
      if (
        domain.hostingSubscriptionId === id ||
        hint === 'hosting' ||
        hint === 'hostingAndDomainRegistration'
      )
        return true;
    }
    return false;
  }

  /** Selected and hosted on its server (another server's domain, for a conflict). */
  private selectedAndHosted(o: DomainAt): boolean {
    const there = this.pass(o.serverId);
    if (!there) return false; // the input lacks the server: it hosts nothing
    const n = domainNo(there.ix, o.at);
    return this.domainSelected(there, n) && this.hostsDomain(there, o.domain, n);
  }

  /** The same domain selected and hosted on other servers, when it is hosted here too. */
  private conflicts(here: ServerPass, domain: Domain, n: number): DomainFacts['conflicts'] {
    // Only names held by several servers are indexed: most domains need no name key at all.
    if (this.index.domainsByName.size === 0) return [];
    const serverId = here.s.id;
    const elsewhere = (this.index.domainsByName.get(domainKey(domain.name, domain.asciiName)) ?? []).filter(
      (o) => o.serverId !== serverId,
    );
    if (elsewhere.length === 0 || !this.hostsDomain(here, domain, n)) return [];
    return elsewhere
      .filter((o) => this.selectedAndHosted(o))
      .map((o) => ({
        serverName: this.#servers.get(o.serverId)?.name ?? o.serverId,
        ref: { kind: 'domain' as const, serverId: o.serverId, id: o.domain.id },
      }));
  }

  /** A domain's result (the domain object, and its number); each is computed once per pass. */
  private domainResult(here: ServerPass, domain: Domain, n: number): VerificationResult {
    const { ix } = here;
    const subscriptions = ix.inventory.subscriptions;
    const { start, items } = ix.subscriptionsOfDomain;
    const related: RelatedSubscription[] = [];
    for (let k = start[n] as number; k < (start[n + 1] as number); k++) {
      const number = items[k] as number;
      related.push(
        number < subscriptions.length
          ? { id: (subscriptions[number] as Subscription).id, verdict: this.verdict(here, number) }
          : { id: ix.missingSubscriptions[number - subscriptions.length] as string, verdict: undefined },
      );
    }
    const serverId = here.s.id;
    const { approvals } = this.input.decisions;
    return verifyDomain({
      server: here.s,
      domain,
      related,
      conflicts: this.conflicts(here, domain, n),
      approval: byObject(approvals, serverId, domain.id),
      services: byObject(this.input.domainServices, serverId, domain.id),
      ipReasons: byObject(this.input.ipReasons, serverId, domain.id),
    });
  }

  /** Writes the results of one account by id (see `groupOf`); nothing for an id that owns nothing. */
  group(
    serverId: string,
    accountId: string,
    out: { set(key: string, value: VerificationResult | null): unknown },
  ): void {
    const owner = this.index.servers.get(serverId)?.ownerNumber.get(accountId);
    if (owner !== undefined) this.groupOf(serverId, owner, out);
  }

  /** Writes the results of one owner (by number), its domains and its subscriptions (null: out of scope). */
  groupOf(
    serverId: string,
    owner: number,
    out: { set(key: string, value: VerificationResult | null): unknown },
  ): void {
    const here = this.pass(serverId);
    if (!here) return;
    const { s, ix, keyPrefix } = here;
    const { domains, subscriptions } = ix.inventory;
    here.groupOwner = owner;
    here.groupVerdicts.clear();
    const failed: { id: string; name: string }[] = [];
    const ofOwner = ix.domainsOfOwner;
    for (let k = ofOwner.start[owner] as number; k < (ofOwner.start[owner + 1] as number); k++) {
      const at = ofOwner.items[k] as number;
      const d = domains[at] as Domain;
      const n = domainNo(ix, at);
      if (!this.domainSelected(here, n)) {
        out.set(keyPrefix.domain + d.id, null);
        continue;
      }
      const r = this.domainResult(here, d, n);
      if (r.status === 'verification-failed') failed.push({ id: d.id, name: d.name });
      out.set(keyPrefix.domain + d.id, r);
    }
    const subs = ix.subscriptionsOfOwner;
    for (let k = subs.start[owner] as number; k < (subs.start[owner + 1] as number); k++) {
      const at = subs.items[k] as number;
      const n = subscriptionNo(ix, at);
      out.set(
        keyPrefix.subscription + (subscriptions[at] as Subscription).id,
        this.subscriptionInScope(here, at, n) ? this.verdict(here, n).result : null,
      );
    }
    const account = ix.ownerAccount[owner];
    if (!account) return;
    const inScope = this.accountInScope(here, owner);
    out.set(
      keyPrefix.account + (ix.owners[owner] as string),
      inScope ? verifyAccount({ server: s, account }, this.ownReasons(here, owner), failed) : null,
    );
  }
}
