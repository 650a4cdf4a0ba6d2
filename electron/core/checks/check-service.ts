/**
 * Post-migration checks (issue 14): for each migrated domain, evidence from the source (the
 * inventory's domain services; sites and Maildirs streamed by the source's agent) against
 * evidence from the target (its API, its web and mail nodes, its web server asked with the
 * site's Host header, its name server asked over UDP), compared by the pure functions beside
 * this file. A run is stored with the project (checks.json), a failed domain is written to the
 * migration log naming the domain (so its history shows it), and the run is returned.
 */
import { randomUUID } from 'node:crypto';
import {
  CHECK_KINDS,
  type CheckKind,
  type CheckResult,
  type CheckRun,
  type DomainCheck,
  worstStatus,
} from '../../../shared/model/checks';
import type { DomainServices } from '../../../shared/model/domain-services';
import type { JobSummary } from '../../../shared/model/migration';
import type { ReportFile } from '../../../shared/model/report';
import { checkReportPieces } from './check-report';
import { type ReportPieces, whole } from '../report/report-doc';
import type { NodeRole, NodeService, OpenedNode } from '../content/node-service';
import { MmError } from '../errors';
import type { DomainServicesService } from '../inventory/domain-services';
import type { MigrationLog } from '../log/migration-log';
import type { MigrationService } from '../migration/migration-service';
import type { PlanSubset } from '../migration/plan';
import type { ProjectService } from '../project/project-service';
import type { OpenedServer, ServerService } from '../servers/server-service';
import type { PoaClient } from '../target/poa-client';
import type { TargetService } from '../target/target-service';
import { objectKey } from '../verification/input';
import { type CheckedDomain, checkedDomains, nestedSites } from './check-plan';
import { type CheckSettings, CheckStore, DEFAULT_PAGE_TIMEOUT_S, DEFAULT_SAMPLE } from './check-store';
import { normaliseWebUrl } from './source-web';
import { type TargetServers, targetServers } from './target-servers';
import { collectDns, collectMail, collectUsers, collectWeb, collectDb } from './check-domain';
import { resultOf, fail } from './result';

export interface CheckServiceDeps {
  readonly projects: ProjectService;
  readonly servers: ServerService;
  readonly domainServices: DomainServicesService;
  readonly migration: () => MigrationService;
  readonly nodes: NodeService;
  readonly target: TargetService;
  /** The IP mapping table (core/ipmap): zone records were planned with the mapped addresses. */
  readonly ipMap?: { table(projectId: string): Promise<ReadonlyMap<string, string>> };
  log(projectId: string): MigrationLog;
}

export interface CheckRunOptions {
  /** Domain names (any IDN form); none: every migrated domain. */
  readonly domains?: readonly string[];
  readonly trigger?: CheckRun['trigger'];
  /** The batch whose domains to check (its accounts/domains subset); recorded with the run. */
  readonly jobId?: string;
  readonly subset?: PlanSubset;
  readonly signal?: AbortSignal;
  /** Each domain as it is done (progress). */
  onDomain?(done: number, total: number, domain: string): void;
}

/** What one run needs open: the target's API, its servers, nodes and source agents (opened once). */
export interface CheckContext {
  readonly poa: PoaClient;
  readonly servers: TargetServers;
  /** Source IP → target IP; empty when the project maps none. */
  readonly ipMap: ReadonlyMap<string, string>;
  readonly signal?: AbortSignal;
  node(role: NodeRole): Promise<OpenedNode>;
  source(serverId: string): Promise<OpenedServer>;
  /** Every published site folder of the run (to leave nested sites out of a site's listing). */
  readonly sitePaths: readonly string[];
  /** The page check's settings, and the source web addresses found down during this run. */
  readonly web: {
    readonly sample: number;
    readonly timeoutMs: number;
    readonly sourceWeb?: Readonly<Record<string, string>>;
    readonly unreachable: Map<string, string>;
  };
  /** The kinds this run checks (the settings'; all five by default). */
  readonly kinds: ReadonlySet<CheckKind>;
}

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** A run's log lines written before their appends are waited for (logRun). */
const LOG_LINES_AT_ONCE = 1000;

export class CheckService {
  readonly store: CheckStore;

  constructor(private readonly deps: CheckServiceDeps) {
    this.store = new CheckStore(deps.projects);
  }

  async settings(projectId: string): Promise<CheckSettings> {
    return (await this.store.read(projectId)).settings;
  }

  async setSettings(projectId: string, input: CheckSettings): Promise<CheckSettings> {
    const settings = await this.checkedSettings(projectId, input);
    if (settings.webServer !== undefined && !/^https?:\/\/[^\s/]+\/?$/.test(settings.webServer))
      throw new MmError(
        'invalid-input',
        `"${settings.webServer}" is not a web server URL like http://10.0.0.7/ (scheme, host and port only).`,
        'webServer',
      );
    if (
      settings.nameServer !== undefined &&
      !/^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9a-fA-F:]+\](:\d{1,5})?$/.test(settings.nameServer)
    )
      throw new MmError(
        'invalid-input',
        `"${settings.nameServer}" is not a name server like 10.0.0.8 or 10.0.0.8:53.`,
        'nameServer',
      );
    return this.store.setSettings(projectId, settings);
  }

  /**
   * The new settings' own checks: source web addresses keyed by a known server (named by name
   * or id, stored by id) and well formed; kinds known and not none; sample and timeout whole
   * and positive.
   */
  private async checkedSettings(projectId: string, input: CheckSettings): Promise<CheckSettings> {
    let sourceWeb: Record<string, string> | undefined;
    if (input.sourceWeb !== undefined) {
      sourceWeb = {};
      for (const [ref, url] of Object.entries(input.sourceWeb)) {
        const server = await this.deps.servers.get(projectId, ref);
        sourceWeb[server.id] = url.trim() ? normaliseWebUrl(url, `web address of ${server.name}`) : '';
      }
    }
    if (input.kinds !== undefined) {
      const unknown = input.kinds.filter((k) => !CHECK_KINDS.includes(k));
      if (unknown.length || input.kinds.length === 0)
        throw new MmError(
          'invalid-input',
          unknown.length
            ? `Unknown check kind ${unknown.map((k) => `"${k}"`).join(', ')}: the kinds are ${CHECK_KINDS.join(', ')}.`
            : `At least one check kind must run (${CHECK_KINDS.join(', ')}).`,
          'kinds',
        );
    }
    for (const [name, v, max] of [
      ['sample', input.sample, 1000],
      ['pageTimeoutSeconds', input.pageTimeoutSeconds, 600],
    ] as const)
      if (v !== undefined && (!Number.isInteger(v) || v < 1 || v > max))
        throw new MmError(
          'invalid-input',
          `${name} must be a whole number from 1 to ${max}, not ${v}.`,
          name,
        );
    return {
      ...input,
      ...(input.kinds ? { kinds: CHECK_KINDS.filter((k) => input.kinds?.includes(k)) } : {}),
      ...(sourceWeb ? { sourceWeb } : {}),
    };
  }

  /** Every stored run, newest first. */
  async runs(projectId: string): Promise<CheckRun[]> {
    return [...(await this.store.read(projectId)).runs].reverse();
  }

  async latest(projectId: string): Promise<CheckRun | undefined> {
    return (await this.runs(projectId))[0];
  }

  /** A run (the newest by default) as an HTML or CSV report. */
  async report(projectId: string, format: 'html' | 'csv', runId?: string): Promise<ReportFile> {
    return whole(await this.reportPieces(projectId, format, runId));
  }

  /** A run's report to save as it is written (its text in pieces); an unknown run is refused now. */
  async reportPieces(projectId: string, format: 'html' | 'csv', runId?: string): Promise<ReportPieces> {
    const runs = await this.runs(projectId);
    const run = runId ? runs.find((r) => r.runId === runId) : runs[0];
    if (!run)
      throw new MmError(
        'not-found',
        runId ? `No check run ${runId} in this project.` : 'No checks have run in this project yet.',
        'checks',
      );
    const project = await this.deps.projects.read(projectId);
    return checkReportPieces(projectId, project.name, run, format);
  }

  /**
   * The end-of-batch hook: the batch's domains (its subset) are checked when it migrated
   * anything, unless the project turned automatic checks off (`mm check --after-batch off`).
   */
  async afterBatch(
    projectId: string,
    summary: JobSummary,
    subset: PlanSubset,
  ): Promise<CheckRun | undefined> {
    if (summary.objects.migrated === 0) return undefined;
    if ((await this.settings(projectId)).afterBatch === false) return undefined;
    return this.run(projectId, { trigger: 'batch', jobId: summary.jobId, subset });
  }

  async run(projectId: string, options: CheckRunOptions = {}): Promise<CheckRun> {
    const migration = this.deps.migration();
    const plan = await migration.plan(projectId, options.subset ?? {});
    const state = await migration.recorded(projectId);
    const everyDomain = checkedDomains(plan, state);
    const domains = options.domains?.length ? checkedDomains(plan, state, options.domains) : everyDomain;
    if (options.domains?.length) {
      const found = new Set(domains.map((d) => d.name));
      const missing = options.domains.filter(
        (n) => !found.has(n.toLowerCase()) && !domains.some((d) => d.domainId === n),
      );
      if (missing.length)
        throw new MmError(
          'not-found',
          `Not migrated (nothing of it is on the target yet), so not checked: ${missing.join(', ')}.`,
          'domains',
        );
    }
    const services = await this.deps.domainServices.services(projectId);
    const { poa } = await this.deps.target.clients(projectId);
    const settings = await this.settings(projectId);
    const webNode = (await this.deps.nodes.list(projectId)).find((n) => n.role === 'web');
    const servers = await targetServers(
      await this.deps.target.endpoint(projectId, 'poa'),
      settings,
      webNode?.via !== 'ssh',
    );
    const nodes = new Map<NodeRole, Promise<OpenedNode>>();
    const sources = new Map<string, Promise<OpenedServer>>();
    const once = <K, V>(m: Map<K, Promise<V>>, k: K, open: () => Promise<V>): Promise<V> => {
      let p = m.get(k);
      if (!p) m.set(k, (p = open()));
      return p;
    };
    const ctx: CheckContext = {
      poa,
      servers,
      ipMap: (await this.deps.ipMap?.table(projectId)) ?? new Map(),
      ...(options.signal ? { signal: options.signal } : {}),
      node: (role) => once(nodes, role, () => this.deps.nodes.open(projectId, role)),
      source: (id) => once(sources, id, () => this.deps.servers.open(projectId, id)),
      // Every published site, not only the checked domains': another domain of a subscription
      // lives in a folder inside the webspace's main site.
      sitePaths: everyDomain.flatMap((d) =>
        d.content.filter((c) => c.kind === 'site' && c.path).map((c) => c.path ?? ''),
      ),
      web: {
        sample: settings.sample ?? DEFAULT_SAMPLE,
        timeoutMs: (settings.pageTimeoutSeconds ?? DEFAULT_PAGE_TIMEOUT_S) * 1000,
        ...(settings.sourceWeb ? { sourceWeb: settings.sourceWeb } : {}),
        unreachable: new Map(),
      },
      kinds: new Set(settings.kinds?.length ? settings.kinds : CHECK_KINDS),
    };
    const results: DomainCheck[] = [];
    try {
      for (const [i, d] of domains.entries()) {
        if (options.signal?.aborted) throw new MmError('cancelled', 'The checks were cancelled.', 'checks');
        results.push(await this.checkDomain(ctx, d, services.get(objectKey(d.serverId, d.domainId))));
        options.onDomain?.(i + 1, domains.length, d.name);
      }
    } finally {
      for (const p of [...nodes.values(), ...sources.values()])
        await p.then((o) => o.close()).catch(() => undefined);
    }
    const run: CheckRun = {
      runId: randomUUID(),
      at: new Date().toISOString(),
      trigger: options.trigger ?? 'manual',
      ...(options.jobId ? { jobId: options.jobId } : {}),
      domains: results,
      counts: {
        pass: results.filter((r) => r.status === 'pass').length,
        warn: results.filter((r) => r.status === 'warn').length,
        fail: results.filter((r) => r.status === 'fail').length,
      },
    };
    await this.store.add(projectId, run);
    await this.logRun(projectId, run);
    return run;
  }

  private async checkDomain(
    ctx: CheckContext,
    d: CheckedDomain,
    services: DomainServices | undefined,
  ): Promise<DomainCheck> {
    const guarded = async (kind: CheckKind, work: () => Promise<CheckResult>): Promise<CheckResult> => {
      try {
        return await work();
      } catch (e) {
        return resultOf(kind, [fail(`domain ${d.name}`, `could not be checked: ${message(e)}`)], '');
      }
    };
    const collectors: Readonly<Record<CheckKind, () => Promise<CheckResult>>> = {
      web: () => collectWeb(ctx, d, nestedSites, services),
      mail: () => collectMail(ctx, d),
      dns: () => collectDns(ctx, d, services),
      db: () => collectDb(ctx, d, services),
      users: () => collectUsers(ctx, d, services),
    };
    // One after the other, in the kinds' order (they share the opened nodes and agents).
    const checks: CheckResult[] = [];
    for (const kind of CHECK_KINDS)
      if (ctx.kinds.has(kind)) checks.push(await guarded(kind, collectors[kind]));
    return {
      domain: d.name,
      domainId: d.domainId,
      server: d.serverId,
      status: worstStatus(checks.map((c) => c.status)),
      checks,
      checkedAt: new Date().toISOString(),
    };
  }

  private async logRun(projectId: string, run: CheckRun): Promise<void> {
    const log = this.deps.log(projectId);
    // One line per domain (its history shows every check run): what failed or warned, or that
    // every kind passed. Written LOG_LINES_AT_ONCE at a time, waited for together: the log
    // gathers the lines written while an append is under way into its next append, so a run
    // of 200,000 domains is a few hundred appends, not 200,000 made one after another.
    let written: Promise<void> = Promise.resolve();
    for (const [i, d] of run.domains.entries()) {
      const bad = d.checks.filter((c) => c.status !== 'pass');
      written = log.write(
        d.status === 'fail' ? 'error' : d.status === 'warn' ? 'warn' : 'info',
        `Post-migration check of ${d.domain}: ${d.status} (${
          bad.length
            ? bad.map((c) => `${c.kind}: ${c.message}`).join(' | ')
            : d.checks.map((c) => c.kind).join(', ')
        })`,
        {
          object: { kind: 'domain', serverId: d.server, id: d.domainId },
          stage: 'check',
          checkRun: run.runId,
        },
      );
      if ((i + 1) % LOG_LINES_AT_ONCE === 0) await written;
    }
    await written;
    await log.write(
      run.counts.fail > 0 ? 'warn' : 'info',
      `Post-migration checks (${run.trigger}): ${run.counts.pass} passed, ${run.counts.warn} with warnings, ${run.counts.fail} failed`,
      { checkRun: run.runId, ...(run.jobId ? { jobId: run.jobId } : {}) },
    );
  }
}
