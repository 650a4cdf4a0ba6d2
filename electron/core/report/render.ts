/** ReportDoc → self-contained, printable HTML (no script, inline CSS and SVG) or RFC 4180 CSV. */
import type { ReportBar, ReportDoc, ReportSection } from './report-doc';

const esc = (s: string): string =>
  s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');

function barChart(title: string, bars: readonly ReportBar[]): string {
  const max = Math.max(1, ...bars.map((b) => b.value));
  const rowH = 22;
  const labelW = 230;
  const width = 720;
  const rows = bars
    .map((b, i) => {
      const w = Math.round(((width - labelW - 60) * b.value) / max);
      const y = i * rowH;
      return `<text x="0" y="${y + 15}" font-size="12">${esc(b.label)}</text><rect x="${labelW}" y="${y + 3}" width="${w}" height="${rowH - 8}" fill="${esc(b.color)}"/><text x="${labelW + w + 6}" y="${y + 15}" font-size="12">${b.value}</text>`;
    })
    .join('');
  return `<figure><figcaption>${esc(title)}</figcaption><svg role="img" aria-label="${esc(title)}" width="${width}" height="${bars.length * rowH}" xmlns="http://www.w3.org/2000/svg">${rows}</svg></figure>`;
}

/** A section's table, row by row. */
function* table(section: ReportSection): Generator<string> {
  const head = section.columns.map((c) => `<th>${esc(c)}</th>`).join('');
  yield `<section><h2>${esc(section.title)}</h2>${section.note ? `<p class="note">${esc(section.note)}</p>` : ''}<table><thead><tr>${head}</tr></thead><tbody>\n`;
  let first = true;
  for (const r of section.rows) {
    yield `${first ? '' : '\n'}<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`;
    first = false;
  }
  yield '\n</tbody></table></section>';
}

/** Small pieces joined up to about PIECE_CHARS characters: the unit a saved report is written in. */
const PIECE_CHARS = 64 * 1024;
function* joined(parts: Iterable<string>): Generator<string> {
  let text = '';
  for (const part of parts) {
    text += part;
    if (text.length >= PIECE_CHARS) {
      yield text;
      text = '';
    }
  }
  if (text !== '') yield text;
}

export function renderHtml(doc: ReportDoc): string {
  return [...htmlPieces(doc)].join('');
}

/** The HTML in pieces, as it is saved (a download): the same text as renderHtml. */
export function htmlPieces(doc: ReportDoc): Iterable<string> {
  return joined(htmlParts(doc));
}

function* htmlParts(doc: ReportDoc): Generator<string> {
  const facts = doc.facts.map((f) => `<dt>${esc(f.label)}</dt><dd>${esc(f.value)}</dd>`).join('');
  yield `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(doc.title)}</title>
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<style>
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:32px;color:#1a1b1e}
h1{margin:0 0 4px;font-size:24px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #ccc;padding-bottom:4px}
.sub{color:#555;margin:0 0 16px}dl{display:grid;grid-template-columns:max-content auto;gap:4px 16px;margin:0 0 16px}
dt{color:#555}dd{margin:0;font-weight:600}figure{margin:12px 0}figcaption{font-weight:600;margin-bottom:6px}
table{border-collapse:collapse;width:100%;font-size:12px}th,td{border:1px solid #ddd;padding:4px 6px;text-align:left;vertical-align:top}
th{background:#f1f3f5}tr:nth-child(even) td{background:#fafafa}.note{color:#555}
@media print{body{margin:0}section{break-inside:auto}tr{break-inside:avoid}thead{display:table-header-group}}
</style></head><body>
<h1>${esc(doc.title)}</h1><p class="sub">${esc(doc.subtitle)} · generated ${esc(doc.generatedAt)}</p>
<dl>${facts}</dl>
${doc.charts.map((c) => barChart(c.title, c.bars)).join('\n')}
`;
  let first = true;
  for (const section of doc.sections) {
    if (!first) yield '\n';
    first = false;
    yield* table(section);
  }
  yield `
</body></html>
`;
}

/** A cell a spreadsheet would run as a formula gets a leading quote (CSV injection). */
function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** One CSV line with its line break: the unit a streamed CSV is written in. */
export function csvLine(cells: readonly string[]): string {
  return `${cells.map(csvCell).join(',')}\r\n`;
}

export function renderCsv(doc: ReportDoc): string {
  return [...csvPieces(doc)].join('');
}

/** The CSV in pieces, as it is saved (a download): the same text as renderCsv. */
export function csvPieces(doc: ReportDoc): Iterable<string> {
  return joined(csvLines(doc));
}

function* csvLines(doc: ReportDoc): Generator<string> {
  yield csvLine(doc.csv.columns);
  for (const row of doc.csv.rows) yield csvLine(row);
}
