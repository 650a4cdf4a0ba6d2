/**
 * Work units of a batch spread over workers: an account with its domains — precisely, the
 * objects whose steps depend on one another (a reseller comes with its customers), so no two
 * units share a step and two workers never race on one object. Each unit is a row of
 * `mm_units` (what the UI and `mm workers status` show) and a job in the pg-boss queue of its
 * source server (what workers take).
 */
import type { MigrationPlan } from '../../../shared/model/migration';
import { objectKeyOf } from '../../../shared/model/migration';
import type { PgStore } from '../store/postgres-store';

export interface WorkUnit {
  /** `<server>:<first account id>` */
  readonly unit: string;
  readonly serverId: string;
  /** `<server>:<account id>` each, as the plan's subset names them. */
  readonly accounts: readonly string[];
  readonly domains: number;
  /** The keys of its objects (accounts and domains). */
  readonly objects: ReadonlySet<string>;
}

/** Splits a plan into units: the connected parts of its step graph, by account. */
export function unitsOf(plan: MigrationPlan): WorkUnit[] {
  const objectOfStep = new Map<string, string>();
  for (const s of plan.steps) objectOfStep.set(s.id, objectKeyOf(s.object));
  const parent = new Map<string, string>();
  const find = (k: string): string => {
    let r = k;
    while (parent.get(r) !== undefined && parent.get(r) !== r) r = parent.get(r) as string;
    parent.set(k, r);
    return r;
  };
  const join = (a: string, b: string): void => {
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent.set(rb, ra);
  };
  for (const o of plan.objects) {
    const k = objectKeyOf(o.ref);
    if (!parent.has(k)) parent.set(k, k);
    for (const r of o.related) {
      if (!parent.has(r)) parent.set(r, r);
      join(k, r);
    }
  }
  for (const s of plan.steps) {
    const k = objectKeyOf(s.object);
    for (const d of s.dependsOn) {
      const dk = objectOfStep.get(d);
      if (dk !== undefined) join(k, dk);
    }
  }
  const groups = new Map<
    string,
    { serverId: string; accounts: string[]; domains: number; keys: Set<string> }
  >();
  for (const o of plan.objects) {
    const key = objectKeyOf(o.ref);
    const root = find(key);
    const g = groups.get(root) ?? {
      serverId: o.ref.serverId,
      accounts: [],
      domains: 0,
      keys: new Set<string>(),
    };
    if (o.ref.kind === 'account') g.accounts.push(`${o.ref.serverId}:${o.ref.id}`);
    else g.domains++;
    g.keys.add(key);
    groups.set(root, g);
  }
  return [...groups.values()]
    .filter((g) => g.accounts.length > 0)
    .map((g) => ({
      unit: g.accounts[0] as string,
      serverId: g.serverId,
      accounts: g.accounts,
      domains: g.domains,
      objects: g.keys,
    }));
}

/**
 * The part of a batch's plan that is one unit: its objects and their steps, in plan order.
 * A worker plans a batch once and cuts every unit it takes from that plan; undefined when the
 * plan has no such unit (the project changed since the batch was planned).
 */
export function unitPlan(plan: MigrationPlan, unit: string): MigrationPlan | undefined {
  const found = unitsOf(plan).find((u) => u.unit === unit);
  if (!found) return undefined;
  const objects = plan.objects.filter((o) => found.objects.has(objectKeyOf(o.ref)));
  const steps = plan.steps.filter((s) => found.objects.has(objectKeyOf(s.object)));
  return { fingerprint: plan.fingerprint, objects, steps, excluded: [] };
}

export type UnitState = 'queued' | 'running' | 'done' | 'failed' | 'paused' | 'cancelled';

export interface UnitRow {
  readonly unit: string;
  readonly serverId: string;
  readonly accounts: readonly string[];
  readonly domains: number;
  readonly state: UnitState;
  readonly workerId: string | null;
  readonly attempts: number;
  readonly stepsDone: number;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
  readonly message: string | null;
}

export async function insertUnits(
  store: PgStore,
  projectId: string,
  jobId: string,
  units: readonly WorkUnit[],
): Promise<void> {
  await store.tx(async (c) => {
    for (const u of units)
      await c.query(
        `INSERT INTO mm_units (project_id, job_id, unit, server_id, accounts, domains, state)
         VALUES ($1, $2, $3, $4, $5, $6, 'queued') ON CONFLICT DO NOTHING`,
        [projectId, jobId, u.unit, u.serverId, u.accounts, u.domains],
      );
  });
}

export async function setUnit(
  store: PgStore,
  projectId: string,
  jobId: string,
  unit: string,
  patch: {
    state?: UnitState;
    workerId?: string;
    stepsDone?: number;
    message?: string | null;
    started?: boolean;
  },
): Promise<void> {
  await store.tx(async (c) => {
    await c.query(
      `UPDATE mm_units SET
         state = COALESCE($4, state),
         worker_id = COALESCE($5, worker_id),
         steps_done = COALESCE($6, steps_done),
         message = CASE WHEN $7::boolean THEN $8 ELSE message END,
         attempts = attempts + CASE WHEN $9::boolean THEN 1 ELSE 0 END,
         started_at = CASE WHEN $9::boolean THEN now() ELSE started_at END,
         finished_at = CASE WHEN $4 IN ('done', 'failed', 'cancelled') THEN now() ELSE finished_at END
       WHERE project_id = $1 AND job_id = $2 AND unit = $3`,
      [
        projectId,
        jobId,
        unit,
        patch.state ?? null,
        patch.workerId ?? null,
        patch.stepsDone ?? null,
        patch.message !== undefined,
        patch.message ?? null,
        patch.started === true,
      ],
    );
    await c.query('SELECT pg_notify($1, $2)', [
      'mm_changes',
      JSON.stringify({ t: 'unit', p: projectId, job: jobId, unit, state: patch.state ?? 'running' }),
    ]);
  });
}

export async function unitsOfJob(store: PgStore, projectId: string, jobId: string): Promise<UnitRow[]> {
  const { rows } = await store.query<{
    unit: string;
    server_id: string;
    accounts: string[];
    domains: number;
    state: UnitState;
    worker_id: string | null;
    attempts: number;
    steps_done: number;
    started_at: Date | null;
    finished_at: Date | null;
    message: string | null;
  }>('SELECT * FROM mm_units WHERE project_id = $1 AND job_id = $2 ORDER BY unit', [projectId, jobId]);
  return rows.map((r) => ({
    unit: r.unit,
    serverId: r.server_id,
    accounts: r.accounts,
    domains: r.domains,
    state: r.state,
    workerId: r.worker_id,
    attempts: r.attempts,
    stepsDone: r.steps_done,
    startedAt: r.started_at?.toISOString() ?? null,
    finishedAt: r.finished_at?.toISOString() ?? null,
    message: r.message,
  }));
}

/** The batches of a project that were spread over workers. */
export async function spreadJobs(store: PgStore, projectId: string): Promise<string[]> {
  const { rows } = await store.query<{ job_id: string }>(
    'SELECT DISTINCT job_id FROM mm_units WHERE project_id = $1',
    [projectId],
  );
  return rows.map((r) => r.job_id);
}
