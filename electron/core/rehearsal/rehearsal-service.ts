/**
 * Rehearsals (SPEC R15): the very plan a production run would execute, run by a second
 * MigrationService "venue" of its own — its own folder (journal, batch files, log), a fresh
 * throwaway target started for it (never the project's real target, which is only listed for
 * its templates and plans), and a source port that records "would disable" instead of calling
 * the agent. Afterwards the throwaway target is read back whole: that is what the real run would
 * create. An engineer signs a rehearsal off; production runs check the sign-off (signOffGate).
 */
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { JobSummary, PlanStep, StepOutcome } from '../../../shared/model/migration';
import {
  HOLDINGS_PAGE_MAX,
  type HoldingsPage,
  type HoldingsQuery,
  type RehearsalCatalogue,
  type RehearsalDiff,
  type RehearsalItem,
  type RehearsalOutcome,
  type RehearsalRecord,
  type RehearsalStatus,
  type SignOff,
  type SignOffPolicy,
  type TargetHolding,
} from '../../../shared/model/rehearsal';
import { osAuthor } from '../decisions/author';
import { MmError, toAppError } from '../errors';
import { EventBus } from '../events';
import { maskSecrets } from '../log/mask';
import { MigrationLog } from '../log/migration-log';
import { createContentPort } from '../migration/content-port';
import type { SourcePort } from '../migration/executor';
import { type MigrationDeps, MigrationService } from '../migration/migration-service';
import type { PlanSubset } from '../migration/plan';
import { createPoaPbaTarget } from '../migration/poa-pba-target';
import type { ProvisioningTarget } from '../migration/target-port';
import { renderCsv, renderHtml } from '../report/render';
import { assertNotReviewCopy } from '../review/review-service';
import { lineLogAt } from '../store/line-log';
import type { ClientOptions } from '../target/call-runner';
import { PbaClient } from '../target/pba-client';
import { PoaClient } from '../target/poa-client';
import type { TargetService } from '../target/target-service';
import { StreamedArray } from '../review/bundle';
import { type DiffSide, diffRehearsals } from './diff';
import { pageOfHoldings } from './holdings-query';
import { CreateCounter, contentHoldings, problemsOf } from './outcome';
import { ThrowawayNodes } from './throwaway-nodes';
import {
  headOf,
  rehearsalCsv,
  rehearsalExportName,
  rehearsalJsonPieces,
  rehearsalReport,
} from './rehearsal-report';
import { RehearsalStore, newRehearsalId } from './rehearsal-store';
import type { StartThrowawayTarget, ThrowawayCatalogue } from './throwaway-target';

/** What the production venue shares with a rehearsal venue (the project's knowledge, not its target). */
export type SharedMigrationDeps = Omit<
  MigrationDeps,
  'provisioningTarget' | 'dirOf' | 'sourcePort' | 'log' | 'events'
>;

export interface RehearsalDeps {
  readonly shared: SharedMigrationDeps;
  readonly target: TargetService;
  readonly events: EventBus;
  log(projectId: string): MigrationLog;
  /** The production venue: its plan is the one a sign-off must cover. */
  readonly production: () => MigrationService;
  /** Given by the shells (the sandbox); absent: this core cannot rehearse. */
  readonly startTarget?: StartThrowawayTarget;
  readonly clientOptions?: ClientOptions;
}

export interface RehearseOptions extends PlanSubset {
  /** false: content steps are skipped (`--no-content`). */
  readonly content?: boolean;
  readonly author?: string;
  readonly concurrency?: number;
  /** How long the throwaway target's requests run (ms; default 0). */
  readonly asyncMs?: number;
  /** false: plan with the domain services already fetched (see StartOptions.services). */
  readonly services?: boolean;
}

/**
 * Content steps (issue "Content transfer") are recognised by their kind's prefix: every step
 * kind that moves bytes is named `content…`. With `--no-content` they are answered here,
 * without a call, as skipped — and left out of the rehearsal's "cannot be carried" list.
 */
export const SKIPPED_CONTENT = 'Content not transferred: rehearsal run with --no-content';
export function isContentStep(step: PlanStep): boolean {
  return String(step.kind).startsWith('content') || String(step.payload.kind).startsWith('content');
}

function withoutContent(target: ProvisioningTarget): ProvisioningTarget {
  const skipped = (): StepOutcome => ({
    state: 'not-carried',
    ids: {},
    message: SKIPPED_CONTENT,
    via: 'call',
    at: new Date().toISOString(),
  });
  return {
    prepare: (step, attempt, ctx, earlier) =>
      isContentStep(step)
        ? Promise.resolve({ chosen: {}, attempt })
        : target.prepare(step, attempt, ctx, earlier),
    apply: (step, intent, ctx) =>
      isContentStep(step) ? Promise.resolve(skipped()) : target.apply(step, intent, ctx),
    reconcile: (step, intent, ctx) =>
      isContentStep(step) ? Promise.resolve(skipped()) : target.reconcile(step, intent, ctx),
    readBack: (steps, ctx) => target.readBack(steps, ctx),
    close: () => target.close(),
  };
}

/**
 * What a finished batch leaves a rehearsal's record: its plan's fingerprint, what could not be
 * carried, what failed, the content it moved. A function of its own so the per-object detail
 * (every object's steps) is garbage once this returns, before the target's holdings are read.
 */
async function batchOutcome(
  venue: MigrationService,
  projectId: string,
  jobId: string,
): Promise<{
  fingerprint: string;
  cannotCarry: RehearsalItem[];
  failures: RehearsalItem[];
  content: TargetHolding[];
}> {
  const detail = await venue.batchDetail(projectId, jobId);
  return {
    fingerprint: detail.fingerprint,
    ...problemsOf(detail.objects),
    content: contentHoldings(detail.objects),
  };
}

/** The target's read-back, then the content holdings the batch's journal gave. */
async function* withContent(
  pieces: AsyncIterable<readonly TargetHolding[]>,
  content: readonly TargetHolding[],
): AsyncGenerator<readonly TargetHolding[]> {
  yield* pieces;
  if (content.length > 0) yield content;
}

/** The part of the verification stamp that says what a plan was made from (for "what changed since"). */
type Basis = Readonly<Record<string, string>>;

const BASIS_LABELS: Readonly<Record<string, string>> = {
  today: "the date (verification is as of today's date)",
  mapping: 'the template mapping',
  selection: 'the selection',
  decisions: 'the decisions',
  domainServices: 'the domain services fetched',
  servers: 'the source servers (inventories or settings)',
  services: 'the domain services fetched',
  subset: 'the accounts or domains chosen for the batch',
};

export class RehearsalService {
  readonly store: RehearsalStore;
  readonly #running = new Map<string, Promise<RehearsalRecord>>();

  constructor(private readonly deps: RehearsalDeps) {
    this.store = new RehearsalStore((projectId) => deps.shared.projects.projectDir(projectId));
    deps.shared.projects.releases.work('rehearsal', (projectId) =>
      this.#running.has(projectId) ? ['a rehearsal'] : [],
    );
  }

  /**
   * Starts a rehearsal in the background; progress arrives as `rehearsal:progress` events.
   * One rehearsal runs at a time per project in this process.
   */
  async start(
    projectId: string,
    options: RehearseOptions = {},
  ): Promise<{ rehearsalId: string; done: Promise<RehearsalRecord> }> {
    await assertNotReviewCopy(this.deps.shared.projects, projectId, 'rehearsing');
    if (!this.deps.startTarget)
      throw new MmError(
        'unavailable',
        'This Migration Manager has no sandbox to rehearse against (started without one).',
        'rehearsal',
      );
    if (this.#running.has(projectId))
      throw new MmError(
        'busy',
        'A rehearsal of this project is already running: wait for it to finish.',
        projectId,
      );
    const subset: PlanSubset = {
      ...(options.accounts ? { accounts: options.accounts } : {}),
      ...(options.domains ? { domains: options.domains } : {}),
    };
    const record: RehearsalRecord = {
      id: newRehearsalId(new Date(), randomBytes(3).toString('hex')),
      projectId,
      createdAt: new Date().toISOString(),
      author: options.author ?? osAuthor(),
      state: 'running',
      pid: process.pid,
      fingerprint: '',
      content: options.content !== false,
      ...(subset.accounts || subset.domains ? { subset } : {}),
    };
    await this.store.create(record);
    const done = this.run(record, subset, options).finally(() => this.#running.delete(projectId));
    this.#running.set(projectId, done);
    return { rehearsalId: record.id, done };
  }

  private async run(
    record: RehearsalRecord,
    subset: PlanSubset,
    options: RehearseOptions,
  ): Promise<RehearsalRecord> {
    const { projectId } = record;
    const dir = this.store.dir(projectId, record.id);
    const progress = (
      phase: 'starting' | 'running' | 'reading-back' | 'done' | 'failed',
      summary?: JobSummary,
    ): void =>
      this.deps.events.emit('rehearsal:progress', {
        projectId,
        rehearsalId: record.id,
        phase,
        ...(summary ? { summary } : {}),
      });
    progress('starting');
    const { catalogue, info } = await this.catalogue(projectId);
    // The rehearsal's own events: its batch progress is re-emitted tagged as a rehearsal, its
    // log lines stay in its folder (never in the project's log or an object's history).
    const bus = new EventBus();
    bus.subscribe((event, payload) => {
      if (event === 'migration:progress') progress('running', payload as JobSummary);
    });
    const log = new MigrationLog(join(dir, 'log.jsonl'), projectId, bus);
    const wouldDisable: { serverId: string; subscriptionIds: string[] }[] = [];
    const source: SourcePort = {
      disableSubscriptions: async (serverId, subscriptionIds) => {
        wouldDisable.push({ serverId, subscriptionIds: [...subscriptionIds] });
        // a file, or rows beside the rehearsal's record on a shared project
        await lineLogAt(join(dir, 'would-disable.jsonl')).append([
          JSON.stringify({ serverId, subscriptionIds }),
        ]);
      },
    };
    let current: RehearsalRecord = { ...record, catalogue: info };
    await this.store.save(current);
    const sandboxDir = join(dir, 'sandbox');
    let throwaway: Awaited<ReturnType<StartThrowawayTarget>> | undefined;
    try {
      throwaway = await (this.deps.startTarget as StartThrowawayTarget)({
        dataDir: sandboxDir,
        ...(catalogue ? { catalogue } : {}),
        ...(options.asyncMs !== undefined ? { asyncMs: options.asyncMs } : {}),
      });
      const target = throwaway;
      if (!info.fromRealTarget) {
        current = { ...current, catalogue: { ...info, ...target.offered } };
        await this.store.save(current);
      }
      const clientOptions = { ...(this.deps.clientOptions ?? {}), log };
      // `shared` is an explicit list in core.ts: nothing venue-specific of production (its target,
      // its source port, a content port writing to its nodes) can reach a rehearsal through it.
      // Content steps therefore run only through a port the throwaway target provides; until it
      // provides nodes, the executor records them as not carried, with its reason.
      const venue = new MigrationService({
        ...this.deps.shared,
        events: bus,
        log: () => log,
        dirOf: () => dir,
        sourcePort: () => source,
        // Content goes to the throwaway target's own nodes only (ThrowawayNodes never opens a
        // node the project registered); --no-content gives no port, and the steps are skipped.
        ...(record.content && target.nodes
          ? {
              contentPort: (projectId: string) =>
                createContentPort({
                  servers: this.deps.shared.servers,
                  nodes: new ThrowawayNodes(
                    {
                      projects: this.deps.shared.projects,
                      secrets: this.deps.shared.secrets,
                      poaUrl: target.poaUrl,
                    },
                    target.nodes ?? {},
                  ),
                  projectId,
                }),
            }
          : {}),
        provisioningTarget: () => {
          const t = createPoaPbaTarget({
            poa: new PoaClient({ url: target.poaUrl }, clientOptions),
            pba: new PbaClient({ url: target.pbaUrl }, clientOptions),
          });
          return Promise.resolve(record.content ? t : withoutContent(t));
        },
      });
      const started = await venue.start(projectId, {
        ...subset,
        author: record.author,
        ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : {}),
        ...(options.services === false ? { services: false } : {}),
      });
      const summary = await started.done;
      progress('reading-back', summary);
      // One after the other, each let go before the next: the batch's per-object detail (its
      // plan and journal, made and read once) and then the target's holdings. Together, with a
      // plan made apart for its fingerprint, they held three plans and three journals at once.
      const { fingerprint, cannotCarry, failures, content } = await batchOutcome(
        venue,
        projectId,
        started.jobId,
      );
      // The read-back goes to holdings.json piece by piece, counted on its way: at 10× it is
      // ~2 million holdings, never held here whole (nor as one string).
      const counter = new CreateCounter();
      await this.store.saveHoldings(projectId, record.id, withContent(target.holdings(), content), (part) =>
        counter.add(part),
      );
      const basis = await this.basis(projectId, subset);
      current = {
        ...current,
        state: summary.state === 'done' ? 'done' : 'failed',
        finishedAt: new Date().toISOString(),
        fingerprint,
        objects: summary.objects,
        create: counter.counts(),
        holdingCounts: counter.holdingCounts(),
        // Skipped on purpose (--no-content) is not "cannot be carried".
        cannotCarry: record.content
          ? cannotCarry
          : cannotCarry.filter((i) => i.kind !== 'content' && i.message !== SKIPPED_CONTENT),
        failures,
        wouldDisable,
        basis,
      };
    } catch (e) {
      current = {
        ...current,
        state: 'failed',
        finishedAt: new Date().toISOString(),
        error: toAppError(e).message,
      };
    } finally {
      await throwaway?.close().catch(() => undefined);
      // The sandbox's state is what holdings.json now records: it goes with the sandbox.
      await rm(sandboxDir, { recursive: true, force: true }).catch(() => undefined);
    }
    await this.store.save(current);
    await this.deps
      .log(projectId)
      .write(
        current.state === 'done' ? 'info' : 'warn',
        `Rehearsal ${record.id} ${current.state} (plan ${current.fingerprint.slice(0, 12) || 'unknown'}): ${current.objects?.migrated ?? 0} of ${current.objects?.total ?? 0} objects, ${current.failures?.length ?? 0} failures, ${current.cannotCarry?.length ?? 0} cannot be carried${current.error ? `: ${current.error}` : ''}`,
      );
    progress(current.state === 'done' ? 'done' : 'failed');
    return current;
  }

  /**
   * The real target's templates and plans through the documented list calls (nothing else is
   * ever sent to it); when they cannot be listed, the sandbox's own catalogue, said so.
   */
  private async catalogue(
    projectId: string,
  ): Promise<{ catalogue: ThrowawayCatalogue | undefined; info: RehearsalCatalogue }> {
    const test = await this.deps.target.test(projectId);
    if (test.poa.ok && test.pba.ok)
      return {
        catalogue: { templates: test.poa.items, plans: test.pba.items },
        info: { fromRealTarget: true, templates: test.poa.items.length, plans: test.pba.items.length },
      };
    const problem = [test.poa.error && `POA: ${test.poa.error}`, test.pba.error && `PBA: ${test.pba.error}`]
      .filter(Boolean)
      .join('; ');
    return {
      catalogue: undefined,
      info: {
        fromRealTarget: false,
        templates: 0,
        plans: 0,
        problem: problem || 'the real target did not answer',
      },
    };
  }

  private async basis(projectId: string, subset: PlanSubset): Promise<Basis> {
    const gathered = await this.deps.shared.verification.gather(projectId);
    const stamp = JSON.parse(gathered.stamp) as Record<string, unknown>;
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(stamp)) out[k] = JSON.stringify(v);
    out['services'] = await this.deps.shared.domainServices.revision(projectId);
    out['subset'] = JSON.stringify(subset);
    return out;
  }

  /** Every rehearsal, newest first, each with the sign-off that covers it. */
  async list(projectId: string): Promise<RehearsalRecord[]> {
    const [list, signOffs] = await Promise.all([this.store.list(projectId), this.signOffs(projectId)]);
    return list.map((r) => this.withSignOff(r, signOffs));
  }

  private withSignOff<R extends RehearsalRecord>(r: R, signOffs: readonly SignOff[]): R {
    const s = signOffs.find((x) => x.rehearsalId === r.id);
    return s ? { ...r, signOff: s } : r;
  }

  async signOffs(projectId: string): Promise<SignOff[]> {
    return (await this.store.signOffLines(projectId)).flatMap((l) =>
      l.type === 'signoff'
        ? [
            {
              rehearsalId: l.rehearsalId,
              fingerprint: l.fingerprint,
              author: l.author,
              at: l.at,
              ...(l.comment ? { comment: l.comment } : {}),
            },
          ]
        : [],
    );
  }

  /** "latest" or an id (or its unique prefix). */
  async resolveId(projectId: string, id: string | undefined): Promise<string> {
    const list = await this.store.list(projectId);
    if (list.length === 0)
      throw new MmError(
        'not-found',
        'This project has no rehearsal yet: run one with "mm migrate --rehearse".',
        'id',
      );
    if (id === undefined || id === 'latest') return (list[0] as RehearsalRecord).id;
    const found = list.filter((r) => r.id === id || r.id.startsWith(id));
    if (found.length !== 1)
      throw new MmError(
        'not-found',
        found.length === 0
          ? `There is no rehearsal ${id} in this project.`
          : `"${id}" names several rehearsals.`,
        'id',
      );
    return (found[0] as RehearsalRecord).id;
  }

  /** The rehearsal's record and how many objects it holds per kind (never the objects). */
  async outcome(projectId: string, id?: string): Promise<RehearsalOutcome> {
    const resolved = await this.resolveId(projectId, id);
    return this.withSignOff(await this.store.outcome(projectId, resolved), await this.signOffs(projectId));
  }

  /** The rehearsal's objects in pieces, streamed from holdings.json: the caller keeps no more than it needs. */
  async holdings(projectId: string, id?: string): Promise<AsyncIterable<readonly TargetHolding[]>> {
    return this.store.holdings(projectId, await this.resolveId(projectId, id));
  }

  /** One page of the rehearsal's objects (kind and search filter them), with how many match and how many there are. */
  async holdingsPage(projectId: string, id: string | undefined, query: HoldingsQuery): Promise<HoldingsPage> {
    if (query.limit > HOLDINGS_PAGE_MAX || query.limit < 1 || query.offset < 0)
      throw new MmError(
        'invalid-input',
        `A page of holdings is 1 to ${HOLDINGS_PAGE_MAX} objects from an offset of 0 or more (asked: ${query.limit} from ${query.offset}).`,
        'limit',
      );
    return pageOfHoldings(await this.holdings(projectId, id), query);
  }

  /** A side of a diff: the record, its holdings streamed afresh on every pass. */
  private side(projectId: string, record: RehearsalRecord): DiffSide {
    return { record, holdings: () => this.store.holdings(projectId, record.id) };
  }

  /** Against the rehearsal before it (or a given one). */
  async diff(projectId: string, id?: string, against?: string): Promise<RehearsalDiff> {
    return this.diffOf(projectId, await this.outcome(projectId, id), against);
  }

  /** The diff of a rehearsal against the one before it (or `against`), both sides streamed. */
  private async diffOf(projectId: string, to: RehearsalRecord, against?: string): Promise<RehearsalDiff> {
    let from: RehearsalRecord | null = null;
    if (against !== undefined) from = await this.outcome(projectId, against);
    else {
      const older = (await this.store.list(projectId)).find(
        (r) => r.createdAt < to.createdAt || (r.createdAt === to.createdAt && r.id < to.id),
      );
      if (older) from = older;
    }
    return diffRehearsals(from ? this.side(projectId, from) : null, this.side(projectId, to));
  }

  /** The rehearsal's report in pieces (CSV and JSON: every object, as holdings.json streams by). */
  async reportStream(
    projectId: string,
    format: 'html' | 'csv' | 'json',
    id?: string,
  ): Promise<StreamedReport> {
    const outcome = await this.outcome(projectId, id);
    const fileName = rehearsalExportName(projectId, outcome.id, format);
    const holdings = (): Promise<AsyncIterable<readonly TargetHolding[]>> =>
      this.store.holdings(projectId, outcome.id);
    if (format === 'csv')
      return {
        fileName,
        mimeType: 'text/csv',
        pieces: rehearsalCsv(outcome, await holdings()),
      };
    const diff = await this.diffOf(projectId, outcome);
    if (format === 'json')
      return {
        fileName,
        mimeType: 'application/json',
        pieces: rehearsalJsonPieces(outcome, await holdings(), { diff }),
      };
    const html = await this.html(projectId, outcome, diff);
    return { fileName, mimeType: 'text/html', pieces: [html] };
  }

  private async html(
    projectId: string,
    outcome: RehearsalOutcome,
    diff: RehearsalDiff,
    elsewhere?: string,
  ): Promise<string> {
    const project = await this.deps.shared.projects.read(projectId);
    const head = await headOf(await this.store.holdings(projectId, outcome.id));
    return renderHtml(rehearsalReport(outcome, head, diff, project.name, elsewhere));
  }

  /** Signs a finished rehearsal off: recorded in signoffs.jsonl and the project's log. */
  async signOff(
    projectId: string,
    id: string | undefined,
    author = osAuthor(),
    comment?: string,
  ): Promise<SignOff> {
    await assertNotReviewCopy(this.deps.shared.projects, projectId, 'signing a rehearsal off');
    const r = await this.store.get(projectId, await this.resolveId(projectId, id));
    if (r.state !== 'done')
      throw new MmError(
        'invalid-state',
        `Rehearsal ${r.id} ${r.state === 'running' ? 'is still running' : `did not finish (${r.error ?? 'some objects failed'})`}: only a rehearsal that migrated everything can be signed off.`,
        'id',
      );
    if (comment !== undefined && comment.length > 10_000)
      throw new MmError('invalid-input', 'A sign-off comment is at most 10,000 characters.', 'comment');
    const signOff: SignOff = {
      rehearsalId: r.id,
      fingerprint: r.fingerprint,
      author,
      at: new Date().toISOString(),
      ...(comment ? { comment } : {}),
    };
    await this.store.appendSignOff(projectId, { type: 'signoff', ...signOff });
    await this.deps
      .log(projectId)
      .write(
        'info',
        `Rehearsal ${r.id} signed off by ${author} (plan ${r.fingerprint})${comment ? `: ${comment}` : ''}`,
        {
          decision: 'rehearsal-signoff',
          ...signOff,
        },
      );
    return signOff;
  }

  async setPolicy(projectId: string, policy: SignOffPolicy): Promise<SignOffPolicy> {
    await assertNotReviewCopy(this.deps.shared.projects, projectId, 'changing the sign-off policy');
    await this.store.setPolicy(projectId, policy);
    await this.deps.log(projectId).write('info', `Sign-off policy set to ${policy}`);
    return policy;
  }

  private async required(projectId: string): Promise<{ policy: SignOffPolicy; required: boolean }> {
    const policy = await this.store.policy(projectId);
    const required =
      policy === 'required' ||
      (policy === 'after-first-rehearsal' && (await this.store.list(projectId)).length > 0);
    return { policy, required };
  }

  /** The policy, the production plan's fingerprint now, and the sign-off covering it. */
  async status(projectId: string): Promise<RehearsalStatus> {
    const [{ policy, required }, signOffs, list, fresh] = await Promise.all([
      this.required(projectId),
      this.signOffs(projectId),
      this.list(projectId),
      this.deps.shared.verification.isFresh(projectId),
    ]);
    // Only a current verification is planned here: a status is a glance (the Migration page asks
    // for it on every visit), never the trigger of a verification run; nor is a review copy's.
    let fingerprint: string | null = null;
    if (fresh) {
      try {
        fingerprint = (await this.deps.production().plan(projectId)).fingerprint;
      } catch {
        fingerprint = null;
      }
    }
    return {
      policy,
      required,
      fingerprint,
      signOff:
        fingerprint === null ? null : (signOffs.filter((s) => s.fingerprint === fingerprint).at(-1) ?? null),
      latest: list[0] ?? null,
    };
  }

  /**
   * The production run's check (MigrationService.start): a plan whose fingerprint no signed-off
   * rehearsal covers is refused, naming both fingerprints and what changed since, unless the
   * run is forced with a reason (recorded).
   */
  async signOffGate(
    projectId: string,
    fingerprint: string,
    options: { readonly force?: string; readonly author?: string; readonly subset?: PlanSubset },
  ): Promise<void> {
    const { required } = await this.required(projectId);
    if (!required) return;
    const signOffs = await this.signOffs(projectId);
    const covering = signOffs.filter((s) => s.fingerprint === fingerprint).at(-1);
    const log = this.deps.log(projectId);
    if (covering) {
      await log.write(
        'info',
        `Production run of plan ${fingerprint} covered by the sign-off of rehearsal ${covering.rehearsalId} (${covering.author}, ${covering.at})`,
      );
      return;
    }
    const force = options.force?.trim();
    if (force) {
      const override = {
        fingerprint,
        author: options.author ?? osAuthor(),
        at: new Date().toISOString(),
        reason: force,
      };
      await this.store.appendSignOff(projectId, { type: 'override', ...override });
      await log.write(
        'warn',
        `Production run of plan ${fingerprint} forced without a sign-off by ${override.author}: ${force}`,
        {
          decision: 'rehearsal-override',
          ...override,
        },
      );
      return;
    }
    const last = signOffs.at(-1);
    let since = '';
    if (last) {
      const rehearsal = await this.store.get(projectId, last.rehearsalId).catch(() => undefined);
      const then = rehearsal?.basis;
      if (then) {
        const now = await this.basis(projectId, options.subset ?? {});
        const changed = Object.keys({ ...then, ...now }).filter((k) => then[k] !== now[k]);
        const labels = [...new Set(changed.map((k) => BASIS_LABELS[k] ?? k))];
        since = labels.length > 0 ? ` Since then, ${labels.join(', ')} changed.` : '';
      }
    }
    throw new MmError(
      'sign-off-required',
      last
        ? `The plan to migrate now (fingerprint ${fingerprint}) has no signed-off rehearsal: the last sign-off (rehearsal ${last.rehearsalId} by ${last.author}, ${last.at}) covers plan ${last.fingerprint}.${since} Rehearse again (mm migrate --rehearse) and sign it off (mm rehearsal signoff), or force the run with --force "<reason>".`
        : `The plan to migrate now (fingerprint ${fingerprint}) has no signed-off rehearsal, and no rehearsal of this project was ever signed off. Rehearse (mm migrate --rehearse) and sign it off (mm rehearsal signoff), or force the run with --force "<reason>".`,
      'fingerprint',
    );
  }

  /**
   * For a review bundle: the newest 10 rehearsals' records (no objects inside), the sign-offs and
   * forced runs, and each rehearsal's objects as a member of its own
   * (`rehearsals/<id>/holdings.json`), streamed from its holdings.json as the bundle is written
   * and masked holding by holding; the newest one's report (its HTML and CSV list the first
   * objects: every one is in the member).
   */
  async forBundle(projectId: string): Promise<Record<string, unknown>> {
    const list = await this.store.list(projectId);
    if (list.length === 0) return {};
    const signOffs = await this.signOffs(projectId);
    const outcomes: RehearsalOutcome[] = [];
    for (const r of list.slice(0, 10))
      outcomes.push(this.withSignOff(await this.store.outcome(projectId, r.id), signOffs));
    const newest = outcomes[0] as RehearsalOutcome;
    const diff = await this.diffOf(projectId, newest);
    const elsewhere = `rehearsals/${newest.id}/holdings.json of this bundle`;
    const html = await this.html(projectId, newest, diff, elsewhere);
    const project = await this.deps.shared.projects.read(projectId);
    const head = await headOf(await this.store.holdings(projectId, newest.id));
    const csv = renderCsv(rehearsalReport(newest, head, diff, project.name, elsewhere));
    const members: Record<string, unknown> = {
      // Masked like the log: nothing secret-looking leaves in a bundle, even if a field slipped by.
      'rehearsals/rehearsals.json': maskSecrets({
        rehearsals: outcomes,
        signoffs: await this.store.signOffLines(projectId),
      }),
      'reports/rehearsal-report.json': { html, csv },
    };
    const store = this.store;
    for (const o of outcomes)
      members[`rehearsals/${o.id}/holdings.json`] = new StreamedArray(async function* () {
        for await (const part of await store.holdings(projectId, o.id)) yield part.map((h) => maskSecrets(h));
      });
    return members;
  }
}

/** A report in pieces, to write to a file or stdout as they come. */
export interface StreamedReport {
  readonly fileName: string;
  readonly mimeType: string;
  readonly pieces: AsyncIterable<string> | Iterable<string>;
}
