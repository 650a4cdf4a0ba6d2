/**
 * The target browser's source: `sandbox.dump`, a sandbox-only method (a real POA has no "list
 * everything"), read a page at a time over the same transport as any call and turned into
 * display tables.
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

/**
 * The most rows the browser shows of one table: a page of the screen's table is rendered whole,
 * and a sandbox after a large batch holds hundreds of thousands (the bench's source at 10×:
 * ~1.27 million rows). A table cut short says so in its title, with its count.
 */
export const BROWSE_MAX_ROWS = 2_000;
/** Rows per `sandbox.dump` page the browser asks for (the sandbox answers up to 10,000). */
const BROWSE_PAGE_ROWS = 1_000;

/** One page of `sandbox.dump {table, offset, limit, columns}` as the sandbox answers it. */
interface DumpPage {
  readonly rows: Row[];
  readonly total: number;
  readonly counts: Record<string, number>;
}

function asPage(value: unknown): DumpPage | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  if (!Array.isArray(v['rows']) || typeof v['total'] !== 'number') return undefined;
  const counts = typeof v['counts'] === 'object' && v['counts'] !== null ? v['counts'] : {};
  return { rows: v['rows'] as Row[], total: v['total'], counts: counts as Record<string, number> };
}

/**
 * What the sandbox holds, read a table and a page at a time (only the columns shown), up to
 * BROWSE_MAX_ROWS a table: the first page's counts say which tables hold nothing (not asked for)
 * and how many rows a table cut short holds.
 */
export async function browseSandbox(endpoint: Endpoint, timeoutMs = 15_000): Promise<TargetBrowse> {
  const transport = { timeoutMs, maxResponseBytes: 64 * 1024 * 1024 };
  const page = async (t: (typeof TABLES)[number], offset: number): Promise<DumpPage | undefined> => {
    const ask = { table: t.key, offset, limit: BROWSE_PAGE_ROWS, columns: [...t.columns] };
    const answer = await postXmlRpc(endpoint, 'sandbox.dump', [ask], transport);
    return answer.kind === 'value' ? asPage(answer.value) : undefined;
  };
  const [head] = TABLES;
  const first = head && (await page(head, 0));
  if (!first) {
    return {
      available: false,
      message:
        'This target is not the sandbox: a real POA cannot list everything it holds. Use the look-ups instead.',
      tables: [],
    };
  }
  const tables: TargetTable[] = [];
  for (const t of TABLES) {
    const total = t === head ? first.total : (first.counts[t.key] ?? 0);
    const rows: Row[] = t === head ? first.rows.slice(0, BROWSE_MAX_ROWS) : [];
    while (rows.length < Math.min(total, BROWSE_MAX_ROWS)) {
      const next = await page(t, rows.length);
      if (!next) throw new Error(`The sandbox did not answer the page of ${t.key} at row ${rows.length}`);
      if (next.rows.length === 0) break; // rows were removed since the counts were taken
      rows.push(...next.rows.slice(0, BROWSE_MAX_ROWS - rows.length));
    }
    tables.push(display(t, rows, total));
  }
  return { available: true, tables };
}

function display(t: (typeof TABLES)[number], rows: readonly Row[], total: number): TargetTable {
  const shown =
    rows.length < total
      ? ` (first ${rows.length.toLocaleString('en')} of ${total.toLocaleString('en')})`
      : '';
  return {
    key: t.key,
    title: `${t.title}${shown}`,
    columns: t.columns,
    rows: rows.map((r) => t.columns.map((c) => cell(r[c]))),
    total,
  };
}
