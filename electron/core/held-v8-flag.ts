/**
 * A V8 flag set while some piece of work runs and set back when the last such piece ends:
 * nested and concurrent runs share it (a counter, not a stack, as the flag is process-wide).
 * For flags V8 reads each time it decides (heap growth), where setting them while running is
 * safe: gc-headroom.ts and young-generation.ts.
 */
import { setFlagsFromString } from 'node:v8';

export interface HeldV8Flag {
  /** Runs `work` with the flag held. */
  run<T>(work: () => Promise<T>): Promise<T>;
  /** How many pieces of work hold it now (for tests). */
  holders(): number;
  /** Sets the flag again while held (something else, such as a worker thread starting, reset it). */
  reassert(): void;
}

/** `held` is set when the first holder starts, `released` when the last one ends. */
export function heldV8Flag(held: string, released: string): HeldV8Flag {
  let holders = 0;
  return {
    async run(work) {
      if (holders++ === 0) setFlagsFromString(held);
      try {
        return await work();
      } finally {
        if (--holders === 0) setFlagsFromString(released);
      }
    },
    holders: () => holders,
    reassert() {
      if (holders > 0) setFlagsFromString(held);
    },
  };
}
