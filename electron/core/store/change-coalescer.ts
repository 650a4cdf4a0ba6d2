/**
 * Merges a burst of changes per key into one event per window: the first change of a key opens
 * a window, everything heard until it closes is merged, and one event leaves when it closes. A
 * batch appending 10,000 journal rows so sends at most 1000 / windowMs events per key, never
 * one per row, and the last change of a burst is never lost (the window always closes).
 */
export interface Merged<K> {
  readonly key: K;
  /** Writers in the order first heard, at most MAX_WRITERS (a page names a few, not thousands). */
  readonly by: readonly string[];
  readonly writes: number;
  readonly rows: number;
}

/** Writers named per event; more are counted in `writes` but not named. */
export const MAX_WRITERS = 10;

interface Open {
  readonly by: Set<string>;
  writes: number;
  rows: number;
}

export class ChangeCoalescer<K> {
  readonly #open = new Map<K, Open>();

  constructor(
    private readonly windowMs: number,
    private readonly flush: (merged: Merged<K>) => void,
  ) {
    if (!(windowMs > 0)) throw new RangeError(`ChangeCoalescer: windowMs must be positive, got ${windowMs}`);
  }

  add(key: K, change: { readonly by?: string; readonly rows?: number }): void {
    let open = this.#open.get(key);
    if (!open) {
      const timer = setTimeout(() => this.#close(key), this.windowMs);
      // a pending window must not keep a `mm` command or a test process alive
      timer.unref();
      open = { by: new Set(), writes: 0, rows: 0 };
      this.#open.set(key, open);
    }
    if (change.by && open.by.size < MAX_WRITERS) open.by.add(change.by);
    open.writes++;
    open.rows += change.rows ?? 0;
  }

  #close(key: K): void {
    const open = this.#open.get(key);
    if (!open) return;
    this.#open.delete(key);
    this.flush({ key, by: [...open.by], writes: open.writes, rows: open.rows });
  }
}
