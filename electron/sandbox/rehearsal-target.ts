/**
 * A throwaway sandbox for one rehearsal (the core's StartThrowawayTarget port, given to the core
 * by the shells): started on free loopback ports with the catalogue the rehearsal copied from
 * the real target, and read back as "holdings" — what a real run would have created, object by
 * object, keyed by names (never by ids the sandbox chose, so two rehearsals can be compared).
 */
import type { HoldingKind, TargetHolding } from '../../shared/model/rehearsal';
import type {
  StartThrowawayTarget,
  ThrowawayCatalogue,
  ThrowawayTarget,
  ThrowawayTargetOptions,
} from '../core/rehearsal/throwaway-target';
import {
  SEED_PLANS,
  SEED_TEMPLATES,
  type SandboxPlan,
  type SandboxResource,
  type SandboxTemplate,
} from './catalogue';
import { type RunningSandbox, type SandboxState, startSandbox } from './sandbox';
import { sandboxNodes } from './nodes';

type Row = Record<string, unknown>;

/** Ids the sandbox assigns: they differ between two runs of the same plan, so they are left out. */
const ASSIGNED = new Set([
  'account_id',
  'member_id',
  'subscription_id',
  'webspace_id',
  'domain_id',
  'record_id',
  'mailbox_id',
  'forwarding_id',
  'alias_id',
  'database_id',
  'db_user_id',
  'ftp_user_id',
  'card_id',
  'adjustment_id',
  'parent_account_id',
  'parent_domain_id',
  'vendor_account_id',
  'request_id',
  'c_date',
  'creation_date',
]);
const SECRET = /password|hash|secret|cvv/i;

/** A row's fields as text, without secrets and assigned ids; nested `fields` are flattened. */
function fieldsOf(row: Row): Record<string, string> {
  const out: Record<string, string> = {};
  const put = (k: string, v: unknown): void => {
    if (ASSIGNED.has(k) || SECRET.test(k) || v === undefined) return;
    out[k] = typeof v === 'string' ? v : JSON.stringify(v);
  };
  for (const [k, v] of Object.entries(row)) {
    if (k === 'fields' && v && typeof v === 'object')
      for (const [fk, fv] of Object.entries(v as Row)) put(fk, fv);
    else put(k, v);
  }
  return out;
}

/**
 * The templates and plans of the real target as the sandbox offers them. The documented list
 * calls name templates but not their resources, so a template the seed catalogue does not know
 * offers the seed's resource types without limits (a rehearsal checks what is created, not quotas).
 */
export function sandboxCatalogue(c: ThrowawayCatalogue): {
  templates: SandboxTemplate[];
  plans: SandboxPlan[];
} {
  const seedResources: readonly SandboxResource[] = SEED_TEMPLATES[0]?.resources ?? [];
  const templates = c.templates.map((t): SandboxTemplate => {
    const seed = SEED_TEMPLATES.find((s) => s.service_template_id === t.id);
    return {
      service_template_id: t.id,
      name: t.name,
      owner_id: 1,
      active: t.active,
      resources: seed?.resources ?? seedResources.map((r) => ({ ...r, limit: -1 })),
    };
  });
  const plans = c.plans.map((p): SandboxPlan => ({
    plan_id: p.id,
    name: p.name,
    category: p.category,
    service_template_id: p.serviceTemplateId,
    tld: p.tld,
  }));
  return { templates, plans };
}

/** Everything the sandbox holds as holdings, in a stable order. */
export function holdingsOf(state: SandboxState): TargetHolding[] {
  return [...holdingsIn(state)];
}

/** How many holdings a piece of the read-back carries (~0.5 MB of JSON). */
export const HOLDINGS_PIECE = 2_000;

/**
 * Everything the sandbox holds, one holding after the other, in a stable order: the read-back
 * is handed on in pieces (to the file, or over the child's channel) and never held whole.
 */
export function* holdingsIn(state: SandboxState): Generator<TargetHolding> {
  const rows = (t: string): Row[] => (state[t] ?? []) as Row[];
  const s = (v: unknown): string => String(v ?? '').toLowerCase();
  const add = (
    kind: HoldingKind,
    key: string,
    name: string,
    owner: string | undefined,
    row: Row,
  ): TargetHolding => ({
    kind,
    key: `${kind} ${key}`,
    name,
    ...(owner ? { owner } : {}),
    fields: fieldsOf(row),
  });

  // Accounts are named by the source key the manager tags them with (a custom attribute).
  const sourceKey = new Map<number, string>();
  for (const a of rows('attributes')) sourceKey.set(Number(a['obj_id']), String(a['value']));
  const accountName = new Map<number, string>();
  for (const a of rows('pbaAccounts')) {
    const id = Number(a['account_id']);
    const f = (a['fields'] ?? {}) as Row;
    const key = sourceKey.get(id) ?? `#${id}`;
    accountName.set(id, key);
    yield add('account', key, String(f['CompanyName'] ?? key), key, a);
  }
  const owner = (accountId: unknown): string | undefined => accountName.get(Number(accountId));
  // Databases and FTP users belong to a subscription: shown under its (first) domain.
  const subscriptionDomain = new Map<number, string>();
  for (const d of [...rows('domains')].sort((a, b) => Number(a['domain_id']) - Number(b['domain_id'])))
    if (!subscriptionDomain.has(Number(d['subscription_id'])))
      subscriptionDomain.set(Number(d['subscription_id']), s(d['domain_name']));
  const domainOf = (subscriptionId: unknown): string | undefined =>
    subscriptionDomain.get(Number(subscriptionId));
  for (const m of rows('members'))
    yield add('member', s(m['login']), String(m['login']), owner(m['account_id']), m);
  const seen = new Map<string, number>();
  const unique = (key: string): string => {
    const n = (seen.get(key) ?? 0) + 1;
    seen.set(key, n);
    return n === 1 ? key : `${key} (${n})`;
  };
  for (const sub of rows('pbaSubscriptions'))
    yield add(
      'subscription',
      unique(`${String(sub['gate'])} ${String(sub['name'])} plan ${String(sub['plan_id'])}`),
      String(sub['name']),
      owner(sub['account_id']),
      sub,
    );
  // A subdomain or a pointer (a parked domain forwarding to the site) is a domain row too: its
  // role says which, so "domains" counts the source's domains.
  for (const d of rows('domains')) {
    const role =
      Number(d['parent_domain_id'] ?? 0) > 0
        ? 'subdomain'
        : Number(d['hosting_type']) === 2 && String(d['path'] ?? '') !== ''
          ? 'pointer'
          : 'domain';
    yield add('domain', s(d['domain_name']), String(d['domain_name']), s(d['domain_name']), { ...d, role });
  }
  for (const r of rows('dnsRecords'))
    yield add(
      'dns-record',
      `${s(r['domain_name'])} ${s(r['host'])} ${String(r['type'])} ${String(r['data'])}`,
      `${String(r['host'])} ${String(r['type'])} ${String(r['data'])}`,
      s(r['domain_name']),
      r,
    );
  const address = (r: Row): string => `${s(r['name'])}@${s(r['domain_name'])}`;
  for (const m of rows('mailboxes')) yield add('mailbox', address(m), address(m), s(m['domain_name']), m);
  for (const f of rows('forwardings'))
    yield add(
      'forward',
      `${address(f)}>${s(f['forward_to'])}`,
      `${address(f)} → ${String(f['forward_to'])}`,
      s(f['domain_name']),
      f,
    );
  for (const a of rows('aliases')) yield add('alias', address(a), address(a), s(a['domain_name']), a);
  for (const d of rows('databases'))
    yield add(
      'database',
      `${String(d['db_type'])}:${String(d['db_name'])}`,
      String(d['db_name']),
      domainOf(d['subscription_id']),
      d,
    );
  for (const u of rows('databaseUsers'))
    yield add('database-user', String(u['login']), String(u['login']), domainOf(u['subscription_id']), u);
  for (const u of rows('ftpUsers'))
    yield add('ftp-user', String(u['login']), String(u['login']), domainOf(u['subscription_id']), u);
  for (const p of rows('payTools'))
    yield add(
      'pay-tool',
      unique(`${owner(p['account_id']) ?? ''} ${String(p['pay_system'])} ${String(p['last4'])}`),
      `${String(p['pay_system'])} …${String(p['last4'])}`,
      owner(p['account_id']),
      p,
    );
  for (const b of rows('adjustments'))
    yield add(
      'balance',
      unique(`${owner(b['account_id']) ?? ''} ${String(b['amount'])}`),
      String(b['amount']),
      owner(b['account_id']),
      b,
    );
}

/** Pieces of `size` holdings from a read-back. */
export function* piecesOf(all: Iterable<TargetHolding>, size: number): Generator<TargetHolding[]> {
  let part: TargetHolding[] = [];
  for (const h of all) {
    part.push(h);
    if (part.length >= size) {
      yield part;
      part = [];
    }
  }
  if (part.length > 0) yield part;
}

/** The same, as the port hands them. */
export async function* inPieces(
  all: Iterable<TargetHolding>,
  size: number,
): AsyncGenerator<readonly TargetHolding[]> {
  yield* piecesOf(all, size);
}

/** A rehearsal's sandbox with the port over it (tests keep the sandbox to look inside). */
export async function startRehearsalSandbox(
  options: ThrowawayTargetOptions,
): Promise<{ target: ThrowawayTarget; sandbox: RunningSandbox }> {
  const catalogue = options.catalogue ? sandboxCatalogue(options.catalogue) : undefined;
  const sandbox = await startSandbox({
    dataDir: options.dataDir,
    poaPort: 0,
    pbaPort: 0,
    webPort: 0,
    asyncMs: options.asyncMs ?? 0,
    ...(catalogue ? { catalogue } : {}),
  });
  const nodes = sandboxNodes(options.dataDir);
  const target: ThrowawayTarget = {
    poaUrl: sandbox.poaUrl,
    pbaUrl: sandbox.pbaUrl,
    nodes: { web: nodes.web.root, mail: nodes.mail.root },
    offered: catalogue
      ? { templates: catalogue.templates.length, plans: catalogue.plans.length }
      : { templates: SEED_TEMPLATES.length, plans: SEED_PLANS.length },
    holdings: () => inPieces(holdingsIn(sandbox.held()), HOLDINGS_PIECE),
    close: () => sandbox.close(),
  };
  return { target, sandbox };
}

/** The StartThrowawayTarget the shells give the core. */
export const startRehearsalTarget: StartThrowawayTarget = async (options) =>
  (await startRehearsalSandbox(options)).target;
