/**
 * A domain's verdict, the seed's steps 1-3 for one domain: conflicts between its subscriptions
 * (and with other source servers), which hosting subscription goes to POA, which registration
 * and resource subscriptions go to PBA; then the "Domain" table's status and reasons.
 */
import type { Domain } from '../../../shared/model/inventory';
import type {
  DomainServicesFacts,
  ObjectRef,
  ResultReason,
  VerificationResult,
} from '../../../shared/model/verification';
import { hasHosting, hasRegistration } from '../mapping/mapping-rules';
import type { VerifiedServer } from './input';
import { few, isBlocking, reason } from './reason';
import type { SubscriptionVerdict } from './subscription-rules';
import { domainWarnings } from './warnings';

export interface RelatedSubscription {
  readonly id: string;
  /** undefined: the domain names a subscription the inventory does not hold. */
  readonly verdict: SubscriptionVerdict | undefined;
}

export interface DomainFacts {
  readonly server: VerifiedServer;
  readonly domain: Domain;
  readonly related: readonly RelatedSubscription[];
  /** The same domain, selected and hosted on other source servers (empty unless it is hosted here too). */
  readonly conflicts: readonly { readonly serverName: string; readonly ref: ObjectRef }[];
  readonly approval: { readonly park: boolean; readonly decisionId: string } | undefined;
  readonly services: DomainServicesFacts | undefined;
  /** IP mapping warnings (a dedicated IP the target ran out of, a source IP not mapped). */
  readonly ipReasons?: readonly ResultReason[] | undefined;
}

export function verifyDomain(f: DomainFacts): VerificationResult {
  const { domain: d, server } = f;
  const settings = server.settings;
  const reasons: ResultReason[] = [];
  const ref = (id: string): ObjectRef => ({ kind: 'subscription', serverId: server.id, id });
  const unmapped: string[] = [];
  const rejected: string[] = [];
  const rejectedIds: string[] = [];
  const hosting: string[] = [];
  const registration: string[] = [];
  const resources: string[] = [];

  for (const r of f.related) {
    const v = r.verdict;
    if (!v) {
      reasons.push(
        reason(
          'subscription-missing',
          `${d.name} names subscription ${r.id}, which the inventory of ${server.name} does not hold.`,
          [ref(r.id)],
        ),
      );
      continue;
    }
    if (v.result.status === 'not-migrated') continue; // the override state takes it out of every count
    if (!v.mapped) {
      if (settings.unmappedPolicy === 'fail') unmapped.push(r.id);
      continue;
    }
    if (!v.suitable || !v.cls) {
      const why = v.result.reasons.filter(isBlocking).map((x) => x.code);
      rejected.push(why.length > 0 ? `${r.id} (${why.join(', ')})` : r.id);
      rejectedIds.push(r.id);
      continue;
    }
    if (hasHosting(v.cls)) hosting.push(r.id);
    if (hasRegistration(v.cls)) registration.push(r.id);
    if (v.cls === 'resource') resources.push(r.id);
  }

  // Step 1: conflicts.
  if (unmapped.length > 0)
    reasons.push(
      reason(
        'unmapped-subscriptions',
        `${d.name} has unmapped subscription(s) ${few(unmapped)} and the unmapped policy of ${server.name} is "fail".`,
        unmapped.map(ref),
      ),
    );
  if (f.conflicts.length > 0)
    reasons.push(
      reason(
        'hosting-on-several-servers',
        `${d.name} is hosted on ${server.name} and also on ${few(f.conflicts.map((c) => c.serverName))}; it must be selected on one source server only.`,
        f.conflicts.map((c) => c.ref),
      ),
    );
  if (hosting.length > 1)
    reasons.push(
      reason(
        'several-hosting-subscriptions',
        `${d.name} has ${hosting.length} hosting subscriptions suitable for migration: ${few(hosting)}.`,
        hosting.map(ref),
      ),
    );
  if (registration.length > 1)
    reasons.push(
      reason(
        'several-registration-subscriptions',
        `${d.name} has ${registration.length} domain registration subscriptions suitable for migration: ${few(registration)}.`,
        registration.map(ref),
      ),
    );

  // Steps 2 and 3: what goes to POA, what to PBA.
  let awaitsApproval = false;
  if (hosting.length > 0) {
    if (settings.requireRegistration && registration.length === 0)
      reasons.push(
        reason(
          'registration-not-found',
          `${d.name} has no domain registration subscription suitable for migration, and ${server.name} requires one.`,
        ),
      );
  } else if (registration.length + resources.length > 0) {
    awaitsApproval = true;
    reasons.push(
      reason(
        'no-hosting-subscription',
        `${d.name} has ${[...registration, ...resources].length === 1 ? 'subscription' : 'subscriptions'} ${few([...registration, ...resources])} for PBA but no hosting subscription.`,
        [...registration, ...resources].map(ref),
      ),
    );
    if (settings.parkRegistrationOnly)
      reasons.push(
        reason(
          'parking-offered',
          `${server.name} offers parking: ${d.name} can be parked on the target when approved.`,
        ),
      );
  } else if (!reasons.some(isBlocking)) {
    reasons.push(
      reason(
        'no-suitable-subscription',
        rejected.length > 0
          ? `None of the subscriptions of ${d.name} is suitable for migration (rejected: ${few(rejected)}).`
          : `No subscription provides ${d.name} on ${server.name}.`,
        rejectedIds.map(ref),
      ),
    );
  }
  reasons.push(...domainWarnings(d, f.services));
  if (f.ipReasons) reasons.push(...f.ipReasons);

  const failed = reasons.some(isBlocking);
  const approved = awaitsApproval && f.approval !== undefined;
  if (approved && !failed)
    reasons.push(
      reason(
        'approved-manually',
        `Approved manually${f.approval?.park ? ', with parking' : ''} (decision ${f.approval?.decisionId}).`,
      ),
    );
  const hostingId = hosting.length === 1 ? hosting[0] : undefined;
  const registrationId = registration.length === 1 ? registration[0] : undefined;
  const hostingTemplate =
    hostingId !== undefined
      ? f.related.find((r) => r.id === hostingId)?.verdict?.result.templateId
      : undefined;
  return {
    kind: 'domain',
    serverId: server.id,
    id: d.id,
    name: d.name,
    accountId: d.accountId,
    ...(hostingTemplate !== undefined ? { templateId: hostingTemplate } : {}),
    apiVersion: server.inventory.apiVersion,
    status: failed
      ? 'verification-failed'
      : hosting.length > 0
        ? 'auto-approved'
        : approved
          ? 'manually-approved'
          : 'manual-approval-required',
    reasons,
    plan: {
      ...(hostingId !== undefined ? { hosting: hostingId } : {}),
      ...(registrationId !== undefined ? { registration: registrationId } : {}),
      resources,
      park: approved && f.approval?.park === true && settings.parkRegistrationOnly,
    },
  };
}
