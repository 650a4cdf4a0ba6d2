/**
 * The timeline of one object, gathered from where each part already lives (nothing is stored
 * twice): inventory fetches from the migration log, verification results over time from the
 * verification history, decisions, review comments, and migration steps and checks from log
 * lines whose details name the object (`details.object = {kind, serverId, id}`).
 */
import type { HistoryEntry, HistoryObjectKind } from '../../../shared/model/history';
import { REASONS, STATUSES, type ReasonCode } from '../../../shared/statuses';
import type { DecisionService } from '../decisions/decision-service';
import type { MigrationLog } from '../log/migration-log';
import type { CommentService } from '../review/comments';
import type { ServerService } from '../servers/server-service';
import type { VerificationService } from '../verification/verification-service';

export interface HistoryDeps {
  readonly servers: ServerService;
  readonly verification: VerificationService;
  readonly decisions: DecisionService;
  readonly comments: CommentService;
  readonly log: (projectId: string) => MigrationLog;
}

interface LoggedObject {
  readonly object?: { readonly kind?: string; readonly serverId?: string; readonly id?: string };
  readonly stage?: string;
  /** Ids the target gave a migration step. */
  readonly ids?: Readonly<Record<string, unknown>>;
}

function statusLabel(kind: string, status: string): string {
  const table = (STATUSES as Record<string, Record<string, { label: string }>>)[kind];
  return table?.[status]?.label ?? status;
}

export class HistoryService {
  constructor(private readonly deps: HistoryDeps) {}

  async of(
    projectId: string,
    kind: HistoryObjectKind,
    serverId: string,
    id: string,
  ): Promise<HistoryEntry[]> {
    const server = await this.deps.servers.get(projectId, serverId);
    const entries: HistoryEntry[] = [];

    for (const line of await this.deps.log(projectId).read(100_000)) {
      if (line.message.startsWith(`Inventory of ${server.name} stored`)) {
        entries.push({
          time: line.time,
          source: 'inventory',
          title: `Inventory fetched from ${server.name}`,
          detail: line.message,
        });
        continue;
      }
      const about = (line.details as LoggedObject | undefined)?.object;
      if (about && about.kind === kind && about.serverId === server.id && about.id === id) {
        const { stage, ids } = line.details as LoggedObject;
        const idText = Object.entries(ids ?? {})
          .map(([k, v]) => `${k}=${String(v)}`)
          .join(', ');
        entries.push({
          time: line.time,
          source: stage === 'check' ? 'check' : 'migration',
          title: line.message,
          ...(idText ? { detail: `target ids: ${idText}` } : {}),
        });
      }
    }

    if (kind !== 'template') {
      for (const h of await this.deps.verification.history(projectId, kind, server.id, id)) {
        entries.push({
          time: h.time,
          source: 'verification',
          title:
            h.status === null
              ? 'No longer verified (not selected)'
              : `${statusLabel(kind, h.status)}${h.was && h.was !== h.status ? ` (was ${statusLabel(kind, h.was)})` : ''}`,
          ...(h.reasons.length > 0
            ? { detail: h.reasons.map((c) => REASONS[c as ReasonCode]?.title ?? c).join('; ') }
            : {}),
        });
      }
    }

    for (const d of await this.deps.decisions.list(projectId)) {
      const i = d.input;
      const touches =
        (i.kind === 'override' &&
          kind === 'subscription' &&
          i.serverId === server.id &&
          i.subscriptionId === id) ||
        ((i.kind === 'approve' || i.kind === 'unselect') &&
          kind === 'domain' &&
          i.serverId === server.id &&
          i.domainId === id) ||
        (i.kind === 'remap' &&
          kind === 'template' &&
          i.mapping.serverId === server.id &&
          i.mapping.templateId === id);
      if (!touches) continue;
      entries.push({
        time: d.time,
        source: 'decision',
        title: d.summary,
        by: d.author,
        detail: `before ${JSON.stringify(d.before)}, after ${JSON.stringify(d.after)}`,
      });
      if (d.undone)
        entries.push({
          time: d.undone.time,
          source: 'decision',
          title: `Undone: ${d.summary}`,
          by: d.undone.author,
        });
    }

    for (const c of await this.deps.comments.list(projectId, { kind, id, serverId: server.id })) {
      entries.push({ time: c.time, source: 'comment', title: c.text, by: c.author });
    }
    return entries.sort((a, b) => a.time.localeCompare(b.time));
  }
}
