/**
 * A report as data, rendered to self-contained HTML or CSV by the renderers beside it. The
 * verification report is the first; migration and check reports fill the same shape.
 */
import type { ReportFile } from '../../../shared/model/report';

export interface ReportBar {
  readonly label: string;
  readonly value: number;
  readonly color: string;
}

export interface ReportSection {
  readonly title: string;
  readonly note?: string;
  readonly columns: readonly string[];
  readonly rows: readonly (readonly string[])[];
}

export interface ReportDoc {
  readonly title: string;
  readonly subtitle: string;
  readonly generatedAt: string;
  readonly facts: readonly { readonly label: string; readonly value: string }[];
  readonly charts: readonly { readonly title: string; readonly bars: readonly ReportBar[] }[];
  readonly sections: readonly ReportSection[];
  /** The one table a CSV export holds (every object, one row each). */
  readonly csv: ReportSection;
}

/**
 * A report to save as it is written (a download, `mm report --out`): its name, type and text in
 * pieces. The doc is made first (bounded by the project's objects); only its text is in pieces.
 */
export interface ReportPieces {
  readonly fileName: string;
  readonly mimeType: string;
  readonly pieces: Iterable<string>;
}

/** A report's text as one string (what the CLI prints, what a bundle carries). */
export function whole(report: ReportPieces): ReportFile {
  return { fileName: report.fileName, mimeType: report.mimeType, content: [...report.pieces].join('') };
}
