/**
 * Pure rules of the executor: what a step's journal says about it for this batch, what each
 * step kind counts as in the batch's summary, and an object's state from its steps'.
 */
import type {
  CreatedKind,
  MigrationPlan,
  ObjectKey,
  JobState,
  ObjectState,
  StepKind,
  StepState,
} from '../../../shared/model/migration';
import { objectKeyOf } from '../../../shared/model/migration';
import type { JobRecord, RecordedOutcome } from './journal';

/**
 * Which counts of the summary a step adds to when done (a hosting activation creates the domain).
 * The same frozen array for every step of a kind: the batch keeps one per step for as long as it
 * runs (batch-tally.ts), and a fresh array each would be ~780,000 more objects to trace at 10x.
 */
export function countsAs(kind: StepKind): readonly CreatedKind[] {
  return COUNTS_AS[kind] ?? NOTHING;
}

const NOTHING: readonly CreatedKind[] = Object.freeze([]);
const COUNTS_AS: Partial<Record<StepKind, readonly CreatedKind[]>> = Object.freeze({
  account: Object.freeze(['accounts'] as const),
  member: Object.freeze(['members'] as const),
  'hosting-subscription': Object.freeze(['subscriptions', 'domains'] as const),
  'registration-subscription': Object.freeze(['subscriptions'] as const),
  'resource-subscription': Object.freeze(['subscriptions'] as const),
  domain: Object.freeze(['domains'] as const),
  'dns-record': Object.freeze(['dnsRecords'] as const),
  mailbox: Object.freeze(['mailboxes'] as const),
  'mail-forward': Object.freeze(['forwards'] as const),
  database: Object.freeze(['databases'] as const),
  'ftp-user': Object.freeze(['ftpUsers'] as const),
});

/**
 * A step's state at the start of a run of `job`, from its latest recorded outcome. A failure
 * counts only in the batch and epoch that recorded it: a new batch, or "retry failed", tries
 * the step again (after reconciling the earlier attempt).
 */
export function recordedState(recorded: RecordedOutcome | undefined, job: JobRecord): StepState {
  if (!recorded) return 'pending';
  const o = recorded.outcome;
  if (o.state === 'done') return 'done';
  if (o.state === 'not-carried') return 'not-carried';
  return recorded.job === job.jobId && recorded.epoch === job.epoch ? 'failed' : 'pending';
}

export const settledOk = (s: StepState): boolean => s === 'done' || s === 'not-carried';
export const settledBad = (s: StepState): boolean => s === 'failed' || s === 'blocked';

/** A domain's (or an account's own) state from its steps' states. */
export function objectStateOf(states: readonly StepState[], running: boolean): ObjectState {
  if (states.some((s) => s === 'failed')) return 'failed';
  if (states.some((s) => s === 'blocked')) return 'blocked';
  if (states.every(settledOk)) return 'migrated';
  return running ? 'running' : 'pending';
}

/** An account counts as migrated only when every selected domain of it is (seed, R9). */
export function accountStateOf(own: ObjectState, domains: readonly ObjectState[]): ObjectState {
  if (own !== 'migrated') return own;
  if (domains.some((d) => d === 'failed' || d === 'blocked')) return 'failed';
  if (domains.every((d) => d === 'migrated')) return 'migrated';
  return 'running';
}

/** Where a batch ends: done only when every object migrated and the target holds what was planned. */
export function finalJobState(
  stopped: 'pause' | 'cancel' | undefined,
  failedObjects: number,
  mismatch: boolean,
): JobState {
  if (stopped === 'pause') return 'paused';
  if (stopped === 'cancel') return 'cancelled';
  return failedObjects > 0 || mismatch ? 'failed' : 'done';
}

/**
 * Every object's state in a batch: a domain's from its own steps, an account's from its own
 * steps and then its domains' (seed: an account is migrated only with all its domains).
 */
export function batchObjectStates(
  plan: Pick<MigrationPlan, 'objects'>,
  own: (steps: readonly string[]) => ObjectState,
): Map<ObjectKey, ObjectState> {
  const out = new Map<ObjectKey, ObjectState>();
  for (const o of plan.objects) if (o.ref.kind === 'domain') out.set(objectKeyOf(o.ref), own(o.steps));
  for (const o of plan.objects)
    if (o.ref.kind === 'account')
      out.set(
        objectKeyOf(o.ref),
        accountStateOf(
          own(o.steps),
          o.related.map((k) => out.get(k) ?? 'pending'),
        ),
      );
  return out;
}
