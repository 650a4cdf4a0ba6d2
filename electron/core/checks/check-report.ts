/**
 * The check report: one run as a ReportDoc (facts, a chart per status and per kind, the
 * failing and warning domains with every difference named, then every domain), rendered to
 * HTML and CSV like the other reports. The CSV has one row per domain and check.
 */
import { CHECK_KINDS, type CheckRun, type CheckStatus } from '../../../shared/model/checks';
import { csvPieces, htmlPieces } from '../report/render';
import type { ReportDoc, ReportPieces } from '../report/report-doc';

const COLOR: Readonly<Record<CheckStatus, string>> = { pass: '#2f9e44', warn: '#f08c00', fail: '#e03131' };

export function checkReportDoc(projectName: string, run: CheckRun): ReportDoc {
  const differences = run.domains.flatMap((d) =>
    d.checks.flatMap((c) =>
      c.differences.map((x) => [d.domain, c.kind, x.severity, x.object, x.message] as const),
    ),
  );
  return {
    title: `Post-migration checks — ${projectName}`,
    subtitle: `${run.trigger === 'batch' ? 'Run at the end of a batch' : 'Run by hand'} at ${run.at}`,
    generatedAt: new Date().toISOString(),
    facts: [
      { label: 'Domains checked', value: String(run.domains.length) },
      { label: 'Passed', value: String(run.counts.pass) },
      { label: 'With warnings', value: String(run.counts.warn) },
      { label: 'Failed', value: String(run.counts.fail) },
      { label: 'Differences named', value: String(differences.length) },
      ...(run.jobId ? [{ label: 'Batch', value: run.jobId }] : []),
      { label: 'Run', value: run.runId },
    ],
    charts: [
      {
        title: 'Domains by status',
        bars: (['pass', 'warn', 'fail'] as const).map((s) => ({
          label: s,
          value: run.counts[s],
          color: COLOR[s],
        })),
      },
      {
        title: 'Failed checks by kind',
        bars: CHECK_KINDS.map((k) => ({
          label: k,
          value: run.domains.filter((d) => d.checks.some((c) => c.kind === k && c.status === 'fail')).length,
          color: COLOR.fail,
        })),
      },
    ],
    sections: [
      {
        title: 'Differences',
        note: 'Every difference found, named: what, where, and how source and target differ.',
        columns: ['Domain', 'Check', 'Severity', 'Object', 'Difference'],
        rows: differences,
      },
      {
        title: 'Every domain',
        columns: ['Domain', 'Server', 'Status', ...CHECK_KINDS],
        rows: run.domains.map((d) => [
          d.domain,
          d.server,
          d.status,
          ...CHECK_KINDS.map((k) => {
            const c = d.checks.find((x) => x.kind === k);
            return c ? `${c.status}: ${c.message}` : '';
          }),
        ]),
      },
    ],
    csv: {
      title: 'Checks',
      columns: ['domain', 'server', 'domain status', 'check', 'status', 'message', 'checked at'],
      rows: run.domains.flatMap((d) =>
        d.checks.map((c) => [d.domain, d.server, d.status, c.kind, c.status, c.message, d.checkedAt]),
      ),
    },
  };
}

/** The run's report to save as it is written (its text in pieces). */
export function checkReportPieces(
  projectId: string,
  projectName: string,
  run: CheckRun,
  format: 'html' | 'csv',
): ReportPieces {
  const doc = checkReportDoc(projectName, run);
  const stamp = run.at.slice(0, 16).replace(/[:T]/g, '-');
  return format === 'html'
    ? { fileName: `${projectId}-checks-${stamp}.html`, mimeType: 'text/html', pieces: htmlPieces(doc) }
    : { fileName: `${projectId}-checks-${stamp}.csv`, mimeType: 'text/csv', pieces: csvPieces(doc) };
}
