/**
 * One verification pass: the rules wired to the index and the input, each verdict computed at
 * most once (memoized), so a full pass is linear and an incremental pass computes only the
 * account groups it is asked for plus the few verdicts those read.
 */
import type { Account, Domain, Subscription } from '../../../shared/model/inventory';
import type { ResultReason, VerificationResult } from '../../../shared/model/verification';
import type { VerifiedKind } from '../../../shared/statuses';
import { domainKey, hasHosting, mappingState } from '../mapping/mapping-rules';
import { type AccountOwnFacts, type ParentFacts, accountOwnReasons, verifyAccount } from './account-rules';
import { dayNumber } from './dates';
import { type RelatedSubscription, verifyDomain } from './domain-rules';
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

export class Evaluation {
  readonly #servers: ReadonlyMap<string, VerifiedServer>;
  readonly #today: number;
  readonly #verdicts = new Map<string, SubscriptionVerdict>();
  readonly #own = new Map<string, ResultReason[]>();
  readonly #domains = new Map<string, VerificationResult>();
  readonly #visiting = new Set<string>();
  readonly #complete = new Map<string, boolean>();

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

  server(serverId: string): { s: VerifiedServer; ix: ServerIndex } | undefined {
    const s = this.#servers.get(serverId);
    const ix = this.index.servers.get(serverId);
    return s && ix ? { s, ix } : undefined;
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
    const key = objectKey(serverId, accountId);
    const memo = this.#own.get(key);
    if (memo) return memo;
    const here = this.server(serverId);
    const account = here?.ix.accounts.get(accountId);
    if (!here || !account) return [];
    if (this.#visiting.has(key)) return []; // a parent loop in the source's data: stop climbing
    this.#visiting.add(key);
    const own = accountOwnReasons(this.ownFacts(here.s, here.ix, account));
    this.#visiting.delete(key);
    this.#own.set(key, own);
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

  verdict(serverId: string, subscriptionId: string): SubscriptionVerdict | undefined {
    const key = objectKey(serverId, subscriptionId);
    const memo = this.#verdicts.get(key);
    if (memo) return memo;
    const here = this.server(serverId);
    const sub = here?.ix.subscriptions.get(subscriptionId);
    if (!here || !sub) return undefined;
    const templateKey = objectKey(serverId, sub.templateId);
    const mapping = this.input.mappings.get(templateKey);
    let complete = this.#complete.get(templateKey);
    if (complete === undefined) {
      complete = mappingState(mapping) === 'complete';
      this.#complete.set(templateKey, complete);
    }
    const v = verifySubscription({
      server: here.s,
      subscription: sub,
      domains: here.ix.domainsBySubscription.get(sub.id) ?? [],
      mapping,
      mappingComplete: complete,
      template: here.ix.templates.get(sub.templateId),
      overridden: this.input.decisions.overrides.has(key),
      ownerFailures: this.ownReasons(serverId, sub.accountId).filter(isBlocking),
      today: this.#today,
    });
    this.#verdicts.set(key, v);
    return v;
  }

  /**
   * Whether a domain is hosted here, for the cross-server conflict: a subscription not marked
   * "not migrated" whose class is hosting; an unmapped one counts when the domain names it as
   * its hosting subscription or the agent's hint says hosting (unless the policy skips it).
   */
  hostsDomain(serverId: string, domain: Domain): boolean {
    const here = this.server(serverId);
    if (!here) return false;
    for (const id of here.ix.subscriptionIdsByDomain.get(domain.id) ?? []) {
      const sub = here.ix.subscriptions.get(id);
      if (!sub || this.input.decisions.overrides.has(objectKey(serverId, id))) continue;
      const mapping = this.input.mappings.get(objectKey(serverId, sub.templateId));
      if (mappingState(mapping) === 'complete' && mapping) {
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

  domainResult(serverId: string, domain: Domain): VerificationResult {
    const key = objectKey(serverId, domain.id);
    const memo = this.#domains.get(key);
    if (memo) return memo;
    const here = this.server(serverId);
    if (!here) throw new Error(`no server ${serverId}`);
    const related: RelatedSubscription[] = (here.ix.subscriptionIdsByDomain.get(domain.id) ?? []).map(
      (id) => ({
        id,
        verdict: this.verdict(serverId, id),
      }),
    );
    const conflicts = this.hostsDomain(serverId, domain)
      ? (this.index.domainsByName.get(domainKey(domain.name, domain.asciiName)) ?? [])
          .filter(
            (o) =>
              o.serverId !== serverId &&
              this.domainSelected(o.serverId, o.domain.id) &&
              this.hostsDomain(o.serverId, o.domain),
          )
          .map((o) => ({
            serverName: this.#servers.get(o.serverId)?.name ?? o.serverId,
            ref: { kind: 'domain' as const, serverId: o.serverId, id: o.domain.id },
          }))
      : [];
    const result = verifyDomain({
      server: here.s,
      domain,
      related,
      conflicts,
      approval: this.input.decisions.approvals.get(key),
      services: this.input.domainServices?.get(key),
      ipReasons: this.input.ipReasons?.get(key),
    });
    this.#domains.set(key, result);
    return result;
  }

  /** Writes the results of one account, its domains and its subscriptions (null: out of scope). */
  group(
    serverId: string,
    accountId: string,
    out: { set(key: string, value: VerificationResult | null): unknown },
  ): void {
    const here = this.server(serverId);
    if (!here) return;
    const { s, ix } = here;
    const sel = this.selected(serverId);
    const failed: { id: string; name: string }[] = [];
    for (const d of ix.domainsByAccount.get(accountId) ?? []) {
      if (!sel.domains.has(d.id)) {
        out.set(resultKey('domain', serverId, d.id), null);
        continue;
      }
      const r = this.domainResult(serverId, d);
      if (r.status === 'verification-failed') failed.push({ id: d.id, name: d.name });
      out.set(resultKey('domain', serverId, d.id), r);
    }
    for (const sub of ix.subscriptionsByAccount.get(accountId) ?? []) {
      out.set(
        resultKey('subscription', serverId, sub.id),
        this.subscriptionInScope(ix, sub) ? (this.verdict(serverId, sub.id)?.result ?? null) : null,
      );
    }
    const account = ix.accounts.get(accountId);
    if (!account) return;
    const inScope = this.accountInScope(ix, accountId);
    out.set(
      resultKey('account', serverId, accountId),
      inScope ? verifyAccount({ server: s, account }, this.ownReasons(serverId, accountId), failed) : null,
    );
  }
}

function countSelected(domains: readonly Domain[], sel: SelectedIds): number {
  let n = 0;
  for (const d of domains) if (sel.domains.has(d.id)) n++;
  return n;
}
