/**
 * Stored results (seed step 4, "Store verification results"), split by rate of change:
 * `<project>/verification.json` holds a full run (rewritten by each full run), and
 * `<project>/verification-changes.jsonl` the patches of incremental re-verifications appended
 * after it (one line per decision, a few results each), so a decision never rewrites tens of
 * thousands of results. A full run folds the journal back in and empties it.
 */
import { join } from 'node:path';
import type { VerificationResult } from '../../../shared/model/verification';
import type { ProjectService } from '../project/project-service';
import { DocumentCache } from '../store/document-cache';
import { type LineLog, lineLogAt } from '../store/line-log';
import { resultKey } from './evaluation';

export interface ResultsMeta {
  readonly verifiedAt: string | null;
  readonly today: string | null;
  /** What the results were computed from (servers' inventories and settings, mapping and selection revisions, today). */
  readonly stamp: string | null;
}

export interface ResultsFile extends ResultsMeta {
  schemaVersion: 1;
  results: VerificationResult[];
}

/** One change of one object's verification result. */
export interface VerificationHistoryLine {
  readonly time: string;
  readonly kind: string;
  readonly serverId: string;
  readonly id: string;
  /** null: the object left the verified set (unselected). */
  readonly status: string | null;
  readonly reasons: readonly string[];
  readonly was?: string;
}

interface JournalLine extends ResultsMeta {
  readonly set: readonly VerificationResult[];
  readonly remove: readonly string[];
}

/**
 * A full run's changes for the history, in the run's order, then what left the verified set:
 * walked from the two maps rather than gathered into a third of the same size.
 */
function* fullRunChanges(
  results: ReadonlyMap<string, VerificationResult>,
  previous: ReadonlyMap<string, VerificationResult>,
): Generator<readonly [string, VerificationResult | null]> {
  yield* results;
  for (const k of previous.keys()) if (!results.has(k)) yield [k, null];
}

/** The same reason codes in the same order (what the history records of reasons). */
function sameCodes(a: VerificationResult, b: VerificationResult): boolean {
  if (a.reasons.length !== b.reasons.length) return false;
  return a.reasons.every((r, i) => r.code === b.reasons[i]?.code);
}

export class ResultsStore {
  readonly #docs: DocumentCache<ResultsFile>;

  constructor(private readonly projects: ProjectService) {
    this.#docs = new DocumentCache<ResultsFile>(projects, 'verification.json', {
      kind: 'verification results',
      currentVersion: 1,
      migrations: {},
      empty: () => ({ schemaVersion: 1, verifiedAt: null, today: null, stamp: null, results: [] }),
      check: (d) => (Array.isArray(d.results) ? undefined : 'it has no result list'),
    });
  }

  /** The patches since the last full run (rows in PostgreSQL on a shared project). */
  private journal(projectId: string): LineLog {
    return lineLogAt(join(this.projects.projectDir(projectId), 'verification-changes.jsonl'));
  }

  /** Each object's changes of result over time (rows in PostgreSQL on a shared project). */
  private historyLog(projectId: string): LineLog {
    return lineLogAt(this.historyFile(projectId));
  }

  async load(projectId: string): Promise<{ meta: ResultsMeta; results: Map<string, VerificationResult> }> {
    const file = await this.#docs.read(projectId);
    const results = new Map(file.results.map((r) => [resultKey(r.kind, r.serverId, r.id), r]));
    let meta: ResultsMeta = { verifiedAt: file.verifiedAt, today: file.today, stamp: file.stamp };
    const text = (await this.journal(projectId).text()) ?? '';
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      let patch: JournalLine;
      try {
        patch = JSON.parse(line) as JournalLine;
      } catch {
        // A line torn by a crash mid-append: the results it carried are recomputed by the next
        // run; marking the stamp unknown makes them show as stale until then.
        meta = { ...meta, stamp: null };
        break;
      }
      for (const r of patch.set) results.set(resultKey(r.kind, r.serverId, r.id), r);
      for (const k of patch.remove) results.delete(k);
      meta = { verifiedAt: patch.verifiedAt, today: patch.today, stamp: patch.stamp };
    }
    return { meta, results };
  }

  /**
   * `results`: the run's results by resultKey; `previous`: the results before this run (the
   * service holds them), for the history; `changes`: what changed, when the run already knows
   * (UnchangedKeeper), instead of walking both maps.
   */
  async saveFull(
    projectId: string,
    meta: ResultsMeta,
    results: ReadonlyMap<string, VerificationResult>,
    previous: ReadonlyMap<string, VerificationResult>,
    changes: Iterable<readonly [string, VerificationResult | null]> = fullRunChanges(results, previous),
  ): Promise<void> {
    const doc = await this.#docs.open(projectId);
    await doc.save({ schemaVersion: 1, ...meta, results: [...results.values()] });
    await this.journal(projectId).clear();
    await this.recordHistory(projectId, meta, previous, changes);
  }

  /**
   * Appends to `<project>/verification-history.jsonl` one line per object whose status or
   * reasons changed: the per-object history of verification results over time, written only
   * on change so that re-running an unchanged project adds nothing.
   */
  private async recordHistory(
    projectId: string,
    meta: ResultsMeta,
    previous: ReadonlyMap<string, VerificationResult>,
    changes: Iterable<readonly [string, VerificationResult | null]>,
  ): Promise<void> {
    const time = meta.verifiedAt ?? new Date().toISOString();
    const lines: string[] = [];
    for (const [key, now] of changes) {
      const before = previous.get(key);
      if (now === before) continue; // kept as it was (see keepUnchanged)
      if (now && before && before.status === now.status && sameCodes(before, now)) continue;
      const ref = now ?? before;
      if (!ref) continue;
      const entry: VerificationHistoryLine = {
        time,
        kind: ref.kind,
        serverId: ref.serverId,
        id: ref.id,
        status: now ? now.status : null,
        reasons: now ? now.reasons.map((r) => r.code) : [],
        ...(before ? { was: before.status } : {}),
      };
      lines.push(JSON.stringify(entry));
    }
    await this.historyLog(projectId).append(lines);
  }

  historyFile(projectId: string): string {
    return join(this.projects.projectDir(projectId), 'verification-history.jsonl');
  }

  /** The verification history of one object, oldest first. */
  async history(
    projectId: string,
    kind: string,
    serverId: string,
    id: string,
  ): Promise<VerificationHistoryLine[]> {
    const text = (await this.historyLog(projectId).text({ match: { kind, serverId, id } })) ?? '';
    const out: VerificationHistoryLine[] = [];
    // A cheap substring test first: the file can hold a line per object per change.
    const needle = JSON.stringify(id);
    for (const line of text.split('\n')) {
      if (!line.includes(needle)) continue;
      try {
        const h = JSON.parse(line) as VerificationHistoryLine;
        if (h.kind === kind && h.serverId === serverId && h.id === id) out.push(h);
      } catch {
        // a line torn by a crash is skipped
      }
    }
    return out;
  }

  async appendPatch(
    projectId: string,
    meta: ResultsMeta,
    changes: ReadonlyMap<string, VerificationResult | null>,
    previous: ReadonlyMap<string, VerificationResult>,
  ): Promise<void> {
    const set: VerificationResult[] = [];
    const remove: string[] = [];
    for (const [k, v] of changes) {
      if (v) set.push(v);
      else remove.push(k);
    }
    const line: JournalLine = { ...meta, set, remove };
    await this.journal(projectId).append([JSON.stringify(line)]);
    await this.recordHistory(projectId, meta, previous, changes);
  }
}
