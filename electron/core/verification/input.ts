/**
 * What verification reads: inventories, mapping, selection, decisions, settings, today's date.
 * Plain data, so the rules are pure functions of it and tests build it by hand.
 */
import type { Inventory } from '../../../shared/model/inventory';
import type { MappingInput } from '../../../shared/model/mapping';
import type { MigrationSettings } from '../../../shared/model/server';
import type { DomainServicesFacts, ResultReason } from '../../../shared/model/verification';

export interface VerifiedServer {
  readonly id: string;
  readonly name: string;
  readonly settings: MigrationSettings;
  readonly inventory: Inventory;
}

export interface SelectedIds {
  readonly accounts: ReadonlySet<string>;
  readonly domains: ReadonlySet<string>;
}

export interface DecisionFacts {
  /** objectKey(serverId, subscriptionId) of subscriptions marked "not migrated". */
  readonly overrides: ReadonlySet<string>;
  /** objectKey(serverId, domainId) → the approval (with parking or not). */
  readonly approvals: ReadonlyMap<string, { readonly park: boolean; readonly decisionId: string }>;
}

export interface VerificationInput {
  readonly servers: readonly VerifiedServer[];
  /** objectKey(serverId, templateId) → mapping. */
  readonly mappings: ReadonlyMap<string, MappingInput>;
  /** serverId → selected ids. */
  readonly selection: ReadonlyMap<string, SelectedIds>;
  readonly decisions: DecisionFacts;
  /** YYYY-MM-DD. */
  readonly today: string;
  /** objectKey(serverId, domainId) → domainServicesInfo facts, when fetched. */
  readonly domainServices?: ReadonlyMap<string, DomainServicesFacts>;
  /** objectKey(serverId, domainId) → IP mapping warnings (core/ipmap), when IP mapping is in use. */
  readonly ipReasons?: ReadonlyMap<string, readonly ResultReason[]>;
}

/** Server id + object id; server ids never contain a newline. */
export const objectKey = (serverId: string, id: string): string => `${serverId}\n${id}`;

export const NO_DECISIONS: DecisionFacts = { overrides: new Set(), approvals: new Map() };
