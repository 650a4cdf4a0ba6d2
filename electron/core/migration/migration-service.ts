/**
 * Batches (SPEC R9): plans from what the project knows, runs the plan through the journal into
 * the target, and answers what happened per batch, object and step. One batch runs at a time
 * per project (a lock in the project folder, so the app and a `mm` script never run two);
 * pause and cancel reach a batch through a control file, so they work from another process too.
 * A batch whose process died is "interrupted" until someone resumes it.
 */
import { randomUUID, createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import lockfile from 'proper-lockfile';
import type {
  JobSummary,
  MigrationPlan,
  MigrationPreview,
  ObjectKey,
  ObjectStatusRow,
  ObjectState,
  PlanStep,
  StepOutcome,
  StepState,
  StepStatusRow,
} from '../../../shared/model/migration';
import { CREATED_KINDS, objectKeyOf } from '../../../shared/model/migration';
import { osAuthor } from '../decisions/author';
import { MmError } from '../errors';
import type { EventBus } from '../events';
import { CARD_CONTEXT, PASSWORD_CONTEXT, unsealInventoryValue } from '../inventory/seal-inventory';
import type { DomainServicesService } from '../inventory/domain-services';
import type { InventoryService } from '../inventory/inventory-service';
import type { MigrationLog } from '../log/migration-log';
import type { MappingService } from '../mapping/mapping-service';
import { mappingKey } from '../mapping/mapping-store';
import type { ProjectService } from '../project/project-service';
import { assertNotReviewCopy } from '../review/review-service';
import type { SecretStore } from '../secrets/secret-store';
import type { ServerService } from '../servers/server-service';
import { blobAt } from '../store/file-blob';
import { loadInventories } from '../verification/project-inventories';
import type { VerificationService } from '../verification/verification-service';
import { BatchExecutor, type Control, type SourcePort } from './executor';
import { holdSharedBatchLock, journalAt } from './pg-journal';
import { batchRunningElsewhere } from './running-elsewhere';
import type { JobOptions, JobRecord, JournalPort, JournalState } from './journal';
import { type PlanSubset, buildPlan } from './plan';
import { agentSourcePort } from './source-port';
import { recordedBatchStates } from './recorded-states';
import { recordedState } from './step-rules';
import type { ContentPort } from './content-port';
import type { ProvisioningTarget } from './target-port';

export interface MigrationDeps {
  readonly projects: ProjectService;
  readonly servers: ServerService;
  readonly inventory: InventoryService;
  readonly mapping: MappingService;
  readonly verification: VerificationService;
  readonly domainServices: DomainServicesService;
  readonly secrets: SecretStore;
  readonly events: EventBus;
  log(projectId: string): MigrationLog;
  /** The IP mapping table (core/ipmap): DNS records are planned with the mapped addresses. */
  readonly ipMap?: { table(projectId: string): Promise<ReadonlyMap<string, string>> };
  /** The project's target as the executor drives it (POA/PBA over XML-RPC). */
  provisioningTarget(projectId: string): Promise<ProvisioningTarget>;
  /**
   * Where batches keep their journal, summaries and control files (default
   * `<project>/migration`). A rehearsal gives a folder of its own, so its journal never mixes
   * with production's.
   */
  dirOf?(projectId: string): string;
  /** The source side (default: the agent's --disable). A rehearsal records instead of disabling. */
  sourcePort?(projectId: string): SourcePort;
  /** Content steps (sites, mailboxes) to the target's nodes; absent: content is not moved. */
  contentPort?(projectId: string): ContentPort;
  /**
   * Runs when a batch ends (done or not): production runs the post-migration checks of the
   * batch's domains (core/checks). Its failure is logged and never changes the batch's outcome.
   */
  afterBatch?(projectId: string, summary: JobSummary, subset: PlanSubset): Promise<unknown>;
  /**
   * Runs once a batch's plan is made and handed to its executor: drops what planning read and
   * kept in memory (inventories, domain services, verification results) and the batch no
   * longer reads, so it is not kept alive through a batch of hours (issue 19). Whoever needs
   * it again (the UI, the checks after the batch) opens it again from the store.
   */
  releaseAfterPlanning?(projectId: string): void | Promise<void>;
  /**
   * Sign-off gate (SPEC R15, core/rehearsal): asked before a new batch starts, with the plan's
   * fingerprint; throws to refuse the run. Production has it; a rehearsal venue does not.
   */
  signOffGate?(
    projectId: string,
    fingerprint: string,
    options: { readonly force?: string; readonly author?: string; readonly subset: PlanSubset },
  ): Promise<void>;
}

export interface StartOptions extends PlanSubset {
  readonly concurrency?: number;
  readonly perServer?: number;
  readonly author?: string;
  /** false: do not fetch domain services first (see JobOptions.services). */
  readonly services?: boolean;
  /** Run without a signed-off rehearsal of this plan, for this recorded reason. */
  readonly force?: string;
}

const UNFINISHED = new Set(['queued', 'running', 'paused', 'reconciling']);
export const DEFAULT_CONCURRENCY = 4;

interface Running {
  readonly projectId: string;
  readonly executor: BatchExecutor;
  readonly controller: AbortController;
  readonly done: Promise<JobSummary>;
}

export class MigrationService {
  readonly #running = new Map<string, Running>();
  readonly #journals = new Map<string, JournalPort>();

  constructor(private readonly deps: MigrationDeps) {
    // The production venue only: a rehearsal's venue lives while its rehearsal runs, and a
    // rehearsal running refuses the release (rehearsal-service), so it never holds a stale journal.
    if (deps.dirOf) return;
    deps.projects.releases.work('migration', (projectId) =>
      [...this.#running.entries()]
        .filter(([, r]) => r.projectId === projectId)
        .map(([jobId]) => `migration batch ${jobId.slice(0, 8)}`),
    );
    deps.projects.releases.cache('migration journal', async (projectId) => {
      const journal = this.#journals.get(projectId);
      this.#journals.delete(projectId);
      await journal?.close();
    });
  }

  private dir(projectId: string): string {
    return this.deps.dirOf?.(projectId) ?? join(this.deps.projects.projectDir(projectId), 'migration');
  }

  private journal(projectId: string): JournalPort {
    let j = this.#journals.get(projectId);
    if (!j) {
      // A file, or the shared project's PostgreSQL journal when the folder is linked to one.
      j = journalAt(join(this.dir(projectId), 'journal.jsonl'));
      this.#journals.set(projectId, j);
      // (one per project: a MigrationService serves one venue, production or one rehearsal)
    }
    return j;
  }

  /** The plan for this selection now (verification brought up to date first). */
  async plan(projectId: string, subset: PlanSubset = {}): Promise<MigrationPlan> {
    if (!(await this.deps.verification.isFresh(projectId))) {
      const info = await this.deps.verification.run(projectId);
      await this.deps
        .log(projectId)
        .write(
          'info',
          `Verification was not current; verified again before planning (${info.total} results)`,
        );
    }
    const [loaded, mappings, results, gathered] = await Promise.all([
      loadInventories(this.deps.servers, this.deps.inventory, projectId),
      this.deps.mapping.entries(projectId),
      // looked up by key, so not sorted (all() sorts: n log n, issue 19)
      this.deps.verification.byKey(projectId),
      this.deps.verification.gather(projectId),
    ]);
    const services = await this.deps.domainServices.services(projectId);
    const servicesRevision = await this.deps.domainServices.revision(projectId);
    const ipMap = await this.deps.ipMap?.table(projectId);
    return buildPlan({
      servers: loaded.map(({ server, inventory }) => ({
        id: server.id,
        name: server.name,
        settings: server.settings,
        inventory,
      })),
      mappings: new Map(mappings.map((m) => [mappingKey(m.serverId, m.templateId), m])),
      results,
      services,
      ...(ipMap && ipMap.size > 0 ? { ipMap } : {}),
      ...(subset.accounts || subset.domains ? { subset } : {}),
      basis: createHash('sha256')
        .update(gathered.stamp)
        .update(servicesRevision)
        .update(JSON.stringify(subset))
        .digest('hex'),
    });
  }

  /**
   * The plan, with the domain services (domainServicesInfo) of its domains fetched first when
   * `fetch` says so. Planned once; planned again only when something was fetched (the services
   * change the steps and the fingerprint).
   */
  private async planWithServices(
    projectId: string,
    subset: PlanSubset,
    fetch: boolean,
  ): Promise<MigrationPlan> {
    const plan = await this.plan(projectId, subset);
    if (!fetch) return plan;
    const byServer = new Map<string, string[]>();
    for (const o of plan.objects) {
      if (o.ref.kind !== 'domain') continue;
      const list = byServer.get(o.ref.serverId) ?? [];
      list.push(o.ref.id);
      byServer.set(o.ref.serverId, list);
    }
    let fetched = 0;
    for (const [serverId, ids] of byServer)
      fetched += (await this.deps.domainServices.ensureFetched(projectId, serverId, ids)).fetched.length;
    return fetched > 0 ? this.plan(projectId, subset) : plan;
  }

  async preview(projectId: string, subset: PlanSubset = {}): Promise<MigrationPreview> {
    const plan = await this.plan(projectId, subset);
    const state = await this.journal(projectId).load();
    const perKind: Record<string, number> = {};
    const notCarried: MigrationPreview['notCarried'][number][] = [];
    let alreadyDone = 0;
    const names = new Map(plan.objects.map((o) => [objectKeyOf(o.ref), o.name]));
    for (const s of plan.steps) {
      perKind[s.kind] = (perKind[s.kind] ?? 0) + 1;
      if (s.payload.kind === 'not-carried')
        notCarried.push({
          object: names.get(objectKeyOf(s.object)) ?? s.object.id,
          what: s.payload.what,
          reason: s.payload.reason,
        });
      if (state.outcomes.get(s.id)?.outcome.state === 'done') alreadyDone++;
    }
    return {
      fingerprint: plan.fingerprint,
      objects: {
        accounts: plan.objects.filter((o) => o.ref.kind === 'account').length,
        domains: plan.objects.filter((o) => o.ref.kind === 'domain').length,
      },
      steps: plan.steps.length,
      perKind,
      notCarried,
      excluded: plan.excluded.map((e) => ({
        object: `${e.ref.kind} ${e.ref.id} (${e.ref.serverId})`,
        reason: e.reason,
      })),
      alreadyDone,
    };
  }

  /** Every batch of the project, newest first. */
  async jobs(projectId: string): Promise<JobSummary[]> {
    const state = await this.journal(projectId).load();
    const out: JobSummary[] = [];
    for (const job of state.jobs.values()) out.push(await this.summaryOf(projectId, job));
    return out.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }

  async job(projectId: string, jobId: string): Promise<JobSummary> {
    const live = this.#running.get(jobId);
    if (live) return live.executor.summary(false);
    const state = await this.journal(projectId).load();
    const job = this.findJob(state, jobId);
    return this.summaryOf(projectId, job);
  }

  private findJob(state: JournalState, jobId: string): JobRecord {
    const job = state.jobs.get(jobId) ?? [...state.jobs.values()].find((j) => j.jobId.startsWith(jobId));
    if (!job)
      throw new MmError('not-found', `There is no migration batch ${jobId} in this project.`, 'jobId');
    return job;
  }

  /**
   * The last summary a run wrote, with the job's current state; "interrupted" when its process
   * died — not when it runs in another process (`mm migrate` next to the app, another machine).
   */
  private async summaryOf(projectId: string, job: JobRecord): Promise<JobSummary> {
    const live = this.#running.get(job.jobId);
    if (live) return live.executor.summary(false);
    let saved: JobSummary | undefined;
    try {
      const text = await blobAt(this.summaryFile(projectId, job.jobId)).read();
      saved = text === undefined ? undefined : (JSON.parse(text) as JobSummary);
    } catch {
      saved = undefined;
    }
    const base: JobSummary = saved ?? {
      jobId: job.jobId,
      projectId,
      state: job.state,
      createdAt: job.createdAt,
      updatedAt: job.updatedAt,
      concurrency: job.options.concurrency,
      objects: { total: 0, migrated: 0, failed: 0 },
      steps: { total: 0, done: 0, failed: 0 },
      created: Object.fromEntries(CREATED_KINDS.map((k) => [k, 0])) as JobSummary['created'],
      failures: [],
    };
    const interrupted =
      (job.state === 'running' || job.state === 'reconciling') &&
      !(await batchRunningElsewhere(this.dir(projectId)));
    return {
      ...base,
      state: interrupted ? 'paused' : job.state,
      updatedAt: job.updatedAt,
      ...(interrupted ? { interrupted: true } : {}),
    };
  }

  private summaryFile(projectId: string, jobId: string): string {
    return join(this.dir(projectId), 'jobs', `${jobId}.json`);
  }

  private controlFile(projectId: string, jobId: string): string {
    return join(this.dir(projectId), 'jobs', `${jobId}.control`);
  }

  /** A file written atomically (each write its own temporary file), or a row of a shared project. */
  private async saveSummary(projectId: string, summary: JobSummary): Promise<void> {
    await blobAt(this.summaryFile(projectId, summary.jobId), { mode: 0o600 }).write(JSON.stringify(summary));
  }

  /**
   * Starts a batch in the background (or resumes the unfinished one: a project has at most one)
   * and returns its id; progress arrives as `migration:progress` events.
   */
  async start(
    projectId: string,
    options: StartOptions = {},
  ): Promise<{ jobId: string; done: Promise<JobSummary> }> {
    // Counted as running from the first instant (project-release.ts `starting`): between the
    // batch's record in the journal and its entry in #running a move would otherwise slip through.
    const counted = this.deps.dirOf
      ? undefined
      : this.deps.projects.releases.starting(projectId, 'migration batch being started');
    try {
      return await this.startCounted(projectId, options);
    } finally {
      counted?.();
    }
  }

  private async startCounted(
    projectId: string,
    options: StartOptions,
  ): Promise<{ jobId: string; done: Promise<JobSummary> }> {
    await assertNotReviewCopy(this.deps.projects, projectId, 'migrating');
    const state = await this.journal(projectId).load();
    const unfinished = [...state.jobs.values()].find((j) => UNFINISHED.has(j.state));
    if (unfinished) return this.resume(projectId, unfinished.jobId);
    // The plan the gate checked is the plan the batch runs: planned once, not again in launch.
    const checked = await this.checkSignOff(projectId, options);
    const now = new Date().toISOString();
    const jobOptions: JobOptions = {
      ...(options.accounts ? { accounts: options.accounts } : {}),
      ...(options.domains ? { domains: options.domains } : {}),
      concurrency: clampConcurrency(options.concurrency ?? DEFAULT_CONCURRENCY),
      perServer: clampConcurrency(options.perServer ?? 2),
      author: options.author ?? osAuthor(),
      ...(options.services === false ? { services: false } : {}),
    };
    const job: JobRecord = {
      jobId: randomUUID(),
      projectId,
      createdAt: now,
      updatedAt: now,
      state: 'queued',
      options: jobOptions,
      epoch: 1,
    };
    await this.journal(projectId).append([{ t: 'job', job }]);
    await this.deps
      .log(projectId)
      .write('info', `Migration batch ${job.jobId.slice(0, 8)} created by ${jobOptions.author}`);
    return this.launch(projectId, job, checked);
  }

  /**
   * The sign-off gate, on the plan exactly as the batch will make it (services fetched first);
   * returns that plan, for the batch to run. Undefined: no gate (a rehearsal's venue).
   */
  private async checkSignOff(projectId: string, options: StartOptions): Promise<MigrationPlan | undefined> {
    if (!this.deps.signOffGate) return undefined;
    const subset: PlanSubset = {
      ...(options.accounts ? { accounts: options.accounts } : {}),
      ...(options.domains ? { domains: options.domains } : {}),
    };
    const plan = await this.planWithServices(projectId, subset, options.services !== false);
    await this.deps.signOffGate(projectId, plan.fingerprint, {
      subset,
      ...(options.force !== undefined ? { force: options.force } : {}),
      ...(options.author !== undefined ? { author: options.author } : {}),
    });
    return plan;
  }

  /** Resumes a paused, cancelled-by-crash or interrupted batch from its journal. */
  async resume(projectId: string, jobId: string): Promise<{ jobId: string; done: Promise<JobSummary> }> {
    const live = this.#running.get(jobId);
    if (live) return { jobId, done: live.done };
    const state = await this.journal(projectId).load();
    const job = this.findJob(state, jobId);
    if (job.state === 'done')
      throw new MmError('invalid-state', `Batch ${jobId} is done: there is nothing to resume.`, 'jobId');
    return this.launch(projectId, job);
  }

  /** Tries the failed objects of a finished batch again (their steps are reconciled first). */
  async retry(projectId: string, jobId: string): Promise<{ jobId: string; done: Promise<JobSummary> }> {
    if (this.#running.has(jobId))
      throw new MmError('invalid-state', `Batch ${jobId} is still running.`, 'jobId');
    const state = await this.journal(projectId).load();
    const job = this.findJob(state, jobId);
    const next: JobRecord = {
      ...job,
      epoch: job.epoch + 1,
      state: 'queued',
      updatedAt: new Date().toISOString(),
    };
    await this.journal(projectId).append([{ t: 'job', job: next }]);
    return this.launch(projectId, next);
  }

  /** Pause or cancel at the next step boundary, from this process or another one. */
  async control(projectId: string, jobId: string, action: 'pause' | 'cancel'): Promise<JobSummary> {
    const state = await this.journal(projectId).load();
    const job = this.findJob(state, jobId);
    // A shared project's control is a row: a batch run by `mm migrate` on another machine sees it.
    await blobAt(this.controlFile(projectId, job.jobId), { mode: 0o600 }).write(action);
    const live = this.#running.get(job.jobId);
    if (live) return live.done;
    if (job.state === 'paused' && action === 'cancel') {
      await this.journal(projectId).append([
        { t: 'job', job: { ...job, state: 'cancelled', updatedAt: new Date().toISOString() } },
      ]);
    }
    return this.job(projectId, job.jobId);
  }

  private async launch(
    projectId: string,
    job: JobRecord,
    /** The plan a new batch's sign-off gate checked (resume and retry plan afresh). */
    checked?: MigrationPlan,
  ): Promise<{ jobId: string; done: Promise<JobSummary> }> {
    const dir = this.dir(projectId);
    await mkdir(join(dir, 'jobs'), { recursive: true, mode: 0o700 });
    await blobAt(this.controlFile(projectId, job.jobId)).remove();
    let release: () => Promise<void>;
    try {
      release = await lockfile.lock(dir, {
        lockfilePath: join(dir, 'batch.lock'),
        stale: 5_000,
        update: 1_000,
        retries: { retries: 12, minTimeout: 250, maxTimeout: 1_000 },
      });
    } catch {
      throw new MmError(
        'busy',
        'A migration batch of this project is running in another window or process: pause it there, or wait for it to finish.',
        dir,
      );
    }
    // A shared project: also no batch on another machine, nor workers, at the same time.
    const releaseShared = await holdSharedBatchLock(join(dir, 'journal.jsonl')).catch(async (e: unknown) => {
      await release().catch(() => undefined);
      throw e;
    });
    const unlock = release;
    release = async () => {
      await releaseShared?.();
      await unlock();
    };
    const controller = new AbortController();
    try {
      const subset: PlanSubset = {
        ...(job.options.accounts ? { accounts: job.options.accounts } : {}),
        ...(job.options.domains ? { domains: job.options.domains } : {}),
      };
      const plan =
        checked ?? (await this.planWithServices(projectId, subset, job.options.services !== false));
      const journal = this.journal(projectId);
      const state = await journal.load();
      const target = await this.deps.provisioningTarget(projectId);
      const content = this.deps.contentPort?.(projectId);
      const log = this.deps.log(projectId);
      let lastSaved = 0;
      const executor: BatchExecutor = new BatchExecutor(
        {
          journal,
          target,
          source: this.deps.sourcePort?.(projectId) ?? agentSourcePort(this.deps.servers, projectId),
          ...(content ? { content } : {}),
          unseal: (value, kind) =>
            unsealInventoryValue(
              this.deps.secrets,
              kind === 'card' ? CARD_CONTEXT : PASSWORD_CONTEXT,
              value,
              projectId,
            ),
          log: (level, message, details) => log.write(level, message, details),
          progress: (summary) => {
            this.deps.events.emit('migration:progress', summary);
            if (Date.now() - lastSaved > 2_000) {
              lastSaved = Date.now();
              void this.saveSummary(projectId, summary).catch(() => undefined);
            }
          },
          control: () => this.readControl(projectId, job.jobId),
        },
        job,
        plan,
        state,
        controller.signal,
      );
      await this.deps.releaseAfterPlanning?.(projectId);
      const done = (async (): Promise<JobSummary> => {
        try {
          const result = await executor.run();
          await this.saveSummary(projectId, result.summary);
          await log.write(
            result.summary.state === 'done' ? 'info' : 'warn',
            `Migration batch ${job.jobId.slice(0, 8)} ${result.summary.state}: ${result.summary.objects.migrated} of ${result.summary.objects.total} objects migrated`,
          );
          await this.deps
            .afterBatch?.(projectId, result.summary, subset)
            .catch((e: unknown) =>
              log.write('warn', `The checks after batch ${job.jobId.slice(0, 8)} did not run: ${String(e)}`),
            );
          return result.summary;
        } finally {
          this.#running.delete(job.jobId);
          await target.close().catch(() => undefined);
          await content?.close().catch(() => undefined);
          // The journal's file handle closes with the batch (the next batch opens it again).
          this.#journals.delete(projectId);
          await journal.close().catch(() => undefined);
          await release().catch(() => undefined);
        }
      })();
      this.#running.set(job.jobId, { projectId, executor, controller, done });
      return { jobId: job.jobId, done };
    } catch (e) {
      await release().catch(() => undefined);
      throw e;
    }
  }

  private async readControl(projectId: string, jobId: string): Promise<Control> {
    try {
      const text = ((await blobAt(this.controlFile(projectId, jobId)).read()) ?? '').trim();
      return text === 'pause' || text === 'cancel' ? text : undefined;
    } catch {
      return undefined;
    }
  }

  /** What the journal recorded: every step's intent and outcome (post-migration checks read it). */
  async recorded(projectId: string): Promise<JournalState> {
    return this.journal(projectId).load();
  }

  /** Per-object rows of a batch: state, steps done, the current step, the first error. */
  async objects(projectId: string, jobId: string): Promise<ObjectStatusRow[]> {
    return objectRows(await this.snapshot(projectId, jobId));
  }

  /** One object's steps with the target's answers. */
  async steps(projectId: string, jobId: string, key: ObjectKey): Promise<StepStatusRow[]> {
    const { plan, states, journal } = await this.snapshot(projectId, jobId);
    const object = plan.objects.find((o) => objectKeyOf(o.ref) === key);
    if (!object) throw new MmError('not-found', `${key} is not part of batch ${jobId}.`, 'object');
    const byId = new Map(plan.steps.map((s) => [s.id, s]));
    return object.steps.map((id) =>
      stepRow(id, byId.get(id), states.get(id), journal.outcomes.get(id)?.outcome),
    );
  }

  /** The plan of a batch and its steps' states now (live when it runs here). */
  private async snapshot(
    projectId: string,
    jobId: string,
  ): Promise<{
    plan: MigrationPlan;
    states: ReadonlyMap<string, StepState>;
    objectStates: ReadonlyMap<string, ObjectState>;
    journal: JournalState;
  }> {
    const journal = await this.journal(projectId).load();
    const job = this.findJob(journal, jobId);
    const subset: PlanSubset = {
      ...(job.options.accounts ? { accounts: job.options.accounts } : {}),
      ...(job.options.domains ? { domains: job.options.domains } : {}),
    };
    const live = this.#running.get(job.jobId);
    const plan = await this.plan(projectId, subset);
    if (live)
      return { plan, states: live.executor.states, objectStates: live.executor.objectStates(), journal };
    // Without a live executor the states come from the recorded outcomes, with its rules.
    const { states, objects: objectStates } = recordedBatchStates(
      plan,
      new Map(plan.steps.map((s) => [s.id, recordedState(journal.outcomes.get(s.id), job)])),
    );
    return { plan, states, objectStates, journal };
  }

  /**
   * Everything a report needs about one batch from one snapshot (one plan, not one per object):
   * the summary, every object's row with its steps and the target's answers, and what the plan
   * left out. Added for the migration report (core/report/migration-report.ts).
   */
  async batchDetail(
    projectId: string,
    jobId: string,
  ): Promise<{
    summary: JobSummary;
    objects: { row: ObjectStatusRow; steps: StepStatusRow[] }[];
    excluded: MigrationPlan['excluded'];
    /** The fingerprint of the plan the rows were read with (a rehearsal's record names it). */
    fingerprint: string;
  }> {
    const summary = await this.job(projectId, jobId);
    // One snapshot for the rows and their steps: the plan made and the journal read once (at
    // 1x a plan is ~78,000 steps and the journal twice as many entries; each was made twice).
    const snap = await this.snapshot(projectId, summary.jobId);
    const { plan, states, journal } = snap;
    const rows = objectRows(snap);
    const byId = new Map(plan.steps.map((s) => [s.id, s]));
    const stepsOf = new Map(plan.objects.map((o) => [objectKeyOf(o.ref), o.steps]));
    const objects = rows.map((row) => ({
      row,
      steps: (stepsOf.get(row.key) ?? []).map((id) =>
        stepRow(id, byId.get(id), states.get(id), journal.outcomes.get(id)?.outcome),
      ),
    }));
    return { summary, objects, excluded: plan.excluded, fingerprint: plan.fingerprint };
  }
}

function clampConcurrency(n: number): number {
  if (!Number.isInteger(n) || n < 1 || n > 64)
    throw new MmError(
      'invalid-input',
      `Concurrency must be a whole number from 1 to 64, not ${n}.`,
      'concurrency',
    );
  return n;
}

/** Per-object rows of one snapshot: state, steps done, the current step, the first error. */
function objectRows(snap: {
  readonly plan: MigrationPlan;
  readonly states: ReadonlyMap<string, StepState>;
  readonly objectStates: ReadonlyMap<string, ObjectState>;
  readonly journal: JournalState;
}): ObjectStatusRow[] {
  const { plan, states, objectStates, journal } = snap;
  const byId = new Map(plan.steps.map((s) => [s.id, s]));
  return plan.objects.map((o) => {
    const key = objectKeyOf(o.ref);
    const stepStates = o.steps.map((id) => states.get(id) ?? 'pending');
    const failedAt = o.steps.find((id) => states.get(id) === 'failed');
    const current =
      o.steps.find((id) => states.get(id) === 'running') ??
      o.steps.find((id) => states.get(id) === 'pending');
    return {
      key,
      ref: o.ref,
      name: o.name,
      state: objectStates.get(key) ?? 'pending',
      stepsDone: stepStates.filter((s) => s === 'done' || s === 'not-carried').length,
      stepsTotal: o.steps.length,
      ...(current ? { currentStep: byId.get(current)?.label ?? current } : {}),
      ...(failedAt
        ? {
            error: `${byId.get(failedAt)?.label}: ${journal.outcomes.get(failedAt)?.outcome.message ?? ''}`,
          }
        : {}),
    };
  });
}

/** One step as the drawer and the report show it: its state and the target's answer. */
function stepRow(
  id: string,
  step: PlanStep | undefined,
  state: StepState | undefined,
  outcome: StepOutcome | undefined,
): StepStatusRow {
  return {
    id,
    kind: step?.kind ?? 'not-carried',
    label: step?.label ?? id,
    state: state ?? 'pending',
    ids: outcome?.ids ?? {},
    ...(outcome?.message ? { message: outcome.message } : {}),
    ...(outcome ? { via: outcome.via, at: outcome.at } : {}),
  };
}
