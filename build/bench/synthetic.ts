/**
 * A synthetic source inventory of any size, deterministic (seeded), shaped like a shared-hosting
 * server: per account two domains and three subscriptions (hosting providing both domains,
 * registration of the first, a resource add-on); resellers with customers; some expired,
 * protective, doubly-hosted and unmapped cases so every verification path is exercised.
 * Reusable for XML benches through inventory-xml.ts.
 */
import type { Account, Domain, Inventory, ServiceTemplate, Subscription } from '../../shared/model/inventory';
import type { MappingInput } from '../../shared/model/mapping';

export interface SyntheticOptions {
  readonly accounts: number;
  /** Two per account when 2 × accounts; fewer leave accounts without a second domain. */
  readonly domains: number;
  /** Three per account when 3 × accounts. */
  readonly subscriptions: number;
  readonly apiVersion?: 1 | 2;
  /** The day the inventory is "taken": expiry dates are placed around it. */
  readonly today?: string;
  readonly seed?: number;
}

export const HOSTING_TEMPLATES = 20;
export const TLDS = ['.com', '.net', '.org', '.biz', '.info'] as const;

/** Mulberry32: a tiny seeded PRNG, so every run builds the same inventory. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shift(day: string, days: number): string {
  return new Date(Date.parse(day) + days * 86_400_000).toISOString().slice(0, 10);
}

export function syntheticInventory(o: SyntheticOptions): Inventory {
  const rnd = random(o.seed ?? 42);
  const today = o.today ?? '2025-06-15';
  const templates: ServiceTemplate[] = [
    ...Array.from({ length: HOSTING_TEMPLATES }, (_, i) => ({
      id: `host-${i}`,
      name: `Hosting plan ${i}`,
      virtual: false,
      kind: 'hosting' as const,
      disabled: false,
      resources: [{ id: 'disk', name: 'Disk space', unit: 'MB', limit: 1024 * (i + 1) }],
    })),
    {
      id: 'reg',
      name: 'Domain registration',
      virtual: false,
      kind: 'domainRegistration',
      disabled: false,
      resources: [],
    },
    { id: 'ip', name: 'Dedicated IP', virtual: false, kind: 'resource', disabled: false, resources: [] },
    { id: 'legacy', name: 'Legacy plan (unmapped)', virtual: true, disabled: false, resources: [] },
  ];
  const accounts: Account[] = [];
  const domains: Domain[] = [];
  const subscriptions: Subscription[] = [];
  const perAccountDomains = o.domains / o.accounts;
  const perAccountSubs = o.subscriptions / o.accounts;
  let resellerId: string | undefined;
  for (let i = 0; i < o.accounts; i++) {
    const id = `acc-${i}`;
    const isReseller = i % 50 === 0;
    accounts.push({
      id,
      type: isReseller ? 'reseller' : 'customer',
      ...(!isReseller && resellerId && i % 3 === 0 ? { parentId: resellerId } : {}),
      company: `Company ${i} & Sons`,
      status: 'active',
      created: shift(today, -900),
      ccpLogin: {
        login: `user${i}`,
        password: { value: `$1$salt$${i}`, crypted: true, scheme: 'MD5-CRYPT' },
      },
      adminContact: {
        firstName: `First${i}`,
        lastName: `Last${i}`,
        email: `user${i}@example.com`,
        phone: { countryCode: '1', areaCode: '555', number: String(1_000_000 + i) },
      },
      address: {
        street: 'Main St',
        houseNumber: String(i),
        city: 'Springfield',
        zip: '12345',
        country: 'us',
      },
      balance: { amount: (i % 100).toFixed(2), currency: 'USD' },
      paymentTools: [],
    });
    if (isReseller) resellerId = id;
    const tld = TLDS[i % TLDS.length] ?? '.com';
    const domainIds = [`d-${i}-a${tld}`, `d-${i}-b${tld}`].slice(
      0,
      Math.round(perAccountDomains * (i + 1)) - Math.round(perAccountDomains * i),
    );
    const expiresIn = i % 97 === 0 ? -400 : i % 89 === 0 ? -10 : 30 + Math.floor(rnd() * 700);
    const hostingTemplate = i % 211 === 0 ? 'legacy' : `host-${i % HOSTING_TEMPLATES}`;
    const subs: Subscription[] = [
      {
        id: `h-${i}`,
        accountId: id,
        templateId: hostingTemplate,
        status: 'active',
        created: shift(today, -800),
        expires: shift(today, expiresIn),
        period: 1,
        periodType: 'year',
        billingPeriod: 1,
        billingPeriodType: 'month',
        subscriptionFee: { amount: '9.95', currency: 'USD' },
        setupFee: { amount: '0.00', currency: 'USD' },
        domainIds,
      },
      {
        id: `r-${i}`,
        accountId: id,
        templateId: 'reg',
        status: 'active',
        expires: shift(today, 200),
        renewalFee: { amount: '12.00', currency: 'USD' },
        registrarLogin: { login: `reg${i}`, password: { value: `r${i}`, crypted: false } },
        domainIds: domainIds.slice(0, 1),
      },
      // Every 101st account has its second domain hosted twice (a conflict to resolve).
      i % 101 === 0 && domainIds[1]
        ? {
            id: `x-${i}`,
            accountId: id,
            templateId: `host-${(i + 1) % HOSTING_TEMPLATES}`,
            status: 'active',
            domainIds: domainIds.slice(1),
          }
        : { id: `x-${i}`, accountId: id, templateId: 'ip', status: 'active', domainIds: [] },
    ];
    subscriptions.push(
      ...subs.slice(0, Math.round(perAccountSubs * (i + 1)) - Math.round(perAccountSubs * i)),
    );
    domainIds.forEach((name, k) =>
      domains.push({
        id: name,
        name,
        accountId: id,
        hostingSubscriptionId: `h-${i}`,
        ...(k === 0 ? { registrationSubscriptionId: `r-${i}` } : {}),
        kind: 'regular',
        status: 'active',
        content: k === 1 && i % 7 === 0 ? [{ kind: 'database', id: `db${i}` }] : [{ kind: 'site', id: name }],
      }),
    );
  }
  return {
    apiVersion: o.apiVersion ?? 1,
    platform: { kind: 'linux', name: 'synthetic' },
    hosts: [],
    templates,
    accounts,
    subscriptions,
    domains,
  };
}

/** Maps every synthetic template except "legacy", as an engineer would have. */
export function syntheticMapping(serverId: string): MappingInput[] {
  return [
    ...Array.from({ length: HOSTING_TEMPLATES }, (_, i) => ({
      serverId,
      templateId: `host-${i}`,
      class: 'hosting' as const,
      poaTemplateId: 11 + (i % 4),
      pbaPlanId: 101 + (i % 4),
    })),
    {
      serverId,
      templateId: 'reg',
      class: 'registration' as const,
      tlds: TLDS.map((tld, k) => ({ tld, pbaPlanId: 201 + k, registrarType: 'enom' })),
    },
    { serverId, templateId: 'ip', class: 'resource' as const, pbaPlanId: 303 },
  ];
}
