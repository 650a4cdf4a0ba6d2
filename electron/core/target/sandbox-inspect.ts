/**
 * The target browser's source: `sandbox.dump`, a sandbox-only method (a real POA has no "list
 * everything"), read over the same transport as any call and turned into display tables.
 */
import type { TargetBrowse, TargetTable } from '../../../shared/model/target';
import { type Endpoint, postXmlRpc } from './http-transport';

type Row = Record<string, unknown>;

const TABLES: readonly { key: string; title: string; columns: readonly string[] }[] = [
  {
    key: 'accounts',
    title: 'Accounts',
    columns: ['account_id', 'account_type', 'parent_account_id', 'person', 'email', 'enabled', 'via'],
  },
  {
    key: 'members',
    title: 'Account members (staff)',
    columns: ['member_id', 'account_id', 'login', 'email', 'via'],
  },
  {
    key: 'subscriptions',
    title: 'POA subscriptions',
    columns: [
      'subscription_id',
      'account_id',
      'service_template_id',
      'name',
      'active',
      'enabled',
      'request_id',
    ],
  },
  {
    key: 'pba_subscriptions',
    title: 'PBA subscriptions',
    columns: ['subscription_id', 'gate', 'account_id', 'plan_id', 'name', 'status', 'serv_status'],
  },
  {
    key: 'domains',
    title: 'Domains',
    columns: [
      'domain_id',
      'domain_name',
      'account_id',
      'subscription_id',
      'hosting_type',
      'path',
      'webspace_id',
      'enabled',
    ],
  },
  {
    key: 'dns_hostings',
    title: 'DNS hosting',
    columns: ['domain_id', 'domain_name', 'hosting_rt_id', 'request_id'],
  },
  {
    key: 'dns_records',
    title: 'DNS records',
    columns: ['record_id', 'domain_name', 'host', 'type', 'data', 'ttl'],
  },
  {
    key: 'mailboxes',
    title: 'Mailboxes',
    columns: ['mailbox_id', 'subscription_id', 'login', 'quota', 'password_crypted'],
  },
  {
    key: 'forwardings',
    title: 'Mail forwardings',
    columns: ['forwarding_id', 'subscription_id', 'name', 'domain_name', 'forward_to'],
  },
  { key: 'aliases', title: 'Mail aliases', columns: ['alias_id', 'mailbox_id', 'name', 'domain_name'] },
  { key: 'databases', title: 'Databases', columns: ['database_id', 'subscription_id', 'db_name', 'db_type'] },
  {
    key: 'database_users',
    title: 'Database users',
    columns: ['db_user_id', 'subscription_id', 'db_name', 'login'],
  },
  { key: 'ftp_users', title: 'FTP users', columns: ['ftp_user_id', 'subscription_id', 'login', 'home_dir'] },
  {
    key: 'pay_tools',
    title: 'Pay tools',
    columns: ['card_id', 'account_id', 'pay_system', 'last4', 'exp_date'],
  },
  {
    key: 'requests',
    title: 'Requests',
    columns: ['request_id', 'txn_id', 'committed_at', 'ready_at', 'failed', 'fail_message'],
  },
];

function cell(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'object' && !Array.isArray(v)) {
    const p = v as Row;
    if ('last_name' in p)
      return (
        [p['first_name'], p['last_name']].filter(Boolean).join(' ') +
        (p['company_name'] ? ` (${String(p['company_name'])})` : '')
      );
    return JSON.stringify(v);
  }
  return String(v);
}

export async function browseSandbox(endpoint: Endpoint, timeoutMs = 15_000): Promise<TargetBrowse> {
  const answer = await postXmlRpc(endpoint, 'sandbox.dump', [{}], {
    timeoutMs,
    maxResponseBytes: 64 * 1024 * 1024,
  });
  if (answer.kind === 'fault' || typeof answer.value !== 'object' || answer.value === null) {
    return {
      available: false,
      message:
        'This target is not the sandbox: a real POA cannot list everything it holds. Use the look-ups instead.',
      tables: [],
    };
  }
  const dump = answer.value as Record<string, unknown>;
  const tables: TargetTable[] = TABLES.map((t) => {
    const rows = Array.isArray(dump[t.key]) ? (dump[t.key] as Row[]) : [];
    return {
      key: t.key,
      title: t.title,
      columns: t.columns,
      rows: rows.map((r) => t.columns.map((c) => cell(r[c]))),
    };
  });
  return { available: true, tables };
}
