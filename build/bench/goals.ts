/**
 * Goals and figures of a bench. Each figure is compared with its goal where it is printed, and a
 * bench that missed one exits non-zero (so `npm run bench` fails and a regression is seen).
 *
 * Every goal and figure is also recorded, and written as JSON when the bench process ends to the
 * file named by MM_BENCH_FIGURES (set by run.mjs), which builds the one table and
 * test-output/bench.json from all benches. A bench run on its own just prints as before.
 */
import { writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { format } from 'node:util';

/** One measured figure, as run.mjs reads it. */
export interface Figure {
  readonly name: string;
  /** The number, when the bench gave one (what 1× and 10× are compared by). */
  value?: number;
  unit?: string;
  /** The printed text of the figure, when no number was given (from the line the goal was on). */
  text?: string;
  readonly goal?: string;
  readonly met?: boolean;
}

/** A number and its unit, e.g. { value: 812, unit: 'ms' }. */
export interface Measured {
  readonly value: number;
  readonly unit: string;
}

const figures: Figure[] = [];
const missed: string[] = [];
/** Goals whose figure has no number yet: their text is taken from the line they are printed on. */
const awaitingText = new Map<string, Figure>();

/** The bench's scale: 1, or what `npm run bench -- --scale 10` asked for. */
export const BENCH_SCALE = ((): number => {
  const raw = process.env['MM_BENCH_SCALE'] ?? '1';
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0)
    throw new Error(`MM_BENCH_SCALE must be a positive number, not "${raw}"`);
  return n;
})();

/** The synthetic source's size at this scale (10,000 accounts / 20,000 domains / 30,000 subscriptions at 1×). */
export function scaledSize(scale: number = BENCH_SCALE): {
  accounts: number;
  domains: number;
  subscriptions: number;
} {
  return {
    accounts: Math.round(10_000 * scale),
    domains: Math.round(20_000 * scale),
    subscriptions: Math.round(30_000 * scale),
  };
}

/**
 * "[goal < 1000 ms: met]" or "[goal < 1000 ms: MISSED]", remembering a miss. With `measured`,
 * the table shows that number; without it, the text before the goal on the printed line.
 */
export function goal(what: string, goalText: string, met: boolean, measured?: Measured): string {
  if (!met) missed.push(`${what} (goal ${goalText})`);
  const marker = `[goal ${goalText}: ${met ? 'met' : 'MISSED'}]`;
  const fig: Figure = { name: what, goal: goalText, met, ...measured };
  figures.push(fig);
  if (!measured) awaitingText.set(marker, fig);
  return marker;
}

/** A figure without a goal of its own (a baseline, a peak, a part of a whole). */
export function figure(name: string, value: number, unit: string): void {
  figures.push({ name, value, unit });
}

/** Prints the missed goals and sets the exit code; call once at the end of a bench. */
export function reportGoals(): void {
  if (missed.length === 0) {
    console.log('every goal met');
    return;
  }
  console.log(`MISSED ${missed.length} goal(s): ${missed.join('; ')}`);
  process.exitCode = 1;
}

// The value of a goal given without a number is the printed figure: the text after the line's
// last ": " up to the goal's marker ("full verification, median of 5: 640.2 ms   [goal …]").
const print = console.log.bind(console);
console.log = (...args: unknown[]): void => {
  if (awaitingText.size > 0) {
    const line = format(...args);
    for (const [marker, fig] of awaitingText) {
      const at = line.indexOf(marker);
      if (at < 0) continue;
      const before = line.slice(0, at).trimEnd();
      const colon = before.lastIndexOf(': ');
      fig.text = (colon >= 0 ? before.slice(colon + 2) : before).replace(/\s+/g, ' ');
      awaitingText.delete(marker);
    }
  }
  print(...args);
};

// Written when the process ends, also after a crash, so run.mjs sees what was measured.
process.on('exit', () => {
  const out = process.env['MM_BENCH_FIGURES'];
  if (!out) return;
  // Every bench process's own peak: the core runs in it (the core's peak RSS for that work).
  figures.push({
    name: 'peak RSS of the bench process',
    value: process.resourceUsage().maxRSS / 1024,
    unit: 'MB',
  });
  writeFileSync(out, JSON.stringify({ bench: basename(process.argv[1] ?? ''), figures }));
});
