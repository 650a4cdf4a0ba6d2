import type { ReportFile, ReportFormat } from '../../../shared/model/report';
import { MmError } from '../errors';
import type { ReportDoc } from './report-doc';
import { type MigrationReportDeps, migrationReport } from './migration-report';
import { renderCsv, renderHtml } from './render';
import { type ReportDeps, verificationReport } from './verification-report';

/** Reports as files: HTML (self-contained, printable) or CSV. */
export class ReportService {
  constructor(private readonly deps: ReportDeps & MigrationReportDeps) {}

  async verification(projectId: string, format: ReportFormat): Promise<ReportFile> {
    return file(projectId, 'verification', format, await verificationReport(this.deps, projectId));
  }

  /** One batch (the newest when no id is given): what was created, what failed, what was not carried. */
  async migration(projectId: string, format: ReportFormat, jobId?: string): Promise<ReportFile> {
    return file(projectId, 'migration', format, await migrationReport(this.deps, projectId, jobId));
  }

  /** The newest batch's report for a review bundle; nothing when no batch has run yet. */
  async migrationForBundle(projectId: string): Promise<Record<string, { html: string; csv: string }>> {
    try {
      const doc = await migrationReport(this.deps, projectId);
      return { 'reports/migration-report.json': { html: renderHtml(doc), csv: renderCsv(doc) } };
    } catch (e) {
      if (e instanceof MmError && e.code === 'not-found') return {};
      throw e;
    }
  }
}

function file(projectId: string, name: string, format: ReportFormat, doc: ReportDoc): ReportFile {
  const stamp = new Date().toISOString().slice(0, 16).replace(/[:T]/g, '-');
  return format === 'html'
    ? { fileName: `${projectId}-${name}-${stamp}.html`, mimeType: 'text/html', content: renderHtml(doc) }
    : { fileName: `${projectId}-${name}-${stamp}.csv`, mimeType: 'text/csv', content: renderCsv(doc) };
}
