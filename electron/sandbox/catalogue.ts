/**
 * What a freshly installed sandbox offers: the POA service templates and PBA service plans of a
 * typical shared-hosting provider — hosting tiers, domain registration per TLD, and add-on
 * resources — so template mapping has something realistic to map to.
 */
import type { ServicePlanCategory } from '../../shared/model/target';

export interface SandboxResource {
  readonly resource_id: number;
  readonly name: string;
  /** -1: unlimited */
  readonly limit: number;
}

export interface SandboxTemplate {
  readonly service_template_id: number;
  readonly name: string;
  readonly owner_id: number;
  readonly active: boolean;
  readonly resources: readonly SandboxResource[];
}

export interface SandboxPlan {
  readonly plan_id: number;
  readonly name: string;
  readonly category: ServicePlanCategory;
  readonly service_template_id: number;
  readonly tld: string;
}

/** The PBA container a plan's subscriptions live in. */
export function gateOf(plan: SandboxPlan): 'PEMGATE' | 'DOMAINGATE' | 'DUMMYGATE' {
  return plan.category === 'hosting' ? 'PEMGATE' : plan.category === 'domain' ? 'DOMAINGATE' : 'DUMMYGATE';
}

/** The plan category id PBA lists (1 hosting, 2 domains, 3 add-ons). */
export function categoryIdOf(plan: SandboxPlan): number {
  return plan.category === 'hosting' ? 1 : plan.category === 'domain' ? 2 : 3;
}

/** The DNS Hosting resource type every template carries: pem.addDNSHosting's hosting_rt_id. */
export const DNS_HOSTING_RT = 9;

/** Resource ids shared by every template, as a POA resource catalogue would have them. */
const R = {
  disk: 1,
  traffic: 2,
  domains: 3,
  mailboxes: 4,
  databases: 5,
  ftpUsers: 6,
  ips: 7,
  mailQuota: 8,
  dnsHosting: 9,
};

function tier(
  id: number,
  name: string,
  disk: number,
  domains: number,
  mailboxes: number,
  databases: number,
): SandboxTemplate {
  return {
    service_template_id: id,
    name,
    owner_id: 1,
    active: true,
    resources: [
      { resource_id: R.disk, name: 'Disk space (MB)', limit: disk },
      { resource_id: R.traffic, name: 'Traffic (GB/month)', limit: disk < 0 ? -1 : disk / 10 },
      { resource_id: R.domains, name: 'Domains', limit: domains },
      { resource_id: R.mailboxes, name: 'Mailboxes', limit: mailboxes },
      { resource_id: R.mailQuota, name: 'Mailbox quota (MB)', limit: 2048 },
      { resource_id: R.databases, name: 'Databases', limit: databases },
      { resource_id: R.ftpUsers, name: 'FTP users', limit: Math.max(1, databases) },
      { resource_id: R.ips, name: 'Dedicated IP addresses', limit: 0 },
      { resource_id: R.dnsHosting, name: 'DNS Hosting', limit: -1 },
    ],
  };
}

export const SEED_TEMPLATES: readonly SandboxTemplate[] = [
  tier(11, 'Linux Hosting Starter', 2048, 1, 10, 1),
  tier(12, 'Linux Hosting Business', 10240, 5, 50, 10),
  tier(13, 'Linux Hosting Professional', 51200, 25, 250, 50),
  tier(14, 'Linux Hosting Unlimited', -1, -1, -1, -1),
  tier(15, 'Windows Hosting Business', 10240, 5, 50, 10),
  tier(16, 'Mail Hosting', 5120, 3, 100, 0),
  tier(17, 'DNS Hosting', 0, 10, 0, 0),
  { ...tier(18, 'Linux Hosting Legacy 2009 (retired)', 1024, 1, 5, 1), active: false },
];

const hosting = (id: number, name: string, templateId: number): SandboxPlan => ({
  plan_id: id,
  name,
  category: 'hosting',
  service_template_id: templateId,
  tld: '',
});
const registration = (id: number, tld: string): SandboxPlan => ({
  plan_id: id,
  name: `Domain registration ${tld}`,
  category: 'domain',
  service_template_id: 0,
  tld,
});
const resource = (id: number, name: string): SandboxPlan => ({
  plan_id: id,
  name,
  category: 'resource',
  service_template_id: 0,
  tld: '',
});

export const SEED_PLANS: readonly SandboxPlan[] = [
  hosting(101, 'Starter (monthly)', 11),
  hosting(102, 'Business (monthly)', 12),
  hosting(103, 'Business (yearly)', 12),
  hosting(104, 'Professional (monthly)', 13),
  hosting(105, 'Unlimited (yearly)', 14),
  hosting(106, 'Windows Business (monthly)', 15),
  hosting(107, 'Mail Hosting (monthly)', 16),
  hosting(108, 'DNS Hosting (yearly)', 17),
  registration(201, '.com'),
  registration(202, '.net'),
  registration(203, '.org'),
  registration(204, '.biz'),
  registration(205, '.info'),
  registration(206, '.de'),
  // The built-in demo's domains are .test (reserved, RFC 2606): the rehearsal target sells it too.
  registration(207, '.test'),
  resource(301, 'Extra disk space 1 GB'),
  resource(302, 'Extra disk space 10 GB'),
  resource(303, 'Dedicated IP address'),
  resource(304, 'Extra 10 mailboxes'),
  resource(305, 'SSL certificate (domain validated)'),
];

/**
 * The IP addresses the sandbox's service nodes answer on, as a provider's IP pools would hold
 * them (TEST-NET-1, RFC 5737). TARGET-API.md documents no call that lists IP pools, so the
 * manager never asks the target for them: the engineer gives the pool (`mm ip-map pool`), and
 * tests and demos give this one. One dedicated IP only, so running out is easy to rehearse.
 */
export const SANDBOX_IP_POOL: readonly { readonly address: string; readonly kind: 'shared' | 'dedicated' }[] =
  [
    { address: '192.0.2.10', kind: 'shared' },
    { address: '192.0.2.11', kind: 'shared' },
    { address: '192.0.2.20', kind: 'dedicated' },
  ];
