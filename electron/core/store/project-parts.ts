/**
 * Which part of a project a write heard on `mm_changes` touched, from the path of the document,
 * log venue or kept file it wrote (the folder layout a file project has), so a page refetches
 * only when what it shows changed.
 */
import type { ProjectPart } from '../../../shared/model/project-changes';
import type { ChangeNote } from './postgres-store';

/** Exact paths first, then folders (the first match wins). */
const EXACT: Readonly<Record<string, ProjectPart>> = {
  'project.json': 'project',
  'domain-services.json': 'inventory',
  'mapping.json': 'mapping',
  'selection.json': 'selection',
  'decisions.json': 'decisions',
  'verification.json': 'verification',
  'verification-history.jsonl': 'verification',
  'verification-changes.jsonl': 'verification',
  'comments.json': 'comments',
  'migration-log.jsonl': 'log',
  'rehearsals/signoffs.jsonl': 'signoff',
  'rehearsals/policy.json': 'signoff',
  'checks.json': 'checks',
  'ip-map.json': 'cutover',
  'resync.json': 'cutover',
  'target-nodes.json': 'target',
  'db-node.json': 'target',
};

const FOLDERS: readonly (readonly [string, ProjectPart])[] = [
  ['inventory/', 'inventory'],
  ['migration/', 'migration'],
  ['rehearsals/', 'rehearsal'],
  ['checks/', 'checks'],
  ['cutover/', 'cutover'],
];

/** The part a project-relative path belongs to ('other' for what no page shows). */
export function partOfPath(path: string): ProjectPart {
  const p = path.replace(/\\/g, '/').replace(/^\.\//, '');
  const exact = EXACT[p];
  if (exact) return exact;
  for (const [folder, part] of FOLDERS) if (p.startsWith(folder)) return part;
  return 'other';
}

/** The part a note is about: a spread batch's unit moving is batch progress. */
export function partOfNote(note: ChangeNote): ProjectPart {
  switch (note.t) {
    case 'doc':
    case 'file':
      return partOfPath(note.path);
    case 'journal':
      return partOfPath(note.venue);
    case 'unit':
      return 'migration';
  }
}
