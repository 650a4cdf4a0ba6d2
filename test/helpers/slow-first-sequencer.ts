/**
 * Starts the slowest test files first (vitest's `sequence.sequencer`). Two workers share the
 * files; a 2-minute file that happens to start last keeps one worker busy alone at the end. On
 * a fresh clone (CI) vitest has no timings of its own yet and orders by file size, which put
 * random-kills (90 s) last. test/slow-files.json holds the seconds each slow file took in a
 * whole run; the files it names go first, slowest first; every other file keeps vitest's order.
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

const SLOW: Readonly<Record<string, number>> = JSON.parse(
  readFileSync(new URL('../slow-files.json', import.meta.url), 'utf8'),
) as Record<string, number>;

/** Seconds a file is known to take, 0 when it is not listed (fast, or new). */
export function knownSeconds(root: string, file: string): number {
  const seconds = SLOW[relative(root, file).split('\\').join('/')];
  return typeof seconds === 'number' ? seconds : 0;
}

/** The files in `order`, those test/slow-files.json names first (slowest first), the rest as they were. */
export function slowestFirst<T extends { readonly moduleId: string }>(
  order: readonly T[],
  root: string,
): T[] {
  // Array.prototype.sort is stable: files with equal weight (all the unlisted) keep their order
  return order
    .map((spec, i) => ({ spec, i, s: knownSeconds(root, spec.moduleId) }))
    .sort((a, b) => b.s - a.s || a.i - b.i)
    .map((x) => x.spec);
}

export class SlowFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    return slowestFirst(await super.sort(files), this.ctx.config.root);
  }
}
