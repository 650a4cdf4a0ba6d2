export type ReportFormat = 'html' | 'csv';

/** A report ready to save: its name, type and text. */
export interface ReportFile {
  readonly fileName: string;
  readonly mimeType: string;
  readonly content: string;
}
