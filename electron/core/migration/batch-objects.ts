/**
 * The plan's objects as the executor keeps them through a batch, for the object states the UI
 * asks for (`objectStates`): each object's key and kind, its steps as plan indexes and an
 * account's related domains as object indexes, in flat typed arrays. A PlanObject holds its
 * steps' ids and its related keys as arrays of strings: ~160 bytes per plan step alive for the
 * whole batch (issue 19, heap snapshot at 0.3×: 3.7 MB for 23,381 steps), where this keeps ~10.
 * Gives exactly what `batchObjectStates` (step-rules.ts) gives over the plan's objects.
 */
import type { ObjectKey, ObjectState, StepState } from '../../../shared/model/migration';
import type { Links, PlanLinks } from './plan-links';
import { accountStateOf, objectStateOf } from './step-rules';

export class BatchObjects {
  readonly #keys: readonly ObjectKey[];
  readonly #isAccount: Uint8Array;
  /** Plan positions of each object's steps (-1: an id the plan does not hold, never settled). */
  readonly #steps: Links;
  /** Accounts: the domain objects their related keys name (-1: not planned, pending). */
  readonly #related: Links;

  /** A key planned twice counts as its last domain object (plan-links.ts). */
  constructor(links: PlanLinks) {
    this.#keys = links.keys;
    this.#isAccount = links.isAccount;
    this.#steps = links.objectSteps;
    this.#related = links.related;
  }

  /**
   * Every object's state: domains from their own steps, accounts also from their domains.
   * `own` turns an object's state from its steps into what it shows (the executor shows a
   * migrated object as running until the target was read back).
   */
  states(
    stepState: (i: number) => StepState,
    running: (i: number) => boolean,
    own: (state: ObjectState) => ObjectState,
  ): Map<ObjectKey, ObjectState> {
    const n = this.#keys.length;
    const ownState = (k: number): ObjectState => {
      const { start, to: items } = this.#steps;
      const states: StepState[] = [];
      let anyRunning = false;
      for (let p = start[k] as number; p < (start[k + 1] as number); p++) {
        const i = items[p] as number;
        states.push(i < 0 ? 'pending' : stepState(i));
        if (i >= 0 && running(i)) anyRunning = true;
      }
      return own(objectStateOf(states, anyRunning));
    };
    const out = new Map<ObjectKey, ObjectState>();
    const domainStates: ObjectState[] = new Array<ObjectState>(n);
    for (let k = 0; k < n; k++) {
      if (this.#isAccount[k] === 1) continue;
      const state = ownState(k);
      domainStates[k] = state;
      out.set(this.#keys[k] as ObjectKey, state);
    }
    for (let k = 0; k < n; k++) {
      if (this.#isAccount[k] === 0) continue;
      const { start, to: items } = this.#related;
      const related: ObjectState[] = [];
      for (let p = start[k] as number; p < (start[k + 1] as number); p++) {
        const d = items[p] as number;
        related.push(d < 0 ? 'pending' : (domainStates[d] ?? 'pending'));
      }
      out.set(this.#keys[k] as ObjectKey, accountStateOf(ownState(k), related));
    }
    return out;
  }
}
