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
 * Each object keeps counters of its steps (settled, failed, blocked, running) and each account
 * counters of its domains (migrated, failed or blocked), so a change costs O(1) per object it
 * touches: the object's state is read from its counters, never from a walk over its steps or
 * its account's domains (that walk was O(domains of the account) per step of the account). The
 * counters live in typed arrays and the step -> object links in flat index arrays: a few
 * allocations for the whole batch instead of several small arrays per step and object, which
 * the collector had to trace on every mark for as long as the batch ran. (The tally is ~10 ms
 * of ~1,900 ms CPU per 1,000 steps at 1x; the memory it and the executor keep per step is
 * measured in executor.ts, at `#doneIds`.)
 *
 * The states are the same as `batchObjectStates` gives over the same step states (the executor's
 * test compares them): a domain's from its steps, an account's from its steps and then its
 * domains'; an object key planned twice counts once, as the last object planned with it.
 */
import type { CreatedKind, MigrationPlan, ObjectState, StepState } from '../../../shared/model/migration';
import { CREATED_KINDS } from '../../../shared/model/migration';
import { type Links, type PlanLinks, eachLink, linksOf } from './plan-links';
import { countsAs, settledBad, settledOk } from './step-rules';

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
const badOf = (s: ObjectState): number => (s === 'failed' || s === 'blocked' ? 1 : 0);

const bump = (a: Int32Array, i: number, by: number): void => {
  a[i] = (a[i] as number) + by;
};

export class BatchTally {
  readonly #kinds: (readonly CreatedKind[])[];
  readonly #isAccount: Uint8Array;
  /** Per object: does it count (the last object planned with its key)? */
  readonly #counted: Uint8Array;
  /** Step -> the counted objects listing it among their own steps (once per listing). */
  readonly #owners: Links;
  /** Counted domain -> the counted accounts listing it among their domains (once per listing). */
  readonly #accountsOf: Links;
  /** Per object, over its own steps (a step id the plan does not hold counts, never settled). */
  readonly #steps: Int32Array;
  readonly #ok: Int32Array;
  readonly #bad: Int32Array;
  readonly #blocked: Int32Array;
  readonly #running: Int32Array;
  /** Per account, over its related domains (one the plan does not hold counts, always pending). */
  readonly #domains: Int32Array;
  readonly #domainsMigrated: Int32Array;
  readonly #domainsBad: Int32Array;
  readonly #objectState: ObjectState[];
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
    links: PlanLinks,
    private readonly states: readonly StepState[],
  ) {
    this.#kinds = plan.steps.map((s) => countsAs(s.kind));
    const objects = plan.objects;
    const n = objects.length;
    this.#counted = links.counted;
    this.#isAccount = links.isAccount;
    this.#steps = new Int32Array(n);
    this.#ok = new Int32Array(n);
    this.#bad = new Int32Array(n);
    this.#blocked = new Int32Array(n);
    this.#running = new Int32Array(n);
    this.#domains = new Int32Array(n);
    this.#domainsMigrated = new Int32Array(n);
    this.#domainsBad = new Int32Array(n);
    const counted = this.#counted;
    this.#owners = linksOf(plan.steps.length, (add) =>
      eachLink(links.objectSteps, (k, i) => {
        if (counted[k] && i >= 0) add(i, k);
      }),
    );
    this.#accountsOf = linksOf(n, (add) =>
      eachLink(links.related, (a, d) => {
        if (counted[a] && d >= 0) add(d, a);
      }),
    );
    objects.forEach((o, k) => {
      if (!counted[k]) return;
      this.#total++;
      this.#steps[k] = o.steps.length;
      if (o.ref.kind === 'account') this.#domains[k] = o.related.length;
    });
    this.#objectState = objects.map(() => 'pending');
    states.forEach((s, i) => {
      for (const k of this.#kinds[i] ?? []) this.#planned[k]++;
      this.#add(i, s, 1);
      this.#count(i, s, 1);
    });
    // Every object once (domains before accounts: an account reads its domains' states).
    this.#refreshAll();
  }

  /** Step `i` went from `from` to the state now in the executor's array. */
  changed(i: number, from: StepState): void {
    const to = this.states[i] as StepState;
    if (from === to) return;
    this.#add(i, from, -1);
    this.#add(i, to, 1);
    this.#count(i, from, -1);
    this.#count(i, to, 1);
    this.#refreshOwners(i);
  }

  /** Step `i` started (+1) or ended (-1) its run: its objects may turn running or pending. */
  running(i: number, delta: 1 | -1): void {
    const { start, to } = this.#owners;
    for (let p = start[i] as number; p < (start[i + 1] as number); p++)
      bump(this.#running, to[p] as number, delta);
    this.#refreshOwners(i);
  }

  /** Step `i`'s object was found (or no longer counts as found) on the target. */
  confirmed(i: number, yes: boolean): void {
    for (const k of this.#kinds[i] ?? []) this.#found[k] += yes ? 1 : -1;
  }

  /** The read-back is over: done objects count as migrated from now on. */
  reconciled(): void {
    this.#reconciled = true;
    this.#refreshAll();
  }

  counts(): TallyCounts {
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

  /** Step `i` in state `s` counts (+1) or no longer counts (-1) in its objects' counters. */
  #count(i: number, s: StepState, sign: 1 | -1): void {
    const counter = settledOk(s)
      ? this.#ok
      : s === 'failed'
        ? this.#bad
        : s === 'blocked'
          ? this.#blocked
          : undefined;
    if (!counter) return;
    const { start, to } = this.#owners;
    for (let p = start[i] as number; p < (start[i + 1] as number); p++) bump(counter, to[p] as number, sign);
  }

  #refreshOwners(i: number): void {
    const { start, to } = this.#owners;
    for (let p = start[i] as number; p < (start[i + 1] as number); p++) this.#refresh(to[p] as number);
  }

  #refreshAll(): void {
    const n = this.#objectState.length;
    for (let k = 0; k < n; k++) if (this.#counted[k] && !this.#isAccount[k]) this.#refresh(k);
    for (let k = 0; k < n; k++) if (this.#counted[k] && this.#isAccount[k]) this.#refresh(k);
  }

  /** Object `k`'s state from its counters; a domain's change moves its accounts' counters. */
  #refresh(k: number): void {
    const own = this.#own(k);
    if (this.#isAccount[k]) {
      this.#set(k, this.#accountState(k, own));
      return;
    }
    const was = this.#objectState[k] as ObjectState;
    if (own === was) return;
    this.#set(k, own);
    const dm = migratedOf(own) - migratedOf(was);
    const db = badOf(own) - badOf(was);
    if (dm === 0 && db === 0) return;
    const { start, to } = this.#accountsOf;
    for (let p = start[k] as number; p < (start[k + 1] as number); p++) {
      const a = to[p] as number;
      bump(this.#domainsMigrated, a, dm);
      bump(this.#domainsBad, a, db);
      this.#set(a, this.#accountState(a, this.#own(a)));
    }
  }

  /** An object's own state from its steps (as `objectStateOf`, with "done but not read back"). */
  #own(k: number): ObjectState {
    if ((this.#bad[k] as number) > 0) return 'failed';
    if ((this.#blocked[k] as number) > 0) return 'blocked';
    if (this.#ok[k] === this.#steps[k]) return this.#reconciled ? 'migrated' : 'running';
    return (this.#running[k] as number) > 0 ? 'running' : 'pending';
  }

  /** As `accountStateOf`, from the account's domain counters. */
  #accountState(a: number, own: ObjectState): ObjectState {
    if (own !== 'migrated') return own;
    if ((this.#domainsBad[a] as number) > 0) return 'failed';
    if (this.#domainsMigrated[a] === this.#domains[a]) return 'migrated';
    return 'running';
  }

  #set(k: number, s: ObjectState): void {
    const was = this.#objectState[k] as ObjectState;
    if (s === was) return;
    this.#migrated += migratedOf(s) - migratedOf(was);
    this.#failedObjects += badOf(s) - badOf(was);
    this.#objectState[k] = s;
  }
}
