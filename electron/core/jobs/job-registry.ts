import { randomUUID } from 'node:crypto';
import type { JobProgress } from '../../../shared/contract';
import { toAppError } from '../errors';
import type { EventBus } from '../events';
import type { ProjectReleases } from '../project/project-release';

export interface JobContext {
  readonly jobId: string;
  readonly signal: AbortSignal;
  progress(done: number, total: number, label?: string): void;
}

/** Long work runs as a job: the call returns its id at once, progress arrives as events. */
export class JobRegistry {
  readonly #running = new Map<string, AbortController>();
  /** The project and label of each running job, for a project's release to name what runs. */
  readonly #about = new Map<string, { readonly projectId?: string; readonly label: string }>();

  constructor(
    private readonly events: EventBus,
    releases?: ProjectReleases,
  ) {
    releases?.work('jobs', (projectId) =>
      [...this.#about.values()].filter((a) => a.projectId === projectId).map((a) => `the job "${a.label}"`),
    );
  }

  start<T>(
    label: string,
    work: (ctx: JobContext) => Promise<T>,
    about: { projectId?: string; subject?: string } = {},
  ): { jobId: string; done: Promise<T> } {
    const jobId = randomUUID();
    const controller = new AbortController();
    this.#running.set(jobId, controller);
    this.#about.set(jobId, {
      label,
      ...(about.projectId !== undefined ? { projectId: about.projectId } : {}),
    });
    let last: JobProgress = { jobId, label, done: 0, total: 0, state: 'running', ...about };
    const emit = (p: Partial<JobProgress>): void => {
      last = { ...last, ...p };
      this.events.emit('jobs:progress', last);
    };
    emit({});
    const ctx: JobContext = {
      jobId,
      signal: controller.signal,
      progress: (done, total, l) => emit(l === undefined ? { done, total } : { done, total, label: l }),
    };
    const done = work(ctx).then(
      (value) => {
        emit({ state: 'done' });
        return value;
      },
      (e: unknown) => {
        emit({ state: controller.signal.aborted ? 'cancelled' : 'failed', error: toAppError(e) });
        throw e;
      },
    );
    void done
      .finally(() => {
        this.#running.delete(jobId);
        this.#about.delete(jobId);
      })
      .catch(() => undefined);
    return { jobId, done };
  }

  cancel(jobId: string): boolean {
    const c = this.#running.get(jobId);
    if (!c) return false;
    c.abort();
    return true;
  }
}
