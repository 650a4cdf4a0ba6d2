/**
 * Selection (SPEC R5) and verification results (R6) as they are stored and cross the contract.
 * Status and reason codes are those of shared/statuses.ts.
 */
import type { FixAction, ReasonCode, ReasonSeverity, VerificationStatus, VerifiedKind } from '../statuses';
import type { DecisionInput } from './decision';

// --- selection -------------------------------------------------------------------------------

export interface ServerSelection {
  readonly accounts: readonly string[];
  readonly domains: readonly string[];
}

export interface SelectionCounts {
  readonly serverId: string;
  readonly accounts: number;
  readonly domains: number;
  readonly totalAccounts: number;
  readonly totalDomains: number;
}

/** 'selection:get': per server the selected ids (for the tables' check boxes) and counts. */
export interface SelectionView {
  readonly servers: readonly SelectionCounts[];
  readonly selected: Readonly<Record<string, ServerSelection>>;
  /** Domains an "unselect" decision keeps out: bulk selection skips them until it is undone. */
  readonly held: readonly HeldDomain[];
}

export interface HeldDomain {
  readonly serverId: string;
  readonly domainId: string;
  readonly decisionId: string;
}

/** Which inventory objects a bulk selection change is about. */
export type SelectionTarget =
  | { readonly by: 'accounts'; readonly ids: readonly string[] }
  | { readonly by: 'domains'; readonly ids: readonly string[] }
  | { readonly by: 'all' }
  | { readonly by: 'template'; readonly templateId: string }
  | { readonly by: 'filter'; readonly filter: SelectionFilter };

/** A filter over accounts: every condition given must hold. */
export interface SelectionFilter {
  /** Case-insensitive text in the account id, company or one of its domain names. */
  readonly search?: string;
  readonly accountType?: 'customer' | 'reseller';
  readonly status?: string;
}

export interface SelectionChange {
  /** add: select (accounts bring their domains, domains their owner); remove: unselect; clear: nothing selected. */
  readonly mode: 'add' | 'remove' | 'clear';
  readonly target?: SelectionTarget;
  /** Limit to one source server; every server otherwise. */
  readonly serverId?: string;
}

// --- verification results --------------------------------------------------------------------

/** An object a reason points at, so the UI can link to it. */
export interface ObjectRef {
  readonly kind: VerifiedKind;
  readonly serverId: string;
  readonly id: string;
}

export interface ResultReason {
  readonly code: ReasonCode;
  readonly severity: ReasonSeverity;
  /** This case in words: which subscription, which dates, which server. */
  readonly message: string;
  readonly related?: readonly ObjectRef[];
}

/** Where a domain's subscriptions go (seed steps 2 and 3). */
export interface DomainPlan {
  /** Step 2: the hosting subscription migrated to POA (and PBA). */
  readonly hosting?: string;
  /** Step 3: the registration subscription migrated to PBA. */
  readonly registration?: string;
  /** Step 3: resource subscriptions migrated to PBA. */
  readonly resources: readonly string[];
  /** Parking on the target (registration-only domains, when the server offers it). */
  readonly park: boolean;
}

export interface VerificationResult {
  readonly kind: VerifiedKind;
  readonly serverId: string;
  readonly id: string;
  /** Domain name, subscription name, account company: for people. */
  readonly name?: string;
  /** The owner account (the account itself for accounts). */
  readonly accountId: string;
  /** Subscriptions: their template; domains: the template of their hosting subscription. */
  readonly templateId?: string;
  readonly apiVersion: 1 | 2;
  readonly status: VerificationStatus;
  readonly reasons: readonly ResultReason[];
  /** Domains only. */
  readonly plan?: DomainPlan;
  /** Subscriptions only: where an approved subscription goes. */
  readonly destination?: 'poa+pba' | 'pba';
}

/** One row of the results table: flat and small. */
export interface VerificationRow {
  readonly kind: VerifiedKind;
  readonly serverId: string;
  readonly id: string;
  readonly name?: string;
  readonly accountId: string;
  readonly templateId?: string;
  readonly status: VerificationStatus;
  readonly reasonCodes: readonly ReasonCode[];
  /** The most severe reason's message, for a one-line cell. */
  readonly message?: string;
}

export interface ResultsQuery {
  readonly kind?: VerifiedKind;
  readonly status?: VerificationStatus;
  readonly reason?: ReasonCode;
  readonly serverId?: string;
  readonly templateId?: string;
  readonly accountId?: string;
  readonly search?: string;
  readonly offset?: number;
  readonly limit?: number;
}

export interface VerificationRows {
  readonly verifiedAt: string | null;
  /** True when selection, mapping, settings or an inventory changed since the last run. */
  readonly stale: boolean;
  readonly total: number;
  readonly rows: readonly VerificationRow[];
}

/** A button next to a reason: what to send to 'decisions:apply' (or which page to open). */
export interface FixOffer {
  readonly action: FixAction;
  readonly label: string;
  /** Ready to send to 'decisions:apply' (override, approve, unselect). */
  readonly decision?: DecisionInput;
  /** remap: the template to open in the mapping editor. */
  readonly template?: { readonly serverId: string; readonly templateId: string };
  /** settings / inventory / select: the source server (and object) to open. */
  readonly object?: ObjectRef;
}

export interface ReasonDetail extends ResultReason {
  readonly title: string;
  /** The seed's wording, or null for MM's own reasons. */
  readonly seed: string | null;
  readonly fix: string;
  readonly offers: readonly FixOffer[];
}

export interface VerificationDetail {
  readonly result: VerificationResult;
  readonly reasons: readonly ReasonDetail[];
  /** Results of the objects the reasons point at and of the object's own subscriptions/domains. */
  readonly related: readonly VerificationResult[];
  /** Decisions about this object, newest first. */
  readonly decisionIds: readonly string[];
}

export interface VerificationSummary {
  readonly verifiedAt: string | null;
  readonly stale: boolean;
  /** kind → status → count, for the chart. */
  readonly counts: Readonly<Record<VerifiedKind, Readonly<Record<string, number>>>>;
  /** reason code → number of results carrying it. */
  readonly reasons: Readonly<Record<string, number>>;
}

/** How a (re-)verification went: what changed and how long it took. */
export interface VerificationRunInfo {
  readonly verifiedAt: string;
  readonly total: number;
  readonly changed: number;
  readonly ms: number;
  readonly incremental: boolean;
}

// --- domain services facts (warnings) --------------------------------------------------------

/**
 * What domainServicesInfo tells about a domain that the hostingPlatform inventory does not:
 * optional input of verification for the TARGET-API.md warnings. Without it the warnings use
 * what the inventory has (account/registrar passwords, content references, domain names).
 */
export interface DomainServicesFacts {
  /**
   * Where a mailbox, FTP, web or database user password contains "&" (the trap of
   * TARGET-API.md). Only where, never the password: these facts are stored in the project.
   */
  readonly ampersandPasswords: readonly string[];
  readonly mailAliases: readonly string[];
  /** Databases, and whether the domain has a web site they can be linked to. */
  readonly databases: readonly string[];
  readonly hasWebHosting: boolean;
  /** Subdomain prefixes and web aliases ("*" or "*.example.com" for wildcards). */
  readonly subdomains: readonly string[];
}
