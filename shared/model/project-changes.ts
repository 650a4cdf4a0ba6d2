/**
 * What another engineer (another app, a script, a worker) changed in a shared project, as the
 * core tells the pages: which part of the project, who, and how much was merged into one event.
 */

/** The parts of a project a page can show; each stored file or log belongs to one. */
export const PROJECT_PARTS = [
  'project',
  'inventory',
  'mapping',
  'selection',
  'decisions',
  'verification',
  'comments',
  /** batches: the migration journal, batch summaries and controls, spread units */
  'migration',
  /** the migration log (the history's fetches, steps and checks) */
  'log',
  'rehearsal',
  'signoff',
  'checks',
  'cutover',
  'target',
  'other',
] as const;

export type ProjectPart = (typeof PROJECT_PARTS)[number];

export interface SharedChange {
  readonly projectId: string;
  readonly part: ProjectPart;
  /**
   * Who wrote (user@host:pid as the store records it), first heard first, at most ten; empty for
   * a worker's units.
   */
  readonly by: readonly string[];
  /** How many committed writes were merged into this event. */
  readonly writes: number;
  /** Log or journal rows appended by them (a batch's progress). */
  readonly rows: number;
  /** When the event left the core (ISO). */
  readonly at: string;
  /**
   * Sent after the core's connection to the shared database came back: notes sent while it was
   * away are lost, so this part may have changed by anyone (nobody is named).
   */
  readonly catchUp?: true;
}
