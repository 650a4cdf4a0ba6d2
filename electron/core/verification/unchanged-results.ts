/**
 * After a full run: which results changed since the previous run, and the previous objects put
 * back where nothing changed.
 *
 * Most of a re-run's results equal the ones they replace. Holding the previous object instead of
 * its recomputed twin leaves one copy of each unchanged result alive rather than two while the
 * run is stored (600,000 results at ten times the bench's size, a few hundred MB the garbage
 * collector would otherwise trace again and again), and lets the history skip them by identity.
 */
import type { VerificationResult } from '../../../shared/model/verification';
import { sameJson } from './same-json';

/**
 * Decides result by result, as a run makes them: each new result is compared with the one it
 * replaces at once, so where nothing changed the recomputed twin is dropped while it is still
 * young (cheap for the garbage collector) instead of after the whole run, when it has been
 * promoted and only a full collection can free it.
 */
export class UnchangedKeeper {
  /** Keys whose result was added or changed, in the run's order. */
  readonly #changedKeys: string[] = [];
  /** How many of the run's keys the previous results hold. */
  #present = 0;

  constructor(private readonly previous: ReadonlyMap<string, VerificationResult>) {}

  /** The object to hold under `key` (each key once per run): the previous one when its JSON equals `next`'s. */
  keep(key: string, next: VerificationResult): VerificationResult {
    const before = this.previous.get(key);
    if (before !== undefined) {
      this.#present++;
      if (sameJson(before, next)) return before;
    }
    this.#changedKeys.push(key);
    return next;
  }

  /** How many previous results the run no longer has (known without walking them). */
  #gone(): number {
    return this.previous.size - this.#present;
  }

  /** How many results were added, changed or removed, once the run is complete. */
  changed(): number {
    return this.#changedKeys.length + this.#gone();
  }

  /**
   * The run's changes, as the history records them: each added or changed result in the run's
   * order, then each removed one (null) in the previous order. Unchanged results are not walked,
   * so re-running an unchanged project reads neither map again.
   */
  *changes(
    results: ReadonlyMap<string, VerificationResult>,
  ): Generator<readonly [string, VerificationResult | null]> {
    for (const key of this.#changedKeys) yield [key, results.get(key) ?? null];
    if (this.#gone() === 0) return;
    for (const key of this.previous.keys()) if (!results.has(key)) yield [key, null];
  }
}

/**
 * Replaces in `results` each value whose JSON equals its previous one by that previous object
 * (the map's order is kept), and returns how many results were added, changed or removed.
 */
export function keepUnchanged(
  results: Map<string, VerificationResult>,
  previous: ReadonlyMap<string, VerificationResult>,
): number {
  const keeper = new UnchangedKeeper(previous);
  for (const [key, next] of results) results.set(key, keeper.keep(key, next));
  return keeper.changed();
}
