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
  #changed = 0;

  constructor(private readonly previous: ReadonlyMap<string, VerificationResult>) {}

  /** The object to hold under `key`: the previous one when its JSON equals `next`'s. */
  keep(key: string, next: VerificationResult): VerificationResult {
    const before = this.previous.get(key);
    if (before !== undefined && sameJson(before, next)) return before;
    this.#changed++;
    return next;
  }

  /** How many results were added, changed or removed, once the run's `results` are complete. */
  changed(results: ReadonlyMap<string, VerificationResult>): number {
    let gone = 0;
    for (const key of this.previous.keys()) if (!results.has(key)) gone++;
    return this.#changed + gone;
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
  return keeper.changed(results);
}
