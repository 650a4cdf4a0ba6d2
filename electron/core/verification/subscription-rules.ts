/**
 * A subscription's verdict: the seed's subscription tables (v1: not mapped, expired; v2: the
 * five reasons), the protective-subscription rule, the POA guide's rules (owner failed, wrong
 * dates), the override state, and the registrar password trap.
 */
import type { Domain, ServiceTemplate, Subscription } from '../../../shared/model/inventory';
import type { MappingInput, TemplateClass } from '../../../shared/model/mapping';
import type { ResultReason, VerificationResult } from '../../../shared/model/verification';
import { hasHosting, hasRegistration, matchTld, missingParts } from '../mapping/mapping-rules';
import { dayNumber, dayString } from './dates';
import type { VerifiedServer } from './input';
import { few, isBlocking, reason } from './reason';
import { subscriptionWarnings } from './warnings';

export interface SubscriptionFacts {
  readonly server: VerifiedServer;
  readonly subscription: Subscription;
  readonly domains: readonly Domain[];
  readonly mapping: MappingInput | undefined;
  /** mappingState(mapping) === 'complete', computed once per template by the caller. */
  readonly mappingComplete: boolean;
  readonly template: ServiceTemplate | undefined;
  readonly overridden: boolean;
  /** The owner account's own failures (not those it inherits from its domains). */
  readonly ownerFailures: readonly ResultReason[];
  /** Today as a day number (dates.ts). */
  readonly today: number;
}

export interface SubscriptionVerdict {
  readonly result: VerificationResult;
  /** Mapped completely, every provided domain's TLD included; false makes it "unmapped" for its domains. */
  readonly mapped: boolean;
  readonly cls?: TemplateClass;
  /** Approved: it can carry its domain(s) to the target. */
  readonly suitable: boolean;
}

export function verifySubscription(f: SubscriptionFacts): SubscriptionVerdict {
  const { subscription: s, server, mapping } = f;
  const v = server.inventory.apiVersion;
  const base: Omit<VerificationResult, 'status' | 'reasons'> =
    s.name !== undefined
      ? {
          kind: 'subscription',
          serverId: server.id,
          id: s.id,
          name: s.name,
          accountId: s.accountId,
          templateId: s.templateId,
          apiVersion: v,
        }
      : {
          kind: 'subscription',
          serverId: server.id,
          id: s.id,
          accountId: s.accountId,
          templateId: s.templateId,
          apiVersion: v,
        };
  const complete = f.mappingComplete;
  const cls = complete ? mapping?.class : undefined;
  if (f.overridden) {
    return {
      result: {
        ...base,
        status: 'not-migrated',
        reasons: [
          reason(
            'override-not-migrated',
            `Subscription ${s.id} is marked "not migrated" (override state): it stays on ${server.name}.`,
          ),
        ],
      },
      mapped: complete,
      ...(cls ? { cls } : {}),
      suitable: false,
    };
  }
  const reasons: ResultReason[] = [];
  const templateName = f.template ? `"${f.template.name}" (${s.templateId})` : s.templateId;
  const skipped =
    server.settings.unmappedPolicy === 'skip'
      ? ` It is skipped (the unmapped policy of ${server.name} is "skip").`
      : '';
  let mapped = complete;
  if (!complete) {
    const what = mapping
      ? `is classified ${mapping.class} but lacks ${missingParts(mapping).join(', ')}`
      : 'is not mapped';
    reasons.push(
      v === 1
        ? reason('not-mapped', `Template ${templateName} of subscription ${s.id} ${what}.${skipped}`)
        : reason('template-not-mapped', `External service template ${templateName} ${what}.${skipped}`),
    );
  } else if (mapping && hasRegistration(mapping.class)) {
    const uncovered = f.domains.filter((d) => !matchTld(d.asciiName ?? d.name, mapping.tlds ?? []));
    if (uncovered.length > 0) {
      mapped = false;
      const names = few(uncovered.map((d) => d.name));
      const msg = `Template ${templateName} maps no PBA plan for the TLD of ${names}.${skipped}`;
      reasons.push(v === 1 ? reason('not-mapped', msg) : reason('template-not-mapped', msg));
    }
  }
  if (v === 2 && mapping && complete) reasons.push(...v2Structure(s, mapping.class, f.domains, templateName));
  reasons.push(...dateReasons(f));
  if (s.status === 'cancelled')
    reasons.push(reason('cancelled-on-source', `Subscription ${s.id} is cancelled on ${server.name}.`));
  if (s.status === 'suspended' || s.status === 'disabled' || s.status === 'pending')
    reasons.push(
      (server.settings.inactivePolicy ?? 'reject') === 'warn'
        ? reason(
            'inactive-on-source-allowed',
            `Subscription ${s.id} is ${s.status} on ${server.name}; it migrates anyway (the server migrates inactive subscriptions with a warning).`,
          )
        : reason(
            'inactive-on-source',
            `Subscription ${s.id} is ${s.status} on ${server.name}, so it is not migrated (the server rejects inactive subscriptions).`,
          ),
    );
  if (f.ownerFailures.length > 0)
    reasons.push(
      reason(
        'owner-failed',
        `Its owner account ${s.accountId} failed verification (${f.ownerFailures.map((r) => r.code).join(', ')}).`,
        [{ kind: 'account', serverId: server.id, id: s.accountId }],
      ),
    );
  if (s.registrarLogin?.password) reasons.push(...subscriptionWarnings(s));
  const suitable = !reasons.some(isBlocking);
  const result: VerificationResult =
    suitable && cls
      ? { ...base, status: 'approved', reasons, destination: hasHosting(cls) ? 'poa+pba' : 'pba' }
      : { ...base, status: suitable ? 'approved' : 'rejected', reasons };
  return {
    result,
    mapped,
    ...(cls ? { cls } : {}),
    suitable,
  };
}

/** Migration API v2: what the external template's class demands of the subscription. */
function v2Structure(
  s: Subscription,
  cls: TemplateClass,
  domains: readonly Domain[],
  templateName: string,
): ResultReason[] {
  const out: ResultReason[] = [];
  if (hasHosting(cls) && (s.id.trim() === '' || /\s/.test(s.id)))
    out.push(
      reason(
        'no-external-id',
        `Template ${templateName} is mapped as ${cls}, but the subscription's external identifier "${s.id}" is empty or holds spaces, so MM cannot name it to the agent.`,
      ),
    );
  if (cls === 'resource' && domains.length > 0)
    out.push(
      reason(
        'resource-with-domains',
        `Template ${templateName} is mapped as resource, but subscription ${s.id} provides ${few(domains.map((d) => d.name))}.`,
      ),
    );
  if (hasRegistration(cls) && domains.length === 0)
    out.push(
      reason(
        'registration-without-domain',
        `Template ${templateName} is mapped as ${cls}, but subscription ${s.id} provides no domain.`,
      ),
    );
  if (hasRegistration(cls) && domains.length > 1)
    out.push(
      reason(
        'registration-several-domains',
        `Template ${templateName} is mapped as ${cls}, but subscription ${s.id} provides ${domains.length} domains (${few(domains.map((d) => d.name))}); only one is allowed.`,
      ),
    );
  return out;
}

/** Wrong dates, expiry and the protective interval (seed "Protective Subscription"). */
function dateReasons(f: SubscriptionFacts): ResultReason[] {
  const { subscription: s, server } = f;
  const created = s.created !== undefined ? dayNumber(s.created) : undefined;
  const expires = s.expires !== undefined ? dayNumber(s.expires) : undefined;
  const out: ResultReason[] = [];
  if (
    (s.created !== undefined && created === undefined) ||
    (s.expires !== undefined && expires === undefined)
  )
    out.push(
      reason(
        'invalid-dates',
        `Subscription ${s.id} has a date that is not a calendar day (created ${s.created ?? '-'}, expires ${s.expires ?? '-'}).`,
      ),
    );
  else if (created !== undefined && expires !== undefined && created > expires)
    out.push(
      reason(
        'invalid-dates',
        `Subscription ${s.id} expires (${s.expires}) before it was created (${s.created}).`,
      ),
    );

  const pastDue = expires !== undefined && f.today > expires;
  if (!pastDue && s.status !== 'expired') return out;
  if (!pastDue && expires !== undefined) {
    // "expired" on the source with an expiry date still ahead: the data contradicts itself, and
    // the protective interval cannot be counted from a day that has not come.
    out.push(
      reason(
        'invalid-dates',
        `Subscription ${s.id} is expired on ${server.name}, but its expiry date ${dayString(expires)} is ${expires === f.today ? 'today' : 'in the future'}: its status and dates disagree.`,
      ),
    );
    return out;
  }
  const interval = server.settings.protectiveDays;
  if (expires === undefined) {
    out.push(
      reason(
        'expired',
        `Subscription ${s.id} is expired on ${server.name} and has no expiry date, so the protective interval cannot apply.`,
      ),
    );
    return out;
  }
  const days = Math.max(0, f.today - expires);
  const last = dayString(expires + interval);
  if (days <= interval)
    out.push(
      reason(
        'protective',
        `Subscription ${s.id} expired on ${dayString(expires)} (${days} day(s) ago), within the ${interval}-day protective interval of ${server.name} (until ${last}): it migrates as a protective subscription.`,
      ),
    );
  else
    out.push(
      reason(
        'expired',
        `Subscription ${s.id} expired on ${dayString(expires)}, ${days} days ago, past the ${interval}-day protective interval of ${server.name} (which ended ${last}).`,
      ),
    );
  return out;
}
