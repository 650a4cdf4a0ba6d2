/**
 * The test order CI uses: the files test/slow-files.json names start first, slowest first, so
 * no long file starts last on a fresh clone; every listed file still exists.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/paths';
import { knownSeconds, slowestFirst } from '../helpers/slow-first-sequencer';

const listed = Object.entries(
  JSON.parse(readFileSync(join(REPO_ROOT, 'test', 'slow-files.json'), 'utf8')) as Record<string, unknown>,
).filter(([k]) => k !== '//');

describe('slowest test files first', () => {
  it('puts the listed files first by their seconds and keeps the others in their order', () => {
    const spec = (f: string): { moduleId: string } => ({ moduleId: join(REPO_ROOT, f) });
    const order = [
      spec('test/unit/shell-quote.test.ts'),
      spec('test/faults/random-kills.test.ts'),
      spec('test/unit/window.test.ts'),
      spec('test/migration/faults.test.ts'),
      spec('test/e2e/dashboard.test.ts'),
    ];
    const sorted = slowestFirst(order, REPO_ROOT).map((s) => relative(REPO_ROOT, s.moduleId));
    const seconds = (f: string): number => knownSeconds(REPO_ROOT, join(REPO_ROOT, f));
    expect(seconds('test/migration/faults.test.ts')).toBeGreaterThan(
      seconds('test/faults/random-kills.test.ts'),
    );
    expect(seconds('test/unit/window.test.ts')).toBe(0);
    expect(sorted).toEqual([
      'test/migration/faults.test.ts',
      'test/faults/random-kills.test.ts',
      'test/e2e/dashboard.test.ts',
      'test/unit/shell-quote.test.ts',
      'test/unit/window.test.ts',
    ]);
  });

  it('lists only files that exist, each with its seconds', () => {
    expect(listed.length).toBeGreaterThan(20);
    for (const [file, seconds] of listed) {
      expect(existsSync(join(REPO_ROOT, file)), file).toBe(true);
      expect(typeof seconds === 'number' && seconds > 0, file).toBe(true);
    }
  });
});
