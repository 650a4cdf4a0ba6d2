/**
 * Holds V8's young generation at the size it has while memory-bound work runs: a content
 * transfer, an inventory import.
 *
 * Why: the engine's processes may grow the young generation to 64 MB semi-spaces
 * (electron/v8-flags.mjs), which saves a migration batch's scavenges. V8 grows it when many
 * objects survive a scavenge, and both kinds of work make survivors for no gain: a transfer's
 * buffers in flight, an import's model being built. Measured 2026-12-03, same machine, with the
 * flag: the manager's RSS above idle while the content bench's 512 MB site moved, 65 MB growing,
 * 55–56 MB held (goal < 64; 47 MB without the flag), at the same manager CPU per GB; an import's
 * peak RSS at 20,000 domains with xmllint, 335–342 MB growing, 253–255 MB held (as without the
 * flag), its time unchanged.
 *
 * How: V8 reads its growth factor each time it would grow the young generation, so the factor is
 * 1 (no growth) while at least one such piece of work runs, and V8's default again when the last
 * one ends. The flag is process-wide: a batch provisioning beside a transfer does not grow it
 * either meanwhile. A worker thread starting puts V8's default back (seen here: the factor is 2
 * again once a worker is online): whoever starts one while held calls
 * reassertYoungGenerationHold() once it is online (the WebAssembly schema validator does; without
 * it an import with that validator grew to 391–396 MB at 20,000 domains).
 */
import { heldV8Flag } from './held-v8-flag';

/** V8's own default for --semi-space-growth-factor. */
const V8_GROWTH_FACTOR = 2;

const hold = heldV8Flag('--semi-space-growth-factor=1', `--semi-space-growth-factor=${V8_GROWTH_FACTOR}`);

/** Runs `work` with the young generation held at its size; nested and concurrent calls share it. */
export function withYoungGenerationHeld<T>(work: () => Promise<T>): Promise<T> {
  return hold.run(work);
}

/** How many pieces of work hold the young generation now (for tests). */
export function youngGenerationHolders(): number {
  return hold.holders();
}

/** Holds again after a worker thread started (it put V8's default back); nothing when not held. */
export function reassertYoungGenerationHold(): void {
  hold.reassert();
}
