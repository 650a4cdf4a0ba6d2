/**
 * What the executor needs for a `content` step: the source's agent (domainContent tarball,
 * streamed) and the target node that holds the content (web node: the webspace's httpdocs;
 * mail node: the mailbox's Maildir). Same journal discipline as the POA/PBA steps: the intent
 * (where the content goes) before the transfer, the outcome (files, bytes, the manifest's
 * SHA-256) after; after a crash the node is asked: a marker beside the published folder means
 * done, anything else means another attempt, which resumes from the node's staging folder what
 * the project's resume log says passed whole (content/resume-log.ts).
 */
import type { PlanStep, StepOutcome } from '../../../shared/model/migration';
import { databaseRestored, transferDatabase } from '../content/db-content';
import { type ContentPlace, mailboxPlace, sitePlace } from '../content/layout';
import { removeResumeLog } from '../content/resume-log';
import type { NodeRole, NodeService, OpenedNode } from '../content/node-service';
import { type ContentMarker, readMarker, transferContent } from '../content/transfer';
import { MmError } from '../errors';
import type { OpenedServer, ServerService } from '../servers/server-service';
import { type StepContext, StepFailureError, type StepIntent } from './target-port';

type ContentPayload = Extract<PlanStep['payload'], { kind: 'content' }>;

export interface ContentPort {
  prepare(step: PlanStep, attempt: number, ctx: StepContext): Promise<StepIntent>;
  /**
   * Streams, verifies and publishes; the outcome's ids are files, bytes and manifestSha256.
   * `onBytes` hears the tarball's bytes passed on so far (progress).
   */
  apply(
    step: PlanStep,
    intent: StepIntent,
    ctx: StepContext,
    onBytes?: (bytes: number) => void,
  ): Promise<StepOutcome>;
  /** An earlier attempt: the node's marker says whether the content is already published. */
  reconcile(step: PlanStep, intent: StepIntent, ctx: StepContext): Promise<StepOutcome | 'absent'>;
  close(): Promise<void>;
}

export interface ContentPortDeps {
  readonly servers: ServerService;
  readonly nodes: NodeService;
  readonly projectId: string;
  /** Bytes of one content id moved so far (progress). */
  progress?(stepId: string, bytes: number): void;
  /** Tests: a stage between the source and the verifier. */
  readonly tap?: Parameters<typeof transferContent>[0]['tap'];
}

function payloadOf(step: PlanStep): ContentPayload {
  if (step.payload.kind !== 'content') throw new Error(`${step.id} is not a content step`);
  return step.payload;
}

function roleOf(p: ContentPayload): NodeRole {
  return p.contentKind === 'site' ? 'web' : p.contentKind === 'mailbox' ? 'mail' : 'db';
}

const outcomeOf = (
  m: ContentMarker & { tables?: number; rows?: number },
  via: StepOutcome['via'],
): StepOutcome => ({
  state: 'done',
  ids: {
    files: m.files,
    bytes: m.bytes,
    manifestSha256: m.manifestSha256,
    // A database's read-back: what the node holds after the restore.
    ...(m.tables !== undefined ? { tables: m.tables, rows: m.rows ?? 0 } : {}),
  },
  via,
  at: new Date().toISOString(),
});

export function createContentPort(deps: ContentPortDeps): ContentPort {
  const sources = new Map<string, Promise<OpenedServer>>();
  const nodes = new Map<NodeRole, Promise<OpenedNode>>();
  const cached = <K, V>(map: Map<K, Promise<V>>, key: K, open: () => Promise<V>): Promise<V> => {
    let p = map.get(key);
    if (!p) {
      p = open();
      map.set(key, p);
      p.catch(() => map.delete(key));
    }
    return p;
  };
  const node = (role: NodeRole): Promise<OpenedNode> =>
    cached(nodes, role, () =>
      deps.nodes.open(deps.projectId, role).catch((e: unknown) => {
        // No db node: say what one is and how the sandbox gets one.
        if (role === 'db' && e instanceof MmError && e.code === 'node-not-configured')
          throw new StepFailureError(
            'the target has no db node to restore databases into: register one with "mm target node add db …" ' +
              '(a machine with MariaDB and/or PostgreSQL, whose db-node.json says where they listen), ' +
              'or start the sandbox with a database server (mm sandbox start --db-mysql-socket … / --db-postgres-host …)',
            false,
          );
        throw e;
      }),
    );
  const source = (serverId: string): Promise<OpenedServer> =>
    cached(sources, serverId, () => deps.servers.open(deps.projectId, serverId));

  const placeOf = (p: ContentPayload, root: string, ctx: StepContext): ContentPlace => {
    if (p.contentKind === 'site') {
      const ws = ctx.idsOf(p.placeStep)['webspaceId'];
      if (typeof ws !== 'number' && typeof ws !== 'string')
        throw new StepFailureError(`the target gave ${p.domainName} no webspace to put its site in`, false);
      return sitePlace(root, Number(ws), p.location ?? '', p.contentId);
    }
    if (p.contentKind === 'mailbox') return mailboxPlace(root, p.name ?? '', p.contentId);
    throw new StepFailureError(`${p.contentId}: a database has no folder on a node`, false);
  };

  return {
    async prepare(step, attempt, ctx): Promise<StepIntent> {
      const p = payloadOf(step);
      const n = await node(roleOf(p));
      if (p.contentKind === 'database') return { chosen: { node: n.label, database: p.name ?? '' }, attempt };
      return { chosen: { node: n.label, path: placeOf(p, n.root, ctx).final }, attempt };
    },

    async apply(step, _intent, ctx, onBytes) {
      const p = payloadOf(step);
      const role = roleOf(p);
      const n = await node(role);
      const place = p.contentKind === 'database' ? undefined : placeOf(p, n.root, ctx);
      const opened = await source(step.object.serverId);
      const stream = opened.agent.stream?.bind(opened.agent);
      if (!stream)
        throw new StepFailureError(
          `${opened.server.name}'s agent connection cannot stream content (${opened.agent.label}): register it over SSH or SOAP`,
          false,
        );
      try {
        const common = {
          contentId: p.contentId,
          signal: ctx.signal,
          source: (out: Parameters<typeof stream>[1], signal: AbortSignal, extra: readonly string[] = []) =>
            stream(
              [
                '--extract=domainContent',
                `--domain-id=${p.sourceDomainId}`,
                `--content-id=${p.contentId}`,
                ...extra,
              ],
              out,
              { signal, timeoutMs: 24 * 60 * 60 * 1000 },
            ),
          onProgress: (bytes: number) => {
            onBytes?.(bytes);
            deps.progress?.(step.id, bytes);
          },
          ...(deps.tap ? { tap: deps.tap } : {}),
        };
        const marker = place
          ? await transferContent({
              ...common,
              node: n.transport,
              place,
              resume: true,
              resumeDir: deps.nodes.resumeDir(deps.projectId),
            })
          : await transferDatabase({ ...common, node: n.transport, root: n.root, database: p.name ?? '' });
        return outcomeOf(marker, 'call');
      } catch (e) {
        // A dropped connection leaves a dead transport in the cache: the next step reconnects.
        if (e instanceof MmError && /ssh-connection|cancelled/.test(e.code)) {
          sources.delete(step.object.serverId);
          nodes.delete(role);
        }
        throw e;
      }
    },

    async reconcile(step, _intent, ctx) {
      const p = payloadOf(step);
      const n = await node(roleOf(p));
      if (p.contentKind === 'database') {
        const restored = await databaseRestored(n.transport, n.root, p.contentId);
        return restored ? outcomeOf(restored, 'look-up') : 'absent';
      }
      const place = placeOf(p, n.root, ctx);
      const marker = await readMarker(n.transport, place);
      if (!marker || marker.contentId !== p.contentId) return 'absent';
      // Published before a kill could remove its resume log: the log has served.
      await removeResumeLog(deps.nodes.resumeDir(deps.projectId), place.staging, p.contentId).catch(
        () => undefined,
      );
      return outcomeOf(marker, 'look-up');
    },

    async close() {
      const all = [...sources.values(), ...nodes.values()];
      sources.clear();
      nodes.clear();
      await Promise.all(all.map((p) => p.then((o) => o.close()).catch(() => undefined)));
    },
  };
}
