/**
 * What the sandbox holds: the row shapes of each table and their indexes. POA objects (accounts,
 * members, subscriptions, domains, DNS, mail, databases, FTP, webspaces), PBA objects (accounts,
 * subscriptions of the three gates, registered domains, pay tools, balance adjustments, custom
 * attributes) and the asynchronous requests of committed transactions. Rows created inside a
 * transaction carry its `request_id`: while that request runs they are visible but not usable.
 */
import type { Draft, Key, Row, TableSpec } from './store';

export interface Person {
  first_name: string;
  middle_name: string;
  last_name: string;
  company_name: string;
}

interface Provisioned {
  /** The request of the transaction that created the row (absent: applied at once). */
  request_id?: string;
}

export interface SbAccount extends Row, Provisioned {
  account_id: number;
  account_type: string;
  parent_account_id: number;
  person: Person;
  email: string;
  country: string;
  city: string;
  enabled: boolean;
  via: 'POA' | 'PBA';
}
export interface SbMember extends Row, Provisioned {
  member_id: number;
  account_id: number;
  login: string;
  password_sha256: string;
  email: string;
  via: 'POA' | 'PBA';
}
export interface SbSubscription extends Row, Provisioned {
  subscription_id: number;
  account_id: number;
  service_template_id: number;
  name: string;
  active: boolean;
  enabled: boolean;
  resource_limits: { resource_id: number; resource_limit: number }[];
  parameters: { var_name: string; var_value: string }[];
  c_date: number;
}
export interface SbWebspace extends Row, Provisioned {
  webspace_id: number;
  subscription_id: number;
  domain_id: number;
  location: string;
}
export interface SbDomain extends Row, Provisioned {
  domain_id: number;
  domain_name: string;
  account_id: number;
  /** 0: added to the account with no hosting (pem.addDomainToAccount). */
  subscription_id: number;
  /** -1 none, 0 physical, 2 parking */
  hosting_type: number;
  domain_parking_type: number;
  path: string;
  registrar_status: number;
  parent_domain_id: number;
  webspace_id: number;
  enabled: boolean;
}
export interface SbDnsHosting extends Row, Provisioned {
  domain_id: number;
  domain_name: string;
  hosting_rt_id: number;
}
export interface SbDnsRecord extends Row, Provisioned {
  record_id: number;
  domain_id: number;
  domain_name: string;
  host: string;
  type: string;
  data: string;
  ttl: number;
}
export interface SbMailbox extends Row, Provisioned {
  mailbox_id: number;
  subscription_id: number;
  name: string;
  domain_name: string;
  /** The service user's login: the address. */
  login: string;
  quota: number;
  password_crypted: boolean;
  /** A crypt as sent (password_crypted) or a SHA-256 of the plain password; never dumped. */
  password_hash: string;
}
export interface SbForwarding extends Row, Provisioned {
  forwarding_id: number;
  subscription_id: number;
  name: string;
  domain_name: string;
  forward_to: string;
}
export interface SbAlias extends Row, Provisioned {
  alias_id: number;
  mailbox_id: number;
  subscription_id: number;
  name: string;
  domain_name: string;
}
export interface SbDatabase extends Row, Provisioned {
  database_id: number;
  subscription_id: number;
  db_name: string;
  db_type: string;
}
export interface SbDatabaseUser extends Row, Provisioned {
  db_user_id: number;
  subscription_id: number;
  database_id: number;
  db_name: string;
  login: string;
  password_sha256: string;
}
export interface SbFtpUser extends Row, Provisioned {
  ftp_user_id: number;
  subscription_id: number;
  login: string;
  home_dir: string;
  password_sha256: string;
}
export interface SbPbaAccount extends Row {
  account_id: number;
  vendor_account_id: number;
  /** The 61 named values of AccountWithIDAdd_API, as given. */
  fields: Record<string, string | number>;
  creation_date: number;
}
export interface SbPbaSubscription extends Row {
  subscription_id: number;
  gate: 'PEMGATE' | 'DOMAINGATE' | 'DUMMYGATE';
  account_id: number;
  plan_id: number;
  name: string;
  status: number;
  serv_status: number;
  /** Every positional value as given (fees as "0.00" strings, dates as Unix time). */
  fields: Record<string, string | number>;
}
export interface SbRegDomain extends Row {
  domain_id: number;
  subscription_id: number;
  account_id: number;
  full_domain_name: string;
  registrar_login: string;
  name_servers: string[];
}
export interface SbPayTool extends Row {
  card_id: number;
  account_id: number;
  holder: string;
  pay_system: string;
  /** Last four digits only: the sandbox never keeps a card number. */
  last4: string;
  exp_date: string;
  use_for_auto_payments: number;
}
export interface SbAdjustment extends Row {
  adjustment_id: number;
  account_id: number;
  amount: string;
  comment: string;
}
export interface SbAttribute extends Row {
  key: string;
  obj_type: number;
  obj_id: number;
  name: string;
  value: string;
}
export interface SbRequest extends Row {
  request_id: string;
  txn_id: string;
  committed_at: number;
  ready_at: number;
  /** Set when a fault was injected: at ready_at the request fails and its objects go. */
  fail_message?: string;
  failed: boolean;
  /** What the request created, kept only while it is set to fail (removed when it does). */
  objects?: [string, number | string][];
}

const by = (k: string) => (r: Row) => String(r[k]);
/** An owner's id as a group value: the number itself (store.ts). */
const owner = (k: string) => (r: Row) => r[k] as Key | undefined;
const lower = (s: unknown): string => String(s).toLowerCase();
// Composite keys joined (one flat string), not concatenated (a chain of strings kept per row).
const address = (r: Row): string => [lower(r['name']), lower(r['domain_name'])].join('@');

export const TABLE_NAMES = [
  'accounts',
  'members',
  'subscriptions',
  'webspaces',
  'domains',
  'dnsHostings',
  'dnsRecords',
  'mailboxes',
  'forwardings',
  'aliases',
  'databases',
  'databaseUsers',
  'ftpUsers',
  'pbaAccounts',
  'pbaSubscriptions',
  'regDomains',
  'payTools',
  'adjustments',
  'attributes',
  'requests',
] as const;
export type TableName = (typeof TABLE_NAMES)[number];

export const TABLES: Readonly<Record<TableName, TableSpec>> = {
  accounts: { key: 'account_id' },
  members: {
    key: 'member_id',
    unique: { login: (r) => lower(r['login']) },
    groups: { account: owner('account_id') },
  },
  subscriptions: { key: 'subscription_id', groups: { account: owner('account_id') } },
  webspaces: { key: 'webspace_id', groups: { subscription: owner('subscription_id') } },
  domains: {
    key: 'domain_id',
    unique: { name: (r) => lower(r['domain_name']) },
    groups: { subscription: owner('subscription_id'), account: owner('account_id') },
  },
  dnsHostings: { key: 'domain_id' },
  dnsRecords: {
    key: 'record_id',
    unique: {
      content: (r) =>
        [lower(r['domain_name']), lower(r['host']), String(r['type']), String(r['data'])].join('|'),
    },
    groups: { domain: (r) => lower(r['domain_name']) },
  },
  mailboxes: {
    key: 'mailbox_id',
    unique: { address, login: (r) => lower(r['login']) },
    groups: { subscription: owner('subscription_id') },
  },
  forwardings: {
    key: 'forwarding_id',
    unique: { target: (r) => [address(r), lower(r['forward_to'])].join('>') },
    groups: { subscription: owner('subscription_id'), address },
  },
  aliases: { key: 'alias_id', unique: { address }, groups: { subscription: owner('subscription_id') } },
  databases: {
    key: 'database_id',
    unique: { name: (r) => [String(r['db_type']), String(r['db_name'])].join(':') },
    groups: { subscription: owner('subscription_id') },
  },
  databaseUsers: {
    key: 'db_user_id',
    unique: { login: by('login') },
    groups: { subscription: owner('subscription_id') },
  },
  ftpUsers: {
    key: 'ftp_user_id',
    unique: { login: by('login') },
    groups: { subscription: owner('subscription_id') },
  },
  pbaAccounts: { key: 'account_id' },
  pbaSubscriptions: { key: 'subscription_id', groups: { account: owner('account_id') } },
  regDomains: { key: 'domain_id', unique: { name: (r) => lower(r['full_domain_name']) } },
  payTools: { key: 'card_id', groups: { account: owner('account_id') } },
  adjustments: { key: 'adjustment_id', groups: { account: owner('account_id') } },
  attributes: { key: 'key', groups: { match: (r) => [String(r['name']), String(r['value'])].join('=') } },
  requests: { key: 'request_id' },
};

/** First ids per kind; PBA accounts live above 1,000,000 as with an integrated PBA. */
const FIRST_IDS: Record<string, number> = {
  account: 1_000_001,
  member: 1,
  subscription: 1001,
  webspace: 1,
  domain: 1,
  record: 1,
  mailbox: 1,
  forwarding: 1,
  alias: 1,
  database: 1,
  dbUser: 1,
  ftpUser: 1,
  payTool: 1,
  adjustment: 1,
  regDomain: 1,
  txn: 1,
};

/** Takes the next id of a kind, skipping ids already used by explicit requests. */
export function nextId(draft: Draft, kind: string, taken: (id: number) => boolean): number {
  let id = draft.counter(kind) ?? FIRST_IDS[kind] ?? 1;
  while (taken(id)) id++;
  draft.setCounter(kind, id + 1);
  return id;
}
