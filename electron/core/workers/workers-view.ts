/**
 * The Workers page's data (`workers:status`) and its live feed (`workers:changed`): what
 * `mm workers status` reads — workers with their last heartbeat and throughput, the units of each
 * spread batch — plus each worker's units by state and its steps per minute over the last hour.
 * The feed listens on the shared database's mm_changes: a unit or a batch moving, a worker
 * starting or stopping, heard from any machine.
 */
import type {
  SpreadUnitState,
  ThroughputPoint,
  WorkerView,
  WorkersView,
} from '../../../shared/model/workers';
import type { Core } from '../core';
import type { ChangeNote } from '../store/postgres-store';
import { linkedPgStore } from '../store/postgres-store';
import { spreadStatus } from './worker';

const STATES: readonly SpreadUnitState[] = ['queued', 'running', 'done', 'failed', 'paused', 'cancelled'];

/** A worker without a heartbeat for this long is shown as gone (it beats every 5 s). */
const GONE_AFTER_MS = 30_000;

function counts(states: readonly string[]): Record<SpreadUnitState, number> {
  const out = Object.fromEntries(STATES.map((s) => [s, 0])) as Record<SpreadUnitState, number>;
  for (const s of states) if ((STATES as readonly string[]).includes(s)) out[s as SpreadUnitState]++;
  return out;
}

export async function workersView(core: Core, projectId: string): Promise<WorkersView> {
  const linked = await linkedPgStore(core.projects.projectDir(projectId));
  if (!linked) return { shared: false };
  const status = await spreadStatus(core, projectId);
  const allUnits = status.batches.flatMap((b) => b.units);
  const now = Date.now();
  const workers: WorkerView[] = status.workers.map((w) => ({
    workerId: w.workerId,
    host: w.host,
    pid: w.pid,
    concurrency: w.concurrency,
    startedAt: w.startedAt,
    seenAt: w.seenAt,
    stoppedAt: w.stoppedAt,
    alive: w.stoppedAt === null && now - Date.parse(w.seenAt) < GONE_AFTER_MS,
    unitsDone: w.unitsDone,
    stepsDone: w.stepsDone,
    stepsPerMinute: w.stepsPerMinute,
    units: counts(allUnits.filter((u) => u.workerId === w.workerId).map((u) => u.state)),
  }));
  const { rows } = await linked.store.query<{ minute: Date; worker_id: string; steps: string }>(
    `SELECT date_trunc('minute', finished_at) AS minute, worker_id, sum(steps_done) AS steps
       FROM mm_units
      WHERE project_id = $1 AND worker_id IS NOT NULL AND finished_at > now() - interval '1 hour'
      GROUP BY 1, 2 ORDER BY 1`,
    [linked.projectId],
  );
  const throughput: ThroughputPoint[] = rows.map((r) => ({
    minute: r.minute.toISOString(),
    workerId: r.worker_id,
    steps: Number(r.steps),
  }));
  return {
    shared: true,
    address: linked.store.url,
    workers,
    batches: status.batches.map((b) => ({
      jobId: b.jobId,
      state: b.state,
      counts: counts(b.units.map((u) => u.state)),
      units: b.units.map((u) => ({
        unit: u.unit,
        serverId: u.serverId,
        accounts: u.accounts.length,
        domains: u.domains,
        state: u.state,
        workerId: u.workerId,
        attempts: u.attempts,
        stepsDone: u.stepsDone,
        message: u.message,
      })),
    })),
    throughput,
  };
}

const watched = new WeakMap<Core, Set<string>>();

/**
 * From now on, `workers:changed` tells the app's pages when the project's workers, units or
 * batches move (at most twice a second). Once per core and project.
 */
export async function watchWorkers(core: Core, projectId: string): Promise<void> {
  const seen = watched.get(core) ?? new Set<string>();
  watched.set(core, seen);
  if (seen.has(projectId)) return;
  const linked = await linkedPgStore(core.projects.projectDir(projectId));
  if (!linked) return;
  seen.add(projectId);
  try {
    await linked.store.listen();
  } catch (e) {
    seen.delete(projectId);
    throw e;
  }
  let timer: NodeJS.Timeout | undefined;
  linked.store.changes.on('change', (note: ChangeNote) => {
    if (note.p !== linked.projectId || note.t === 'doc' || timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      core.events.emit('workers:changed', { projectId });
    }, 500);
  });
  // back after the listening connection dropped: what moved meanwhile was not heard
  linked.store.changes.on('resumed', () => core.events.emit('workers:changed', { projectId }));
}
