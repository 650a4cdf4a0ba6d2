/**
 * Verification of a project (SPEC R6): gathers the inputs (inventories, mapping, selection,
 * decisions, settings, today), runs the pure engine, stores the results (seed step 4) and
 * serves them as table rows, a summary and details with their fixes. Decisions call
 * `reverify` to recompute only what they touched.
 */
import type { DecisionEffect, DecisionInput, DecisionPreview } from '../../../shared/model/decision';
import type { Inventory } from '../../../shared/model/inventory';
import type {
  DomainServicesFacts,
  ObjectRef,
  ResultReason,
  ResultsQuery,
  VerificationDetail,
  VerificationResult,
  VerificationRows,
  VerificationRunInfo,
  VerificationSummary,
} from '../../../shared/model/verification';
import type { VerifiedKind } from '../../../shared/statuses';
import { MmError } from '../errors';
import type { InventoryService } from '../inventory/inventory-service';
import type { JobContext } from '../jobs/job-registry';
import type { MappingService } from '../mapping/mapping-service';
import { mappingKey } from '../mapping/mapping-store';
import type { ProjectService } from '../project/project-service';
import type { SelectionService } from '../selection/selection-service';
import type { ServerService } from '../servers/server-service';
import { todayString } from './dates';
import { applyPatch, reverify, touchedBy, verifyAll } from './engine';
import { resultKey } from './evaluation';
import { type DecisionFacts, type VerificationInput } from './input';
import { type InventoryIndex, buildIndex } from './inventory-index';
import { loadInventories } from './project-inventories';
import {
  type LabelNames,
  compareResults,
  matchesQuery,
  reasonDetails,
  summarize,
  toRow,
} from './results-query';
import { type ResultsMeta, ResultsStore, type VerificationHistoryLine } from './results-store';
import { UnchangedKeeper } from './unchanged-results';
import { withDecision } from './what-if';

export interface VerificationSources {
  readonly projects: ProjectService;
  readonly servers: ServerService;
  readonly inventory: InventoryService;
  readonly mapping: MappingService;
  readonly selection: SelectionService;
  decisions(projectId: string): Promise<DecisionFacts>;
  /** Bumped by every decision and undo: one made while results were stale keeps them stale. */
  decisionsRevision(projectId: string): Promise<number>;
  /** domainServicesInfo facts per domain, once something fetches them (the migration engine). */
  domainServices?(projectId: string): Promise<ReadonlyMap<string, DomainServicesFacts> | undefined>;
  /** Changes when domain services are fetched again (part of the results' stamp). */
  domainServicesRevision?(projectId: string): Promise<string>;
  /** IP mapping warnings per domain (objectKey) and the IP map's revision (core/ipmap). */
  ipReasons?(
    projectId: string,
  ): Promise<{ readonly reasons: ReadonlyMap<string, readonly ResultReason[]>; readonly revision: string }>;
  /** Today as YYYY-MM-DD (tests pin it). */
  today?(): string;
  /** Told after stored results changed (the core turns it into a 'verification:changed' event). */
  changed?(projectId: string, info: VerificationRunInfo): void;
}

type Progress = Pick<JobContext, 'progress'>;

interface Live {
  results: Map<string, VerificationResult>;
  meta: ResultsMeta;
  sorted: VerificationResult[] | undefined;
  /** byKey handed `results` out: the next patch goes to a copy, so what it handed out stays as it was. */
  lent?: boolean;
}

export class VerificationService {
  readonly #store: ResultsStore;
  readonly #live = new Map<string, Live>();
  /** A load under way, shared: two loads at once could otherwise leave the older one in #live. */
  readonly #loading = new Map<string, Promise<Live>>();
  /** Runs and decisions being stored now, per project (releaseIdle leaves their results alone). */
  readonly #writing = new Map<string, number>();
  readonly #indexes = new Map<string, { inventories: readonly Inventory[]; index: InventoryIndex }>();

  constructor(private readonly src: VerificationSources) {
    this.#store = new ResultsStore(src.projects);
    src.projects.releases.cache('verification results in memory', (projectId) => this.forget(projectId));
  }

  /** Everything verification reads, and the stamp that tells whether stored results are current. */
  async gather(
    projectId: string,
  ): Promise<{ input: VerificationInput; index: InventoryIndex; stamp: string }> {
    const [
      loaded,
      mappings,
      selection,
      decisions,
      domainServices,
      mappingRev,
      selectionRev,
      decisionsRev,
      servicesRev,
      ip,
    ] = await Promise.all([
      loadInventories(this.src.servers, this.src.inventory, projectId),
      this.src.mapping.entries(projectId),
      this.src.selection.ids(projectId),
      this.src.decisions(projectId),
      this.src.domainServices?.(projectId),
      this.src.mapping.revision(projectId),
      this.src.selection.revision(projectId),
      this.src.decisionsRevision(projectId),
      this.src.domainServicesRevision?.(projectId) ?? Promise.resolve(''),
      this.src.ipReasons?.(projectId),
    ]);
    const today = this.src.today?.() ?? todayString();
    const servers = loaded.map(({ server, inventory }) => ({
      id: server.id,
      name: server.name,
      settings: server.settings,
      inventory,
    }));
    const input: VerificationInput = {
      servers,
      mappings: new Map(mappings.map((m) => [mappingKey(m.serverId, m.templateId), m])),
      selection,
      decisions,
      today,
      ...(domainServices ? { domainServices } : {}),
      ...(ip && ip.reasons.size > 0 ? { ipReasons: ip.reasons } : {}),
    };
    const stamp = JSON.stringify({
      today,
      mapping: mappingRev,
      selection: selectionRev,
      decisions: decisionsRev,
      domainServices: servicesRev,
      // Absent while IP mapping is not wired in, so stamps stored before it still match.
      ...(ip ? { ipMap: ip.revision } : {}),
      // the settings as stored: both stores keep a document's key order (postgres-schema.ts, 6)
      servers: loaded.map(({ server }) => [server.id, server.inventory?.fetchedAt ?? null, server.settings]),
    });
    return { input, index: this.index(projectId, servers), stamp };
  }

  /** The index is rebuilt only when an inventory object changed (a fetch, an import, a refresh). */
  private index(projectId: string, servers: readonly { id: string; inventory: Inventory }[]): InventoryIndex {
    const inventories = servers.map((s) => s.inventory);
    const cached = this.#indexes.get(projectId);
    if (
      cached &&
      cached.inventories.length === inventories.length &&
      cached.inventories.every((inv, i) => inv === inventories[i])
    )
      return cached.index;
    const index = buildIndex(servers);
    this.#indexes.set(projectId, { inventories, index });
    return index;
  }

  /** A full verification of the selection; stores and returns how it went. */
  async run(projectId: string, job?: Progress): Promise<VerificationRunInfo> {
    return this.writing(projectId, () => this.runNow(projectId, job));
  }

  private async runNow(projectId: string, job?: Progress): Promise<VerificationRunInfo> {
    const started = performance.now();
    job?.progress(0, 1, 'Reading inventories, mapping, selection and decisions');
    const { input, index, stamp } = await this.gather(projectId);
    const previous = (await this.live(projectId)).results;
    const keeper = new UnchangedKeeper(previous);
    const results = verifyAll(index, input, (done, total) => job?.progress(done, total, 'Verifying'), keeper);
    const changed = keeper.changed();
    job?.progress(1, 1, 'Storing the results');
    const verifiedAt = new Date().toISOString();
    const meta = { verifiedAt, today: input.today, stamp };
    await this.#store.saveFull(projectId, meta, results, previous, keeper.changes(results));
    this.#live.set(projectId, { results, meta, sorted: undefined });
    this.#loading.delete(projectId); // a load begun meanwhile must not put the older results back
    const info = {
      verifiedAt,
      total: results.size,
      changed,
      ms: Math.round(performance.now() - started),
      incremental: false,
    };
    this.src.changed?.(projectId, info);
    return info;
  }

  /** True when results exist and nothing they depend on changed since. */
  async isFresh(projectId: string): Promise<boolean> {
    const { meta } = await this.live(projectId);
    if (meta.stamp === null) return false;
    return meta.stamp === (await this.gather(projectId)).stamp;
  }

  /** Recomputes what a decision touched, on results that were fresh before it. */
  async reverify(
    projectId: string,
    change: DecisionInput,
  ): Promise<VerificationRunInfo & { recomputed: number }> {
    return this.writing(projectId, () => this.reverifyNow(projectId, change));
  }

  private async reverifyNow(
    projectId: string,
    change: DecisionInput,
  ): Promise<VerificationRunInfo & { recomputed: number }> {
    const started = performance.now();
    const { input, index, stamp } = await this.gather(projectId);
    const live = await this.live(projectId);
    const patch = reverify(index, input, live.results, touchedBy(index, change));
    const verifiedAt = new Date().toISOString();
    const meta = { verifiedAt, today: input.today, stamp };
    await this.#store.appendPatch(projectId, meta, patch.changes, live.results);
    if (live.lent) {
      live.results = new Map(live.results);
      live.lent = false;
    }
    applyPatch(live.results, patch);
    live.meta = meta;
    live.sorted = undefined;
    const info = {
      verifiedAt,
      total: live.results.size,
      changed: patch.changes.size,
      recomputed: patch.recomputed,
      ms: Math.round(performance.now() - started),
      incremental: true,
    };
    this.src.changed?.(projectId, info);
    return info;
  }

  /**
   * What a decision would change, by the same incremental pass on a copy of the inputs; nothing
   * is stored. Only status changes count: they are what the engineer must know before a fix.
   */
  async preview(projectId: string, change: DecisionInput): Promise<DecisionPreview> {
    const { input, index, stamp } = await this.gather(projectId);
    const live = await this.live(projectId);
    if (live.meta.stamp !== stamp) return { current: false, effects: [] };
    const touched = touchedBy(index, change);
    const patch = reverify(index, withDecision(input, change), live.results, touched);
    const subjectId =
      change.kind === 'override'
        ? change.subscriptionId
        : change.kind === 'remap'
          ? undefined
          : change.domainId;
    const effects: DecisionEffect[] = [];
    for (const [key, next] of patch.changes) {
      const before = live.results.get(key);
      const ref = next ?? before;
      if (!ref || before?.status === next?.status) continue;
      effects.push({
        kind: ref.kind,
        serverId: ref.serverId,
        id: ref.id,
        ...(ref.name ? { name: ref.name } : {}),
        before: before?.status ?? null,
        after: next?.status ?? null,
        subject:
          ref.id === subjectId || (change.kind === 'remap' && ref.templateId === change.mapping.templateId),
      });
    }
    effects.sort((a, b) => Number(b.subject) - Number(a.subject) || a.id.localeCompare(b.id));
    return { current: true, effects };
  }

  /** Drops what is held in memory for a project (it was deleted; a new one may take its id). */
  forget(projectId: string): void {
    this.#live.delete(projectId);
    this.#loading.delete(projectId);
    this.#indexes.delete(projectId);
  }

  /**
   * Drops the results held in memory to save heap (a migration batch, once planned, does not read
   * them), unless a run or a decision is being stored right now: that one writes the store and
   * then its copy in memory, and a load in between would miss it. They are loaded again when
   * asked.
   */
  releaseIdle(projectId: string): void {
    if ((this.#writing.get(projectId) ?? 0) === 0) this.forget(projectId);
  }

  private async writing<T>(projectId: string, work: () => Promise<T>): Promise<T> {
    this.#writing.set(projectId, (this.#writing.get(projectId) ?? 0) + 1);
    try {
      return await work();
    } finally {
      const left = (this.#writing.get(projectId) ?? 1) - 1;
      if (left === 0) this.#writing.delete(projectId);
      else this.#writing.set(projectId, left);
    }
  }

  async all(projectId: string): Promise<readonly VerificationResult[]> {
    const live = await this.live(projectId);
    live.sorted ??= [...live.results.values()].sort(compareResults);
    return live.sorted;
  }

  /**
   * Every result by its resultKey (kind, server, id), as they are now (a decision stored later
   * does not change it: the patch goes to a copy), in no order. For planning, which only looks
   * results up: all()'s sort (a collator's compare, n log n) grew faster than the batch (issue
   * 19: compareResults' self time in the bench's planning profile 53 ms at 1x, 281 ms at 3x), and
   * so did a copy made here for every plan (16 ms at 1x, 594 ms at 10x).
   */
  async byKey(projectId: string): Promise<ReadonlyMap<string, VerificationResult>> {
    const live = await this.live(projectId);
    live.lent = true;
    return live.results;
  }

  async rows(projectId: string, query: ResultsQuery = {}): Promise<VerificationRows> {
    const file = (await this.live(projectId)).meta;
    const matching = (await this.all(projectId)).filter((r) => matchesQuery(r, query));
    const offset = query.offset ?? 0;
    const page = matching.slice(offset, query.limit === undefined ? undefined : offset + query.limit);
    return {
      verifiedAt: file.verifiedAt,
      stale: !(await this.isFresh(projectId)),
      total: matching.length,
      rows: page.map(toRow),
    };
  }

  /** How one object's verification result changed over time, oldest first. */
  history(projectId: string, kind: string, serverId: string, id: string): Promise<VerificationHistoryLine[]> {
    return this.#store.history(projectId, kind, serverId, id);
  }

  async summary(projectId: string): Promise<VerificationSummary> {
    const file = (await this.live(projectId)).meta;
    const { counts, reasons } = summarize((await this.live(projectId)).results.values());
    return { verifiedAt: file.verifiedAt, stale: !(await this.isFresh(projectId)), counts, reasons };
  }

  async get(projectId: string, ref: ObjectRef): Promise<VerificationResult | undefined> {
    return (await this.live(projectId)).results.get(resultKey(ref.kind, ref.serverId, ref.id));
  }

  async detail(
    projectId: string,
    kind: VerifiedKind,
    serverRef: string,
    id: string,
    decisionIds: readonly string[] = [],
  ): Promise<VerificationDetail> {
    const server = await this.src.servers.get(projectId, serverRef);
    const live = await this.live(projectId);
    const lookup = (ref: ObjectRef): VerificationResult | undefined =>
      live.results.get(resultKey(ref.kind, ref.serverId, ref.id));
    const result = lookup({ kind, serverId: server.id, id });
    if (!result)
      throw new MmError(
        'result-not-found',
        `There is no verification result for ${kind} "${id}" on ${server.name}: run verification, or select it first.`,
        id,
      );
    const refs: ObjectRef[] = result.reasons.flatMap((r) => r.related ?? []);
    if (result.kind === 'domain' && result.plan) {
      const p = result.plan;
      for (const s of [p.hosting, p.registration, ...p.resources])
        if (s !== undefined) refs.push({ kind: 'subscription', serverId: server.id, id: s });
    }
    if (result.kind !== 'account') refs.push({ kind: 'account', serverId: server.id, id: result.accountId });
    const seen = new Set<string>();
    const related = refs.flatMap((ref) => {
      const key = resultKey(ref.kind, ref.serverId, ref.id);
      const r = seen.has(key) ? undefined : lookup(ref);
      seen.add(key);
      return r && r !== result ? [r] : [];
    });
    return {
      result,
      reasons: reasonDetails(result, server.settings, lookup, await this.labelNames(projectId)),
      related,
      decisionIds,
    };
  }

  /** Names for fix buttons: "Map template Gold hosting (T-7)", "Migration settings of Sphera 1". */
  private async labelNames(projectId: string): Promise<LabelNames> {
    const servers = new Map((await this.src.servers.list(projectId)).map((s) => [s.id, s.name]));
    const index = this.#indexes.get(projectId)?.index;
    return {
      server: (id) => servers.get(id) ?? id,
      template: (serverId, id) => {
        const name = index?.servers.get(serverId)?.templates.get(id)?.name;
        return name && name !== id ? `${name} (${id})` : id;
      },
    };
  }

  private async live(projectId: string): Promise<Live> {
    const live = this.#live.get(projectId);
    if (live) return live;
    let loading = this.#loading.get(projectId);
    if (!loading) {
      loading = this.#store.load(projectId).then(
        (loaded) => {
          const fresh: Live = { results: loaded.results, meta: loaded.meta, sorted: undefined };
          // Only while still wanted: a forget during the load leaves nothing behind.
          if (this.#loading.get(projectId) === loading) {
            this.#live.set(projectId, fresh);
            this.#loading.delete(projectId);
          }
          return fresh;
        },
        (e: unknown) => {
          if (this.#loading.get(projectId) === loading) this.#loading.delete(projectId);
          throw e;
        },
      );
      this.#loading.set(projectId, loading);
    }
    return loading;
  }
}
