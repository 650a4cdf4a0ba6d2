/**
 * The plan's links (a step's dependencies, an object's steps, an account's domains) as plan
 * positions, worked out once when a batch starts, for the executor, its object states
 * (batch-objects.ts) and its tally (batch-tally.ts) to share.
 *
 * Why once: the plan names steps and objects by string ids, and turning an id into a position is
 * a look-up in a Map of every step. The executor, the object states and the tally each did their
 * own look-ups (the dependencies three times over, every object's steps three times, every
 * account's domains three times, each object's key three times). A Map that large does not fit
 * the processor's caches, so each look-up costs more in a larger batch: in the migration bench's
 * planning profile (issue 19) setting up the batch took 420 ms at 1x and 7.0 s at 10x (16.7x).
 */
import type { MigrationPlan, ObjectKey } from '../../../shared/model/migration';
import { objectKeyOf } from '../../../shared/model/migration';
import { stepIndexOf } from './plan';

/** One-to-many links between positions (CSR): the targets of `from` are `to[start[from] .. start[from + 1])`. */
export interface Links {
  readonly start: Int32Array;
  readonly to: Int32Array;
}

export interface PlanLinks {
  /** Step id → its position in the plan. */
  readonly index: ReadonlyMap<string, number>;
  /** Step → the positions of its dependencies (an id the plan does not hold is left out). */
  readonly dependencies: Links;
  /** Object → its steps' positions, in its own order (-1: an id the plan does not hold). */
  readonly objectSteps: Links;
  /**
   * Account object → the domain objects its related keys name (the last planned with the key;
   * -1: a key no domain object has). Domain objects: none.
   */
  readonly related: Links;
  /** Per object: its key. */
  readonly keys: readonly ObjectKey[];
  /** Per object: 1 for an account. */
  readonly isAccount: Uint8Array;
  /** Per object: 1 when it is the last object planned with its key (the one that counts). */
  readonly counted: Uint8Array;
}

/** Links from `count` sources, given as a walk over (from, to) pairs (walked twice: count, then fill). */
export function linksOf(count: number, pairs: (add: (from: number, to: number) => void) => void): Links {
  const start = new Int32Array(count + 1);
  pairs((from) => {
    start[from + 1] = (start[from + 1] as number) + 1;
  });
  for (let i = 0; i < count; i++) start[i + 1] = (start[i + 1] as number) + (start[i] as number);
  const to = new Int32Array(start[count] as number);
  const next = start.slice(0, count);
  pairs((from, t) => {
    const at = next[from] as number;
    to[at] = t;
    next[from] = at + 1;
  });
  return { start, to };
}

/** Every (from, to) of `links`, in order. */
export function eachLink(links: Links, visit: (from: number, to: number) => void): void {
  const { start, to } = links;
  for (let from = 0; from + 1 < start.length; from++)
    for (let p = start[from] as number; p < (start[from + 1] as number); p++) visit(from, to[p] as number);
}

/** Lists as links, each string turned into a position once (a string `position` does not know: -1). */
function positionsOf<T>(
  lists: readonly T[],
  items: (list: T) => readonly string[],
  position: (item: string) => number,
): Links {
  const start = new Int32Array(lists.length + 1);
  lists.forEach((l, k) => {
    start[k + 1] = (start[k] as number) + items(l).length;
  });
  const to = new Int32Array(start[lists.length] as number);
  let at = 0;
  for (const l of lists) for (const item of items(l)) to[at++] = position(item);
  return { start, to };
}

/** Removes the -1 entries of links (ids a plan did not hold). */
function known(links: Links): Links {
  return linksOf(links.start.length - 1, (add) => eachLink(links, (from, t) => t >= 0 && add(from, t)));
}

export function planLinks(plan: Pick<MigrationPlan, 'steps' | 'objects'>): PlanLinks {
  const index = stepIndexOf(plan);
  const dependencies = known(
    positionsOf(
      plan.steps,
      (s) => s.dependsOn,
      (id) => index.get(id) ?? -1,
    ),
  );
  const objects = plan.objects;
  const keys = objects.map((o) => objectKeyOf(o.ref));
  const isAccount = Uint8Array.from(objects, (o) => (o.ref.kind === 'account' ? 1 : 0));
  const lastOfKey = new Map<ObjectKey, number>();
  keys.forEach((key, k) => lastOfKey.set(key, k));
  const counted = Uint8Array.from(keys, (key, k) => (lastOfKey.get(key) === k ? 1 : 0));
  const objectSteps = positionsOf(
    objects,
    (o) => o.steps,
    (id) => index.get(id) ?? -1,
  );
  // Related keys name domains (the plan's contract); an account key never matches one.
  const related = positionsOf(
    objects,
    (o) => (o.ref.kind === 'account' ? o.related : []),
    (key) => {
      const d = lastOfKey.get(key);
      return d !== undefined && isAccount[d] === 0 ? d : -1;
    },
  );
  return { index, dependencies, objectSteps, related, keys, isAccount, counted };
}
