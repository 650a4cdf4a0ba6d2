/**
 * Pause, resume and cancel a batch spread over workers (`mm workers pause|resume|cancel`, the
 * Workers page). The batch's state lives in the shared journal, where every worker looks:
 * - paused: workers take no new unit; a unit in hand stops at its next step boundary (the step
 *   in flight finishes and is journaled) and goes back to the queue, marked paused;
 * - resumed: the batch runs again and workers take its units where they stopped;
 * - cancelled: the units not yet taken are dropped from the queue and marked cancelled; a unit
 *   in hand finishes its step in flight and stops; the batch shows cancelled at once.
 * Every change is one journal entry (heard live on mm_changes by every app on the project).
 */
import type { JobState } from '../../../shared/model/migration';
import type { Core } from '../core';
import { MmError } from '../errors';
import { openQueue } from './unit-queue';
import { type Shared, latestJob, shared } from './worker';

export type SpreadAction = 'pause' | 'resume' | 'cancel';

/** From which states each action may be taken, and the state it leads to. */
const MOVES: Record<SpreadAction, { from: readonly JobState[]; to: JobState }> = {
  pause: { from: ['running'], to: 'paused' },
  resume: { from: ['paused'], to: 'running' },
  cancel: { from: ['running', 'paused', 'queued'], to: 'cancelled' },
};

/** The project's spread batch to act on: the given one, else the one that has not ended. */
async function targetJob(s: Shared, jobId: string | undefined): Promise<string> {
  if (jobId !== undefined) return jobId;
  const { rows } = await s.store.query<{ job_id: string }>(
    `SELECT DISTINCT job_id FROM mm_units WHERE project_id = $1 AND state NOT IN ('done', 'failed', 'cancelled')`,
    [s.projectId],
  );
  if (rows.length === 0)
    throw new MmError(
      'not-found',
      'No batch of this project is spread over workers and unfinished.',
      'jobId',
    );
  return (rows[0] as { job_id: string }).job_id;
}

/** Drops the batch's units still waiting in the queue (pg-boss states created and retry). */
async function dropQueued(s: Shared, jobId: string): Promise<number> {
  // the queue's own rows, found by the singleton key `sendUnits` gives each unit
  const { rows } = await s.store.query<{ id: string; name: string }>(
    `SELECT id, name FROM mm_boss.job WHERE singleton_key LIKE $1 AND state IN ('created', 'retry')`,
    [`${jobId.replace(/[\\%_]/g, (c) => `\\${c}`)}/%`],
  );
  if (rows.length > 0) {
    const boss = await openQueue(s.store);
    try {
      const byQueue = new Map<string, string[]>();
      for (const r of rows) byQueue.set(r.name, [...(byQueue.get(r.name) ?? []), r.id]);
      for (const [name, ids] of byQueue) await boss.cancel(name, ids);
    } finally {
      await boss.stop({ graceful: false, wait: true });
    }
  }
  await s.store.tx(async (c) => {
    await c.query(
      `UPDATE mm_units SET state = 'cancelled', finished_at = now()
        WHERE project_id = $1 AND job_id = $2 AND state IN ('queued', 'paused')`,
      [s.projectId, jobId],
    );
    await c.query('SELECT pg_notify($1, $2)', [
      'mm_changes',
      JSON.stringify({ t: 'unit', p: s.projectId, job: jobId, unit: '*', state: 'cancelled' }),
    ]);
  });
  return rows.length;
}

export interface SpreadControlResult {
  readonly jobId: string;
  readonly state: JobState;
  /** Units dropped from the queue (cancel only). */
  readonly dropped: number;
}

/** Pauses, resumes or cancels a spread batch (the project's unfinished one when no id is given). */
export async function controlSpreadBatch(
  core: Core,
  projectId: string,
  action: SpreadAction,
  options: { jobId?: string; author?: string } = {},
): Promise<SpreadControlResult> {
  const s = await shared(core, projectId);
  const jobId = await targetJob(s, options.jobId);
  const job = await latestJob(s, jobId);
  if (!job) throw new MmError('not-found', `There is no batch ${jobId} in this project.`, 'jobId');
  const move = MOVES[action];
  if (!move.from.includes(job.state))
    throw new MmError(
      'invalid-state',
      `Batch ${jobId.slice(0, 8)} is ${job.state}: it cannot be ${action === 'pause' ? 'paused' : action === 'resume' ? 'resumed' : 'cancelled'} (only when ${move.from.join(' or ')}).`,
      'jobId',
    );
  const { message: _m, ...rest } = job;
  await s.journal.append([
    { t: 'job', job: { ...rest, state: move.to, updatedAt: new Date().toISOString() } },
  ]);
  // after the journal says cancelled, so a worker that takes a unit meanwhile sees it and stops
  const dropped = action === 'cancel' ? await dropQueued(s, jobId) : 0;
  await core
    .log(projectId)
    .write(
      'info',
      `Migration batch ${jobId.slice(0, 8)} spread over workers ${move.to === 'running' ? 'resumed' : move.to}${options.author ? ` by ${options.author}` : ''}${dropped > 0 ? ` (${dropped} queued units dropped)` : ''}`,
    );
  return { jobId, state: move.to, dropped };
}
