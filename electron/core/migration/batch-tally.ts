/**
 * The counts of a running batch (objects migrated and failed, steps done and failed, what was
 * created and found per kind, the failed steps), kept up to date as each step changes instead of
 * recounted from every step and object.
 *
 * Why: the executor used to recount all steps and objects (a Map of every object's state) once a
 * second for its progress. That walk grows with the batch while the steps per second do not, so
 * its cost per step grew with the batch (issue 19: steps cost twice as much at 10x). Measured
 * with --cpu-prof on the whole-source bench (MM_BENCH_MIGRATION_PART=2), CPU samples per 1,000
 * steps: at 1x the recount was 154 ms of 1,624; at 3x 1,483 of 3,967 (GC 504). With the tally:
 * 16 of 1,760 at 3x (GC 241), 163 -> 280 steps/s at 3x (load 8-9, not interleaved). Here a
 * step's change touches only its own object and that object's account.
 *
 * The states are the same as `batchObjectStates` gives over the same step states (the executor's
 * test compares them): a domain's from its steps, an account's from its steps and then its
 * domains'; an object key planned twice counts once, as the last object planned with it.
 */
import type { CreatedKind, MigrationPlan, ObjectState, StepState } from '../../../shared/model/migration';
import { CREATED_KINDS, objectKeyOf } from '../../../shared/model/migration';
import { accountStateOf, countsAs, objectStateOf, settledBad, settledOk } from './step-rules';

export interface TallyCounts {
  readonly objects: { readonly total: number; readonly migrated: number; readonly failed: number };
  readonly stepsDone: number;
  readonly stepsFailed: number;
  readonly created: Record<CreatedKind, number>;
  readonly planned: Record<CreatedKind, number>;
  readonly found: Record<CreatedKind, number>;
  /** Indexes of the failed steps, in plan order. */
  readonly failedSteps: readonly number[];
}

const zeroKinds = (): Record<CreatedKind, number> =>
  Object.fromEntries(CREATED_KINDS.map((k) => [k, 0])) as Record<CreatedKind, number>;

/** An object's contribution to the migrated and failed counts. */
const migratedOf = (s: ObjectState): number => (s === 'migrated' ? 1 : 0);
const failedOf = (s: ObjectState): number => (s === 'failed' || s === 'blocked' ? 1 : 0);

export class BatchTally {
  readonly #kinds: (readonly CreatedKind[])[];
  /** Per object: its steps' indexes (-1: a step id the plan does not hold, always pending). */
  readonly #objectSteps: number[][];
  readonly #isAccount: boolean[];
  /** Per object: does it count (the last object planned with its key)? */
  readonly #counted: boolean[];
  /** Per account: the counted objects of its related domains (-1: not planned, pending). */
  readonly #accountDomains: number[][];
  /** Per step: the counted objects whose state depends on it (its own, and their accounts). */
  readonly #touches: number[][];
  readonly #objectState: ObjectState[];
  readonly #runningPerObject: number[];
  readonly #dirty = new Set<number>();
  readonly #failed = new Set<number>();
  readonly #created = zeroKinds();
  readonly #planned = zeroKinds();
  readonly #found = zeroKinds();
  #total = 0;
  #migrated = 0;
  #failedObjects = 0;
  #stepsDone = 0;
  #stepsFailed = 0;
  #reconciled = false;

  /** `states` is the executor's array: read, never written, here. */
  constructor(
    plan: Pick<MigrationPlan, 'steps' | 'objects'>,
    index: ReadonlyMap<string, number>,
    private readonly states: readonly StepState[],
  ) {
    this.#kinds = plan.steps.map((s) => countsAs(s.kind));
    const objects = plan.objects;
    const lastOfKey = new Map<string, number>();
    objects.forEach((o, k) => lastOfKey.set(objectKeyOf(o.ref), k));
    this.#counted = objects.map((o, k) => lastOfKey.get(objectKeyOf(o.ref)) === k);
    this.#isAccount = objects.map((o) => o.ref.kind === 'account');
    this.#objectSteps = objects.map((o) => o.steps.map((id) => index.get(id) ?? -1));
    this.#accountDomains = objects.map((o) =>
      o.ref.kind === 'account'
        ? o.related.map((key) => {
            const d = key.startsWith('domain:') ? lastOfKey.get(key) : undefined;
            return d === undefined ? -1 : d;
          })
        : [],
    );
    this.#touches = plan.steps.map(() => []);
    const accountsOf = objects.map((): number[] => []);
    this.#accountDomains.forEach((domains, a) => {
      if (!this.#counted[a]) return;
      for (const d of domains) if (d >= 0) accountsOf[d]?.push(a);
    });
    this.#objectSteps.forEach((steps, k) => {
      if (!this.#counted[k]) return;
      for (const i of steps) {
        if (i < 0) continue;
        const t = this.#touches[i] as number[];
        if (!t.includes(k)) t.push(k);
        for (const a of accountsOf[k] ?? []) if (!t.includes(a)) t.push(a);
      }
    });
    this.#runningPerObject = objects.map(() => 0);
    this.#objectState = objects.map(() => 'pending');
    this.#total = this.#counted.filter(Boolean).length;
    states.forEach((s, i) => {
      for (const k of this.#kinds[i] ?? []) this.#planned[k]++;
      this.#add(i, s, 1);
    });
    // Every object once (domains before accounts: an account reads its domains' states).
    objects.forEach((_, k) => {
      if (this.#counted[k]) this.#dirty.add(k);
    });
    this.#refresh();
  }

  /** Step `i` went from `from` to the state now in the executor's array. */
  changed(i: number, from: StepState): void {
    const to = this.states[i] as StepState;
    if (from === to) return;
    this.#add(i, from, -1);
    this.#add(i, to, 1);
    this.#touch(i);
  }

  /** Step `i` started (+1) or ended (-1) its run: its objects may turn running or pending. */
  running(i: number, delta: 1 | -1): void {
    for (const k of this.#touches[i] ?? [])
      if (!this.#isAccount[k] || this.#objectSteps[k]?.includes(i))
        this.#runningPerObject[k] = (this.#runningPerObject[k] ?? 0) + delta;
    this.#touch(i);
  }

  /** Step `i`'s object was found (or no longer counts as found) on the target. */
  confirmed(i: number, yes: boolean): void {
    for (const k of this.#kinds[i] ?? []) this.#found[k] += yes ? 1 : -1;
  }

  /** The read-back is over: done objects count as migrated from now on. */
  reconciled(): void {
    this.#reconciled = true;
    this.#objectState.forEach((_, k) => {
      if (this.#counted[k]) this.#dirty.add(k);
    });
  }

  counts(): TallyCounts {
    this.#refresh();
    return {
      objects: { total: this.#total, migrated: this.#migrated, failed: this.#failedObjects },
      stepsDone: this.#stepsDone,
      stepsFailed: this.#stepsFailed,
      created: { ...this.#created },
      planned: { ...this.#planned },
      found: { ...this.#found },
      failedSteps: [...this.#failed].sort((a, b) => a - b),
    };
  }

  #add(i: number, s: StepState, sign: 1 | -1): void {
    if (settledOk(s)) this.#stepsDone += sign;
    else if (settledBad(s)) this.#stepsFailed += sign;
    if (s === 'failed') {
      if (sign > 0) this.#failed.add(i);
      else this.#failed.delete(i);
    }
    if (s === 'done') for (const k of this.#kinds[i] ?? []) this.#created[k] += sign;
  }

  #touch(i: number): void {
    for (const k of this.#touches[i] ?? []) this.#dirty.add(k);
  }

  /** Recomputes the objects whose steps changed: domains first, then accounts. */
  #refresh(): void {
    if (this.#dirty.size === 0) return;
    const dirty = [...this.#dirty];
    this.#dirty.clear();
    for (const k of dirty) if (!this.#isAccount[k]) this.#set(k, this.#own(k));
    for (const k of dirty)
      if (this.#isAccount[k])
        this.#set(
          k,
          accountStateOf(
            this.#own(k),
            (this.#accountDomains[k] ?? []).map((d) =>
              d < 0 ? 'pending' : (this.#objectState[d] as ObjectState),
            ),
          ),
        );
  }

  /** An object's own state from its steps (as `objectStateOf`, with "done but not read back"). */
  #own(k: number): ObjectState {
    const states = (this.#objectSteps[k] ?? []).map((i) =>
      i < 0 ? 'pending' : (this.states[i] as StepState),
    );
    const own = objectStateOf(states, (this.#runningPerObject[k] ?? 0) > 0);
    return own === 'migrated' && !this.#reconciled ? 'running' : own;
  }

  #set(k: number, s: ObjectState): void {
    const was = this.#objectState[k] as ObjectState;
    this.#migrated += migratedOf(s) - migratedOf(was);
    this.#failedObjects += failedOf(s) - failedOf(was);
    this.#objectState[k] = s;
  }
}
