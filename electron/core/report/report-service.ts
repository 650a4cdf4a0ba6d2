import { join } from 'node:path';
import type { ReportFile, ReportFormat } from '../../../shared/model/report';
import { MmError } from '../errors';
import { blobAt } from '../store/file-blob';
import { type ReportDoc, type ReportPieces, whole } from './report-doc';
import { type MigrationReportDeps, migrationReport } from './migration-report';
import { csvPieces, htmlPieces, renderCsv, renderHtml } from './render';
import { type ReportDeps, verificationReport } from './verification-report';

/** Reports as files: HTML (self-contained, printable) or CSV. */
export class ReportService {
  constructor(private readonly deps: ReportDeps & MigrationReportDeps) {}

  async verification(projectId: string, format: ReportFormat): Promise<ReportFile> {
    return whole(await this.verificationPieces(projectId, format));
  }

  /** The verification report to save as it is written (its text in pieces). */
  async verificationPieces(projectId: string, format: ReportFormat): Promise<ReportPieces> {
    return pieces(projectId, 'verification', format, await verificationReport(this.deps, projectId));
  }

  /** One batch (the newest when no id is given): what was created, what failed, what was not carried. */
  async migration(projectId: string, format: ReportFormat, jobId?: string): Promise<ReportFile> {
    return whole(await this.migrationPieces(projectId, format, jobId));
  }

  /** The migration report to save as it is written (its text in pieces). */
  async migrationPieces(projectId: string, format: ReportFormat, jobId?: string): Promise<ReportPieces> {
    try {
      return pieces(projectId, 'migration', format, await migrationReport(this.deps, projectId, jobId));
    } catch (e) {
      // A review copy holds no journal of its own, but the report its bundle carried.
      const exported =
        !jobId && e instanceof MmError && e.code === 'not-found' && (await this.exported(projectId));
      if (!exported) throw e;
      return format === 'html'
        ? {
            fileName: `${projectId}-migration-as-exported.html`,
            mimeType: 'text/html',
            pieces: [exported.html],
          }
        : {
            fileName: `${projectId}-migration-as-exported.csv`,
            mimeType: 'text/csv',
            pieces: [exported.csv],
          };
    }
  }

  /** The migration report a review bundle carried (written when the copy was opened), if any. */
  private async exported(projectId: string): Promise<{ html: string; csv: string } | undefined> {
    try {
      // a file, or on a shared project the row a review copy's bundle was taken into
      const text = await blobAt(
        join(this.deps.projects.projectDir(projectId), 'reports', 'migration-report.json'),
      ).read();
      if (text === undefined) return undefined;
      const parsed = JSON.parse(text) as { html?: unknown; csv?: unknown };
      return typeof parsed.html === 'string' && typeof parsed.csv === 'string'
        ? { html: parsed.html, csv: parsed.csv }
        : undefined;
    } catch {
      return undefined;
    }
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

function pieces(projectId: string, name: string, format: ReportFormat, doc: ReportDoc): ReportPieces {
  const stamp = new Date().toISOString().slice(0, 16).replace(/[:T]/g, '-');
  return format === 'html'
    ? { fileName: `${projectId}-${name}-${stamp}.html`, mimeType: 'text/html', pieces: htmlPieces(doc) }
    : { fileName: `${projectId}-${name}-${stamp}.csv`, mimeType: 'text/csv', pieces: csvPieces(doc) };
}
