import type { ReviewInfo } from '../../../shared/model/project';
import type { SourceServer } from '../../../shared/model/server';
import type { DocumentSpec } from '../store/document-file';
import type { ProjectTarget } from '../target/target-settings';

/**
 * project.json: the small, often-written part of a project (identity, settings, registered
 * servers). Big data that rarely changes (inventories) lives in files of its own.
 */
export interface ProjectFileV1 {
  schemaVersion: 1;
  id: string;
  name: string;
  description: string;
  createdAt: string;
  updatedAt: string;
  demo: boolean;
  /** Registered source servers (optional: absent in files written before servers existed). */
  servers?: SourceServer[];
  /** The POA/PBA target (optional; passwords live in the secret store, never here). */
  target?: ProjectTarget;
  /** Present on a read-only copy opened from a review bundle. */
  review?: ReviewInfo;
}

export type ProjectFile = ProjectFileV1;

export const PROJECT_FILE_VERSION = 1;

export function projectFileSpec(init: Omit<ProjectFile, 'schemaVersion'>): DocumentSpec<ProjectFile> {
  return {
    kind: 'project',
    currentVersion: PROJECT_FILE_VERSION,
    migrations: {},
    empty: () => ({ schemaVersion: 1, ...init }),
    check: (doc) =>
      typeof doc.id !== 'string' || typeof doc.name !== 'string' ? 'it lacks an id or a name' : undefined,
  };
}
