import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../electron/core/core';
import { REASONS } from '../../shared/statuses';
import { DEMO, SPHERA, verifiedDemo } from '../helpers/demo-project';
import { tempDir } from '../helpers/paths';
import { runMm } from '../helpers/processes';

const P = DEMO;

/** Parses RFC 4180 CSV (quoted cells with commas, quotes and newlines). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  const endCell = (): void => {
    row.push(cell);
    cell = '';
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted && c === '"' && text[i + 1] === '"') {
      cell += '"';
      i++;
    } else if (c === '"') {
      quoted = !quoted;
    } else if (!quoted && c === ',') {
      endCell();
    } else if (!quoted && c === '\n') {
      endCell();
      rows.push(row);
      row = [];
    } else if (quoted || c !== '\r') {
      cell += c;
    }
  }
  return rows;
}

describe('verification report', () => {
  let core: Core;
  beforeAll(async () => {
    core = await verifiedDemo();
    await core.decisions.apply(P, { kind: 'approve', serverId: SPHERA, domainId: 'zahn-termin.test' }, 'ann');
  });

  it('as CSV: one row per verified object with its status and reason codes, as the results say', async () => {
    const csv = await core.reports.verification(P, 'csv');
    const [header, ...rows] = parseCsv(csv.content);
    expect(header).toEqual([
      'Kind',
      'Source server',
      'Id',
      'Name',
      'Account',
      'Template',
      'Status',
      'Reasons',
      'Fix',
      'Reason codes',
    ]);
    const results = await core.verification.all(P);
    expect(rows).toHaveLength(results.length);
    for (const r of results) {
      const line = rows.find((x) => x[0] === r.kind && x[2] === r.id && x[1] === 'Demo Sphera server');
      expect(line, `${r.kind} ${r.id}`).toBeDefined();
      expect(line![9]).toBe(r.reasons.map((x) => x.code).join(' '));
    }
  });

  it('as HTML: self-contained and printable, with the charts, every result, the reasons and the decisions', async () => {
    const html = (await core.reports.verification(P, 'html')).content;
    expect(html).not.toMatch(/<script|<link|src="http/);
    expect(html).toContain('@media print');
    expect(html).toContain('<svg role="img" aria-label="Domains by status"');
    expect(html).toContain('zahn-termin.test');
    expect(html).toContain('Approved manually');
    expect(html).toContain('<td>ann</td>');
    const summary = await core.verification.summary(P);
    const codes = Object.keys(summary.reasons) as (keyof typeof REASONS)[];
    expect(codes.length).toBeGreaterThan(2);
    for (const code of codes) {
      const seed = REASONS[code].seed;
      if (seed)
        expect(html).toContain(seed.replace(/&/g, '&amp;').replace(/'/g, '&#39;').replace(/"/g, '&quot;'));
    }
  });

  it('comes out of mm report, to a file or stdout', async () => {
    const out = join(await tempDir(), 'v.html');
    const r = await runMm([
      'report',
      'verification',
      '--format',
      'html',
      '--out',
      out,
      '--data-dir',
      core.info.dataDir,
      '--project',
      P,
    ]);
    expect(r.code).toBe(0);
    expect(await readFile(out, 'utf8')).toContain('<h1>Verification report: Demo migration</h1>');
    const csv = await runMm([
      'report',
      'verification',
      '--format',
      'csv',
      '--data-dir',
      core.info.dataDir,
      '--project',
      P,
    ]);
    expect(csv.stdout.split('\r\n')[0]).toMatch(/^Kind,Source server,Id/);
  });
});
