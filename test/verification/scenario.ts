/**
 * A small builder of verification inputs: servers with inventories, mapping, selection and
 * decisions, so each test states just the facts its rule is about.
 */
import type { Account, Domain, Inventory, ServiceTemplate, Subscription } from '../../shared/model/inventory';
import type { MappingInput } from '../../shared/model/mapping';
import { DEFAULT_MIGRATION_SETTINGS, type MigrationSettings } from '../../shared/model/server';
import type { DomainServicesFacts, VerificationResult } from '../../shared/model/verification';
import {
  reverify,
  touchedBy,
  verifyAll,
  applyPatch,
  type Patch,
} from '../../electron/core/verification/engine';
import { resultKey } from '../../electron/core/verification/evaluation';
import { type VerificationInput, objectKey } from '../../electron/core/verification/input';
import { buildIndex } from '../../electron/core/verification/inventory-index';
import type { DecisionInput } from '../../shared/model/decision';
import type { VerifiedKind } from '../../shared/statuses';

export const TODAY = '2025-06-15';

export const HOSTING: Omit<MappingInput, 'serverId' | 'templateId'> = {
  class: 'hosting',
  poaTemplateId: 11,
  pbaPlanId: 101,
};
export const REGISTRATION: Omit<MappingInput, 'serverId' | 'templateId'> = {
  class: 'registration',
  tlds: [
    { tld: '.com', pbaPlanId: 201, registrarType: 'enom' },
    { tld: '.net', pbaPlanId: 202, registrarType: 'enom' },
  ],
};
export const RESOURCE: Omit<MappingInput, 'serverId' | 'templateId'> = { class: 'resource', pbaPlanId: 301 };
export const BOTH: Omit<MappingInput, 'serverId' | 'templateId'> = {
  class: 'hosting+registration',
  poaTemplateId: 11,
  pbaPlanId: 101,
  tlds: REGISTRATION.tlds ?? [],
};

interface MutableServer {
  id: string;
  name: string;
  settings: MigrationSettings;
  apiVersion: 1 | 2;
  templates: ServiceTemplate[];
  accounts: Account[];
  subscriptions: Subscription[];
  domains: Domain[];
}

export class Scenario {
  readonly servers: MutableServer[] = [];
  readonly mappings = new Map<string, MappingInput>();
  readonly selection = new Map<string, { accounts: Set<string>; domains: Set<string> }>();
  readonly overrides = new Set<string>();
  readonly approvals = new Map<string, { park: boolean; decisionId: string }>();
  readonly domainServices = new Map<string, DomainServicesFacts>();
  today = TODAY;

  server(id: string, apiVersion: 1 | 2 = 1, settings: Partial<MigrationSettings> = {}): this {
    this.servers.push({
      id,
      name: id,
      apiVersion,
      settings: { ...DEFAULT_MIGRATION_SETTINGS, ...settings },
      templates: [],
      accounts: [],
      subscriptions: [],
      domains: [],
    });
    return this;
  }

  private s(serverId?: string): MutableServer {
    const s = serverId ? this.servers.find((x) => x.id === serverId) : this.servers[this.servers.length - 1];
    if (!s) throw new Error(`no server ${serverId}`);
    return s;
  }

  settings(change: Partial<MigrationSettings>, serverId?: string): this {
    const s = this.s(serverId);
    s.settings = { ...s.settings, ...change };
    return this;
  }

  template(
    id: string,
    mapping?: Omit<MappingInput, 'serverId' | 'templateId'>,
    extra: Partial<ServiceTemplate> = {},
  ): this {
    const s = this.s();
    s.templates.push({
      id,
      name: `Template ${id}`,
      virtual: false,
      disabled: false,
      resources: [],
      ...extra,
    });
    if (mapping) this.mappings.set(objectKey(s.id, id), { serverId: s.id, templateId: id, ...mapping });
    return this;
  }

  account(id: string, extra: Partial<Account> = {}): this {
    this.s().accounts.push({ id, type: 'customer', status: 'active', paymentTools: [], ...extra });
    return this;
  }

  subscription(id: string, accountId: string, templateId: string, extra: Partial<Subscription> = {}): this {
    this.s().subscriptions.push({ id, accountId, templateId, status: 'active', domainIds: [], ...extra });
    return this;
  }

  /** A domain; its subscriptions are linked both ways (providedDomain and the domain's own references). */
  domain(
    id: string,
    accountId: string,
    subs: { hosting?: string; registration?: string; others?: string[] } = {},
    extra: Partial<Domain> = {},
  ): this {
    const s = this.s();
    s.domains.push({
      id,
      name: id,
      accountId,
      kind: 'regular',
      status: 'active',
      content: [],
      ...(subs.hosting ? { hostingSubscriptionId: subs.hosting } : {}),
      ...(subs.registration ? { registrationSubscriptionId: subs.registration } : {}),
      ...extra,
    });
    for (const subId of [subs.hosting, subs.registration, ...(subs.others ?? [])]) {
      const sub = s.subscriptions.find((x) => x.id === subId);
      if (sub && !sub.domainIds.includes(id)) Object.assign(sub, { domainIds: [...sub.domainIds, id] });
    }
    return this;
  }

  map(
    serverId: string,
    templateId: string,
    mapping: Omit<MappingInput, 'serverId' | 'templateId'> | undefined,
  ): this {
    if (mapping) this.mappings.set(objectKey(serverId, templateId), { serverId, templateId, ...mapping });
    else this.mappings.delete(objectKey(serverId, templateId));
    return this;
  }

  /** Selects every account and domain of every server (or one). */
  selectAll(serverId?: string): this {
    for (const s of this.servers) {
      if (serverId && s.id !== serverId) continue;
      this.selection.set(s.id, {
        accounts: new Set(s.accounts.map((a) => a.id)),
        domains: new Set(s.domains.map((d) => d.id)),
      });
    }
    return this;
  }

  unselectDomain(serverId: string, domainId: string): this {
    this.selection.get(serverId)?.domains.delete(domainId);
    return this;
  }

  unselectAccount(serverId: string, accountId: string): this {
    this.selection.get(serverId)?.accounts.delete(accountId);
    return this;
  }

  override(serverId: string, subscriptionId: string): this {
    this.overrides.add(objectKey(serverId, subscriptionId));
    return this;
  }

  approve(serverId: string, domainId: string, park = false): this {
    this.approvals.set(objectKey(serverId, domainId), { park, decisionId: 'd-test' });
    return this;
  }

  inventory(serverId?: string): Inventory {
    const s = this.s(serverId);
    return {
      apiVersion: s.apiVersion,
      platform: { kind: 'linux' },
      hosts: [],
      templates: s.templates,
      accounts: s.accounts,
      subscriptions: s.subscriptions,
      domains: s.domains,
    };
  }

  input(): VerificationInput {
    return {
      servers: this.servers.map((s) => ({
        id: s.id,
        name: s.name,
        settings: s.settings,
        inventory: this.inventory(s.id),
      })),
      mappings: new Map(this.mappings),
      selection: new Map(this.selection),
      decisions: { overrides: new Set(this.overrides), approvals: new Map(this.approvals) },
      today: this.today,
      ...(this.domainServices.size > 0 ? { domainServices: new Map(this.domainServices) } : {}),
    };
  }

  verify(): Verified {
    const input = this.input();
    return new Verified(verifyAll(buildIndex(input.servers), input));
  }
}

export class Verified {
  constructor(readonly results: Map<string, VerificationResult>) {}

  get(kind: VerifiedKind, id: string, serverId?: string): VerificationResult {
    const hit = [...this.results.values()].find(
      (r) => r.kind === kind && r.id === id && (!serverId || r.serverId === serverId),
    );
    if (!hit) throw new Error(`no ${kind} result for ${id}${serverId ? ` on ${serverId}` : ''}`);
    return hit;
  }

  has(kind: VerifiedKind, id: string, serverId: string): boolean {
    return this.results.has(resultKey(kind, serverId, id));
  }

  codes(kind: VerifiedKind, id: string, serverId?: string): string[] {
    return this.get(kind, id, serverId).reasons.map((r) => r.code);
  }
}

/** Re-verifies a scenario incrementally after a decision-like change, as the service does. */
export function incremental(
  before: Verified,
  after: Scenario,
  change: DecisionInput,
): { verified: Verified; patch: Patch } {
  const input = after.input();
  const index = buildIndex(input.servers);
  const results = new Map(before.results);
  const patch = reverify(index, input, results, touchedBy(index, change));
  applyPatch(results, patch);
  return { verified: new Verified(results), patch };
}
