/**
 * The target of a migration project (POA + PBA OpenAPI endpoints) as it crosses the contract.
 * Passwords never appear here: the renderer learns only whether one is stored.
 */

export interface TargetEndpointView {
  readonly url: string;
  readonly user: string;
  readonly hasPassword: boolean;
}

export interface TargetView {
  readonly projectId: string;
  readonly poa: TargetEndpointView | null;
  readonly pba: TargetEndpointView | null;
  /** SHA-256 of the pinned TLS certificate, upper-case hex with colons; null: system trust. */
  readonly tlsFingerprint: string | null;
  /** Set by the app for the demo project: the built-in sandbox target. */
  readonly sandbox: boolean;
}

/** A POA service template, as pem.getServiceTemplateList lists it. */
export interface ServiceTemplateInfo {
  readonly id: number;
  readonly name: string;
  readonly active: boolean;
}

export type ServicePlanCategory = 'hosting' | 'domain' | 'resource';

/** A PBA service plan, as the plan listing returns it. */
export interface ServicePlanInfo {
  readonly id: number;
  readonly name: string;
  readonly category: ServicePlanCategory;
  /** The POA service template a hosting plan provisions; 0 for others. */
  readonly serviceTemplateId: number;
  /** ".com" for a domain registration plan; "" for others. */
  readonly tld: string;
}

export interface TargetCheck<T> {
  readonly ok: boolean;
  readonly items: readonly T[];
  readonly error?: string;
  readonly ms: number;
}

export interface TargetTestResult {
  readonly poa: TargetCheck<ServiceTemplateInfo>;
  readonly pba: TargetCheck<ServicePlanInfo>;
}

/** One table of the target browser: a title, column names and rows of display strings. */
export interface TargetTable {
  readonly key: string;
  readonly title: string;
  readonly columns: readonly string[];
  readonly rows: readonly (readonly string[])[];
  /** Rows the table holds: more than `rows` when the browser shows only the first ones. */
  readonly total: number;
}

export interface TargetBrowse {
  /** False when the target is not a sandbox (a real POA has no "list everything"). */
  readonly available: boolean;
  readonly message?: string;
  readonly tables: readonly TargetTable[];
}
