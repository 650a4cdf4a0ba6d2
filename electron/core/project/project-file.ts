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
    check: projectProblem,
  };
}

/**
 * What every reader of a project file relies on (the project list sorts and prints dates, the
 * start-up reads the demo flag): a file without them is damaged, reported by name, and never
 * stops the other projects from listing.
 */
function projectProblem(doc: ProjectFile): string | undefined {
  if (typeof doc.id !== 'string' || typeof doc.name !== 'string') return 'it lacks an id or a name';
  for (const field of ['description', 'createdAt', 'updatedAt'] as const)
    if (typeof doc[field] !== 'string') return `its ${field} is not a text`;
  if (typeof doc.demo !== 'boolean') return 'its demo flag is not true or false';
  if (doc.servers !== undefined && !Array.isArray(doc.servers)) return 'its server list is not a list';
  if (doc.target !== undefined && (typeof doc.target !== 'object' || doc.target === null))
    return 'its target is not an object';
  return undefined;
}
