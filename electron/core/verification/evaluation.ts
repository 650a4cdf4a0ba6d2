/**
 * One verification pass: the rules wired to the index and the input, each verdict computed at
 * most once (memoized), so a full pass is linear and an incremental pass computes only the
 * account groups it is asked for plus the few verdicts those read.
 */
import type { Account, Domain, Subscription } from '../../../shared/model/inventory';
import type { MappingInput } from '../../../shared/model/mapping';
import type { ResultReason, VerificationResult } from '../../../shared/model/verification';
import type { VerifiedKind } from '../../../shared/statuses';
import { domainKey, hasHosting, mappingState } from '../mapping/mapping-rules';
import { type AccountOwnFacts, type ParentFacts, accountOwnReasons, verifyAccount } from './account-rules';
import { dayNumber } from './dates';
import { type DomainFacts, type RelatedSubscription, verifyDomain } from './domain-rules';
import type { InventoryIndex, ServerIndex } from './inventory-index';
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
 * One server's part of a pass. The memos are keyed by the inventory's own id strings, so a
 * look-up builds no key: a full run at ten times the bench's size made millions of key strings
 * and grew maps of hundreds of thousands of entries, all traced by the garbage collector.
 */
class ServerPass {
  /*
   * Memos that stay small: a map grown to hundreds of thousands of entries costs more per entry
   * the larger it grows (its table is copied and re-hashed, out of the CPU's caches), which made
   * a full run at ten times the size cost more than ten times as much. Nearly every verdict is
   * read within its own account's group, and nearly every account's own reasons right after
   * they are made; only what is read across groups is kept for the whole pass.
   */
  /** Verdicts of the subscriptions of the account whose group is in hand. */
  readonly groupVerdicts = new Map<string, SubscriptionVerdict>();
  groupAccount: string | undefined;
  /** Verdicts of subscriptions read from another account's group. */
  readonly verdicts = new Map<string, SubscriptionVerdict>();
  /** Own reasons of accounts with customers (each customer reads them). */
  readonly own = new Map<string, ResultReason[]>();
  /** The own reasons of the last account without customers, read again by its subscriptions. */
  lastOwn: { readonly accountId: string; readonly reasons: ResultReason[] } | undefined;
  readonly visiting = new Set<string>();
  readonly templates = new Map<string, TemplateMapping>();
  /** resultKey(kind, serverId, "") per kind: a result's key is then one concatenation. */
  readonly keyPrefix: Readonly<Record<VerifiedKind, string>>;

  constructor(
    readonly s: VerifiedServer,
    readonly ix: ServerIndex,
    readonly sel: SelectedIds,
  ) {
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

  constructor(
    readonly index: InventoryIndex,
    readonly input: VerificationInput,
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
      p = s && ix ? new ServerPass(s, ix, this.selected(serverId)) : null;
      this.#passes.set(serverId, p);
    }
    return p ?? undefined;
  }

  server(serverId: string): { s: VerifiedServer; ix: ServerIndex } | undefined {
    return this.pass(serverId);
  }

  selected(serverId: string): SelectedIds {
    return this.input.selection.get(serverId) ?? NOTHING;
  }

  domainSelected(serverId: string, domainId: string): boolean {
    return this.selected(serverId).domains.has(domainId);
  }

  /** Selected itself, or owner of a selected domain (a domain never migrates without its owner). */
  accountInScope(ix: ServerIndex, accountId: string): boolean {
    const sel = this.selected(ix.serverId);
    if (sel.accounts.has(accountId)) return true;
    return (ix.domainsByAccount.get(accountId) ?? []).some((d) => sel.domains.has(d.id));
  }

  /** Of an account in scope, unless every domain it provides was left out of the selection. */
  subscriptionInScope(ix: ServerIndex, sub: Subscription): boolean {
    if (!this.accountInScope(ix, sub.accountId)) return false;
    const domains = ix.domainsBySubscription.get(sub.id) ?? [];
    return domains.length === 0 || domains.some((d) => this.domainSelected(ix.serverId, d.id));
  }

  ownReasons(serverId: string, accountId: string): ResultReason[] {
    const here = this.pass(serverId);
    if (!here) return [];
    const memo = here.own.get(accountId);
    if (memo) return memo;
    if (here.lastOwn?.accountId === accountId) return here.lastOwn.reasons;
    const account = here.ix.accounts.get(accountId);
    if (!account) return [];
    if (here.visiting.has(accountId)) return []; // a parent loop in the source's data: stop climbing
    here.visiting.add(accountId);
    const own = accountOwnReasons(this.ownFacts(here.s, here.ix, account));
    here.visiting.delete(accountId);
    if (here.ix.childAccounts.has(accountId)) here.own.set(accountId, own);
    else here.lastOwn = { accountId, reasons: own };
    return own;
  }

  private ownFacts(s: VerifiedServer, ix: ServerIndex, account: Account): AccountOwnFacts {
    const domains = ix.domainsByAccount.get(account.id) ?? [];
    const sel = this.selected(s.id);
    const parentAccount = account.parentId !== undefined ? ix.accounts.get(account.parentId) : undefined;
    const parent: ParentFacts | undefined =
      parentAccount && parentAccount.id !== account.id
        ? {
            account: parentAccount,
            inScope: this.accountInScope(ix, parentAccount.id),
            ownFailures: this.ownReasons(s.id, parentAccount.id).filter(isBlocking),
          }
        : undefined;
    return {
      server: s,
      account,
      domainCount: domains.length,
      selectedDomainCount: countSelected(domains, sel),
      ...(account.parentId !== undefined && account.parentId !== account.id && !parentAccount
        ? { missingParentId: account.parentId }
        : {}),
      customersInScope:
        account.type === 'reseller'
          ? (ix.childAccounts.get(account.id) ?? []).filter((c) => this.accountInScope(ix, c.id)).length
          : 0,
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

  verdict(serverId: string, subscriptionId: string): SubscriptionVerdict | undefined {
    const here = this.pass(serverId);
    if (!here) return undefined;
    const memo = here.groupVerdicts.get(subscriptionId) ?? here.verdicts.get(subscriptionId);
    if (memo) return memo;
    const sub = here.ix.subscriptions.get(subscriptionId);
    if (!sub) return undefined;
    const { mapping, complete } = this.templateMapping(here, sub.templateId);
    const v = verifySubscription({
      server: here.s,
      subscription: sub,
      domains: here.ix.domainsBySubscription.get(sub.id) ?? [],
      mapping,
      mappingComplete: complete,
      template: here.ix.templates.get(sub.templateId),
      overridden: this.overridden(serverId, subscriptionId),
      ownerFailures: this.ownReasons(serverId, sub.accountId).filter(isBlocking),
      today: this.#today,
    });
    if (sub.accountId === here.groupAccount) here.groupVerdicts.set(subscriptionId, v);
    else here.verdicts.set(subscriptionId, v);
    return v;
  }

  /**
   * Whether a domain is hosted here, for the cross-server conflict: a subscription not marked
   * "not migrated" whose class is hosting; an unmapped one counts when the domain names it as
   * its hosting subscription or the agent's hint says hosting (unless the policy skips it).
   */
  hostsDomain(serverId: string, domain: Domain): boolean {
    const here = this.pass(serverId);
    if (!here) return false;
    for (const id of here.ix.subscriptionIdsByDomain.get(domain.id) ?? []) {
      const sub = here.ix.subscriptions.get(id);
      if (!sub || this.overridden(serverId, id)) continue;
      const { mapping, complete } = this.templateMapping(here, sub.templateId);
      if (complete && mapping) {
        if (hasHosting(mapping.class)) return true;
        continue;
      }
      if (here.s.settings.unmappedPolicy === 'skip') continue;
      const hint = here.ix.templates.get(sub.templateId)?.kind;
      if (
        domain.hostingSubscriptionId === id ||
        hint === 'hosting' ||
        hint === 'hostingAndDomainRegistration'
      )
        return true;
    }
    return false;
  }

  /** The same domain selected and hosted on other servers, when it is hosted here too. */
  private conflicts(serverId: string, domain: Domain): DomainFacts['conflicts'] {
    // Only names held by several servers are indexed: most domains need no name key at all.
    if (this.index.domainsByName.size === 0) return [];
    const elsewhere = (this.index.domainsByName.get(domainKey(domain.name, domain.asciiName)) ?? []).filter(
      (o) => o.serverId !== serverId,
    );
    if (elsewhere.length === 0 || !this.hostsDomain(serverId, domain)) return [];
    return elsewhere
      .filter((o) => this.domainSelected(o.serverId, o.domain.id) && this.hostsDomain(o.serverId, o.domain))
      .map((o) => ({
        serverName: this.#servers.get(o.serverId)?.name ?? o.serverId,
        ref: { kind: 'domain' as const, serverId: o.serverId, id: o.domain.id },
      }));
  }

  /** A domain's result; each is computed once per pass, by the group of its account. */
  domainResult(serverId: string, domain: Domain): VerificationResult {
    const here = this.pass(serverId);
    if (!here) throw new Error(`no server ${serverId}`);
    const related: RelatedSubscription[] = (here.ix.subscriptionIdsByDomain.get(domain.id) ?? []).map(
      (id) => ({
        id,
        verdict: this.verdict(serverId, id),
      }),
    );
    const { approvals } = this.input.decisions;
    return verifyDomain({
      server: here.s,
      domain,
      related,
      conflicts: this.conflicts(serverId, domain),
      approval: byObject(approvals, serverId, domain.id),
      services: byObject(this.input.domainServices, serverId, domain.id),
      ipReasons: byObject(this.input.ipReasons, serverId, domain.id),
    });
  }

  /** Writes the results of one account, its domains and its subscriptions (null: out of scope). */
  group(
    serverId: string,
    accountId: string,
    out: { set(key: string, value: VerificationResult | null): unknown },
  ): void {
    const here = this.pass(serverId);
    if (!here) return;
    const { s, ix, sel, keyPrefix } = here;
    here.groupAccount = accountId;
    here.groupVerdicts.clear();
    const failed: { id: string; name: string }[] = [];
    for (const d of ix.domainsByAccount.get(accountId) ?? []) {
      if (!sel.domains.has(d.id)) {
        out.set(keyPrefix.domain + d.id, null);
        continue;
      }
      const r = this.domainResult(serverId, d);
      if (r.status === 'verification-failed') failed.push({ id: d.id, name: d.name });
      out.set(keyPrefix.domain + d.id, r);
    }
    for (const sub of ix.subscriptionsByAccount.get(accountId) ?? []) {
      out.set(
        keyPrefix.subscription + sub.id,
        this.subscriptionInScope(ix, sub) ? (this.verdict(serverId, sub.id)?.result ?? null) : null,
      );
    }
    const account = ix.accounts.get(accountId);
    if (!account) return;
    const inScope = this.accountInScope(ix, accountId);
    out.set(
      keyPrefix.account + accountId,
      inScope ? verifyAccount({ server: s, account }, this.ownReasons(serverId, accountId), failed) : null,
    );
  }
}

function countSelected(domains: readonly Domain[], sel: SelectedIds): number {
  let n = 0;
  for (const d of domains) if (sel.domains.has(d.id)) n++;
  return n;
}
