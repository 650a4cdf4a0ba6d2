/**
 * `<project>/decisions.json`: the decision log and the state it produced (override states,
 * manual approvals). Changed one decision at a time, so it is a file of its own, apart from
 * the inventories (rarely changed, big) and the results (rewritten by every run).
 */
import type { Decision } from '../../../shared/model/decision';
import type { ProjectService } from '../project/project-service';
import { DocumentCache } from '../store/document-cache';
import { type DecisionFacts, objectKey } from '../verification/input';

export interface DecisionsFile {
  schemaVersion: 1;
  revision: number;
  overrides: { serverId: string; subscriptionId: string; decisionId: string }[];
  approvals: { serverId: string; domainId: string; park: boolean; decisionId: string }[];
  log: Decision[];
}

export function decisionStore(projects: ProjectService): DocumentCache<DecisionsFile> {
  return new DocumentCache<DecisionsFile>(projects, 'decisions.json', {
    kind: 'decisions',
    currentVersion: 1,
    migrations: {},
    empty: () => ({ schemaVersion: 1, revision: 0, overrides: [], approvals: [], log: [] }),
    check: (d) =>
      Array.isArray(d.log) && Array.isArray(d.overrides) && Array.isArray(d.approvals)
        ? undefined
        : 'it lacks its lists',
  });
}

/** The decisions as verification reads them. */
export function decisionFacts(file: DecisionsFile): DecisionFacts {
  return {
    overrides: new Set(file.overrides.map((o) => objectKey(o.serverId, o.subscriptionId))),
    approvals: new Map(
      file.approvals.map((a) => [
        objectKey(a.serverId, a.domainId),
        { park: a.park, decisionId: a.decisionId },
      ]),
    ),
  };
}
