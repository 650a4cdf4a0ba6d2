/**
 * Rehearsals (SPEC R15): the project's migration plan run against a throwaway sandbox target,
 * read back, and offered to an engineer as "what the real run would create", to sign off.
 * A production run whose plan fingerprint has no signed-off rehearsal is refused.
 */
import type { JobSummary } from './migration';

/** What a target holds, one row per object, the way a rehearsal reports and diffs it. */
export const HOLDING_KINDS = [
  'account',
  'member',
  'subscription',
  'domain',
  'dns-record',
  'mailbox',
  'forward',
  'alias',
  'database',
  'database-user',
  'ftp-user',
  'pay-tool',
  'balance',
  'content',
] as const;
export type HoldingKind = (typeof HOLDING_KINDS)[number];

export interface TargetHolding {
  readonly kind: HoldingKind;
  /** Stable across rehearsals (never a target-assigned id): "mailbox info@example.com". */
  readonly key: string;
  /** For people: a domain name, a login, an address. */
  readonly name: string;
  /** The domain or account it belongs to (for filtering), when there is one. */
  readonly owner?: string;
  /** Every field the real run would set, as text (no passwords, no target-assigned ids). */
  readonly fields: Readonly<Record<string, string>>;
}

/** The counts `mm migrate --rehearse --json` promises under "create". */
export interface RehearsalCreate {
  readonly accounts: number;
  readonly members: number;
  readonly subscriptions: number;
  /** The source's domains (subdomains and pointers, also domains on the target, apart). */
  readonly domains: number;
  readonly subdomains: number;
  readonly pointers: number;
  readonly dnsRecords: number;
  readonly mailboxes: number;
  readonly forwards: number;
  readonly aliases: number;
  readonly databases: number;
  readonly ftpUsers: number;
  readonly files: number;
  readonly bytes: number;
}

export interface RehearsalItem {
  readonly object: string;
  readonly kind: string;
  readonly step: string;
  readonly message: string;
}

/** Where the rehearsal sandbox's templates and plans came from. */
export interface RehearsalCatalogue {
  readonly fromRealTarget: boolean;
  readonly templates: number;
  readonly plans: number;
  /** Why the real target's lists could not be read (then the sandbox's own catalogue was used). */
  readonly problem?: string;
}

export type RehearsalState = 'running' | 'done' | 'failed';

export interface RehearsalRecord {
  readonly id: string;
  readonly projectId: string;
  readonly createdAt: string;
  readonly finishedAt?: string;
  readonly author: string;
  readonly state: RehearsalState;
  /** The plan's fingerprint (inventories, mapping, selection, decisions, services, settings). */
  readonly fingerprint: string;
  readonly content: boolean;
  readonly subset?: { readonly accounts?: readonly string[]; readonly domains?: readonly string[] };
  readonly catalogue?: RehearsalCatalogue;
  readonly objects?: JobSummary['objects'];
  readonly create?: RehearsalCreate;
  readonly cannotCarry?: readonly RehearsalItem[];
  readonly failures?: readonly RehearsalItem[];
  /** What the real run would do on the source servers (disable subscriptions), never done here. */
  readonly wouldDisable?: readonly {
    readonly serverId: string;
    readonly subscriptionIds: readonly string[];
  }[];
  /** The process running it (a record left "running" by a process that died is shown failed). */
  readonly pid?: number;
  /** Why the rehearsal itself could not finish (the sandbox did not start …). */
  readonly error?: string;
  readonly signOff?: SignOff;
  /** What the plan was made from (revisions of mapping, selection, decisions …), for "what changed since". */
  readonly basis?: Readonly<Record<string, string>>;
  /** How many objects its holdings.json holds, per kind (counted as it was written). */
  readonly holdingCounts?: HoldingCounts;
}

export interface HoldingCounts {
  readonly total: number;
  readonly kinds: Readonly<Partial<Record<HoldingKind, number>>>;
}

/**
 * A rehearsal as it is shown: its record and how many objects it holds per kind. The objects
 * themselves (up to ~2 million at 10×) are never sent whole: they are read a page at a time
 * (`rehearsal:holdings`), or streamed (`mm rehearsal show`, exports, bundles).
 */
export interface RehearsalOutcome extends RehearsalRecord {
  readonly holdingCounts: HoldingCounts;
}

/** The most holdings one page may ask for. */
export const HOLDINGS_PAGE_MAX = 1_000;

/** A page of a rehearsal's holdings: kind and search (name or owner, any case) filter them. */
export interface HoldingsQuery {
  readonly kind?: HoldingKind;
  readonly search?: string;
  readonly offset: number;
  readonly limit: number;
}

export interface HoldingsPage {
  readonly rows: readonly TargetHolding[];
  /** How many holdings pass the filters. */
  readonly matched: number;
  /** How many the rehearsal holds. */
  readonly total: number;
}

export interface SignOff {
  readonly rehearsalId: string;
  readonly fingerprint: string;
  readonly author: string;
  readonly at: string;
  readonly comment?: string;
}

export interface HoldingChange {
  readonly kind: HoldingKind;
  readonly key: string;
  readonly name: string;
  readonly owner?: string;
  /** Field → [before, after] ("" when absent on one side). */
  readonly fields: Readonly<Record<string, readonly [string, string]>>;
}

/** The most added, removed or changed holdings a diff lists (its counts stay exact). */
export const DIFF_LIST_MAX = 1_000;

export interface RehearsalDiff {
  readonly from: { readonly id: string; readonly fingerprint: string; readonly createdAt: string } | null;
  readonly to: { readonly id: string; readonly fingerprint: string; readonly createdAt: string };
  /** The first DIFF_LIST_MAX of each list; `counts` says how many there are in all. */
  readonly added: readonly TargetHolding[];
  readonly removed: readonly TargetHolding[];
  readonly changed: readonly HoldingChange[];
  readonly counts: { readonly added: number; readonly removed: number; readonly changed: number };
  /** True for a list cut at DIFF_LIST_MAX. */
  readonly truncated: { readonly added: boolean; readonly removed: boolean; readonly changed: boolean };
  /** Failures and not-carried items that are new or gone since the previous rehearsal. */
  readonly newProblems: readonly RehearsalItem[];
  readonly goneProblems: readonly RehearsalItem[];
}

/** Whether a production run needs a signed-off rehearsal of its fingerprint. */
export type SignOffPolicy = 'required' | 'not-required' | 'after-first-rehearsal';

export interface RehearsalStatus {
  readonly policy: SignOffPolicy;
  /** What the policy means for this project now. */
  readonly required: boolean;
  /** The plan's fingerprint now (the production run's, for the whole selection); null while verification is not current. */
  readonly fingerprint: string | null;
  /** The sign-off that covers it, if any. */
  readonly signOff: SignOff | null;
  readonly latest: RehearsalRecord | null;
}

/** Progress of a running rehearsal: its batch's summary, tagged with the rehearsal. */
export interface RehearsalProgress {
  readonly projectId: string;
  readonly rehearsalId: string;
  readonly phase: 'starting' | 'running' | 'reading-back' | 'done' | 'failed';
  readonly summary?: JobSummary;
}
