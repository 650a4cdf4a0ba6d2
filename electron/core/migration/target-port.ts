/**
 * What the executor needs from the target, per step: decide before the call what must be
 * journaled with the intent (ids the caller may choose, the request id of the transaction),
 * make the call, and — after a crash left an intent without an outcome — find out whether the
 * target already has the object, before anything is created again. The POA/PBA adapter
 * implements it over the XML-RPC clients; the executor never sees a method name.
 * Every step kind goes through it except `not-carried` (no call: the executor records it) and
 * `source-disable` (the agent on the source server, not the target).
 */
import type { PlanStep, StepOutcome, TargetIds } from '../../../shared/model/migration';
import type { ReadBackStep } from './read-back-step';

/** Journaled before the call: enough to find the call's effect again after a crash. */
export interface StepIntent {
  /** Ids chosen by the manager (WithID methods), and the POA request id of the transaction. */
  readonly chosen: TargetIds;
  readonly requestId?: string;
  /** 1 for the first try; a retry after a failure gets a new request id. */
  readonly attempt: number;
}

export interface StepContext {
  /** Target ids of an earlier step (done); throws when it has none. */
  idsOf(stepId: string): TargetIds;
  /**
   * Opens a sealed value (`mm-sealed:…`) just for the call: customer passwords (the default) or
   * card numbers. A value that is not sealed comes back as it is.
   */
  unseal(value: string, kind?: 'password' | 'card'): Promise<string>;
  readonly signal: AbortSignal;
  /** A unique prefix for request ids of this job (stable across restarts). */
  readonly jobId: string;
}

/** Why a step did not finish: the target refused (with its message) or could not be reached. */
export interface StepFailure {
  readonly message: string;
  /** Worth retrying as is later (timeouts, lost connections, failed async requests). */
  readonly transient: boolean;
}

export interface ProvisioningTarget {
  /**
   * Before the intent is written: choose ids and a request id. Must not create anything. After
   * an earlier attempt (reconciled `absent`, or found half-made) its chosen ids are passed in
   * and must be kept: the half-made object is finished under the same ids, never made again.
   */
  prepare(step: PlanStep, attempt: number, ctx: StepContext, earlier?: StepIntent): Promise<StepIntent>;
  /**
   * Create the object; wait for its asynchronous request to finish. Returns the outcome (every
   * id the target gave), or throws a StepFailureError.
   */
  apply(step: PlanStep, intent: StepIntent, ctx: StepContext): Promise<StepOutcome>;
  /**
   * An intent without an outcome (the manager died, or the answer was lost): look the object
   * up by the chosen ids, by name, by the request's status, or by the "already exists" answer.
   * `absent` means it is safe to create it again.
   */
  reconcile(step: PlanStep, intent: StepIntent, ctx: StepContext): Promise<StepOutcome | 'absent'>;
  /**
   * Reconciliation at the end of a batch: read back from the target which of these done steps'
   * objects it really holds. Returns the ids of the steps whose object was found.
   */
  readBack(
    steps: readonly { step: ReadBackStep; ids: TargetIds }[],
    ctx: StepContext,
  ): Promise<ReadonlySet<string>>;
  close(): Promise<void>;
}

export class StepFailureError extends Error {
  constructor(
    message: string,
    readonly transient: boolean,
  ) {
    super(message);
    this.name = 'StepFailureError';
  }
}
