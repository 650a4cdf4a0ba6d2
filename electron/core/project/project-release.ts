/**
 * Releasing one project from a running core (issue 15: a project moved to PostgreSQL from the
 * app). Every service keeps per-project state: open document handles, journals, computed
 * indexes. A move sets the project's files aside and links its folder to a database; a handle
 * opened before would go on reading and writing the set-aside files. So every service registers
 * here, where it keeps such state, how to drop it, and what work of its must not be cut short
 * (a batch, a rehearsal, a job). The move asks this registry, never a list of its own, so a
 * service added later registers beside its cache and cannot be forgotten by the move.
 *
 * While a project is being released and moved, the project service holds back every new
 * opening of it (`settled`) until the move ended, so nothing re-opens the files in between.
 */
import { MmError } from '../errors';
import type { ProjectLeases } from './project-lease';

/** Drops what a service keeps for a project (it re-opens from the store on next use). */
export type ReleaseCache = (projectId: string) => void | Promise<void>;

/** What of a service runs on a project now (e.g. "migration batch 1a2b3c4d"), none: []. */
export type RunningWork = (projectId: string) => readonly string[];

interface Registered<F> {
  readonly name: string;
  readonly fn: F;
}

export class ProjectReleases {
  readonly #caches: Registered<ReleaseCache>[] = [];
  readonly #work: Registered<RunningWork>[] = [];
  readonly #moving = new Map<string, Promise<void>>();
  /** Writes under way per project, through handles opened before a release began. */
  readonly #writes = new Map<string, Set<Promise<unknown>>>();
  /**
   * Work about to start (recorded, not yet counted by its service): a batch appended to the
   * journal before the migration service lists it as running. Counted as running meanwhile.
   */
  readonly #starting = new Map<string, Map<symbol, string>>();
  #leases: ProjectLeases | undefined;

  /**
   * An app's core: every project it opens holds a lease other processes see (`project-lease.ts`),
   * given up while the project is released and taken again where it lives next.
   */
  holdLeases(leases: ProjectLeases): void {
    this.#leases = leases;
    this.cache('open lease', (projectId) => leases.drop(projectId));
  }

  /**
   * The project's folder is gone (deleted): its lease goes with it, so a project made again under
   * the same id is held anew when it is opened (the lease file went with the folder).
   */
  async forgetLease(projectId: string): Promise<void> {
    await this.#leases?.drop(projectId);
  }

  /**
   * Marks work as starting on the project, from this instant until `done()` (call it once the
   * service counts the work itself, or the start failed): refused while the project is being
   * released, and a release asked meanwhile is refused naming it. Closes the gap between a
   * batch being recorded and being counted as running.
   */
  starting(projectId: string, what: string, doing = 'started'): () => void {
    if (this.#moving.has(projectId))
      throw new MmError(
        'busy',
        `A ${what} cannot be ${doing} on project ${projectId} while the project is being moved; try again once the move ended.`,
        'projectId',
      );
    const token = Symbol(what);
    const here = this.#starting.get(projectId) ?? new Map<symbol, string>();
    this.#starting.set(projectId, here);
    here.set(token, what);
    return () => {
      here.delete(token);
      if (here.size === 0 && this.#starting.get(projectId) === here) this.#starting.delete(projectId);
    };
  }

  /** A service's per-project cache, by a name for messages and tests. */
  cache(name: string, release: ReleaseCache): void {
    this.#caches.push({ name, fn: release });
  }

  /** A service's running work, which refuses a release while it runs. */
  work(name: string, running: RunningWork): void {
    this.#work.push({ name, fn: running });
  }

  /** The names of the registered caches (each once). */
  cacheNames(): string[] {
    return [...new Set(this.#caches.map((c) => c.name))];
  }

  /** Everything that runs on the project now, across services. */
  runningOn(projectId: string): string[] {
    const starting = [...(this.#starting.get(projectId)?.values() ?? [])];
    return [...this.#work.flatMap((w) => [...w.fn(projectId)]), ...new Set(starting)];
  }

  /** Refuses, naming the work, when anything runs on the project. */
  assertIdle(projectId: string, doing: string): void {
    const running = this.runningOn(projectId);
    if (running.length > 0)
      throw new MmError(
        'busy',
        `Project ${projectId} cannot be ${doing} while ${running.join(', ')} ${running.length === 1 ? 'runs' : 'run'} on it: wait for ${running.length === 1 ? 'it' : 'them'} to finish, or cancel, then try again.`,
        'projectId',
      );
  }

  /**
   * Runs `work` with the project released: refused while anything runs on it; new openings of
   * the project wait until `work` ended; every cache is dropped before `work` starts and again
   * after it (a reader that opened in between re-opens from where the project lives now).
   */
  async whileReleased<R>(projectId: string, doing: string, work: () => Promise<R>): Promise<R> {
    if (this.#moving.has(projectId))
      throw new MmError('busy', `Project ${projectId} is already being ${doing}.`, 'projectId');
    this.assertIdle(projectId, doing);
    let end!: () => void;
    this.#moving.set(
      projectId,
      new Promise<void>((resolve) => {
        end = resolve;
      }),
    );
    try {
      // a write that began before is let finish, so it lands before the move, not in a file set aside
      await Promise.allSettled([...(this.#writes.get(projectId) ?? [])]);
      await this.dropAll(projectId);
      return await work();
    } finally {
      try {
        await this.dropAll(projectId);
      } finally {
        this.#moving.delete(projectId);
        end();
      }
    }
  }

  /**
   * A write through a cached handle: a handle opened just before a release began is not used
   * once it began (the write waits, then opens the project again where it lives now); a write
   * already under way is waited for by the release.
   */
  async writing<H, R>(
    projectId: string,
    open: () => Promise<H>,
    write: (handle: H) => Promise<R>,
  ): Promise<R> {
    for (;;) {
      const handle = await open();
      if (this.#moving.has(projectId)) {
        await this.settled(projectId);
        continue;
      }
      const run = write(handle);
      const under = this.#writes.get(projectId) ?? new Set<Promise<unknown>>();
      this.#writes.set(projectId, under);
      under.add(run);
      const done = (): void => {
        under.delete(run);
        if (under.size === 0 && this.#writes.get(projectId) === under) this.#writes.delete(projectId);
      };
      run.then(done, done);
      return run;
    }
  }

  /** Resolves once no release of the project is under way (at once when none is). */
  async settled(projectId: string): Promise<void> {
    await this.#moving.get(projectId);
    // opened: this process holds it (once; a lease that cannot be taken never stops the opening)
    await this.#leases?.hold(projectId);
  }

  /** Drops every registered cache of the project; a failing one does not keep the others. */
  async dropAll(projectId: string): Promise<void> {
    const failed: string[] = [];
    for (const c of this.#caches) {
      try {
        await c.fn(projectId);
      } catch (e) {
        failed.push(`${c.name}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    if (failed.length > 0)
      throw new MmError(
        'release-failed',
        `Project ${projectId} could not be released: ${failed.join('; ')}.`,
        'projectId',
      );
  }
}

/** Removes a map's entries of one project: keyed by its id, or by its id and a separator. */
export function dropProjectKeys(
  map: Map<string, unknown>,
  projectId: string,
  separators = ['/', '\0'],
): void {
  for (const key of [...map.keys()]) {
    if (key === projectId || separators.some((s) => key.startsWith(`${projectId}${s}`))) map.delete(key);
  }
}
