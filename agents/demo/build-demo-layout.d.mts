export interface DemoLayoutSummary {
  readonly root: string;
  readonly customers: number;
  readonly domains: number;
  readonly mailboxes: number;
}
/** Writes the demo Linux hosting server layout below rootDir. */
export function buildDemoLayout(rootDir: string): DemoLayoutSummary;
