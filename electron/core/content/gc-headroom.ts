/**
 * More room for the V8 heap to grow between mark-compacts while content moves through the
 * manager.
 *
 * Why: V8 counts the ArrayBuffer bytes allocated since the last mark-compact against the old
 * generation's allocation limit. A transfer allocates about 2 GB of them per GB moved (the source
 * socket's reads, ssh2's packets to the node), freed by scavenges only every 32 MB or so. The
 * limit is set after each mark-compact from the heap in use: for a manager holding little (the
 * CLI holds about 22 MB, the bench about 15 MB) it is only some 16 MB above it, so those
 * buffers alone reach it and a mark-compact follows nearly every scavenge. The content bench
 * measured 82–88 mark-compacts per GB (about a second of pauses per GB) and 3.6–3.8 s of manager
 * CPU per GB, against none and 2.3–2.8 s/GB when the heap may grow further; the site moved at
 * 43 % of scp instead of 67–70 % (2026-11-30, loaded machine, same runs).
 *
 * How: while at least one transfer runs, V8's growing factor is fixed at 4 (the limit after a
 * mark-compact is four times the heap in use instead of between 1.1 and 4 times, by V8's own
 * measure of its speed); when the last one ends V8 chooses again (0: its default). A flag only
 * read when a limit is computed, so setting it while running is safe; it applies to the whole
 * process, which holds no more garbage for it unless it makes some while content moves.
 * MM_GC_HEADROOM=off leaves V8's choice alone (to measure the difference).
 */
import { heldV8Flag } from '../held-v8-flag';

/** The heap may grow to (1 + GROWING_PERCENT / 100) times what it held after a mark-compact. */
const GROWING_PERCENT = 300;

const headroom = heldV8Flag(`--heap-growing-percent=${GROWING_PERCENT}`, '--heap-growing-percent=0');

/** Runs `work` with the heap's headroom raised; nested and concurrent calls share it. */
export function withGcHeadroom<T>(work: () => Promise<T>): Promise<T> {
  if (process.env['MM_GC_HEADROOM'] === 'off') return work();
  return headroom.run(work);
}

/** How many transfers hold the headroom now (for tests). */
export function gcHeadroomHolders(): number {
  return headroom.holders();
}
