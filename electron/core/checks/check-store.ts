/**
 * `<project>/checks.json`: the post-migration check runs (newest last, the last RUNS_KEPT
 * kept, fewer when they are large) and the check settings: where the target's web and name
 * servers are when they are not the sandbox's, where the sources' web servers answer, which
 * kinds run, how many pages per site and how long a page may take.
 */
import { join } from 'node:path';
import type { CheckKind, CheckRun } from '../../../shared/model/checks';
import type { ProjectService } from '../project/project-service';
import { DocumentFile } from '../store/document-file';

export interface CheckSettings {
  /** The target's web server, asked with each site's Host header ("http://10.0.0.7/"). */
  readonly webServer?: string;
  /** The target's name server, "host" or "host:port" (UDP). */
  readonly nameServer?: string;
  /** false: batches do not run the checks when they end (they do by default). */
  readonly afterBatch?: boolean;
  /**
   * Source server id → the address its web server answers on ("http://10.0.0.5:8080"), used
   * instead of the domain's web IP from the inventory (port 80) when set.
   */
  readonly sourceWeb?: Readonly<Record<string, string>>;
  /** Which kinds run; absent: all five. */
  readonly kinds?: readonly CheckKind[];
  /** At most this many pages fetched per site (the index first); absent: DEFAULT_SAMPLE. */
  readonly sample?: number;
  /** How long one page may take to answer, in seconds; absent: DEFAULT_PAGE_TIMEOUT_S. */
  readonly pageTimeoutSeconds?: number;
}

export const DEFAULT_SAMPLE = 25;
export const DEFAULT_PAGE_TIMEOUT_S = 20;

export interface ChecksDoc {
  schemaVersion: 1;
  settings: CheckSettings;
  runs: CheckRun[];
}

export const CHECKS_FILE = 'checks.json';
export const RUNS_KEPT = 10;
/** Older runs go first once the kept runs hold more domain results than this (a 20,000-domain batch is one run). */
export const DOMAIN_RESULTS_KEPT = 50_000;

/** The newest runs within both limits (the newest is always kept). */
export function keptRuns(runs: readonly CheckRun[]): CheckRun[] {
  const out = runs.slice(-RUNS_KEPT);
  let total = out.reduce((n, r) => n + r.domains.length, 0);
  while (out.length > 1 && total > DOMAIN_RESULTS_KEPT) total -= out.shift()?.domains.length ?? 0;
  return out;
}

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
    await (await this.file(projectId)).update((d) => ({ ...d, runs: keptRuns([...d.runs, run]) }));
  }

  async setSettings(projectId: string, settings: CheckSettings): Promise<CheckSettings> {
    let out: CheckSettings = {};
    await (
      await this.file(projectId)
    ).update((d) => {
      // Source web addresses merge per server; an empty address forgets that server's.
      const sourceWeb = { ...d.settings.sourceWeb, ...settings.sourceWeb };
      for (const [id, url] of Object.entries(sourceWeb)) if (!url) delete sourceWeb[id];
      out = {
        ...d.settings,
        ...settings,
        ...(settings.sourceWeb !== undefined ? { sourceWeb } : {}),
      };
      return { ...d, settings: out };
    });
    return out;
  }
}
