/**
 * `<project>/ip-map.json`: the target's IP pool, the default IP and the mapping table. Small
 * and edited by hand, so it is a document of its own; `revision` tells verification and the
 * migration plan that it changed.
 */
import type { TargetIpInfo } from '../../../shared/model/ipmap';
import type { ProjectService } from '../project/project-service';
import { DocumentCache } from '../store/document-cache';
import type { IpMapEntry } from './ip-rules';

export interface StoredIpMapEntry extends IpMapEntry {
  readonly setAt: string;
  readonly setBy?: string;
}

export interface IpMapFile {
  schemaVersion: 1;
  revision: number;
  pool: TargetIpInfo[];
  defaultTarget?: string;
  entries: StoredIpMapEntry[];
}

export function ipMapStore(projects: ProjectService): DocumentCache<IpMapFile> {
  return new DocumentCache<IpMapFile>(projects, 'ip-map.json', {
    kind: 'IP mapping',
    currentVersion: 1,
    migrations: {},
    empty: () => ({ schemaVersion: 1, revision: 0, pool: [], entries: [] }),
    check: (d) =>
      !Array.isArray(d.entries)
        ? 'it has no mapping list'
        : !Array.isArray(d.pool)
          ? 'it has no target IP pool'
          : d.entries.some((e) => typeof e.source !== 'string' || typeof e.target !== 'string')
            ? 'an entry lacks its source or target address'
            : undefined,
  });
}
