/**
 * `<project>/mapping.json`: the template mappings of every source server. Small and changed by
 * hand, so it lives apart from the inventories; `revision` tells verification it changed.
 */
import type { TemplateMapping } from '../../../shared/model/mapping';
import type { ProjectService } from '../project/project-service';
import { DocumentCache } from '../store/document-cache';

export interface MappingFile {
  schemaVersion: 1;
  revision: number;
  entries: TemplateMapping[];
}

export const mappingKey = (serverId: string, templateId: string): string => `${serverId}\n${templateId}`;

export function mappingStore(projects: ProjectService): DocumentCache<MappingFile> {
  return new DocumentCache<MappingFile>(projects, 'mapping.json', {
    kind: 'template mapping',
    currentVersion: 1,
    migrations: {},
    empty: () => ({ schemaVersion: 1, revision: 0, entries: [] }),
    check: (d) => (Array.isArray(d.entries) ? undefined : 'it has no mapping list'),
  });
}
