/**
 * Post-migration checks (issue 14, SPEC R12): per migrated domain, evidence read from the
 * source compared with evidence read from the target — web, mail, DNS, databases, users —
 * each kind pass / warn / fail with every difference named.
 */

export const CHECK_KINDS = ['web', 'mail', 'dns', 'db', 'users'] as const;
export type CheckKind = (typeof CHECK_KINDS)[number];

export type CheckStatus = 'pass' | 'warn' | 'fail';

/** One thing that differs, named: the object ("page /about.html", "mailbox ann@x.test") and what. */
export interface CheckDifference {
  readonly severity: 'warn' | 'fail';
  readonly object: string;
  readonly message: string;
}

export interface CheckResult {
  readonly kind: CheckKind;
  readonly status: CheckStatus;
  /** One line: what was compared, or the differences in short. */
  readonly message: string;
  readonly differences: readonly CheckDifference[];
}

export interface DomainCheck {
  /** The domain's name as the target knows it (ASCII). */
  readonly domain: string;
  readonly domainId: string;
  readonly server: string;
  readonly status: CheckStatus;
  readonly checks: readonly CheckResult[];
  readonly checkedAt: string;
}

export interface CheckRun {
  readonly runId: string;
  readonly at: string;
  /** By hand (`mm check`, the Checks page) or at the end of a batch. */
  readonly trigger: 'manual' | 'batch';
  readonly jobId?: string;
  readonly domains: readonly DomainCheck[];
  readonly counts: Readonly<Record<CheckStatus, number>>;
}

/** Where the checks find the target's web and name servers, and whether batches run them. */
export interface CheckSettingsView {
  readonly webServer?: string;
  readonly nameServer?: string;
  readonly afterBatch?: boolean;
  /** Source server id → where its web server answers, instead of the domain's web IP. */
  readonly sourceWeb?: Readonly<Record<string, string>>;
  /** Which kinds run (all five when absent). */
  readonly kinds?: readonly CheckKind[];
  /** Pages fetched per site at most. */
  readonly sample?: number;
  /** Seconds one page may take to answer. */
  readonly pageTimeoutSeconds?: number;
}

/** The worst of some statuses: fail over warn over pass. */
export function worstStatus(statuses: Iterable<CheckStatus>): CheckStatus {
  let worst: CheckStatus = 'pass';
  for (const s of statuses) {
    if (s === 'fail') return 'fail';
    if (s === 'warn') worst = 'warn';
  }
  return worst;
}
