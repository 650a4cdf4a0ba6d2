/** `<project>/selection.json`: what is selected for migration, per source server (SPEC R5). */
import type { ProjectService } from '../project/project-service';
import { DocumentCache } from '../store/document-cache';

export interface SelectionFile {
  schemaVersion: 1;
  revision: number;
  servers: Record<string, { accounts: string[]; domains: string[] }>;
  /**
   * serverId → domainId → the "unselect" decision that keeps the domain out of the selection.
   * Bulk selection skips these, so a recorded decision is never silently reversed.
   */
  held?: Record<string, Record<string, string>>;
}

export function selectionStore(projects: ProjectService): DocumentCache<SelectionFile> {
  return new DocumentCache<SelectionFile>(projects, 'selection.json', {
    kind: 'selection',
    currentVersion: 1,
    migrations: {},
    empty: () => ({ schemaVersion: 1, revision: 0, servers: {} }),
    check: (d) => (typeof d.servers === 'object' && d.servers !== null ? undefined : 'it has no server list'),
  });
}
