/**
 * Runs a plan into the target through the journal: dependencies first, up to `concurrency`
 * steps in flight (and `perServer` agent calls per source server), each step's intent durable
 * before its call and its outcome durable before its dependents start. A step whose earlier
 * attempt left an intent (a crash, a lost answer, a failure) is reconciled by look-up before it
 * is tried again, so nothing is created twice. A refusal fails that step's object and what
 * depends on it; everything else goes on. Pause and cancel stop at a step boundary.
 *
 * At the end the target is read back: a step counts as done only when its object was found,
 * and the batch says "found N of N" per kind.
 */
import type {
  ContentProgress,
  CreatedKind,
  JobSummary,
  KindCount,
  MigrationFailure,
  MigrationPlan,
  ObjectState,
  PlanStep,
  StepOutcome,
  StepState,
  TargetIds,
} from '../../../shared/model/migration';
import { CREATED_KINDS } from '../../../shared/model/migration';
import type { JobRecord, JournalPort, JournalState } from './journal';
import { countsAs, finalJobState, recordedState, settledBad, settledOk } from './step-rules';
import { BatchObjects } from './batch-objects';
import { BatchTally } from './batch-tally';
import { eachLink, linksOf, planLinks } from './plan-links';
import type { ContentPort } from './content-port';
import { type ReadBackStep, isWholeStep, readBackStepOf } from './read-back-step';
import { type ProvisioningTarget, type StepContext, StepFailureError, type StepIntent } from './target-port';

/** The source side of a batch: disabling migrated subscriptions through the agent. */
export interface SourcePort {
  disableSubscriptions(
    serverId: string,
    subscriptionIds: readonly string[],
    signal: AbortSignal,
  ): Promise<void>;
}

export type Control = 'pause' | 'cancel' | undefined;

export interface ExecutorDeps {
  readonly journal: JournalPort;
  readonly target: ProvisioningTarget;
  readonly source: SourcePort;
  /** Content steps (sites, mailboxes) from the source's agent to the target's nodes. */
  readonly content?: ContentPort;
  unseal(value: string, kind?: 'password' | 'card'): Promise<string>;
  log(level: 'info' | 'warn' | 'error', message: string, details?: unknown): Promise<void>;
  progress(summary: JobSummary): void;
  /** Asked between steps: has someone asked to pause or cancel (this process or another)? */
  control(): Promise<Control>;
}

export interface BatchResult {
  readonly job: JobRecord;
  readonly summary: JobSummary;
  readonly states: ReadonlyMap<string, StepState>;
}

const READ_BACK_CHUNK = 500;

interface CountsSnapshot {
  readonly objects: JobSummary['objects'];
  readonly stepsDone: number;
  readonly stepsFailed: number;
  readonly created: Record<CreatedKind, number>;
  readonly planned: Record<CreatedKind, number>;
  readonly found: Record<CreatedKind, number>;
  readonly failures: MigrationFailure[];
}
const CONTROL_EVERY_MS = 200;

/** A binary min-heap of plan indexes: ready steps run in plan order. */
class ReadyQueue {
  readonly #heap: number[] = [];
  get size(): number {
    return this.#heap.length;
  }
  push(v: number): void {
    const h = this.#heap;
    h.push(v);
    for (let i = h.length - 1; i > 0;) {
      const p = (i - 1) >> 1;
      if ((h[p] as number) <= v) break;
      h[i] = h[p] as number;
      h[p] = v;
      i = p;
    }
  }
  /** Removes and returns the smallest index that `accept` takes; others stay queued. */
  take(accept: (v: number) => boolean): number | undefined {
    const skipped: number[] = [];
    let found: number | undefined;
    while (this.#heap.length > 0) {
      const v = this.#pop();
      if (accept(v)) {
        found = v;
        break;
      }
      skipped.push(v);
      if (skipped.length > 64) break; // everything ahead waits for a busy server: try later
    }
    for (const s of skipped) this.push(s);
    return found;
  }
  #pop(): number {
    const h = this.#heap;
    const top = h[0] as number;
    const last = h.pop() as number;
    if (h.length > 0) {
      h[0] = last;
      for (let i = 0; ;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && (h[l] as number) < (h[m] as number)) m = l;
        if (r < h.length && (h[r] as number) < (h[m] as number)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m] as number, h[i] as number];
        i = m;
      }
    }
    return top;
  }
}

export class BatchExecutor {
  /**
   * The plan's steps in plan order; a step whose outcome is settled (done, not carried) is
   * replaced by what the read-back and the summary read of it (read-back-step.ts), so its
   * payload, and what of the inventory it holds, is not kept for the rest of the batch.
   */
  readonly #steps: (PlanStep | ReadBackStep)[];
  /** Of the plan, only its objects (as flat arrays, for the object states) and fingerprint are kept. */
  readonly #objects: BatchObjects;
  readonly #fingerprint: string;
  readonly #index: ReadonlyMap<string, number>;
  /** Step -> the steps depending on it: `#dependentList[#dependentStart[i] .. #dependentStart[i + 1])`. */
  readonly #dependentStart: Int32Array;
  readonly #dependentList: Int32Array;
  readonly #states: StepState[];
  /**
   * Per plan step: the target ids of its done outcome (what dependents and the read-back need),
   * and the messages of failed ones. The rest of an outcome (when, how found) is in the journal
   * and not kept in memory for the rest of the batch (issue 19: the live heap the collector
   * traces grew by every step's outcome). Outcomes of steps outside this plan (an earlier
   * batch's) are read from the loaded journal.
   * Measured on the whole-source bench, the old and this code run side by side (load 9-23, so
   * CPU figures are +-5 %): heap kept by the provisioning, after a full GC, 501 -> 172 bytes per
   * step at 0.3x and 442 -> 99 at 1x (with the intents no longer kept, the flat dependents and
   * the tally's typed arrays); heap when the batch starts 65 -> 51 MB (0.3x), 159 -> 126 MB
   * (1x); peak RSS 458 -> 406 MB, 824 -> 678 MB; CPU per 1,000 steps 1,755 -> 1,696 ms (0.3x),
   * 1,852 -> 1,923 ms (1x, noise), GC pauses 547 -> 538 ms (1x). At 3x (233,805 steps, load
   * 5-9): kept per step 388 -> 75 bytes, heap at start 428 -> 339 MB, peak RSS 1,340 -> 1,205
   * MB, CPU 1,655 -> 1,576 ms and GC 231 -> 224 ms per 1,000 steps, mark-compacts 0.24 -> 0.16
   * per 1,000 steps, 267 -> 268 steps/s. What is left per step is the target's ids (~70 bytes,
   * needed by dependents and the read-back).
   */
  readonly #doneIds: (TargetIds | undefined)[];
  readonly #failedMessages = new Map<number, string>();
  readonly #waiting: Int32Array;
  readonly #ready = new ReadyQueue();
  readonly #inflightPerServer = new Map<string, number>();
  readonly #running = new Set<number>();
  #inflight = 0;
  #doneThisRun = 0;
  readonly #started = Date.now();
  #stopped: Control;
  /** The summary's counts, kept as steps change (batch-tally.ts says why). */
  readonly #tally: BatchTally;
  /** The content steps' indexes: the content progress walks these, not every step. */
  readonly #contentSteps: readonly number[];

  constructor(
    private readonly deps: ExecutorDeps,
    private job: JobRecord,
    plan: MigrationPlan,
    private readonly journal: JournalState,
    private readonly signal: AbortSignal,
  ) {
    this.#steps = [...plan.steps];
    this.#fingerprint = plan.fingerprint;
    const links = planLinks(plan);
    this.#index = links.index;
    this.#objects = new BatchObjects(links);
    this.#states = this.#steps.map((s) => recordedState(journal.outcomes.get(s.id), job));
    this.#doneIds = this.#steps.map((s) => {
      const o = journal.outcomes.get(s.id)?.outcome;
      return o?.state === 'done' ? o.ids : undefined;
    });
    this.#waiting = new Int32Array(this.#steps.length);
    // Dependents as one flat array (CSR) rather than an array per step: two objects for the
    // collector to trace instead of one per step for the whole batch.
    const dependents = linksOf(this.#steps.length, (add) =>
      eachLink(links.dependencies, (i, d) => add(d, i)),
    );
    this.#dependentStart = dependents.start;
    this.#dependentList = dependents.to;
    // Plan order is dependency order: one pass settles what is blocked and what is ready.
    const { start, to } = links.dependencies;
    for (let i = 0; i < this.#steps.length; i++) {
      if (this.#states[i] !== 'pending') continue;
      let waiting = 0;
      let blocked = false;
      for (let p = start[i] as number; p < (start[i + 1] as number); p++) {
        const ds = this.#states[to[p] as number] as StepState;
        if (settledBad(ds)) {
          blocked = true;
          break;
        }
        if (!settledOk(ds)) waiting++;
      }
      if (blocked) {
        this.#states[i] = 'blocked';
        continue;
      }
      this.#waiting[i] = waiting;
      if (waiting === 0) this.#ready.push(i);
    }
    this.#tally = new BatchTally(plan, links, this.#states);
    this.#contentSteps = this.#steps.flatMap((s, i) => (s.kind === 'content' ? [i] : []));
    // Steps settled by an earlier run will not run in this one.
    this.#states.forEach((state, i) => {
      if (state === 'done' || state === 'not-carried') this.#reduce(i);
    });
  }

  /** A settled step: keep only what the read-back and the summary read of it. */
  #reduce(i: number): void {
    const s = this.#steps[i];
    if (s && isWholeStep(s)) this.#steps[i] = readBackStepOf(s);
  }

  /** A step about to run: still whole, as only settled steps are reduced. */
  #whole(i: number): PlanStep {
    const s = this.#steps[i];
    if (!s || !isWholeStep(s)) throw new Error(`step ${s?.id ?? i} is settled: it does not run again`);
    return s;
  }

  /** Every change of a step's state goes through here, so the tally follows it. */
  #setState(i: number, state: StepState): void {
    const from = this.#states[i] as StepState;
    this.#states[i] = state;
    this.#tally.changed(i, from);
  }

  get states(): ReadonlyMap<string, StepState> {
    return new Map(this.#steps.map((s, i) => [s.id, this.#states[i] as StepState]));
  }

  async run(): Promise<BatchResult> {
    await this.#setJob({ state: 'running', fingerprint: this.#fingerprint });
    const ticker = setInterval(() => this.deps.progress(this.summary(false)), 250);
    try {
      await this.#schedule();
      if (!this.#stopped) {
        await this.#setJob({ state: 'reconciling' });
        await this.#readBack();
      }
    } finally {
      clearInterval(ticker);
    }
    const summary = this.summary();
    const mismatch = summary.reconciliation
      ? CREATED_KINDS.some((k) => summary.reconciliation?.[k].found !== summary.reconciliation?.[k].planned)
      : false;
    const state = finalJobState(this.#stopped, summary.objects.failed, mismatch);
    const message =
      state === 'failed'
        ? mismatch
          ? `The target holds ${describeMismatch(summary.reconciliation)}`
          : `${summary.objects.failed} of ${summary.objects.total} objects failed`
        : undefined;
    await this.#setJob({ state, ...(message ? { message } : {}) });
    const final = this.summary();
    this.deps.progress(final);
    return { job: this.job, summary: final, states: this.states };
  }

  async #setJob(patch: Partial<JobRecord>): Promise<void> {
    const { message: _drop, ...rest } = this.job;
    this.job = { ...rest, ...patch, updatedAt: new Date().toISOString() };
    await this.deps.journal.append([{ t: 'job', job: this.job }]);
    this.deps.progress(this.summary());
  }

  async #schedule(): Promise<void> {
    const { concurrency, perServer } = this.job.options;
    await new Promise<void>((resolveAll) => {
      let checking = false;
      let lastControl = Date.now();
      const pump = (): void => {
        if (checking) return;
        // An abort is the process shutting down: the batch pauses, to be resumed.
        if (this.#stopped === undefined && this.signal.aborted) this.#stopped = 'pause';
        while (!this.#stopped && this.#inflight < concurrency && this.#ready.size > 0) {
          const i = this.#ready.take((v) => {
            const s = this.#steps[v] as PlanStep | ReadBackStep;
            if (!usesAgent(s)) return true;
            return (this.#inflightPerServer.get(s.object.serverId) ?? 0) < perServer;
          });
          if (i === undefined) break;
          this.#start(i, () => {
            // Between steps: has anyone asked to pause or cancel? Asked at most every 200 ms
            // (it is a file read: once per step would cost more than a small step itself).
            if (Date.now() - lastControl < CONTROL_EVERY_MS) {
              pump();
              return;
            }
            lastControl = Date.now();
            checking = true;
            void this.deps
              .control()
              .catch(() => undefined)
              .then((c) => {
                checking = false;
                if (c && !this.#stopped) this.#stopped = c;
                pump();
              });
          });
        }
        if (this.#inflight === 0 && (this.#stopped || this.#ready.size === 0)) resolveAll();
      };
      pump();
    });
  }

  #start(i: number, after: () => void): void {
    const step = this.#whole(i);
    this.#inflight++;
    this.#running.add(i);
    this.#tally.running(i, 1);
    const server = step.object.serverId;
    if (usesAgent(step)) this.#inflightPerServer.set(server, (this.#inflightPerServer.get(server) ?? 0) + 1);
    this.#setState(i, 'running');
    void this.#execute(step)
      .catch((e: unknown) => this.#failed(step, e))
      .then(async (outcome) => {
        await this.deps.journal.append([
          { t: 'outcome', job: this.job.jobId, step: step.id, epoch: this.job.epoch, outcome },
        ]);
        // Its outcome is durable and it will not run again in this batch run: an earlier
        // attempt's intent loaded from the journal is needed no more.
        this.journal.intents.delete(step.id);
        this.#settle(i, outcome);
      })
      .catch(async (e: unknown) => {
        // The journal itself failed: stop the batch, the step stays open for the next run.
        this.#stopped = 'pause';
        this.#setState(i, 'pending');
        await this.deps
          .log('error', `The migration journal could not be written: ${errorText(e)}`)
          .catch(() => undefined);
      })
      .finally(() => {
        this.#inflight--;
        this.#running.delete(i);
        this.#tally.running(i, -1);
        if (usesAgent(step))
          this.#inflightPerServer.set(server, (this.#inflightPerServer.get(server) ?? 1) - 1);
        after();
      });
  }

  #failed(step: PlanStep, e: unknown): StepOutcome {
    const transient = e instanceof StepFailureError ? e.transient : false;
    const message = errorText(e);
    void this.deps
      .log('error', `${step.label}: ${message}`, {
        object: { kind: step.object.kind, serverId: step.object.serverId, id: step.object.id },
        step: step.id,
        transient,
      })
      .catch(() => undefined);
    return { state: 'failed', ids: {}, message, via: 'call', at: new Date().toISOString() };
  }

  #settle(i: number, outcome: StepOutcome): void {
    this.#doneIds[i] = outcome.state === 'done' ? outcome.ids : undefined;
    if (outcome.state === 'failed') {
      this.#failedMessages.set(i, outcome.message ?? '');
      this.#setState(i, 'failed');
      this.#block(i);
      return;
    }
    this.#setState(i, outcome.state === 'not-carried' ? 'not-carried' : 'done');
    this.#reduce(i);
    this.#doneThisRun++;
    for (let p = this.#dependentStart[i] as number; p < (this.#dependentStart[i + 1] as number); p++) {
      const d = this.#dependentList[p] as number;
      if (this.#states[d] !== 'pending') continue;
      const w = (this.#waiting[d] ?? 1) - 1;
      this.#waiting[d] = w;
      if (w === 0) this.#ready.push(d);
    }
  }

  /** Everything that depends on a failed step is blocked (transitively). */
  #block(i: number): void {
    const stack = [i];
    while (stack.length > 0) {
      const at = stack.pop() as number;
      for (let p = this.#dependentStart[at] as number; p < (this.#dependentStart[at + 1] as number); p++) {
        const d = this.#dependentList[p] as number;
        if (this.#states[d] !== 'pending') continue;
        this.#setState(d, 'blocked');
        stack.push(d);
      }
    }
  }

  /** One context for the whole batch (its job id never changes), not a new one with closures per step. */
  #ctx: StepContext | undefined;
  #context(): StepContext {
    this.#ctx ??= {
      idsOf: (stepId: string): TargetIds => {
        const i = this.#index.get(stepId);
        const ids =
          i === undefined
            ? ((o) => (o?.state === 'done' ? o.ids : undefined))(this.journal.outcomes.get(stepId)?.outcome)
            : this.#doneIds[i];
        if (!ids) throw new Error(`step ${stepId} has no target ids yet`);
        return ids;
      },
      unseal: (value, kind) => this.deps.unseal(value, kind),
      signal: this.signal,
      jobId: this.job.jobId,
    };
    return this.#ctx;
  }

  async #execute(step: PlanStep): Promise<StepOutcome> {
    const at = (): string => new Date().toISOString();
    if (step.payload.kind === 'not-carried') {
      return { state: 'not-carried', ids: {}, message: step.payload.reason, via: 'call', at: at() };
    }
    const ctx = this.#context();
    const earlier = this.journal.intents.get(step.id);
    if (step.payload.kind === 'source-disable') {
      // Disabling is idempotent on the source: no look-up needed before doing it again.
      const intent: StepIntent = { chosen: {}, attempt: (earlier?.intent.attempt ?? 0) + 1 };
      await this.deps.journal.append([{ t: 'intent', job: this.job.jobId, step: step.id, intent }]);
      await this.deps.source.disableSubscriptions(
        step.object.serverId,
        step.payload.subscriptionIds,
        this.signal,
      );
      return { state: 'done', ids: {}, via: 'call', at: at() };
    }
    if (step.payload.kind === 'content') return this.#content(step, ctx);
    // An earlier attempt (a crash between intent and outcome, a lost answer, a failure): find
    // out whether the target has the object before creating it again.
    if (earlier) {
      const found = await this.deps.target.reconcile(step, earlier.intent, ctx);
      if (found !== 'absent') {
        await this.deps.log('info', `${step.label}: found on the target (${found.via}), not created again`, {
          object: { kind: step.object.kind, serverId: step.object.serverId, id: step.object.id },
          step: step.id,
          ids: found.ids,
        });
        return found;
      }
    }
    const intent = await this.deps.target.prepare(
      step,
      (earlier?.intent.attempt ?? 0) + 1,
      ctx,
      earlier?.intent,
    );
    await this.deps.journal.append([{ t: 'intent', job: this.job.jobId, step: step.id, intent }]);
    // Not added to the loaded journal's intents: a step runs once per batch run, and the next
    // run loads this intent from the journal (kept here, every step's intent stayed alive for
    // the whole batch: issue 19).
    const outcome = await this.deps.target.apply(step, intent, ctx);
    await this.deps.log('info', `${step.label}: created`, {
      object: { kind: step.object.kind, serverId: step.object.serverId, id: step.object.id },
      step: step.id,
      ids: outcome.ids,
    });
    return outcome;
  }

  /** A content step: the same discipline through the content port (source agent → node). */
  async #content(step: PlanStep, ctx: StepContext): Promise<StepOutcome> {
    const port = this.deps.content;
    if (!port) {
      const message = 'content is not moved in this run (no target nodes here)';
      return { state: 'not-carried', ids: {}, message, via: 'call', at: new Date().toISOString() };
    }
    const earlier = this.journal.intents.get(step.id);
    if (earlier) {
      const found = await port.reconcile(step, earlier.intent, ctx);
      if (found !== 'absent') {
        await this.deps.log('info', `${step.label}: found on the node (${found.via}), not moved again`, {
          object: { kind: step.object.kind, serverId: step.object.serverId, id: step.object.id },
          step: step.id,
          ids: found.ids,
        });
        return found;
      }
    }
    const intent = await port.prepare(step, (earlier?.intent.attempt ?? 0) + 1, ctx);
    await this.deps.journal.append([{ t: 'intent', job: this.job.jobId, step: step.id, intent }]);
    const i = this.#index.get(step.id) ?? -1;
    const outcome = await port
      .apply(step, intent, ctx, (bytes) => {
        this.#contentBytesThisRun += bytes - (this.#contentInFlight.get(i) ?? 0);
        this.#contentInFlight.set(i, bytes);
      })
      .finally(() => this.#contentInFlight.delete(i));
    await this.deps.log(
      'info',
      `${step.label}: ${outcome.ids['files']} files, ${outcome.ids['bytes']} bytes verified and published`,
      {
        object: { kind: step.object.kind, serverId: step.object.serverId, id: step.object.id },
        step: step.id,
        ids: outcome.ids,
      },
    );
    return outcome;
  }

  async #readBack(): Promise<void> {
    const done = this.#steps
      .map((step, i) => ({ step, i }))
      .filter(({ step, i }) => this.#states[i] === 'done' && countsAs(step.kind).length > 0);
    const ctx = this.#context();
    const missing: { step: PlanStep | ReadBackStep; i: number }[] = [];
    this.#readBackDone = 0;
    this.#readBackTotal = done.length;
    for (let k = 0; k < done.length; k += READ_BACK_CHUNK) {
      const chunk = done.slice(k, k + READ_BACK_CHUNK);
      let found: ReadonlySet<string>;
      try {
        found = await this.deps.target.readBack(
          chunk.map(({ step, i }) => ({ step: readBackStepOf(step), ids: this.#doneIds[i] ?? {} })),
          ctx,
        );
      } catch (e) {
        // The target could not be read: nothing of this chunk is confirmed.
        await this.deps.log('error', `Reading the target back failed: ${errorText(e)}`);
        found = new Set();
      }
      for (const c of chunk) {
        if (!this.#confirmed.has(c.i)) this.#tally.confirmed(c.i, true);
        this.#confirmed.add(c.i);
        if (!found.has(c.step.id)) missing.push(c);
      }
      this.#readBackDone += chunk.length;
    }
    // A step whose object the target does not hold is not done: record it failed, so a retry
    // reconciles it (and creates it again when it is really absent).
    const at = new Date().toISOString();
    for (const { step, i } of missing) {
      const outcome: StepOutcome = {
        state: 'failed',
        ids: this.#doneIds[i] ?? {},
        message: 'not found on the target when it was read back',
        via: 'look-up',
        at,
      };
      await this.deps.journal.append([
        { t: 'outcome', job: this.job.jobId, step: step.id, epoch: this.job.epoch, outcome },
      ]);
      if (this.#confirmed.delete(i)) this.#tally.confirmed(i, false);
      this.#doneIds[i] = undefined;
      this.#failedMessages.set(i, outcome.message ?? '');
      this.#setState(i, 'failed');
      this.#block(i);
    }
    this.#reconciled = true;
    this.#tally.reconciled();
  }

  #readBackDone = 0;
  #readBackTotal = 0;
  /** Content steps running now: tarball bytes passed on so far. */
  readonly #contentInFlight = new Map<number, number>();
  #contentBytesThisRun = 0;

  /** Files and bytes published to the nodes, with what is in flight now. */
  #contentProgress(): ContentProgress | undefined {
    let total = 0;
    let done = 0;
    let files = 0;
    let bytes = 0;
    for (const i of this.#contentSteps) {
      total++;
      const ids = this.#states[i] === 'done' ? this.#doneIds[i] : undefined;
      if (ids) {
        done++;
        files += Number(ids['files'] ?? 0);
        bytes += Number(ids['bytes'] ?? 0);
      } else bytes += this.#contentInFlight.get(i) ?? 0;
    }
    if (total === 0) return undefined;
    const elapsed = (Date.now() - this.#started) / 1000;
    const bytesPerSecond =
      this.#contentBytesThisRun > 0 ? Math.round(this.#contentBytesThisRun / elapsed) : undefined;
    return { steps: { total, done }, files, bytes, ...(bytesPerSecond ? { bytesPerSecond } : {}) };
  }
  readonly #confirmed = new Set<number>();
  #reconciled = false;

  /** Object states now: domains from their steps, accounts also from their domains. */
  objectStates(): Map<string, ObjectState> {
    return this.#objects.states(
      (i) => this.#states[i] ?? 'pending',
      (i) => this.#running.has(i),
      // Done but not yet read back: still running as far as anyone should know.
      (own) => (own === 'migrated' && !this.#reconciled ? 'running' : own),
    );
  }

  /** The counts now, from the tally; a failed step's message is its recorded outcome's. */
  #countAll(): CountsSnapshot {
    const t = this.#tally.counts();
    const failures: MigrationFailure[] = t.failedSteps.map((i) => {
      const s = this.#steps[i] as PlanStep | ReadBackStep;
      return {
        kind: s.object.kind,
        id: s.object.id,
        server: s.object.serverId,
        step: s.label,
        message: this.#failedMessages.get(i) ?? this.journal.outcomes.get(s.id)?.outcome.message ?? '',
      };
    });
    return { ...t, failures };
  }

  /**
   * The batch now. (`fresh` is kept for callers: the counts are always current, as the tally
   * follows every step; they used to be up to a second old unless fresh.)
   */
  summary(_fresh = true): JobSummary {
    const content = this.#contentProgress();
    const { objects, stepsDone, stepsFailed, created, planned, found, failures } = this.#countAll();
    const total = this.#steps.length;
    const elapsed = (Date.now() - this.#started) / 1000;
    const rate = this.#doneThisRun / Math.max(elapsed, 0.001);
    const left = total - stepsDone - stepsFailed;
    return {
      jobId: this.job.jobId,
      projectId: this.job.projectId,
      state: this.job.state,
      createdAt: this.job.createdAt,
      updatedAt: this.job.updatedAt,
      concurrency: this.job.options.concurrency,
      objects,
      steps: { total, done: stepsDone, failed: stepsFailed },
      created,
      ...(this.#reconciled
        ? {
            reconciliation: Object.fromEntries(
              CREATED_KINDS.map((k) => [k, { planned: planned[k], found: found[k] } satisfies KindCount]),
            ) as Record<CreatedKind, KindCount>,
          }
        : {}),
      failures,
      ...(this.job.state === 'running' && rate > 0 && left > 0
        ? { etaSeconds: Math.round(left / rate) }
        : {}),
      ...(this.job.state === 'reconciling'
        ? { readBack: { done: this.#readBackDone, total: this.#readBackTotal } }
        : {}),
      ...(content ? { content } : {}),
    };
  }
}

/** Steps that run the agent on their source server count against its `perServer` limit. */
function usesAgent(step: Pick<PlanStep, 'kind'>): boolean {
  return step.kind === 'source-disable' || step.kind === 'content';
}

function describeMismatch(r: JobSummary['reconciliation']): string {
  if (!r) return 'nothing read back';
  return CREATED_KINDS.filter((k) => r[k].found !== r[k].planned)
    .map((k) => `${r[k].found} of ${r[k].planned} ${k}`)
    .join(', ');
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
