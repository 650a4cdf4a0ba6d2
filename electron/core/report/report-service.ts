import type { ReportFile, ReportFormat } from '../../../shared/model/report';
import { renderCsv, renderHtml } from './render';
import { type ReportDeps, verificationReport } from './verification-report';

/** Reports as files: HTML (self-contained, printable) or CSV. */
export class ReportService {
  constructor(private readonly deps: ReportDeps) {}

  async verification(projectId: string, format: ReportFormat): Promise<ReportFile> {
    const doc = await verificationReport(this.deps, projectId);
    const stamp = new Date().toISOString().slice(0, 16).replace(/[:T]/g, '-');
    return format === 'html'
      ? {
          fileName: `${projectId}-verification-${stamp}.html`,
          mimeType: 'text/html',
          content: renderHtml(doc),
        }
      : { fileName: `${projectId}-verification-${stamp}.csv`, mimeType: 'text/csv', content: renderCsv(doc) };
  }
}
