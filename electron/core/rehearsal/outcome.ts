/**
 * What a rehearsal found, made pure: the counts of "create" read back from the rehearsal's
 * target (not from the journal: what the target really holds), and the items the batch could
 * not carry or failed, from its journal.
 */
import type { StepStatusRow, ObjectStatusRow } from '../../../shared/model/migration';
import type {
  HoldingKind,
  RehearsalCreate,
  RehearsalItem,
  TargetHolding,
} from '../../../shared/model/rehearsal';

const COUNTED: Readonly<
  Record<Exclude<keyof RehearsalCreate, 'files' | 'bytes' | 'subdomains' | 'pointers'>, HoldingKind>
> = {
  accounts: 'account',
  members: 'member',
  subscriptions: 'subscription',
  domains: 'domain',
  dnsRecords: 'dns-record',
  mailboxes: 'mailbox',
  forwards: 'forward',
  aliases: 'alias',
  databases: 'database',
  ftpUsers: 'ftp-user',
};

export function createCounts(holdings: readonly TargetHolding[]): RehearsalCreate {
  const count = (kind: HoldingKind): number => holdings.filter((h) => h.kind === kind).length;
  let files = 0;
  let bytes = 0;
  for (const h of holdings)
    if (h.kind === 'content') {
      files += Number(h.fields['files'] ?? 0);
      bytes += Number(h.fields['bytes'] ?? 0);
    }
  const out = Object.fromEntries(Object.entries(COUNTED).map(([k, kind]) => [k, count(kind)]));
  // Subdomains and pointers are domains to the target, not to the source: counted apart.
  const role = (r: string): number =>
    holdings.filter((h) => h.kind === 'domain' && (h.fields['role'] ?? 'domain') === r).length;
  return {
    ...(out as Omit<RehearsalCreate, 'files' | 'bytes' | 'subdomains' | 'pointers'>),
    domains: role('domain'),
    subdomains: role('subdomain'),
    pointers: role('pointer'),
    files,
    bytes,
  };
}

/** The not-carried and failed steps of a batch, per object, with the target's own words. */
export function problemsOf(objects: readonly { row: ObjectStatusRow; steps: readonly StepStatusRow[] }[]): {
  cannotCarry: RehearsalItem[];
  failures: RehearsalItem[];
} {
  const cannotCarry: RehearsalItem[] = [];
  const failures: RehearsalItem[] = [];
  for (const { row, steps } of objects)
    for (const s of steps) {
      const item = {
        object: `${row.ref.kind} ${row.name} (${row.ref.serverId})`,
        kind: s.kind,
        step: s.label,
        message: s.message ?? '',
      };
      if (s.state === 'not-carried') cannotCarry.push(item);
      else if (s.state === 'failed' || s.state === 'blocked') failures.push(item);
    }
  return { cannotCarry, failures };
}

/**
 * Content the rehearsal moved, one holding per content step that finished: the files and bytes
 * the transfer verified on the rehearsal sandbox's node (its manifest's SHA-256 with them).
 */
export function contentHoldings(
  objects: readonly { row: ObjectStatusRow; steps: readonly StepStatusRow[] }[],
): TargetHolding[] {
  const out: TargetHolding[] = [];
  for (const { row, steps } of objects)
    for (const s of steps) {
      if (s.kind !== 'content' || s.state !== 'done') continue;
      const fields: Record<string, string> = {};
      for (const k of ['files', 'bytes', 'manifestSha256'])
        if (s.ids[k] !== undefined) fields[k] = String(s.ids[k]);
      out.push({ kind: 'content', key: `content ${s.id}`, name: s.label, owner: row.name, fields });
    }
  return out;
}
