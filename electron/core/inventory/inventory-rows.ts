/** Inventory → slim table rows (pure). */
import type {
  AccountRow,
  Contact,
  DomainRow,
  Inventory,
  SubscriptionRow,
  TemplateRow,
} from '../../../shared/model/inventory';

function countBy<T>(items: readonly T[], key: (t: T) => string | undefined): Map<string, number> {
  const m = new Map<string, number>();
  for (const item of items) {
    const k = key(item);
    if (k !== undefined) m.set(k, (m.get(k) ?? 0) + 1);
  }
  return m;
}

function contactName(c: Contact | undefined): string | undefined {
  const name = [c?.firstName, c?.lastName].filter(Boolean).join(' ');
  return name === '' ? undefined : name;
}

export function accountRows(serverId: string, inv: Inventory): AccountRow[] {
  const domains = countBy(inv.domains, (d) => d.accountId);
  const subs = countBy(inv.subscriptions, (s) => s.accountId);
  return inv.accounts.map((a) => {
    const contact = a.adminContact ?? a.billingContact ?? a.technicalContact;
    const name = contactName(contact);
    return {
      serverId,
      id: a.id,
      type: a.type,
      ...(a.parentId !== undefined ? { parentId: a.parentId } : {}),
      ...(a.company !== undefined ? { company: a.company } : {}),
      ...(name !== undefined ? { contact: name } : {}),
      ...(contact?.email !== undefined ? { email: contact.email } : {}),
      status: a.status,
      domains: domains.get(a.id) ?? 0,
      subscriptions: subs.get(a.id) ?? 0,
    };
  });
}

export function domainRows(serverId: string, inv: Inventory): DomainRow[] {
  return inv.domains.map((d) => ({
    serverId,
    id: d.id,
    name: d.unicodeName ?? d.name,
    accountId: d.accountId,
    kind: d.kind,
    status: d.status,
    ...(d.hostingSubscriptionId !== undefined ? { hostingSubscriptionId: d.hostingSubscriptionId } : {}),
    ...(d.registrationSubscriptionId !== undefined
      ? { registrationSubscriptionId: d.registrationSubscriptionId }
      : {}),
  }));
}

export function subscriptionRows(serverId: string, inv: Inventory): SubscriptionRow[] {
  const templates = new Map(inv.templates.map((t) => [t.id, t.name]));
  return inv.subscriptions.map((s) => {
    const templateName = templates.get(s.templateId);
    return {
      serverId,
      id: s.id,
      accountId: s.accountId,
      templateId: s.templateId,
      ...(templateName !== undefined ? { templateName } : {}),
      status: s.status,
      ...(s.created !== undefined ? { created: s.created } : {}),
      ...(s.expires !== undefined ? { expires: s.expires } : {}),
      domains: s.domainIds.length,
    };
  });
}

export function templateRows(serverId: string, inv: Inventory): TemplateRow[] {
  const subs = countBy(inv.subscriptions, (s) => s.templateId);
  return inv.templates.map((t) => ({
    serverId,
    id: t.id,
    name: t.name,
    ...(t.kind !== undefined ? { kind: t.kind } : {}),
    virtual: t.virtual,
    disabled: t.disabled,
    resources: t.resources.length,
    subscriptions: subs.get(t.id) ?? 0,
  }));
}
