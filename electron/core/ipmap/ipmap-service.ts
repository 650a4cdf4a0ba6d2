/**
 * IP mapping of a project (SPEC R14): the target's pool and default, the table (rules, hand
 * edits, file imports), and what verification and the migration plan read from it. Every
 * change bumps `revision`, which is part of verification's stamp and so of the plan's basis.
 */
import type {
  IpMapImportResult,
  IpMapPoolInput,
  IpMapRow,
  IpMapSuggestResult,
  IpMapView,
  TargetIpInfo,
} from '../../../shared/model/ipmap';
import type { ResultReason } from '../../../shared/model/verification';
import { osAuthor } from '../decisions/author';
import { MmError } from '../errors';
import type { DomainServicesService } from '../inventory/domain-services';
import type { InventoryService } from '../inventory/inventory-service';
import type { ProjectService } from '../project/project-service';
import type { ServerService } from '../servers/server-service';
import type { DocumentCache } from '../store/document-cache';
import { loadInventories } from '../verification/project-inventories';
import { parseIpMapFile } from './ip-import';
import { type IpMapEntry, canonicalIp, compareIp, ipVersion, mapOf, suggestIpMap } from './ip-rules';
import { type IpUsage, ipUsage, sourceIps } from './ip-usage';
import { ipDomainReasons } from './ip-warnings';
import { type IpMapFile, type StoredIpMapEntry, ipMapStore } from './ipmap-store';

export interface IpMapDeps {
  readonly projects: ProjectService;
  readonly servers: ServerService;
  readonly inventory: InventoryService;
  readonly domainServices: DomainServicesService;
}

/** A typed address, or an `invalid-input` error naming what and where. */
function address(text: string, where: string): string {
  const c = canonicalIp(text);
  if (c === undefined) throw new MmError('invalid-input', `"${text}" is not an IPv4 or IPv6 address.`, where);
  return c;
}

export class IpMapService {
  readonly #store: DocumentCache<IpMapFile>;
  readonly #usage = new Map<string, { readonly key: string; readonly usage: IpUsage }>();

  constructor(private readonly deps: IpMapDeps) {
    this.#store = ipMapStore(deps.projects);
    deps.projects.releases.cache('ip usage', (projectId) => {
      this.#usage.delete(projectId);
    });
  }

  async revision(projectId: string): Promise<number> {
    return (await this.#store.read(projectId)).revision;
  }

  /** source → target, as the plan rewrites zone records with it. */
  async table(projectId: string): Promise<ReadonlyMap<string, string>> {
    return mapOf((await this.#store.read(projectId)).entries);
  }

  /**
   * Computed again only when an inventory, the fetched services or the table changed: verification
   * asks on every freshness check, and walking every zone of a large project takes a second.
   */
  async usage(projectId: string): Promise<IpUsage> {
    const [loaded, servicesRevision, file] = await Promise.all([
      loadInventories(this.deps.servers, this.deps.inventory, projectId),
      this.deps.domainServices.revision(projectId),
      this.#store.read(projectId),
    ]);
    const key = JSON.stringify([
      servicesRevision,
      file.revision,
      loaded.map(({ server }) => [server.id, server.name, server.inventory?.fetchedAt ?? null]),
    ]);
    const cached = this.#usage.get(projectId);
    if (cached?.key === key) return cached.usage;
    const usage = ipUsage(
      loaded.map(({ server, inventory }) => ({ id: server.id, name: server.name, inventory })),
      await this.deps.domainServices.services(projectId),
      file.entries.map((e) => e.source),
    );
    this.#usage.set(projectId, { key, usage });
    return usage;
  }

  async view(projectId: string): Promise<IpMapView> {
    const [file, usage] = await Promise.all([this.#store.read(projectId), this.usage(projectId)]);
    return {
      pool: file.pool,
      ...(file.defaultTarget !== undefined ? { defaultTarget: file.defaultTarget } : {}),
      rows: rowsOf(usage, new Map(file.entries.map((e) => [e.source, e]))),
      revision: file.revision,
    };
  }

  /** What the rules propose for every source IP not set by hand; stored when `apply`. */
  async suggest(projectId: string, apply: boolean, author = osAuthor()): Promise<IpMapSuggestResult> {
    const [file, usage] = await Promise.all([this.#store.read(projectId), this.usage(projectId)]);
    if (file.pool.length === 0 && file.defaultTarget === undefined)
      throw new MmError(
        'invalid-input',
        'The target IP pool is empty: give the target\u2019s shared and dedicated IPs first (mm ip-map pool --shared … --dedicated …).',
        'pool',
      );
    // What the engineer set stays; rule entries are recomputed (the pool may have changed).
    const fixed = new Map(file.entries.filter((e) => e.origin !== 'rule').map((e) => [e.source, e]));
    const suggestions = suggestIpMap(sourceIps(usage), file.pool, file.defaultTarget, fixed);
    const at = new Date().toISOString();
    const proposed = new Map<string, StoredIpMapEntry>(
      file.entries.filter((e) => e.origin !== 'rule').map((e) => [e.source, e]),
    );
    for (const s of suggestions)
      if (s.entry && s.entry.origin === 'rule')
        proposed.set(s.source.address, { ...s.entry, setAt: at, setBy: author });
    if (apply)
      await this.#store.update(projectId, (d) => {
        // What was set by hand stays, even for IPs no longer on any source; the file is read
        // again here, so a hand edit made since the proposal wins over the rule.
        const manual = d.entries.filter((e) => e.origin !== 'rule');
        const taken = new Set(manual.map((e) => e.source));
        return {
          ...d,
          revision: d.revision + 1,
          entries: sortEntries([
            ...manual,
            ...[...proposed.values()].filter((e) => e.origin === 'rule' && !taken.has(e.source)),
          ]),
        };
      });
    return {
      applied: apply,
      rows: rowsOf(usage, proposed),
      unmapped: suggestions.filter((s) => !s.entry).map((s) => s.source.address),
      exhausted: suggestions.filter((s) => s.entry?.exhausted).map((s) => s.source.address),
    };
  }

  /** Sets (or, with null, removes) one source IP's target by hand. */
  async set(
    projectId: string,
    source: string,
    target: string | null,
    author = osAuthor(),
  ): Promise<IpMapView> {
    const from = address(source, 'source');
    const to = target === null ? null : address(target, 'target');
    if (to !== null && ipVersion(from) !== ipVersion(to))
      throw new MmError(
        'invalid-input',
        `${from} is IPv${ipVersion(from)} but ${to} is IPv${ipVersion(to)}: an A record cannot become an AAAA record.`,
        'target',
      );
    await this.#store.update(projectId, (d) => ({
      ...d,
      revision: d.revision + 1,
      entries: sortEntries([
        ...d.entries.filter((e) => e.source !== from),
        ...(to === null
          ? []
          : [
              {
                source: from,
                target: to,
                origin: 'manual' as const,
                setAt: new Date().toISOString(),
                setBy: author,
              },
            ]),
      ]),
    }));
    return this.view(projectId);
  }

  /** A two-column file: every line checked first, then all of them stored (as 'import'). */
  async import(
    projectId: string,
    text: string,
    fileName: string,
    author = osAuthor(),
  ): Promise<IpMapImportResult> {
    const pairs = parseIpMapFile(text, fileName);
    const at = new Date().toISOString();
    const bySource = new Map(pairs.map((p) => [p.source, p]));
    await this.#store.update(projectId, (d) => ({
      ...d,
      revision: d.revision + 1,
      entries: sortEntries([
        ...d.entries.filter((e) => !bySource.has(e.source)),
        ...pairs.map((p) => ({
          source: p.source,
          target: p.target,
          origin: 'import' as const,
          setAt: at,
          setBy: author,
        })),
      ]),
    }));
    return { imported: pairs.length, fileName };
  }

  /** Replaces the target's IP pool (and the default, when given; null removes it). */
  async setPool(projectId: string, input: IpMapPoolInput): Promise<IpMapView> {
    const seen = new Map<string, TargetIpInfo>();
    const add = (list: readonly string[], kind: TargetIpInfo['kind']): void => {
      for (const [i, text] of list.entries()) {
        const a = address(text, `${kind}[${i}]`);
        const before = seen.get(a);
        if (before && before.kind !== kind)
          throw new MmError(
            'invalid-input',
            `${a} is listed both as shared and as dedicated.`,
            `${kind}[${i}]`,
          );
        seen.set(a, { address: a, kind });
      }
    };
    add(input.shared, 'shared');
    add(input.dedicated, 'dedicated');
    const def =
      input.defaultTarget === undefined
        ? undefined
        : input.defaultTarget === null
          ? null
          : address(input.defaultTarget, 'defaultTarget');
    await this.#store.update(projectId, (d) => {
      const next: IpMapFile = {
        ...d,
        revision: d.revision + 1,
        pool: [...seen.values()].sort((a, b) => compareIp(a.address, b.address)),
      };
      if (def === null) delete next.defaultTarget;
      else if (def !== undefined) next.defaultTarget = def;
      return next;
    });
    return this.view(projectId);
  }

  /** Verification's per-domain warnings, and the revision they depend on beyond inventories and services. */
  async domainReasons(
    projectId: string,
  ): Promise<{ readonly reasons: ReadonlyMap<string, readonly ResultReason[]>; readonly revision: string }> {
    const file = await this.#store.read(projectId);
    const revision = String(file.revision);
    const inUse = file.pool.length > 0 || file.entries.length > 0 || file.defaultTarget !== undefined;
    // Verification asks on every freshness check: a project without IP mapping pays nothing.
    if (!inUse) return { reasons: new Map(), revision };
    const usage = await this.usage(projectId);
    return {
      reasons: ipDomainReasons(usage, new Map(file.entries.map((e) => [e.source, e])), inUse),
      revision,
    };
  }
}

function sortEntries<T extends IpMapEntry>(entries: readonly T[]): T[] {
  return [...entries].sort((a, b) => compareIp(a.source, b.source));
}

function rowsOf(usage: IpUsage, entries: ReadonlyMap<string, StoredIpMapEntry>): IpMapRow[] {
  const sources = new Set([...usage.ips.keys(), ...entries.keys()]);
  return [...sources]
    .sort((a, b) => ipVersion(a) - ipVersion(b) || compareIp(a, b))
    .map((source): IpMapRow => {
      const u = usage.ips.get(source);
      const e = entries.get(source);
      return {
        source,
        sourceType: u && u.servers.size > 0 ? u.type : 'unknown',
        servers: [...(u?.servers ?? [])].sort(),
        domains: u?.domains.size ?? 0,
        ...(e
          ? {
              target: e.target,
              origin: e.origin,
              ...(e.rule ? { rule: e.rule } : {}),
              ...(e.exhausted ? { exhausted: true } : {}),
              ...(e.setBy !== undefined ? { setBy: e.setBy } : {}),
              setAt: e.setAt,
            }
          : {}),
      };
    });
}
