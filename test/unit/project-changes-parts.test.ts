/**
 * The pieces of the live-change feed that need no database: which part of a project a stored
 * path belongs to (the paths a shared project really writes, as test/team/shared-project-files
 * lists them), and the per-part merge (one event per window, the last change never lost, a
 * few writers named, not thousands).
 */
import { describe, expect, it } from 'vitest';
import { ChangeCoalescer, MAX_WRITERS, type Merged } from '../../electron/core/store/change-coalescer';
import { partOfNote, partOfPath } from '../../electron/core/store/project-parts';

describe('partOfPath', () => {
  it.each([
    ['decisions.json', 'decisions'],
    ['selection.json', 'selection'],
    ['verification.json', 'verification'],
    ['verification-history.jsonl', 'verification'],
    ['migration-log.jsonl', 'log'],
    ['migration/journal.jsonl', 'migration'],
    ['migration/jobs/j-1.json', 'migration'],
    ['migration/jobs/j-1.control', 'migration'],
    ['rehearsals/signoffs.jsonl', 'signoff'],
    ['rehearsals/policy.json', 'signoff'],
    ['rehearsals/r-1/holdings.json', 'rehearsal'],
    ['rehearsals/r-1/journal.jsonl', 'rehearsal'],
    ['inventory/web01.json', 'inventory'],
    ['comments.json', 'comments'],
    ['reports/migration-report.json', 'other'],
  ])('%s → %s', (path, part) => {
    expect(partOfPath(path)).toBe(part);
  });

  it("names a worker's unit moving as batch progress", () => {
    expect(partOfNote({ t: 'unit', p: 'x', job: 'j', unit: 'u', state: 'done' })).toBe('migration');
    expect(partOfNote({ t: 'journal', p: 'x', venue: 'migration-log.jsonl', n: 3, by: 'a@h:1' })).toBe('log');
  });
});

describe('ChangeCoalescer', () => {
  it('sends one merged event per key and window, and the last change of a burst', async () => {
    const out: Merged<string>[] = [];
    const c = new ChangeCoalescer<string>(100, (m) => out.push(m));
    for (let i = 0; i < 1000; i++) c.add('migration', { by: `w${i % 2}`, rows: 2 });
    c.add('decisions', { by: 'alice@ws1:7' });
    expect(out).toEqual([]);
    await new Promise((r) => setTimeout(r, 250));
    expect(out).toEqual([
      { key: 'migration', by: ['w0', 'w1'], writes: 1000, rows: 2000 },
      { key: 'decisions', by: ['alice@ws1:7'], writes: 1, rows: 0 },
    ]);
    c.add('migration', {});
    await new Promise((r) => setTimeout(r, 250));
    expect(out[2]).toEqual({ key: 'migration', by: [], writes: 1, rows: 0 });
  });

  it(`names at most ${MAX_WRITERS} writers per event`, async () => {
    const out: Merged<string>[] = [];
    const c = new ChangeCoalescer<string>(50, (m) => out.push(m));
    for (let i = 0; i < 50; i++) c.add('log', { by: `w${i}` });
    await new Promise((r) => setTimeout(r, 150));
    expect(out[0]?.by).toHaveLength(MAX_WRITERS);
    expect(out[0]?.writes).toBe(50);
  });

  it('refuses a window that is not positive', () => {
    expect(() => new ChangeCoalescer<string>(0, () => undefined)).toThrow(/windowMs must be positive/);
  });
});
