/**
 * `<project>/checks.json`: the post-migration check runs (newest last, the last RUNS_KEPT
 * kept) and where the target's web and name servers are when they are not the sandbox's.
 */
import { join } from 'node:path';
import type { CheckRun } from '../../../shared/model/checks';
import type { ProjectService } from '../project/project-service';
import { DocumentFile } from '../store/document-file';

export interface CheckSettings {
  /** The target's web server, asked with each site's Host header ("http://10.0.0.7/"). */
  readonly webServer?: string;
  /** The target's name server, "host" or "host:port" (UDP). */
  readonly nameServer?: string;
  /** false: batches do not run the checks when they end (they do by default). */
  readonly afterBatch?: boolean;
}

export interface ChecksDoc {
  schemaVersion: 1;
  settings: CheckSettings;
  runs: CheckRun[];
}

export const CHECKS_FILE = 'checks.json';
export const RUNS_KEPT = 10;

export const CHECKS_SPEC = {
  kind: 'post-migration checks',
  currentVersion: 1,
  migrations: {},
  empty: (): ChecksDoc => ({ schemaVersion: 1, settings: {}, runs: [] }),
  check: (d: ChecksDoc): string | undefined =>
    !Array.isArray(d.runs)
      ? 'runs is not a list'
      : typeof d.settings !== 'object' || d.settings === null
        ? 'settings is not an object'
        : d.runs.some((r) => typeof r?.runId !== 'string' || !Array.isArray(r.domains))
          ? 'a run has no id or no domain list'
          : undefined,
};

export class CheckStore {
  constructor(private readonly projects: ProjectService) {}

  private file(projectId: string): Promise<DocumentFile<ChecksDoc>> {
    return DocumentFile.open(join(this.projects.projectDir(projectId), CHECKS_FILE), CHECKS_SPEC);
  }

  async read(projectId: string): Promise<ChecksDoc> {
    return (await this.file(projectId)).current();
  }

  async add(projectId: string, run: CheckRun): Promise<void> {
    await (await this.file(projectId)).update((d) => ({ ...d, runs: [...d.runs, run].slice(-RUNS_KEPT) }));
  }

  async setSettings(projectId: string, settings: CheckSettings): Promise<CheckSettings> {
    let out: CheckSettings = {};
    await (
      await this.file(projectId)
    ).update((d) => {
      out = { ...d.settings, ...settings };
      return { ...d, settings: out };
    });
    return out;
  }
}
