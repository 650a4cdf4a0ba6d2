/**
 * An account's verdict: the seed's "Account" table (no domains, none selected, a domain
 * failed) and the POA guide's reseller rules (a customer fails when its parent reseller is not
 * migrated; a reseller's customers wait for their reseller).
 */
import type { Account } from '../../../shared/model/inventory';
import type { ResultReason, VerificationResult } from '../../../shared/model/verification';
import type { VerifiedServer } from './input';
import { few, isBlocking, reason } from './reason';
import { accountWarnings } from './warnings';

export interface ParentFacts {
  readonly account: Account;
  readonly inScope: boolean;
  /** The parent's own blocking reasons (from its own rules and its parent's). */
  readonly ownFailures: readonly ResultReason[];
}

export interface AccountOwnFacts {
  readonly server: VerifiedServer;
  readonly account: Account;
  readonly domainCount: number;
  readonly selectedDomainCount: number;
  /** A reseller with customers in the selection has something to migrate even without domains. */
  readonly customersInScope: number;
  /** Its parent reseller on the same source server, when it has one there. */
  readonly parent: ParentFacts | undefined;
  /** The parent id the account names when no such account is in the inventory. */
  readonly missingParentId?: string;
}

/**
 * The reasons that are the account's own, not inherited from its domains: subscriptions and
 * customer accounts depend on these (depending on domain results would make every failure spread).
 */
export function accountOwnReasons(f: AccountOwnFacts): ResultReason[] {
  const a = f.account;
  const out: ResultReason[] = [];
  const hasCustomers = a.type === 'reseller' && f.customersInScope > 0;
  if (f.domainCount === 0 && !hasCustomers)
    out.push(reason('no-domains', `Account ${a.id} has no domains on ${f.server.name}.`));
  else if (f.selectedDomainCount === 0 && !hasCustomers)
    out.push(
      reason(
        'no-domains-selected',
        `None of the ${f.domainCount} domain(s) of account ${a.id} is selected for migration.`,
      ),
    );
  if (f.missingParentId !== undefined)
    out.push(
      reason(
        'parent-missing',
        `Its parent account ${f.missingParentId} is not in the inventory of ${f.server.name}, so it will not be migrated.`,
      ),
    );
  const p = f.parent;
  if (p) {
    const parentRef = [{ kind: 'account' as const, serverId: f.server.id, id: p.account.id }];
    if (!p.inScope)
      out.push(
        reason(
          'parent-not-selected',
          `Its parent reseller ${p.account.id} is not selected for migration.`,
          parentRef,
        ),
      );
    else if (p.ownFailures.length > 0)
      out.push(
        reason(
          'parent-failed',
          `Its parent reseller ${p.account.id} failed verification (${few(p.ownFailures.map((r) => r.code))}).`,
          parentRef,
        ),
      );
    else
      out.push(reason('waits-for-reseller', `It is migrated after its reseller ${p.account.id}.`, parentRef));
  }
  return out;
}

export function verifyAccount(
  f: { readonly server: VerifiedServer; readonly account: Account },
  own: readonly ResultReason[],
  failedDomains: readonly { readonly id: string; readonly name: string }[],
): VerificationResult {
  const a = f.account;
  const reasons = [...own];
  if (failedDomains.length > 0)
    reasons.push(
      reason(
        'domain-failed',
        `Domain(s) ${few(failedDomains.map((d) => d.name))} did not pass verification.`,
        failedDomains.map((d) => ({ kind: 'domain' as const, serverId: f.server.id, id: d.id })),
      ),
    );
  reasons.push(...accountWarnings(a));
  return {
    kind: 'account',
    serverId: f.server.id,
    id: a.id,
    ...(a.company !== undefined ? { name: a.company } : {}),
    accountId: a.id,
    apiVersion: f.server.inventory.apiVersion,
    status: reasons.some(isBlocking) ? 'verification-failed' : 'verified',
    reasons,
  };
}
