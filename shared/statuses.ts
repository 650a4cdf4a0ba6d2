/**
 * Every verification status and reason, as data: its stable kebab-case code, the seed's own
 * wording (the POA guide's "Verification statuses" tables, quotes repaired), where the rule
 * comes from, and the fix an engineer applies. The core's rules, `mm verify` and the renderer
 * all read this one table; nothing else spells a status or reason out.
 *
 * Sources: `seed` = the seed's three status tables; `poa-guide` = the public POA 5.3 migration
 * guide's extra rules (../shared/SOURCES.md, last paragraph); `target-api` = known traps of real
 * migrations (TARGET-API.md, last section); `mm` = Migration Manager's own, where the seed is
 * silent but an engineer still needs a name for what happened.
 */

export type VerifiedKind = 'account' | 'domain' | 'subscription';

/** error: blocks migration; approval: waits for the engineer; warning: migrates, check it; info: a note. */
export type ReasonSeverity = 'error' | 'approval' | 'warning' | 'info';

/** What the UI can offer as a button next to a reason (decisions:apply kinds, or a page to open). */
export type FixAction = 'override' | 'approve' | 'unselect' | 'remap' | 'select' | 'settings' | 'inventory';

export type RuleSource = 'seed' | 'poa-guide' | 'target-api' | 'mm';

export interface StatusInfo {
  readonly label: string;
  /** The seed's wording of the status (its "Comments" column), or null for MM's own statuses. */
  readonly seed: string | null;
  readonly source: RuleSource;
  readonly apiVersions: readonly (1 | 2)[];
  /** True when the object will be migrated with this status. */
  readonly migrates: boolean;
}

export interface ReasonInfo {
  readonly kind: VerifiedKind;
  readonly severity: ReasonSeverity;
  readonly source: RuleSource;
  readonly apiVersions: readonly (1 | 2)[];
  /** The seed's (or the guide's) wording of the reason, or null for MM's own. */
  readonly seed: string | null;
  /** A short title for tables and charts. */
  readonly title: string;
  /** What to do about it, in the engineer's words. */
  readonly fix: string;
  readonly actions: readonly FixAction[];
}

const BOTH = [1, 2] as const;

export const STATUSES = {
  account: {
    verified: {
      label: 'Verified',
      seed: 'Successfully passed.',
      source: 'seed',
      apiVersions: BOTH,
      migrates: true,
    },
    'verification-failed': {
      label: 'Verification failed',
      seed: 'Account: Verification failed.',
      source: 'seed',
      apiVersions: BOTH,
      migrates: false,
    },
  },
  domain: {
    'auto-approved': {
      label: 'Automatically approved for migration',
      seed: 'MM found a hosting subscription and a domain registration subscription (depends on the migration settings) and they are suitable for migration.',
      source: 'seed',
      apiVersions: BOTH,
      migrates: true,
    },
    'manual-approval-required': {
      label: 'Manual approval required',
      seed: 'MM can provide a domain parking for such domain (depends on the migration settings). Domain migration should be approved manually.',
      source: 'seed',
      apiVersions: BOTH,
      migrates: false,
    },
    'manually-approved': {
      label: 'Approved manually',
      seed: null,
      source: 'mm',
      apiVersions: BOTH,
      migrates: true,
    },
    'verification-failed': {
      label: 'Verification failed',
      seed: 'In case of detecting the hosting conflict a domain must be marked as not selected for migration on other registered source servers. When several suitable for migration subscriptions are detected by the MM, all unnecessary for migration subscriptions should be marked as not migrated (subscription\u2019s override state) manually before the verification is passed and migration is started.',
      source: 'seed',
      apiVersions: BOTH,
      migrates: false,
    },
  },
  subscription: {
    approved: {
      label: 'Approved for migration',
      seed: 'Subscription is active and mapped, so it is suitable for migration.',
      source: 'seed',
      apiVersions: BOTH,
      migrates: true,
    },
    rejected: {
      label: 'Rejected for migration',
      seed: 'Subscription: Rejected for migration.',
      source: 'seed',
      apiVersions: BOTH,
      migrates: false,
    },
    'not-migrated': {
      label: 'Not migrated (override state)',
      seed: 'Marked as not migrated (subscription\u2019s override state).',
      source: 'seed',
      apiVersions: BOTH,
      migrates: false,
    },
  },
} as const satisfies Record<VerifiedKind, Record<string, StatusInfo>>;

export type AccountStatus = keyof (typeof STATUSES)['account'];
export type DomainStatus = keyof (typeof STATUSES)['domain'];
export type SubscriptionStatus = keyof (typeof STATUSES)['subscription'];
export type VerificationStatus = AccountStatus | DomainStatus | SubscriptionStatus;

export const REASONS = {
  // --- accounts (seed table "Account") --------------------------------------------------------
  'no-domains': {
    kind: 'account',
    severity: 'error',
    source: 'seed',
    apiVersions: BOTH,
    seed: 'Account does not have domains.',
    title: 'Account has no domains',
    fix: 'Refresh the inventory if the account should have domains; otherwise leave it out of the selection.',
    actions: ['inventory', 'select'],
  },
  'no-domains-selected': {
    kind: 'account',
    severity: 'error',
    source: 'seed',
    apiVersions: BOTH,
    seed: 'No domains are selected for migration.',
    title: 'No domain selected',
    fix: 'Select at least one of the account\u2019s domains, or unselect the account.',
    actions: ['select'],
  },
  'domain-failed': {
    kind: 'account',
    severity: 'error',
    source: 'seed',
    apiVersions: BOTH,
    seed: 'Domain(s) did not pass a verification.',
    title: 'A domain failed verification',
    fix: 'Open the failed domain(s) named here and resolve their reasons; the account passes once they do.',
    actions: [],
  },
  'parent-not-selected': {
    kind: 'account',
    severity: 'error',
    source: 'poa-guide',
    apiVersions: BOTH,
    seed: 'A customer fails when its parent is not migrated.',
    title: 'Parent reseller not selected',
    fix: 'Select the parent reseller account as well: a reseller\u2019s customers can only be migrated under it.',
    actions: ['select'],
  },
  'parent-missing': {
    kind: 'account',
    severity: 'error',
    source: 'poa-guide',
    apiVersions: BOTH,
    seed: 'A customer fails when its parent is not migrated.',
    title: 'Parent account not in the inventory',
    fix: 'The parent reseller named here is not in this server\u2019s inventory, so it will not be migrated: refresh the inventory (or fix the owner on the source), or leave the account out.',
    actions: ['inventory', 'select'],
  },
  'parent-failed': {
    kind: 'account',
    severity: 'error',
    source: 'poa-guide',
    apiVersions: BOTH,
    seed: 'A reseller fails when its parent is not migrated; a customer fails when its parent is not migrated.',
    title: 'Parent reseller failed',
    fix: 'Resolve the parent reseller\u2019s own reasons first; its customers pass once it does.',
    actions: [],
  },
  'waits-for-reseller': {
    kind: 'account',
    severity: 'info',
    source: 'poa-guide',
    apiVersions: BOTH,
    seed: 'A reseller\u2019s customers wait for their reseller.',
    title: 'Migrates after its reseller',
    fix: 'Nothing to do: the account is migrated after its reseller account.',
    actions: [],
  },
  'password-ampersand': {
    kind: 'account',
    severity: 'warning',
    source: 'target-api',
    apiVersions: BOTH,
    seed: 'Known trap: passwords containing \u201c&\u201d.',
    title: 'Password contains "&"',
    fix: 'Ask the customer to change the password before migration, or reset it on the target afterwards: passwords with "&" are known to break on the target.',
    actions: [],
  },
  // --- domains (seed tables "Domain (Migration API v.1)") -------------------------------------
  'hosting-on-several-servers': {
    kind: 'domain',
    severity: 'error',
    source: 'seed',
    apiVersions: BOTH,
    seed: 'Found several hosting subscriptions on different source servers.',
    title: 'Hosting on several source servers',
    fix: 'Mark the domain as not selected for migration on the other registered source server(s) (un-select), keeping the server that really hosts it.',
    actions: ['unselect', 'override'],
  },
  'unmapped-subscriptions': {
    kind: 'domain',
    severity: 'error',
    source: 'seed',
    apiVersions: BOTH,
    seed: 'Found one or more unmapped subscriptions (depends on the migration settings).',
    title: 'Unmapped subscription(s)',
    fix: 'Map the subscription\u2019s external service template, mark the subscription as not migrated, or set the server\u2019s unmapped policy to "skip".',
    actions: ['remap', 'override', 'settings'],
  },
  'registration-not-found': {
    kind: 'domain',
    severity: 'error',
    source: 'seed',
    apiVersions: BOTH,
    seed: 'Domain registration subscription is not found (depends on the migration settings).',
    title: 'No registration subscription',
    fix: 'The server requires a domain registration subscription: map the registration template, or turn "require a registration subscription" off for this server.',
    actions: ['remap', 'settings'],
  },
  'several-registration-subscriptions': {
    kind: 'domain',
    severity: 'error',
    source: 'seed',
    apiVersions: BOTH,
    seed: 'Found more than one domain registration subscription suitable for migration.',
    title: 'Several registration subscriptions',
    fix: 'Mark every registration subscription but one as not migrated (override state).',
    actions: ['override'],
  },
  'several-hosting-subscriptions': {
    kind: 'domain',
    severity: 'error',
    source: 'seed',
    apiVersions: BOTH,
    seed: 'Found more than one hosting subscription suitable for migration.',
    title: 'Several hosting subscriptions',
    fix: 'Mark every hosting subscription but one as not migrated (override state).',
    actions: ['override'],
  },
  'no-hosting-subscription': {
    kind: 'domain',
    severity: 'approval',
    source: 'seed',
    apiVersions: BOTH,
    seed: 'Domain has a domain registration subscription and/or a resource subscription suitable for migration, but doesn\u2019t have a hosting subscription.',
    title: 'No hosting subscription',
    fix: 'Approve the domain\u2019s migration manually (with parking when the server offers it), or map a hosting template for it.',
    actions: ['approve', 'remap'],
  },
  'parking-offered': {
    kind: 'domain',
    severity: 'info',
    source: 'seed',
    apiVersions: BOTH,
    seed: 'MM can provide a domain parking for such domain (depends on the migration settings).',
    title: 'Parking offered',
    fix: 'Approve with parking to park the domain on the target, or without to migrate its registration only.',
    actions: ['approve'],
  },
  'approved-manually': {
    kind: 'domain',
    severity: 'info',
    source: 'seed',
    apiVersions: BOTH,
    seed: 'Domain migration should be approved manually.',
    title: 'Approved by the engineer',
    fix: 'Undo the approval decision to withdraw it.',
    actions: [],
  },
  'no-suitable-subscription': {
    kind: 'domain',
    severity: 'error',
    source: 'mm',
    apiVersions: BOTH,
    seed: null,
    title: 'No subscription can migrate it',
    fix: 'None of the domain\u2019s subscriptions is suitable (see the subscriptions named here): resolve their reasons, or unselect the domain.',
    actions: ['remap', 'unselect'],
  },
  'subscription-missing': {
    kind: 'domain',
    severity: 'error',
    source: 'mm',
    apiVersions: BOTH,
    seed: null,
    title: 'Subscription not in the inventory',
    fix: 'The domain names a subscription the agent did not report: refresh the inventory, or fix the agent\u2019s output.',
    actions: ['inventory'],
  },
  'mail-aliases': {
    kind: 'domain',
    severity: 'warning',
    source: 'target-api',
    apiVersions: BOTH,
    seed: 'Known trap: mail aliases.',
    title: 'Mail aliases',
    fix: 'Check the aliases on the target after migration: they are recreated as forwarders to the mailboxes, which real migrations have lost.',
    actions: [],
  },
  'database-not-linked': {
    kind: 'domain',
    severity: 'warning',
    source: 'target-api',
    apiVersions: BOTH,
    seed: 'Known trap: databases not re-linked to their sites.',
    title: 'Database not linked to a site',
    fix: 'Link the database to its web site on the target after migration (or move it to the domain whose site uses it).',
    actions: [],
  },
  'wildcard-subdomain': {
    kind: 'domain',
    severity: 'warning',
    source: 'target-api',
    apiVersions: BOTH,
    seed: 'Known trap: wildcard subdomains without DNS forwarding.',
    title: 'Wildcard subdomain',
    fix: 'Add a wildcard DNS record (*.domain) pointing to the site on the target: the target does not forward wildcard subdomains by itself.',
    actions: [],
  },
  'password-ampersand-domain': {
    kind: 'domain',
    severity: 'warning',
    source: 'target-api',
    apiVersions: BOTH,
    seed: 'Known trap: passwords containing \u201c&\u201d.',
    title: 'Service password contains "&"',
    fix: 'Change the mailbox/FTP/database password before migration, or reset it on the target afterwards.',
    actions: [],
  },
  'ip-dedicated-exhausted': {
    kind: 'domain',
    severity: 'warning',
    source: 'mm',
    apiVersions: BOTH,
    seed: null,
    title: 'No free dedicated IP on the target',
    fix: 'Add dedicated IPs to the target\u2019s pool (mm ip-map pool) and suggest again, or map the source IP by hand (mm ip-map set); otherwise the site shares the default IP on the target.',
    actions: [],
  },
  'ip-not-mapped': {
    kind: 'domain',
    severity: 'warning',
    source: 'mm',
    apiVersions: BOTH,
    seed: null,
    title: 'Source IP not mapped',
    fix: 'Map the source IP to a target IP (mm ip-map suggest --apply, mm ip-map set or import): unmapped, the zone\u2019s records keep pointing to the old server.',
    actions: [],
  },
  // --- subscriptions: Migration API v.1 -------------------------------------------------------
  'not-mapped': {
    kind: 'subscription',
    severity: 'error',
    source: 'seed',
    apiVersions: [1],
    seed: 'Subscription is not mapped to POA Service Template and/or Billing Manager Service Plan.',
    title: 'Not mapped',
    fix: 'Map the subscription\u2019s external service template (with every TLD it registers), or mark the subscription as not migrated.',
    actions: ['remap', 'override'],
  },
  expired: {
    kind: 'subscription',
    severity: 'error',
    source: 'seed',
    apiVersions: BOTH,
    seed: 'Subscription is expired.',
    title: 'Expired',
    fix: 'Renew it on the source and refresh the inventory, or widen the server\u2019s protective interval; otherwise it is not migrated.',
    actions: ['settings', 'inventory', 'override'],
  },
  // --- subscriptions: Migration API v.2 -------------------------------------------------------
  'template-not-mapped': {
    kind: 'subscription',
    severity: 'error',
    source: 'seed',
    apiVersions: [2],
    seed: 'External Service Template is not mapped to POA/PBA Service Template/Plan.',
    title: 'Template not mapped',
    fix: 'Map the external service template (class and target template/plans), or mark the subscription as not migrated.',
    actions: ['remap', 'override'],
  },
  'no-external-id': {
    kind: 'subscription',
    severity: 'error',
    source: 'seed',
    apiVersions: [2],
    seed: 'External Service Template is mapped as \u2018hosting/hosting and domain registration\u2019 Service Template, but external subscription identifier is not specified.',
    title: 'No usable external subscription id',
    fix: 'The agent must report an identifier without spaces (MM passes it to the agent); fix the agent\u2019s output and refresh, or re-map the template.',
    actions: ['inventory', 'remap'],
  },
  'resource-with-domains': {
    kind: 'subscription',
    severity: 'error',
    source: 'seed',
    apiVersions: [2],
    seed: 'External Service Template is mapped as \u2018resource\u2019 Service Template, but one or more domains provided by given subscription on a source server.',
    title: 'Resource subscription provides domains',
    fix: 'Re-map the template as hosting (or hosting and domain registration): a resource subscription cannot provide domains.',
    actions: ['remap'],
  },
  'registration-without-domain': {
    kind: 'subscription',
    severity: 'error',
    source: 'seed',
    apiVersions: [2],
    seed: 'External subscription is mapped as \u2018hosting and domain registration/domain registration\u2019, but no domains provided by given subscription on a source server.',
    title: 'Registration subscription provides no domain',
    fix: 'Re-map the template (e.g. as resource), or mark the subscription as not migrated.',
    actions: ['remap', 'override'],
  },
  'registration-several-domains': {
    kind: 'subscription',
    severity: 'error',
    source: 'seed',
    apiVersions: [2],
    seed: 'Only one domain can be provided by subscription mapped to \u2018hosting and domain registration/domain registration\u2019 Service Templates.',
    title: 'Registration subscription provides several domains',
    fix: 'Re-map the template as hosting, or split the subscription on the source and refresh the inventory.',
    actions: ['remap', 'inventory'],
  },
  // --- subscriptions: both versions, beyond the tables ----------------------------------------
  protective: {
    kind: 'subscription',
    severity: 'info',
    source: 'seed',
    apiVersions: BOTH,
    seed: 'Protective Subscription: Expired Subscription, which should be migrated to POA/PBA. The protective time interval is defined in migration settings for each registered source server in MM.',
    title: 'Protective subscription',
    fix: 'Nothing to do: it expired within the protective interval and migrates.',
    actions: [],
  },
  'owner-failed': {
    kind: 'subscription',
    severity: 'error',
    source: 'poa-guide',
    apiVersions: BOTH,
    seed: 'A subscription fails when its owner failed.',
    title: 'Owner account failed',
    fix: 'Resolve the owner account\u2019s reasons; the subscription passes once it does.',
    actions: [],
  },
  'invalid-dates': {
    kind: 'subscription',
    severity: 'error',
    source: 'poa-guide',
    apiVersions: BOTH,
    seed: 'A subscription fails when its creation/expiration dates are wrong.',
    title: 'Wrong dates',
    fix: 'Correct the creation/expiration dates on the source and refresh the inventory, or mark the subscription as not migrated.',
    actions: ['inventory', 'override'],
  },
  'cancelled-on-source': {
    kind: 'subscription',
    severity: 'error',
    source: 'mm',
    apiVersions: BOTH,
    seed: null,
    title: 'Cancelled on the source',
    fix: 'A cancelled subscription is not migrated; reactivate it on the source and refresh if it should be.',
    actions: ['inventory', 'override'],
  },
  'inactive-on-source': {
    kind: 'subscription',
    severity: 'error',
    source: 'mm',
    apiVersions: BOTH,
    seed: null,
    title: 'Not active on the source',
    fix: 'A suspended, disabled or pending subscription is rejected while the server\u2019s "inactive subscriptions" setting is "reject": reactivate it on the source and refresh, mark it not migrated, or set the server to migrate inactive subscriptions with a warning.',
    actions: ['inventory', 'override', 'settings'],
  },
  'inactive-on-source-allowed': {
    kind: 'subscription',
    severity: 'warning',
    source: 'mm',
    apiVersions: BOTH,
    seed: null,
    title: 'Not active on the source (migrated anyway)',
    fix: 'The server\u2019s "inactive subscriptions" setting migrates it in its current state: check with the customer, or mark it not migrated.',
    actions: ['override', 'settings'],
  },
  'override-not-migrated': {
    kind: 'subscription',
    severity: 'info',
    source: 'seed',
    apiVersions: BOTH,
    seed: 'All unnecessary for migration subscriptions should be marked as not migrated (subscription\u2019s override state) manually.',
    title: 'Marked not migrated',
    fix: 'Undo the override decision to migrate it again.',
    actions: [],
  },
  'registrar-password-ampersand': {
    kind: 'subscription',
    severity: 'warning',
    source: 'target-api',
    apiVersions: BOTH,
    seed: 'Known trap: passwords containing \u201c&\u201d.',
    title: 'Registrar password contains "&"',
    fix: 'Change the registrar password before migration, or set it again on the target afterwards.',
    actions: [],
  },
} as const satisfies Record<string, ReasonInfo>;

export type ReasonCode = keyof typeof REASONS;
