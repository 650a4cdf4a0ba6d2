/**
 * A batch spread over workers seen from the Migration page and `migration:*` calls: its pause,
 * resume and cancel go to the workers' control (`spread-control.ts`), not to a local run; and
 * while one is unfinished, a local batch is not started (it would resume the spread batch on
 * this machine instead, beside the workers' queue).
 */
import type { Core } from '../core';
import { MmError } from '../errors';
import { linkedPgStore } from '../store/postgres-store';
import { PRODUCTION_VENUE } from '../migration/pg-journal';

/** Whether the batch was spread over workers (it has units). */
export async function isSpreadBatch(core: Core, projectId: string, jobId: string): Promise<boolean> {
  const linked = await linkedPgStore(core.projects.projectDir(projectId));
  if (!linked) return false;
  const { rows } = await linked.store.query(
    'SELECT 1 FROM mm_units WHERE project_id = $1 AND job_id = $2 LIMIT 1',
    [linked.projectId, jobId],
  );
  return rows.length > 0;
}

/** Refuses a local batch while a spread batch of the project has not ended. */
export async function refuseWhileSpread(core: Core, projectId: string): Promise<void> {
  const linked = await linkedPgStore(core.projects.projectDir(projectId));
  if (!linked) return;
  const { rows } = await linked.store.query<{ job_id: string; state: string }>(
    `SELECT DISTINCT ON (u.job_id) u.job_id, j.entry->'job'->>'state' AS state
       FROM mm_units u JOIN mm_journal j
         ON j.project_id = u.project_id AND j.venue = $2 AND j.entry->>'t' = 'job'
        AND j.entry->'job'->>'jobId' = u.job_id
      WHERE u.project_id = $1
      ORDER BY u.job_id, j.seq DESC`,
    [linked.projectId, PRODUCTION_VENUE],
  );
  const open = rows.find((r) => ['queued', 'running', 'paused', 'reconciling'].includes(r.state));
  if (open)
    throw new MmError(
      'busy',
      `Batch ${open.job_id.slice(0, 8)} of this project is spread over workers and ${open.state}: resume, pause or cancel it on the Workers page (mm workers resume|pause|cancel) before starting another here.`,
      'project',
    );
}
