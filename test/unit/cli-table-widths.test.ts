/**
 * The CLI's text tables measure their columns with a loop: `Math.max(h.length, ...cells)` threw
 * "Maximum call stack size exceeded" from ~150,000 rows on (issue 19).
 */
import { describe, expect, it } from 'vitest';
import { columnWidths, table } from '../../electron/cli/context';

const ROWS = 500_000;

/** Rows `name-<i>` / `owner-<i>`, one of them (not the first, not the last) far wider. */
function rowsWithOneWide(): string[][] {
  const rows: string[][] = [];
  for (let i = 0; i < ROWS; i++) rows.push([`name-${i}`, `owner-${i}`]);
  rows[ROWS - 7] = ['n'.repeat(40), 'o'.repeat(33)];
  return rows;
}

describe('CLI table widths', () => {
  it(`lays out a table of ${ROWS.toLocaleString('en')} rows, each column as wide as its widest cell`, () => {
    const rows = rowsWithOneWide();
    const text = table(['name', 'owner'], rows);
    const lines = text.split('\n');
    expect(lines).toHaveLength(ROWS + 1);
    expect(lines[0]).toBe(`${'name'.padEnd(40)}  owner`);
    expect(lines[1]).toBe(`${'name-0'.padEnd(40)}  owner-0`);
    expect(lines[ROWS - 6]).toBe(`${'n'.repeat(40)}  ${'o'.repeat(33)}`);
    expect(lines[ROWS]).toBe(`${`name-${ROWS - 1}`.padEnd(40)}  owner-${ROWS - 1}`);
  });

  it('measures the first columns only when asked, headers and missing cells included', () => {
    const rows = rowsWithOneWide();
    expect(columnWidths(['name', 'owner'], rows)).toEqual([40, 33]);
    expect(columnWidths(['name', 'owner'], rows, 1)).toEqual([40]);
    expect(columnWidths(['a-very-long-header', 'b'], [['x'], []])).toEqual([18, 1]);
    expect(columnWidths(['kind', 'object'], [])).toEqual([4, 6]);
  });
});
