/**
 * A report as data, rendered to self-contained HTML or CSV by the renderers beside it. The
 * verification report is the first; migration and check reports fill the same shape.
 */
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
