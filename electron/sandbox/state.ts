/**
 * What the sandbox was told, persisted as one lowdb document (`<data>/sandbox.json`) through the
 * app's DocumentFile, so it survives restarts and a kill mid-write leaves the last state whole.
 */
import { join } from 'node:path';
import { DocumentFile } from '../../store/document-file';
import { SEED_PLANS, SEED_TEMPLATES, type SandboxPlan, type SandboxTemplate } from './catalogue';

export interface Person {
  first_name: string;
  middle_name: string;
  last_name: string;
  company_name: string;
}

export interface SbAccount {
  account_id: number;
  account_type: string;
  parent_account_id: number;
  person: Person;
  email: string;
  country: string;
  city: string;
  enabled: boolean;
  /** Set when the account came in through PBA (AccountAdd_API). */
  pba?: { vendor_account_id: number; company_name: string; admin_email: string; status: number };
}
export interface SbMember {
  member_id: number;
  account_id: number;
  login: string;
  password_sha256: string;
  email: string;
  via: 'POA' | 'PBA';
}
export interface SbSubscription {
  subscription_id: number;
  account_id: number;
  service_template_id: number;
  name: string;
  active: boolean;
  enabled: boolean;
  resource_limits: { resource_id: number; resource_limit: number }[];
  parameters: { var_name: string; var_value: string }[];
}
export interface SbDomain {
  domain_id: number;
  domain_name: string;
  subscription_id: number;
  hosting_type: number;
  registrar_status: number;
  dns_hosted: boolean;
  enabled: boolean;
  parent_domain_id: number;
}
export interface SbDnsRecord {
  record_id: number;
  domain_name: string;
  host: string;
  type: string;
  data: string;
  ttl: number;
}
export interface SbMailbox {
  mailbox_id: number;
  subscription_id: number;
  name: string;
  domain_name: string;
  quota: number;
  password_sha256: string;
}
export interface SbForwarding {
  forwarding_id: number;
  subscription_id: number;
  name: string;
  domain_name: string;
  forward_to: string;
}
export interface SbDatabase {
  database_id: number;
  subscription_id: number;
  db_name: string;
  db_type: string;
}
export interface SbDatabaseUser {
  db_user_id: number;
  subscription_id: number;
  db_name: string;
  login: string;
  password_sha256: string;
}
export interface SbFtpUser {
  ftp_user_id: number;
  subscription_id: number;
  login: string;
  home_dir: string;
  password_sha256: string;
}
export interface SbPbaSubscription {
  subscription_id: number;
  parent_id: number;
  name: string;
  status: number;
  serv_status: number;
  start_date: number;
  expiration_date: number;
  account_id: number;
  plan_id: number;
  period: number;
  period_type: number;
  setup_fee: number;
  subscription_fee: number;
  renewal_fee: number;
  transfer_fee: number;
  non_refundable_amt: number;
  refund_period: number;
  billing_period_type: number;
  billing_period: number;
  last_bill_date: number;
  next_bill_date: number;
}

export interface SandboxState {
  schemaVersion: 1;
  nextId: Record<string, number>;
  templates: SandboxTemplate[];
  plans: SandboxPlan[];
  accounts: SbAccount[];
  members: SbMember[];
  subscriptions: SbSubscription[];
  domains: SbDomain[];
  dnsRecords: SbDnsRecord[];
  mailboxes: SbMailbox[];
  forwardings: SbForwarding[];
  databases: SbDatabase[];
  databaseUsers: SbDatabaseUser[];
  ftpUsers: SbFtpUser[];
  pbaSubscriptions: SbPbaSubscription[];
}

/** First ids per kind; PBA-created accounts live above 1,000,000 as with an integrated PBA. */
const FIRST_IDS: Record<string, number> = {
  account: 1001,
  pbaAccount: 1_000_001,
  member: 1,
  subscription: 1001,
  domain: 1,
  record: 1,
  mailbox: 1,
  forwarding: 1,
  database: 1,
  dbUser: 1,
  ftpUser: 1,
};

export function emptyState(): SandboxState {
  return {
    schemaVersion: 1,
    nextId: { ...FIRST_IDS },
    templates: structuredClone([...SEED_TEMPLATES]) as SandboxTemplate[],
    plans: structuredClone([...SEED_PLANS]) as SandboxPlan[],
    accounts: [],
    members: [],
    subscriptions: [],
    domains: [],
    dnsRecords: [],
    mailboxes: [],
    forwardings: [],
    databases: [],
    databaseUsers: [],
    ftpUsers: [],
    pbaSubscriptions: [],
  };
}

export function openSandboxState(dataDir: string): Promise<DocumentFile<SandboxState>> {
  return DocumentFile.open<SandboxState>(join(dataDir, 'sandbox.json'), {
    kind: 'sandbox target',
    currentVersion: 1,
    migrations: {},
    empty: emptyState,
    check: (d) =>
      Array.isArray(d.accounts) && Array.isArray(d.templates)
        ? undefined
        : 'it lacks the account or template lists',
  });
}

/** Takes the next id of a kind, skipping ids already used by explicit requests. */
export function nextId(state: SandboxState, kind: string, taken: (id: number) => boolean): number {
  let id = state.nextId[kind] ?? FIRST_IDS[kind] ?? 1;
  while (taken(id)) id++;
  state.nextId[kind] = id + 1;
  return id;
}
