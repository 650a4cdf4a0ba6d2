/**
 * `<project>/resync.json`: the latest re-sync passes (dry or not), newest last, so the UI can
 * show what the last pass moved or would move after its job ended, and a reviewer can see when
 * the last copy was brought up to date.
 */
import type { ResyncResult } from '../../../shared/model/cutover';
import type { ProjectService } from '../project/project-service';
import { DocumentCache } from '../store/document-cache';

export interface ResyncRun extends ResyncResult {
  readonly at: string;
  readonly domains?: readonly string[];
  readonly batch?: string;
}

export interface ResyncFile {
  schemaVersion: 1;
  runs: ResyncRun[];
}

/** Enough history to compare passes; names of changed files make each run large, so few. */
export const KEEP_RUNS = 20;

export function resyncStore(projects: ProjectService): DocumentCache<ResyncFile> {
  return new DocumentCache<ResyncFile>(projects, 'resync.json', {
    kind: 're-sync runs',
    currentVersion: 1,
    migrations: {},
    empty: () => ({ schemaVersion: 1, runs: [] }),
    check: (d) => (Array.isArray(d.runs) ? undefined : 'it has no run list'),
  });
}
