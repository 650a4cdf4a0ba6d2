/** Pure views over stored results: table rows with filters, the chart's counts, a detail with its fixes. */
import type { MigrationSettings } from '../../../shared/model/server';
import type {
  FixOffer,
  ObjectRef,
  ReasonDetail,
  ResultReason,
  ResultsQuery,
  VerificationResult,
  VerificationRow,
} from '../../../shared/model/verification';
import { REASONS, type ReasonSeverity, type VerifiedKind } from '../../../shared/statuses';

const KIND_ORDER: Record<VerifiedKind, number> = { account: 0, domain: 1, subscription: 2 };
const SEVERITY_ORDER: Record<ReasonSeverity, number> = { error: 0, approval: 1, warning: 2, info: 3 };

// The same orders as localeCompare (with and without `numeric`), made once: localeCompare with
// options builds a collator per call (sorting 180,000 ids: 7.6 s against 0.42 s with these).
const serverOrder = new Intl.Collator();
const idOrder = new Intl.Collator(undefined, { numeric: true });

/** Stable order for tables and `mm verify`: server, kind (accounts, domains, subscriptions), id. */
export function compareResults(a: VerificationResult, b: VerificationResult): number {
  return (
    serverOrder.compare(a.serverId, b.serverId) ||
    KIND_ORDER[a.kind] - KIND_ORDER[b.kind] ||
    idOrder.compare(a.id, b.id)
  );
}

export function mostSevere(reasons: readonly ResultReason[]): ResultReason | undefined {
  let best: ResultReason | undefined;
  for (const r of reasons) if (!best || SEVERITY_ORDER[r.severity] < SEVERITY_ORDER[best.severity]) best = r;
  return best;
}

export function toRow(r: VerificationResult): VerificationRow {
  const top = mostSevere(r.reasons);
  return {
    kind: r.kind,
    serverId: r.serverId,
    id: r.id,
    ...(r.name !== undefined ? { name: r.name } : {}),
    accountId: r.accountId,
    ...(r.templateId !== undefined ? { templateId: r.templateId } : {}),
    status: r.status,
    reasonCodes: r.reasons.map((x) => x.code),
    ...(top ? { message: top.message } : {}),
  };
}

export function matchesQuery(r: VerificationResult, q: ResultsQuery): boolean {
  if (q.kind && r.kind !== q.kind) return false;
  if (q.status && r.status !== q.status) return false;
  if (q.serverId && r.serverId !== q.serverId) return false;
  if (q.templateId && r.templateId !== q.templateId) return false;
  if (q.accountId && r.accountId !== q.accountId) return false;
  if (q.reason && !r.reasons.some((x) => x.code === q.reason)) return false;
  if (q.search) {
    const s = q.search.toLowerCase();
    if (
      !r.id.toLowerCase().includes(s) &&
      !(r.name ?? '').toLowerCase().includes(s) &&
      !r.accountId.toLowerCase().includes(s)
    )
      return false;
  }
  return true;
}

export function summarize(results: Iterable<VerificationResult>): {
  counts: Record<VerifiedKind, Record<string, number>>;
  reasons: Record<string, number>;
} {
  const counts: Record<VerifiedKind, Record<string, number>> = { account: {}, domain: {}, subscription: {} };
  const reasons: Record<string, number> = {};
  for (const r of results) {
    counts[r.kind][r.status] = (counts[r.kind][r.status] ?? 0) + 1;
    for (const code of new Set(r.reasons.map((x) => x.code))) reasons[code] = (reasons[code] ?? 0) + 1;
  }
  return { counts, reasons };
}

/** What fix buttons call things: server and template names, not their ids. */
export interface LabelNames {
  server(serverId: string): string;
  template(serverId: string, templateId: string): string;
}

/** Ids as they are, for callers that have no names at hand. */
export const ID_LABELS: LabelNames = { server: (id) => id, template: (_s, id) => id };

/** Each reason with its seed wording, its fix, and the buttons that apply the fix. */
export function reasonDetails(
  r: VerificationResult,
  settings: MigrationSettings | undefined,
  lookup: (ref: ObjectRef) => VerificationResult | undefined,
  names: LabelNames = ID_LABELS,
): ReasonDetail[] {
  return r.reasons.map((reason) => {
    const info = REASONS[reason.code];
    return {
      ...reason,
      title: info.title,
      seed: info.seed,
      fix: info.fix,
      offers: offersFor(r, reason, settings, lookup, names),
    };
  });
}

function offersFor(
  r: VerificationResult,
  reason: ResultReason,
  settings: MigrationSettings | undefined,
  lookup: (ref: ObjectRef) => VerificationResult | undefined,
  names: LabelNames,
): FixOffer[] {
  const offers: FixOffer[] = [];
  const subs = (reason.related ?? []).filter((x) => x.kind === 'subscription');
  const here: ObjectRef = { kind: r.kind, serverId: r.serverId, id: r.id };
  for (const action of REASONS[reason.code].actions) {
    switch (action) {
      case 'override':
        for (const s of r.kind === 'subscription' ? [here] : subs)
          offers.push({
            action,
            label: `Mark subscription ${s.id} not migrated`,
            decision: { kind: 'override', serverId: s.serverId, subscriptionId: s.id },
          });
        break;
      case 'approve':
        // Only a domain still waiting for approval can be approved (the core refuses the rest).
        if (r.kind !== 'domain' || r.status !== 'manual-approval-required') break;
        if (settings?.parkRegistrationOnly)
          offers.push({
            action,
            label: `Approve ${r.name ?? r.id} with parking`,
            decision: { kind: 'approve', serverId: r.serverId, domainId: r.id, park: true },
          });
        offers.push({
          action,
          label: `Approve ${r.name ?? r.id}`,
          decision: { kind: 'approve', serverId: r.serverId, domainId: r.id, park: false },
        });
        break;
      case 'unselect': {
        const others = (reason.related ?? []).filter((x) => x.kind === 'domain');
        for (const d of [...others, ...(r.kind === 'domain' ? [here] : [])])
          offers.push({
            action,
            label: `Unselect ${lookup(d)?.name ?? d.id} on ${names.server(d.serverId)}`,
            decision: { kind: 'unselect', serverId: d.serverId, domainId: d.id },
          });
        break;
      }
      case 'remap': {
        const templates = new Set<string>(r.templateId !== undefined ? [r.templateId] : []);
        for (const s of subs) {
          const t = lookup(s)?.templateId;
          if (t !== undefined) templates.add(t);
        }
        for (const t of templates)
          offers.push({
            action,
            label: `Map template ${names.template(r.serverId, t)}`,
            template: { serverId: r.serverId, templateId: t },
          });
        break;
      }
      case 'settings':
        offers.push({ action, label: `Migration settings of ${names.server(r.serverId)}`, object: here });
        break;
      case 'inventory':
        offers.push({ action, label: `Refresh the inventory of ${names.server(r.serverId)}`, object: here });
        break;
      case 'select':
        offers.push({ action, label: 'Change the selection', object: here });
        break;
    }
  }
  // One button per fix: two paths to the same offer (e.g. a subscription named twice) show once.
  const seen = new Set<string>();
  return offers.filter((o) => !seen.has(o.label) && Boolean(seen.add(o.label)));
}
