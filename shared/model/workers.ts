/**
 * What the Workers page and the project list show of team scale (issue 15): where a project
 * lives, the workers of a shared project with their units and throughput, and its batches
 * spread over workers.
 */

/** Where a project's documents live: files in this data dir, or a PostgreSQL database. */
export type ProjectStore =
  | { readonly kind: 'files' }
  | {
      readonly kind: 'postgres';
      /** postgres://user@host:port/database (never a password) */
      readonly address: string;
      /** The project's id in that database. */
      readonly sharedId: string;
    };

export type SpreadUnitState = 'queued' | 'running' | 'done' | 'failed' | 'paused' | 'cancelled';

export interface WorkerView {
  readonly workerId: string;
  readonly host: string;
  readonly pid: number;
  readonly concurrency: number;
  readonly startedAt: string;
  /** Its last heartbeat. */
  readonly seenAt: string;
  readonly stoppedAt: string | null;
  /** Stopped, or no heartbeat for 30 s (killed, or its machine lost the database). */
  readonly alive: boolean;
  readonly unitsDone: number;
  readonly stepsDone: number;
  readonly stepsPerMinute: number;
  /** Its units by state, over every spread batch of the project. */
  readonly units: Readonly<Record<SpreadUnitState, number>>;
}

export interface SpreadUnitView {
  readonly unit: string;
  readonly serverId: string;
  readonly accounts: number;
  readonly domains: number;
  readonly state: SpreadUnitState;
  readonly workerId: string | null;
  readonly attempts: number;
  readonly stepsDone: number;
  readonly message: string | null;
}

export interface SpreadBatchView {
  readonly jobId: string;
  /** The batch's state in the shared journal (running, paused, cancelled, done, failed). */
  readonly state: string;
  readonly counts: Readonly<Record<SpreadUnitState, number>>;
  readonly units: readonly SpreadUnitView[];
}

/** Steps settled by one worker in one minute (from its units' ends). */
export interface ThroughputPoint {
  readonly minute: string;
  readonly workerId: string;
  readonly steps: number;
}

export type WorkersView =
  | { readonly shared: false }
  | {
      readonly shared: true;
      readonly address: string;
      readonly workers: readonly WorkerView[];
      readonly batches: readonly SpreadBatchView[];
      readonly throughput: readonly ThroughputPoint[];
    };
