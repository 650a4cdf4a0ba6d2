/**
 * This process's garbage collections inside measured spans (perf_hooks 'gc' entries), for the
 * content bench's manager. Why it matters: V8 counts the ArrayBuffer bytes allocated since the
 * last mark-compact (socket reads, ssh2's packets: about 2 GB per GB moved, freed by scavenges
 * only every 32 MB or so) against the old generation's allocation limit. In a process whose heap
 * is small (the bench's, about 10 MB: a limit only about 16 MB above it) that starts a
 * mark-compact every few MB moved, and the manager's CPU per GB rises by a half or more; with a
 * larger heap, `--initial-old-space-size=64`, or the headroom a transfer now takes
 * (electron/core/content/gc-headroom.ts; MM_GC_HEADROOM=off to see it without) it does not
 * happen. The line printed says which case a run was in.
 */
import { PerformanceObserver, constants, type PerformanceEntry } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';

interface GcEntry {
  readonly start: number;
  readonly ms: number;
  readonly major: boolean;
}

export interface GcCount {
  /** Mark-compacts (major collections) and their main-thread pauses. */
  readonly majors: number;
  readonly majorMs: number;
  /** Scavenges (minor collections). */
  readonly minors: number;
}

/** Collects every 'gc' entry of this process from now on; spans are counted when asked. */
export class GcSpans {
  readonly #entries: GcEntry[] = [];
  readonly #spans = new Map<string, [number, number][]>();
  readonly #observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries() as (PerformanceEntry & { detail?: { kind?: number } })[])
      this.#entries.push({
        start: e.startTime,
        ms: e.duration,
        major: e.detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR,
      });
  });
  /** The heap in use when watching began (MB): what the limit above is computed from. */
  readonly heapAtStartMb = getHeapStatistics().used_heap_size / 2 ** 20;

  constructor() {
    this.#observer.observe({ entryTypes: ['gc'] });
  }

  /** Runs `work`, remembering its span under `label` (spans of one label add up). */
  async during<T>(label: string, work: () => Promise<T>): Promise<T> {
    const from = performance.now();
    try {
      return await work();
    } finally {
      this.#spans.set(label, [...(this.#spans.get(label) ?? []), [from, performance.now()]]);
    }
  }

  /** The collections that started inside the spans of `label` (entries arrive a tick late: ask at the end). */
  count(label: string): GcCount {
    const spans = this.#spans.get(label) ?? [];
    let majors = 0;
    let majorMs = 0;
    let minors = 0;
    for (const e of this.#entries) {
      if (!spans.some(([from, to]) => e.start >= from && e.start <= to)) continue;
      if (e.major) {
        majors++;
        majorMs += e.ms;
      } else minors++;
    }
    return { majors, majorMs, minors };
  }

  stop(): void {
    this.#observer.disconnect();
  }
}
