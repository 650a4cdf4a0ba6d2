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
 * Replaces in `results` each value whose JSON equals its previous one by that previous object
 * (the map's order is kept), and returns how many results were added, changed or removed.
 */
export function keepUnchanged(
  results: Map<string, VerificationResult>,
  previous: ReadonlyMap<string, VerificationResult>,
): number {
  let changed = 0;
  for (const [key, next] of results) {
    const before = previous.get(key);
    if (before !== undefined && sameJson(before, next)) results.set(key, before);
    else changed++;
  }
  for (const key of previous.keys()) if (!results.has(key)) changed++;
  return changed;
}
