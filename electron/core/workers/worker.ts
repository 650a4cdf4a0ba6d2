/**
 * Batches spread over workers (issue 15). `startSpreadBatch` plans a batch once, records it in
 * the shared journal as running, splits it into units (`units.ts`) and queues them.
 * `runWorker` (`mm worker`) takes units from the queues of its servers and runs each through
 * the same executor as a local batch — the journal's intent/outcome discipline, reconciling by
 * look-up what an earlier attempt (a worker that died) may have done — then records the unit
 * and, with the last unit, the batch's end.
 */
import { hostname } from 'node:os';
import type pg from 'pg';
import type PgBoss from 'pg-boss';
import type { JobState, MigrationPlan } from '../../../shared/model/migration';
import type { Core } from '../core';
import { osAuthor } from '../decisions/author';
import { MmError } from '../errors';
import { CARD_CONTEXT, PASSWORD_CONTEXT, unsealInventoryValue } from '../inventory/seal-inventory';
import { type ContentPort, createContentPort } from '../migration/content-port';
import type { ProvisioningTarget } from '../migration/target-port';
import { BatchExecutor, type Control } from '../migration/executor';
import type { JobOptions, JobRecord, JournalPort } from '../migration/journal';
import { PgJournal, PRODUCTION_VENUE, batchLockKey } from '../migration/pg-journal';
import { createPoaPbaTarget } from '../migration/poa-pba-target';
import { agentSourcePort } from '../migration/source-port';
import { assertInventorySecretsOpen } from '../secrets/reseal-inventories';
import { sharedSecrets } from '../secrets/shared-secrets';
import { type PgStore, linkedPgStore } from '../store/postgres-store';
import { type QueueOptions, type UnitMessage, openQueue, queueName, sendUnits } from './unit-queue';
import { insertUnits, setUnit, type UnitRow, unitPlan, unitsOf, unitsOfJob } from './units';

export interface Shared {
  readonly store: PgStore;
  readonly projectId: string;
  readonly journal: PgJournal;
}

export async function shared(core: Core, projectId: string): Promise<Shared> {
  const linked = await linkedPgStore(core.projects.projectDir(projectId));
  if (!linked)
    throw new MmError(
      'not-shared',
      `Project ${projectId} is kept in files: workers need it shared on PostgreSQL first ("mm project move --store postgres://…").`,
      '--project',
    );
  return {
    store: linked.store,
    projectId: linked.projectId,
    journal: new PgJournal(linked.store, linked.projectId, PRODUCTION_VENUE),
  };
}

export interface SpreadOptions extends QueueOptions {
  readonly accounts?: readonly string[];
  readonly domains?: readonly string[];
  /** Steps in flight per unit. */
  readonly concurrency?: number;
  readonly perServer?: number;
  readonly author?: string;
  /** Run without a signed-off rehearsal of this plan, for this recorded reason. */
  readonly force?: string;
}

/** Plans a batch, records it running and queues its units; returns at once. */
export async function startSpreadBatch(
  core: Core,
  projectId: string,
  options: SpreadOptions = {},
): Promise<{ jobId: string; units: number }> {
  const s = await shared(core, projectId);
  const state = await s.journal.load();
  // a paused batch is unfinished too: its units wait in the queue for `mm workers resume`
  const unfinished = [...state.jobs.values()].find((j) =>
    ['queued', 'running', 'paused', 'reconciling'].includes(j.state),
  );
  if (unfinished)
    throw new MmError(
      'busy',
      `Batch ${unfinished.jobId} of this project is still ${unfinished.state}.`,
      'project',
    );
  const subset = {
    ...(options.accounts ? { accounts: options.accounts } : {}),
    ...(options.domains ? { domains: options.domains } : {}),
  };
  const plan = await core.migration.plan(projectId, subset);
  await core.rehearsals.signOffGate(projectId, plan.fingerprint, {
    subset,
    ...(options.force !== undefined ? { force: options.force } : {}),
    ...(options.author !== undefined ? { author: options.author } : {}),
  });
  const units = unitsOf(plan);
  const now = new Date().toISOString();
  const jobOptions: JobOptions = {
    ...subset,
    concurrency: options.concurrency ?? 4,
    perServer: options.perServer ?? 2,
    author: options.author ?? osAuthor(),
    services: false,
  };
  const job: JobRecord = {
    jobId: crypto.randomUUID(),
    projectId,
    createdAt: now,
    updatedAt: now,
    state: 'running',
    options: jobOptions,
    epoch: 1,
    fingerprint: plan.fingerprint,
  };
  await s.journal.append([{ t: 'job', job }]);
  await insertUnits(s.store, s.projectId, job.jobId, units);
  const boss = await openQueue(s.store, options);
  try {
    await sendUnits(boss, s.projectId, job.jobId, units, options);
  } finally {
    await boss.stop({ graceful: false, wait: true });
  }
  await core
    .log(projectId)
    .write(
      'info',
      `Migration batch ${job.jobId.slice(0, 8)} spread over workers in ${units.length} units by ${jobOptions.author}`,
    );
  return { jobId: job.jobId, units: units.length };
}

export interface WorkerOptions extends QueueOptions {
  readonly concurrency?: number;
  /** Only the units of these source servers (ids). */
  readonly servers?: readonly string[];
  /** Aborted: take no more units; running ones pause at a step boundary and go back to the queue. */
  readonly signal: AbortSignal;
  /** Stop once no unit is left in any running batch (tests, benches); else wait for more. */
  readonly untilIdle?: boolean;
  say?(line: string): void;
}

export interface WorkerResult {
  readonly workerId: string;
  readonly unitsDone: number;
  readonly stepsDone: number;
}

/** Drops the unit executor's batch-state records: the batch's state is the spread batch's own. */
function unitJournal(journal: JournalPort): JournalPort {
  return {
    load: () => journal.load(),
    append: (entries) => journal.append(entries.filter((e) => e.t !== 'job')),
    close: () => Promise.resolve(),
  };
}

/** The latest record of a batch, straight from the journal (one row). */
export async function latestJob(s: Shared, jobId: string): Promise<JobRecord | undefined> {
  const { rows } = await s.store.query<{ entry: { job: JobRecord } }>(
    `SELECT entry FROM mm_journal WHERE project_id = $1 AND venue = $2 AND entry->>'t' = 'job'
       AND entry->'job'->>'jobId' = $3 ORDER BY seq DESC LIMIT 1`,
    [s.projectId, PRODUCTION_VENUE, jobId],
  );
  return rows[0]?.entry.job;
}

/** With its last unit settled, the batch gets its end state. */
async function finishIfLast(s: Shared, jobId: string): Promise<void> {
  const units = await unitsOfJob(s.store, s.projectId, jobId);
  if (units.some((u) => !['done', 'failed', 'cancelled'].includes(u.state))) return;
  const job = await latestJob(s, jobId);
  if (!job || job.state !== 'running') return;
  const failed = units.filter((u) => u.state === 'failed').length;
  const state: JobState =
    failed > 0 ? 'failed' : units.some((u) => u.state === 'cancelled') ? 'cancelled' : 'done';
  const { message: _m, ...rest } = job;
  await s.journal.append([
    {
      t: 'job',
      job: {
        ...rest,
        state,
        updatedAt: new Date().toISOString(),
        ...(failed > 0 ? { message: `${failed} of ${units.length} units failed` } : {}),
      },
    },
  ]);
}

class UnitBusy extends Error {}

interface UnitPorts {
  readonly target: ProvisioningTarget;
  readonly content: ContentPort;
}

/** Runs one unit under its advisory lock; returns the steps it settled. */
async function runUnit(
  core: Core,
  s: Shared,
  msg: UnitMessage,
  workerId: string,
  signal: AbortSignal,
  plans: Map<string, Promise<MigrationPlan>>,
  ports: () => Promise<UnitPorts>,
): Promise<number> {
  const client: pg.PoolClient = await s.store.pool.connect();
  const lockKey = `mm-unit/${msg.projectId}/${msg.jobId}/${msg.unit}`;
  try {
    const { rows } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS ok', [
      lockKey,
    ]);
    if (!rows[0]?.ok) throw new UnitBusy(`unit ${msg.unit} is being run by another live worker`);
    // Shared with other workers, exclusive for `mm migrate`: never both on one project at once.
    const batchKey = batchLockKey(s.projectId, PRODUCTION_VENUE);
    const shared = await client.query<{ ok: boolean }>(
      'SELECT pg_try_advisory_lock_shared(hashtext($1)) AS ok',
      [batchKey],
    );
    if (!shared.rows[0]?.ok) {
      await client.query('SELECT pg_advisory_unlock(hashtext($1))', [lockKey]).catch(() => undefined);
      throw new UnitBusy('a batch of this project runs with mm migrate elsewhere');
    }
    try {
      const job = await latestJob(s, msg.jobId);
      if (!job) throw new MmError('not-found', `There is no batch ${msg.jobId}.`, 'jobId');
      if (job.state === 'cancelled') {
        await setUnit(s.store, s.projectId, msg.jobId, msg.unit, { state: 'cancelled' });
        return 0;
      }
      // paused between the worker's look and its fetch: not one step of it starts
      if (job.state === 'paused') throw new UnitBusy(`batch ${msg.jobId.slice(0, 8)} is paused`);
      await setUnit(s.store, s.projectId, msg.jobId, msg.unit, { state: 'running', workerId, started: true });
      const projectId = s.projectId;
      // the batch planned once per worker, each unit cut from it (planning per unit would cost
      // a whole plan's CPU for every account)
      let batchPlan = plans.get(msg.jobId);
      if (!batchPlan) {
        batchPlan = core.migration.plan(projectId, {
          ...(job.options.accounts ? { accounts: job.options.accounts } : {}),
          ...(job.options.domains ? { domains: job.options.domains } : {}),
        });
        batchPlan.catch(() => plans.delete(msg.jobId));
        plans.set(msg.jobId, batchPlan);
      }
      const plan =
        unitPlan(await batchPlan, msg.unit) ??
        (await core.migration.plan(projectId, { accounts: msg.accounts }));
      const unitJob: JobRecord = {
        ...job,
        options: { ...job.options, accounts: msg.accounts },
      };
      const { target, content } = await ports();
      const log = core.log(projectId);
      let lastSaved = 0;
      const executor = new BatchExecutor(
        {
          journal: unitJournal(s.journal),
          target,
          source: agentSourcePort(core.servers, projectId),
          content,
          unseal: (value, kind) =>
            unsealInventoryValue(
              core.secrets,
              kind === 'card' ? CARD_CONTEXT : PASSWORD_CONTEXT,
              value,
              projectId,
            ),
          log: (level, message, details) => log.write(level, message, details),
          progress: (summary) => {
            if (Date.now() - lastSaved < 1_000) return;
            lastSaved = Date.now();
            void setUnit(s.store, projectId, msg.jobId, msg.unit, { stepsDone: summary.steps.done }).catch(
              () => undefined,
            );
          },
          control: async (): Promise<Control> => {
            const latest = await latestJob(s, msg.jobId);
            return latest?.state === 'paused'
              ? 'pause'
              : latest?.state === 'cancelled'
                ? 'cancel'
                : undefined;
          },
        },
        unitJob,
        plan,
        await s.journal.loadSteps(plan.steps.map((st) => st.id)),
        signal,
      );
      const result = await executor.run();
      const state = result.summary.state;
      const settled = result.summary.steps.done;
      if (state === 'paused') {
        await setUnit(s.store, projectId, msg.jobId, msg.unit, { state: 'paused', stepsDone: settled });
        throw new UnitBusy(`unit ${msg.unit} paused`);
      }
      await setUnit(s.store, projectId, msg.jobId, msg.unit, {
        state: state === 'done' ? 'done' : state === 'cancelled' ? 'cancelled' : 'failed',
        stepsDone: settled,
        message: result.job.message ?? null,
      });
      await s.store.query(
        'UPDATE mm_workers SET units_done = units_done + 1, steps_done = steps_done + $2, seen_at = now() WHERE worker_id = $1',
        [workerId, settled],
      );
      await finishIfLast(s, msg.jobId);
      return settled;
    } finally {
      await client.query('SELECT pg_advisory_unlock_shared(hashtext($1))', [batchKey]).catch(() => undefined);
      await client.query('SELECT pg_advisory_unlock(hashtext($1))', [lockKey]).catch(() => undefined);
    }
  } finally {
    client.release();
  }
}

/** `mm worker`: takes units until aborted (or, with untilIdle, until none is left). */
export async function runWorker(
  core: Core,
  projectId: string,
  options: WorkerOptions,
): Promise<WorkerResult> {
  const s = await shared(core, projectId);
  const servers = options.servers ?? (await core.servers.list(projectId)).map((x) => x.id);
  const concurrency = options.concurrency ?? 1;
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64)
    throw new MmError(
      'invalid-input',
      `--concurrency must be a whole number from 1 to 64, not ${concurrency}.`,
      '--concurrency',
    );
  // a data dir that cannot open the project's customers' secrets is refused before it takes a
  // unit (each would fail and go back to the queue), naming the grant that fixes it
  await assertInventorySecretsOpen(sharedSecrets(core.secrets), projectId);
  const workerId = `${hostname()}:${process.pid}:${crypto.randomUUID().slice(0, 8)}`;
  await s.store.query(
    `INSERT INTO mm_workers (worker_id, project_id, host, pid, concurrency, servers) VALUES ($1, $2, $3, $4, $5, $6)`,
    [workerId, s.projectId, hostname(), process.pid, concurrency, [...servers]],
  );
  // the Workers page hears a worker come and go (its units' moves notify on their own)
  const announce = (state: string): Promise<unknown> =>
    s.store
      .query('SELECT pg_notify($1, $2)', [
        'mm_changes',
        JSON.stringify({ t: 'unit', p: s.projectId, job: '', unit: '', state, worker: workerId }),
      ])
      .catch(() => undefined);
  await announce('worker-started');
  const queues = servers.map((id) => queueName(s.projectId, id));
  const boss: PgBoss = await openQueue(s.store, options);
  let unitsDone = 0;
  let stepsDone = 0;
  const say = options.say ?? ((): void => undefined);
  const beat = setInterval(() => {
    void s.store
      .query('UPDATE mm_workers SET seen_at = now() WHERE worker_id = $1', [workerId])
      .catch(() => undefined);
  }, 5_000);
  const plans = new Map<string, Promise<MigrationPlan>>();
  // one target client and content port per worker, shared by its units (as a batch's steps share
  // them): opening them per unit would unseal the credentials and reconnect for every account
  let opened: Promise<UnitPorts> | undefined;
  const ports = (): Promise<UnitPorts> =>
    (opened ??= (async () => ({
      target: createPoaPbaTarget(await core.target.clients(s.projectId)),
      content: createContentPort({ servers: core.servers, nodes: core.nodes, projectId: s.projectId }),
    }))().catch((e: unknown) => {
      opened = undefined;
      throw e;
    }));
  const loop = async (): Promise<void> => {
    let idleRounds = 0;
    while (!options.signal.aborted) {
      let took = false;
      // a paused batch: take no new unit (those in hand stop at their next step boundary)
      const held = await pausedBatches(s).catch(() => [] as string[]);
      for (const q of held.length > 0 ? [] : queues) {
        if (options.signal.aborted) break;
        if (!(await boss.getQueue(q))) continue;
        const [job] = await boss.fetch<UnitMessage>(q, { batchSize: 1 });
        if (!job) continue;
        took = true;
        say(`unit ${job.data.unit} of batch ${job.data.jobId.slice(0, 8)} taken`);
        try {
          const n = await runUnit(core, s, job.data, workerId, options.signal, plans, ports);
          stepsDone += n;
          unitsDone++;
          await boss.complete(q, job.id);
          say(`unit ${job.data.unit} settled (${n} steps)`);
        } catch (e) {
          const message = e instanceof Error ? e.message : String(e);
          say(`unit ${job.data.unit} given back: ${message}`);
          await boss.fail(q, job.id, { message }).catch(() => undefined);
          if (!(e instanceof UnitBusy))
            await setUnit(s.store, s.projectId, job.data.jobId, job.data.unit, {
              state: 'queued',
              message,
            }).catch(() => undefined);
        }
      }
      if (took) {
        idleRounds = 0;
        continue;
      }
      if (options.untilIdle && (await nothingLeft(s))) {
        if (++idleRounds >= 2) break;
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  };
  try {
    await Promise.all(Array.from({ length: concurrency }, () => loop()));
  } finally {
    clearInterval(beat);
    await s.store
      .query('UPDATE mm_workers SET stopped_at = now(), seen_at = now() WHERE worker_id = $1', [workerId])
      .catch(() => undefined);
    await announce('worker-stopped');
    await boss.stop({ graceful: false, wait: true }).catch(() => undefined);
    const open = await opened?.catch(() => undefined);
    await open?.target.close().catch(() => undefined);
    await open?.content.close().catch(() => undefined);
  }
  return { workerId, unitsDone, stepsDone };
}

/** The project's spread batches that are paused now (at most one: a project runs one batch). */
async function pausedBatches(s: Shared): Promise<string[]> {
  const { rows } = await s.store.query<{ job_id: string }>(
    `SELECT DISTINCT job_id FROM mm_units WHERE project_id = $1 AND state NOT IN ('done', 'failed', 'cancelled')`,
    [s.projectId],
  );
  const paused: string[] = [];
  for (const r of rows) if ((await latestJob(s, r.job_id))?.state === 'paused') paused.push(r.job_id);
  return paused;
}

/** No unit of a running batch waits or runs. */
async function nothingLeft(s: Shared): Promise<boolean> {
  const { rows } = await s.store.query<{ n: string }>(
    `SELECT count(*) AS n FROM mm_units WHERE project_id = $1 AND state NOT IN ('done', 'failed', 'cancelled')`,
    [s.projectId],
  );
  return Number(rows[0]?.n ?? 0) === 0;
}

export interface WorkerRow {
  readonly workerId: string;
  readonly host: string;
  readonly pid: number;
  readonly concurrency: number;
  readonly servers: readonly string[];
  readonly startedAt: string;
  readonly seenAt: string;
  readonly stoppedAt: string | null;
  readonly unitsDone: number;
  readonly stepsDone: number;
  /** Steps settled per minute since the worker started. */
  readonly stepsPerMinute: number;
}

/** Workers of the project and the units of each spread batch (`mm workers status`, the UI). */
export async function spreadStatus(
  core: Core,
  projectId: string,
): Promise<{ workers: WorkerRow[]; batches: { jobId: string; state: string; units: UnitRow[] }[] }> {
  const s = await shared(core, projectId);
  const { rows } = await s.store.query<{
    worker_id: string;
    host: string;
    pid: number;
    concurrency: number;
    servers: string[];
    started_at: Date;
    seen_at: Date;
    stopped_at: Date | null;
    units_done: number;
    steps_done: number;
  }>('SELECT * FROM mm_workers WHERE project_id = $1 ORDER BY started_at', [s.projectId]);
  const workers = rows.map((r) => {
    const minutes = Math.max(
      ((r.stopped_at ?? r.seen_at).getTime() - r.started_at.getTime()) / 60_000,
      1 / 60,
    );
    return {
      workerId: r.worker_id,
      host: r.host,
      pid: r.pid,
      concurrency: r.concurrency,
      servers: r.servers,
      startedAt: r.started_at.toISOString(),
      seenAt: r.seen_at.toISOString(),
      stoppedAt: r.stopped_at?.toISOString() ?? null,
      unitsDone: r.units_done,
      stepsDone: r.steps_done,
      stepsPerMinute: Math.round(r.steps_done / minutes),
    };
  });
  const { rows: jobs } = await s.store.query<{ job_id: string }>(
    'SELECT DISTINCT job_id FROM mm_units WHERE project_id = $1',
    [s.projectId],
  );
  const batches = [];
  for (const j of jobs) {
    const latest = await latestJob(s, j.job_id);
    batches.push({
      jobId: j.job_id,
      state: latest?.state ?? 'unknown',
      units: await unitsOfJob(s.store, s.projectId, j.job_id),
    });
  }
  return { workers, batches };
}

/** Waits until the batch has an end state (tests, `mm workers start --wait`). */
export async function waitForSpreadBatch(
  core: Core,
  projectId: string,
  jobId: string,
  timeoutMs: number,
): Promise<JobRecord> {
  const s = await shared(core, projectId);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = await latestJob(s, jobId);
    if (job && !['queued', 'running', 'reconciling'].includes(job.state)) return job;
    if (Date.now() > deadline)
      throw new MmError('timeout', `Batch ${jobId} did not finish in ${timeoutMs} ms.`, 'jobId');
    await new Promise((r) => setTimeout(r, 500));
  }
}
