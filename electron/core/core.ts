import type { AppInfo } from '../../shared/contract';
import { EventBus } from './events';
import { JobRegistry } from './jobs/job-registry';
import { join } from 'node:path';
import { DomainServicesService } from './inventory/domain-services';
import { InventoryService } from './inventory/inventory-service';
import { InventoryStore } from './inventory/inventory-store';
import { MigrationLog } from './log/migration-log';
import { ProjectService } from './project/project-service';
import { ProjectLeases } from './project/project-lease';
import { type MasterKeyGuard, SealedSecretStore, type SecretStore } from './secrets/secret-store';
import { SharedSecretStore } from './secrets/shared-secrets';
import { HistoryService } from './history/history-service';
import { ReportService } from './report/report-service';
import { ReviewService } from './review/review-service';
import { ServerService } from './servers/server-service';
import { TargetService } from './target/target-service';
import type { ClientOptions } from './target/call-runner';
import { APP_VERSION } from './version';
import { DecisionService } from './decisions/decision-service';
import { MappingService } from './mapping/mapping-service';
import { SelectionService } from './selection/selection-service';
import { VerificationService } from './verification/verification-service';
import { NodeService } from './content/node-service';
import { createContentPort } from './migration/content-port';
import { MigrationService } from './migration/migration-service';
// Installs the resolver that serves linked project folders from PostgreSQL (issue 15).
import './store/postgres-store';
import { registerStorePasswords } from './store/store-password';
import { createPoaPbaTarget } from './migration/poa-pba-target';
import { RehearsalService } from './rehearsal/rehearsal-service';
import { IpMapService } from './ipmap/ipmap-service';
import { DnsSheetService } from './cutover/dns-sheet-service';
import { ResyncService } from './cutover/resync-service';
import { CheckService } from './checks/check-service';
import { targetServers } from './checks/target-servers';
import type { StartThrowawayTarget } from './rehearsal/throwaway-target';

export interface CoreOptions {
  readonly dataDir: string;
  readonly shell: AppInfo['shell'];
  /** Electron seals the secrets' master key with safeStorage; other shells use a 0600 key file. */
  readonly keyGuard?: MasterKeyGuard;
  /** Starts a throwaway target for a rehearsal (the shells give the sandbox); absent: no rehearsals. */
  readonly throwawayTarget?: StartThrowawayTarget;
  /** How the POA/PBA clients call the target (timeouts, retries of look-ups); tests shorten them. */
  readonly targetClient?: ClientOptions;
}

/** The Migration Manager core: every service, wired once, shared by every shell. */
export interface Core {
  readonly info: AppInfo;
  readonly events: EventBus;
  readonly jobs: JobRegistry;
  readonly projects: ProjectService;
  readonly secrets: SecretStore;
  readonly servers: ServerService;
  readonly inventory: InventoryService;
  /** domainServicesInfo per domain: full services (migration) and facts (verification warnings). */
  readonly domainServices: DomainServicesService;
  /** The POA/PBA target of each project: settings, clients, connection test, browser. */
  readonly target: TargetService;
  /** The migration log of one project (masked, append-only). */
  log(projectId: string): MigrationLog;
  /** Offline review: bundles without secrets, read-only copies, comments (R10). */
  readonly review: ReviewService;
  /** The timeline of one object: inventory, verification over time, decisions, comments, migration. */
  readonly history: HistoryService;
  /** Verification (and later migration and check) reports as HTML and CSV. */
  readonly reports: ReportService;
  /** Template mapping (R4), selection (R5), verification (R6) and decisions resolving its issues (R7). */
  readonly mapping: MappingService;
  readonly selection: SelectionService;
  readonly verification: VerificationService;
  readonly decisions: DecisionService;
  /** Migration batches (R9): plan, journal, executor, read-back. */
  readonly migration: MigrationService;
  /** The target's content nodes: web (sites), mail (Maildirs), db (issue "Content transfer"). */
  readonly nodes: NodeService;
  /** Rehearsals against a throwaway sandbox, sign-off, and the production run's gate (R15). */
  readonly rehearsals: RehearsalService;
  /** IP mapping (R14): the target's pool, the table, verification's warnings, records rewritten. */
  readonly ipMap: IpMapService;
  /** The DNS switch sheet (R14): per domain what to change and when, with a live check of the target. */
  readonly dnsSheet: DnsSheetService;
  /** Content re-sync (R13): only what changed on the source since the last copy. */
  readonly resync: ResyncService;
  /** Post-migration checks (issue 14): each migrated domain, source against target, with evidence. */
  readonly checks: CheckService;
}

export function createCore(options: CoreOptions): Core {
  const events = new EventBus();
  const projects = new ProjectService(options.dataDir, events);
  const logs = new Map<string, MigrationLog>();
  // a shared project's credentials are kept sealed in its database, under the project's key
  const secrets = new SharedSecretStore(new SealedSecretStore(options.dataDir, options.keyGuard), (id) =>
    projects.projectDir(id),
  );
  // The app's forms ask for a shared project's database password and seal it here (issue 15).
  if (options.shell === 'electron' || options.shell === 'browser') registerStorePasswords(secrets);
  // An app holds a lease on each project it opens, so `mm project move` elsewhere refuses (issue 15).
  if (options.shell === 'electron' || options.shell === 'browser')
    projects.releases.holdLeases(new ProjectLeases((id) => projects.projectDir(id)));
  const inventoryStore = new InventoryStore(projects, secrets);
  const servers = new ServerService(projects, secrets, (projectId, serverId) =>
    inventoryStore.remove(projectId, serverId),
  );
  projects.releases.cache('migration log', async (projectId) => {
    const l = logs.get(projectId);
    logs.delete(projectId);
    // lines being appended land before the project moves, not in a file set aside, and the
    // file's descriptor is let go (a write after the move opens the file where it is then)
    await l?.close();
  });
  const log = (projectId: string): MigrationLog => {
    let l = logs.get(projectId);
    if (!l) {
      l = new MigrationLog(join(projects.projectDir(projectId), 'migration-log.jsonl'), projectId, events);
      logs.set(projectId, l);
    }
    return l;
  };
  const inventory = new InventoryService(servers, inventoryStore, log);
  const target = new TargetService({ projects, secrets, log }, options.targetClient ?? {});
  const mapping = new MappingService(projects, servers, inventory, target);
  const selection = new SelectionService(projects, servers, inventory);
  // Verification reads the decisions' facts (through a closure, called only later) and
  // decisions re-verify what they touch.
  const domainServices = new DomainServicesService(projects, servers, log, secrets);
  const ipMap = new IpMapService({ projects, servers, inventory, domainServices });
  const verification: VerificationService = new VerificationService({
    projects,
    servers,
    inventory,
    mapping,
    selection,
    decisions: (projectId: string) => decisions.facts(projectId),
    decisionsRevision: (projectId: string) => decisions.revision(projectId),
    domainServices: (projectId: string) => domainServices.facts(projectId),
    domainServicesRevision: (projectId: string) => domainServices.revision(projectId),
    ipReasons: (projectId: string) => ipMap.domainReasons(projectId),
    changed: (projectId, info) =>
      events.emit('verification:changed', {
        projectId,
        incremental: info.incremental,
        changed: info.changed,
      }),
  });
  const decisions: DecisionService = new DecisionService({
    projects,
    servers,
    inventory,
    mapping,
    selection,
    verification,
  });
  const reports = new ReportService({
    projects,
    servers,
    verification,
    decisions,
    migration: () => migration,
  });
  // Bundles carry the reports as they are at export time, for a reviewer to read offline.
  const review = new ReviewService(projects, async (projectId) => {
    const [html, csv] = await Promise.all([
      reports.verification(projectId, 'html'),
      reports.verification(projectId, 'csv'),
    ]);
    return {
      'reports/verification-report.json': { html: html.content, csv: csv.content },
      ...(await reports.migrationForBundle(projectId)),
      ...(await rehearsals.forBundle(projectId)),
    };
  });
  // The target's content nodes (web, mail, db): over SSH, or the sandbox's own local ones.
  const nodes = new NodeService({
    projects,
    secrets,
    poaEndpoint: (projectId) => target.endpoint(projectId, 'poa'),
  });
  const shared = { projects, servers, inventory, mapping, verification, domainServices, secrets, ipMap };
  const migration = new MigrationService({
    ...shared,
    events,
    log,
    provisioningTarget: async (projectId) => createPoaPbaTarget(await target.clients(projectId)),
    signOffGate: (projectId, fingerprint, gate) => rehearsals.signOffGate(projectId, fingerprint, gate),
    contentPort: (projectId) => createContentPort({ servers, nodes, projectId }),
    afterBatch: (projectId, summary, subset) => checks.afterBatch(projectId, summary, subset),
    // What planning read is not kept through the batch (issue 19); it opens again when asked.
    releaseAfterPlanning: (projectId) => {
      inventoryStore.release(projectId);
      domainServices.release(projectId);
      verification.releaseIdle(projectId);
    },
  });
  const checks: CheckService = new CheckService({
    projects,
    servers,
    domainServices,
    migration: () => migration,
    nodes,
    target,
    ipMap,
    log,
  });
  const rehearsals: RehearsalService = new RehearsalService({
    shared,
    target,
    events,
    log,
    production: () => migration,
    ...(options.throwawayTarget ? { startTarget: options.throwawayTarget } : {}),
    ...(options.targetClient ? { clientOptions: options.targetClient } : {}),
  });
  return {
    info: { version: APP_VERSION, shell: options.shell, dataDir: options.dataDir },
    events,
    jobs: new JobRegistry(events, projects.releases),
    projects,
    secrets,
    servers,
    inventory,
    domainServices,
    target,
    log,
    review,
    reports,
    history: new HistoryService({ servers, verification, decisions, comments: review.comments, log }),
    mapping,
    selection,
    verification,
    decisions,
    migration,
    rehearsals,
    nodes,
    ipMap,
    dnsSheet: new DnsSheetService({
      servers,
      selection,
      domainServices,
      ipMap,
      target,
      // The sheet's live check asks the same name server the post-migration checks ask.
      nameServer: async (projectId) =>
        (await targetServers(await target.endpoint(projectId, 'poa'), await checks.settings(projectId)))
          .nameServer,
    }),
    resync: new ResyncService({ projects, servers, nodes, migration: () => migration }),
    checks,
  };
}

export const DEMO_PROJECT_NAME = 'Demo migration';
