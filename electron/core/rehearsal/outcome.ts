/**
 * What a rehearsal found, made pure: the counts of "create" read back from the rehearsal's
 * target (not from the journal: what the target really holds), and the items the batch could
 * not carry or failed, from its journal.
 */
import type { StepStatusRow, ObjectStatusRow } from '../../../shared/model/migration';
import type {
  HoldingCounts,
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
  const counter = new CreateCounter();
  counter.add(holdings);
  return counter.counts();
}

/**
 * The same counts, piece by piece: the read-back is counted as it passes on its way to the file,
 * never held whole for it.
 */
export class CreateCounter {
  readonly #kinds = new Map<HoldingKind, number>();
  // Subdomains and pointers are domains to the target, not to the source: counted apart.
  readonly #roles = new Map<string, number>();
  #files = 0;
  #bytes = 0;

  add(part: readonly TargetHolding[]): void {
    for (const h of part) {
      this.#kinds.set(h.kind, (this.#kinds.get(h.kind) ?? 0) + 1);
      if (h.kind === 'domain') {
        const role = h.fields['role'] ?? 'domain';
        this.#roles.set(role, (this.#roles.get(role) ?? 0) + 1);
      } else if (h.kind === 'content') {
        this.#files += Number(h.fields['files'] ?? 0);
        this.#bytes += Number(h.fields['bytes'] ?? 0);
      }
    }
  }

  /** Every holding per kind (the create counts leave some kinds out and split domains by role). */
  holdingCounts(): HoldingCounts {
    let total = 0;
    for (const n of this.#kinds.values()) total += n;
    return { total, kinds: Object.fromEntries(this.#kinds) };
  }

  counts(): RehearsalCreate {
    const out = Object.fromEntries(
      Object.entries(COUNTED).map(([k, kind]) => [k, this.#kinds.get(kind) ?? 0]),
    ) as Omit<RehearsalCreate, 'files' | 'bytes' | 'subdomains' | 'pointers'>;
    return {
      ...out,
      domains: this.#roles.get('domain') ?? 0,
      subdomains: this.#roles.get('subdomain') ?? 0,
      pointers: this.#roles.get('pointer') ?? 0,
      files: this.#files,
      bytes: this.#bytes,
    };
  }
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
