/**
 * The migration journal: every step's intent is durable before the target is called, and its
 * outcome (every id the target gave) before anything depends on it. Batches (jobs) record their
 * state in it too, so pause, cancel and resume survive a restart.
 *
 * The journal is a port: `FileJournal` (below) keeps it as one append-only JSON-lines file per
 * project; a shared store can carry the same entries later. Outcomes are per step id and
 * project-wide: a later batch finds what an earlier one created (an account migrated with its
 * first domain is not created again for the second).
 */
import type { StepOutcome, JobState } from '../../../shared/model/migration';
import type { StepIntent } from './target-port';

export interface JobOptions {
  readonly accounts?: readonly string[];
  readonly domains?: readonly string[];
  /** Steps in flight at once against the target. */
  readonly concurrency: number;
  /** Steps in flight at once per source server (agent calls: disabling, later content). */
  readonly perServer: number;
  /** Who started it (OS user or the app's author name). */
  readonly author: string;
  /**
   * false: plan with the domain services already fetched and fetch no more (a billing-only
   * migration, or a source whose inventory was imported and whose agent cannot be reached).
   */
  readonly services?: boolean;
}

export interface JobRecord {
  readonly jobId: string;
  readonly projectId: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly state: JobState;
  readonly options: JobOptions;
  /** Bumped by "retry failed": failures of an earlier epoch no longer count. */
  readonly epoch: number;
  /** The plan's fingerprint when the batch last (re)started. */
  readonly fingerprint?: string;
  /** Why the batch stopped, when it failed. */
  readonly message?: string;
}

export type JournalEntry =
  | { readonly t: 'job'; readonly job: JobRecord }
  | { readonly t: 'intent'; readonly job: string; readonly step: string; readonly intent: StepIntent }
  | {
      readonly t: 'outcome';
      readonly job: string;
      readonly step: string;
      readonly epoch: number;
      readonly outcome: StepOutcome;
    };

export interface RecordedIntent {
  readonly job: string;
  readonly intent: StepIntent;
}

export interface RecordedOutcome {
  readonly job: string;
  readonly epoch: number;
  readonly outcome: StepOutcome;
}

/** The journal folded: the latest of everything. */
export interface JournalState {
  readonly jobs: Map<string, JobRecord>;
  /** The latest intent per step (it may have an outcome after it, or not). */
  readonly intents: Map<string, RecordedIntent>;
  /** The latest outcome per step. */
  readonly outcomes: Map<string, RecordedOutcome>;
  /** Steps whose latest intent came after their latest outcome: the call may or may not have happened. */
  readonly open: Set<string>;
}

export interface JournalPort {
  /** Everything written so far, folded. */
  load(): Promise<JournalState>;
  /** Resolves once the entries are durable (on disk, synced). */
  append(entries: readonly JournalEntry[]): Promise<void>;
  close(): Promise<void>;
}

export function emptyState(): JournalState {
  return { jobs: new Map(), intents: new Map(), outcomes: new Map(), open: new Set() };
}

/** Folds one entry into the state (pure apart from the maps it updates). */
export function applyEntry(state: JournalState, e: JournalEntry): void {
  switch (e.t) {
    case 'job':
      state.jobs.set(e.job.jobId, e.job);
      return;
    case 'intent':
      state.intents.set(e.step, { job: e.job, intent: e.intent });
      state.open.add(e.step);
      return;
    case 'outcome':
      state.outcomes.set(e.step, { job: e.job, epoch: e.epoch, outcome: e.outcome });
      state.open.delete(e.step);
      return;
  }
}
