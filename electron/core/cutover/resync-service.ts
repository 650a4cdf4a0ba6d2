/**
 * Content re-sync (SPEC R13): after a migration, a later pass moves only what changed on the
 * source since the last copy, so the cut-over window is short. Per site and mailbox the
 * migration copied (its content step done in the journal):
 *  1. the agent lists the content root without the bytes (`--extract=contentManifest`);
 *  2. when the manifest that listing implies has the SHA-256 the node's marker recorded for
 *     the last copy, nothing changed and nothing more is asked;
 *  3. else the node lists what it holds (SHA-256 per file) and the two are compared: new and
 *     changed files, and files the source no longer has;
 *  4. unless it is a dry run, the agent archives just the new and changed files
 *     (`--members`), streamed through the same verifier into a folder beside the published
 *     one (content/transfer.ts), merged into it; the removed files are deleted; the marker is
 *     written last with the new manifest's SHA-256, so the next pass starts from here.
 * A database is dumped again by the agent and the dump's manifest compared with the one the
 * node restored last (its done marker): when they differ, the database is marked ours to drop
 * (the restore's own "restoring" mark) and restored from the new dump through the content
 * transfer's database path. A PostgreSQL custom-format dump carries its creation time, so it
 * always differs: a restored PostgreSQL database is first compared by its evidence (tables,
 * row counts and checksums, the db check's) on the source and on the db node, and only one
 * that differs is dumped and restored again.
 */
import { PassThrough, Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import type { ResyncItem, ResyncResult } from '../../../shared/model/cutover';
import type { PlanStep } from '../../../shared/model/migration';
import { type ContentPlace, mailboxPlace, sitePlace } from '../content/layout';
import type { NodeRole, NodeService, OpenedNode } from '../content/node-service';
import { readMarker, transferContent } from '../content/transfer';
import { databaseRestored, transferDatabase } from '../content/db-content';
import { dbPlaces } from '../content/db-restore';
import { readDbNodeConfig } from '../content/db-node';
import { nodeDatabaseEvidence } from '../checks/db-evidence';
import { sameEvidence, sourceDatabaseEvidence } from '../checks/source-db-evidence';
import { TarVerifier } from '../content/tar-verify';
import { MmError, toAppError } from '../errors';
import type { JobContext } from '../jobs/job-registry';
import type { MigrationService } from '../migration/migration-service';
import { asciiDomain } from '../migration/plan';
import type { OpenedServer, ServerService } from '../servers/server-service';
import {
  type Listing,
  diffListings,
  diffTrees,
  manifestSha256,
  memberBatches,
  parseTree,
  treeSha256,
} from './resync-listing';
import {
  listOnNode,
  mergeOnNode,
  newerDirsOnNode,
  newerOnNode,
  removeEmptyDirsOnNode,
  removeOnNode,
  treeOnNode,
  writeMarker,
} from './resync-node';
import { linkStaysInside } from '../content/tar-verify';
import { KEEP_RUNS, type ResyncFile, type ResyncRun, resyncStore } from './resync-store';
import type { ProjectService } from '../project/project-service';
import type { DocumentCache } from '../store/document-cache';

type ContentPayload = Extract<PlanStep['payload'], { kind: 'content' }>;

export interface ResyncDeps {
  readonly projects: ProjectService;
  readonly servers: ServerService;
  readonly nodes: NodeService;
  readonly migration: () => MigrationService;
}

export interface ResyncOptions {
  readonly dryRun: boolean;
  /** Domain names (any IDN form); all migrated domains when absent. */
  readonly domains?: readonly string[];
  /** Only the content a batch copied (its job id): the UI's button per batch. */
  readonly batch?: string;
}

/** A Maildir message lives in cur/ or new/ of the mailbox or one of its folders. */
const isMessage = (name: string): boolean => /(^|\/)(cur|new)\/[^/]+$/.test(name);

const DAY = 24 * 60 * 60 * 1000;

/** Collects a small stream (the agent's listing) into a string. */
function collector(): { sink: Writable; text: () => string } {
  const parts: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      parts.push(chunk);
      done();
    },
  });
  return { sink, text: () => Buffer.concat(parts).toString('utf8') };
}

interface Target {
  readonly step: PlanStep;
  readonly p: ContentPayload;
  readonly webspaceId?: number;
  /** Folders (relative) that hold other sites of the same webspace: never this site's files. */
  readonly nested: readonly string[];
}

/** Locations below `location` of the other sites published into the same webspace. */
function nestedIn(step: PlanStep, p: ContentPayload, all: readonly PlanStep[]): string[] {
  if (p.contentKind !== 'site') return [];
  const base = p.location ?? '';
  const out: string[] = [];
  for (const other of all) {
    const q = other.payload;
    if (
      other.id === step.id ||
      q.kind !== 'content' ||
      q.contentKind !== 'site' ||
      q.placeStep !== p.placeStep
    )
      continue;
    const loc = q.location ?? '';
    if (base === '' && loc !== '') out.push(loc);
    else if (loc.startsWith(`${base}/`)) out.push(loc.slice(base.length + 1));
  }
  return out;
}

export class ResyncService {
  readonly #store: DocumentCache<ResyncFile>;

  constructor(private readonly deps: ResyncDeps) {
    this.#store = resyncStore(deps.projects);
  }

  /** The latest pass, or null before the first. */
  async last(projectId: string): Promise<ResyncRun | null> {
    return (await this.#store.read(projectId)).runs.at(-1) ?? null;
  }

  /** The content the migration copied (its step done), for the domains asked. */
  private async copied(projectId: string, domains?: readonly string[], batch?: string): Promise<Target[]> {
    const migration = this.deps.migration();
    const [plan, state] = await Promise.all([migration.plan(projectId), migration.recorded(projectId)]);
    const wanted = domains?.map(asciiDomain);
    const done = (id: string): boolean => state.outcomes.get(id)?.outcome.state === 'done';
    const out: Target[] = [];
    for (const step of plan.steps) {
      const p = step.payload;
      if (p.kind !== 'content' || !done(step.id)) continue;
      if (batch !== undefined && state.outcomes.get(step.id)?.job !== batch) continue;
      if (wanted && !wanted.includes(asciiDomain(p.domainName))) continue;
      const ws = state.outcomes.get(p.placeStep)?.outcome.ids?.['webspaceId'];
      out.push({
        step,
        p,
        nested: nestedIn(step, p, plan.steps),
        ...(ws !== undefined ? { webspaceId: Number(ws) } : {}),
      });
    }
    if (wanted) {
      const found = new Set(out.map((t) => asciiDomain(t.p.domainName)));
      const unknown = wanted.filter((d) => !found.has(d));
      if (unknown.length > 0)
        throw new MmError(
          'invalid-input',
          `No copied content for ${unknown.join(', ')}: re-sync follows a migration that moved the domain's content.`,
          'domains',
        );
    }
    return out;
  }

  async run(
    projectId: string,
    options: ResyncOptions,
    job?: Pick<JobContext, 'progress' | 'signal'>,
  ): Promise<ResyncResult> {
    const targets = await this.copied(projectId, options.domains, options.batch);
    const signal = job?.signal ?? new AbortController().signal;
    const sources = new Map<string, OpenedServer>();
    const nodes = new Map<NodeRole, OpenedNode>();
    const items: ResyncItem[] = [];
    const skipped: { domain: string; content: string; reason: string }[] = [];
    try {
      for (const [i, t] of targets.entries()) {
        if (signal.aborted) throw new MmError('cancelled', 'The re-sync was cancelled.');
        job?.progress(i, targets.length, `${options.dryRun ? 'Comparing' : 'Re-syncing'} ${t.p.contentId}`);
        try {
          const role: NodeRole =
            t.p.contentKind === 'site' ? 'web' : t.p.contentKind === 'mailbox' ? 'mail' : 'db';
          const node = nodes.get(role) ?? (await this.deps.nodes.open(projectId, role, { signal }));
          nodes.set(role, node);
          const source =
            sources.get(t.step.object.serverId) ??
            (await this.deps.servers.open(projectId, t.step.object.serverId, { signal }));
          sources.set(t.step.object.serverId, source);
          const item =
            t.p.contentKind === 'database'
              ? await this.database(t, node, source, options.dryRun, signal)
              : await this.one(t, node, source, options.dryRun, signal);
          if (item) items.push(item);
        } catch (e) {
          if (e instanceof MmError && e.code === 'cancelled') throw e;
          skipped.push({ domain: t.p.domainName, content: t.p.contentId, reason: toAppError(e).message });
        }
      }
      job?.progress(targets.length, targets.length, 'Re-sync done');
    } finally {
      await Promise.all(
        [...sources.values(), ...nodes.values()].map((o) => o.close().catch(() => undefined)),
      );
    }
    const sum = (f: (i: ResyncItem) => number): number => items.reduce((n, i) => n + f(i), 0);
    const messages = (i: ResyncItem): number => [...i.added, ...i.changed].filter(isMessage).length;
    const result: ResyncResult = {
      dryRun: options.dryRun,
      changes: {
        files: sum((i) =>
          i.kind === 'database'
            ? 0
            : i.kind === 'mailbox'
              ? i.added.length + i.changed.length - messages(i)
              : i.added.length + i.changed.length,
        ),
        messages: sum((i) => (i.kind === 'mailbox' ? messages(i) : 0)),
        databases: items.filter((i) => i.kind === 'database').length,
        deleted: sum((i) => i.deleted.length),
        bytes: sum((i) => i.bytes),
      },
      items,
      skipped,
    };
    const run: ResyncRun = {
      ...result,
      at: new Date().toISOString(),
      ...(options.domains ? { domains: options.domains } : {}),
      ...(options.batch ? { batch: options.batch } : {}),
    };
    await this.#store.update(projectId, (d) => ({ ...d, runs: [...d.runs, run].slice(-KEEP_RUNS) }));
    return result;
  }

  /** One database: dumped again, compared by manifest with the last restore, restored again when it changed. */
  private async database(
    t: Target,
    node: OpenedNode,
    source: OpenedServer,
    dryRun: boolean,
    signal: AbortSignal,
  ): Promise<ResyncItem | undefined> {
    const stream = source.agent.stream?.bind(source.agent);
    if (!stream)
      throw new MmError(
        'content-refused',
        `${source.server.name} is reached over SOAP, which cannot stream content yet.`,
      );
    const args = [
      '--extract=domainContent',
      `--domain-id=${t.p.sourceDomainId}`,
      `--content-id=${t.p.contentId}`,
    ];
    const restored = await databaseRestored(node.transport, node.root, t.p.contentId);
    if (restored && t.p.contentId.startsWith('database:postgresql:')) {
      if (await this.pgUnchanged(t, node, source, signal)) return undefined;
    }
    // The dump, verified and hashed on the way, kept nowhere: only its manifest is compared.
    const input = new PassThrough({ highWaterMark: 1024 * 1024 });
    const verifier = new TarVerifier(t.p.contentId);
    const sink = new Writable({ write: (_chunk, _enc, done) => done() });
    const drained = finished(input.pipe(verifier).pipe(sink));
    await stream(args, input, { signal, timeoutMs: DAY });
    if (!input.writableEnded) input.end();
    await drained;
    const dump = verifier.result;
    if (!dump)
      throw new MmError(
        'content-refused',
        `Content ${t.p.contentId}: the dump was not complete.`,
        t.p.contentId,
      );
    if (restored && restored.manifestSha256 === dump.manifestSha256) return undefined;
    const item: ResyncItem = {
      domain: t.p.domainName,
      content: t.p.contentId,
      kind: 'database',
      added: [],
      changed: [t.p.name ?? t.p.contentId],
      deleted: [],
      bytes: dump.bytes,
    };
    if (dryRun) return item;
    // The restore drops a database it finds marked "restoring" (ours, half made) and restores it.
    const places = dbPlaces(node.root, t.p.contentId);
    await writeMarker(node.transport, places.restoring, t.p.contentId);
    await node.transport.exec(['rm', '-f', '--', places.done, places.dump.marker], { timeoutMs: 60_000 });
    await transferDatabase({
      contentId: t.p.contentId,
      signal,
      source: (out, s) => stream(args, out, { signal: s, timeoutMs: DAY }),
      node: node.transport,
      root: node.root,
      database: t.p.name ?? '',
    });
    return item;
  }

  /**
   * A restored PostgreSQL database whose tables, row counts and checksums on the source are
   * those the db node holds: unchanged, so neither dumped nor restored (its custom-format dump
   * carries its creation time and would always look changed). Evidence that cannot be read on
   * either side is no proof of sameness: the database is dumped and compared as before.
   */
  private async pgUnchanged(
    t: Target,
    node: OpenedNode,
    source: OpenedServer,
    signal: AbortSignal,
  ): Promise<boolean> {
    try {
      const [there, here] = await Promise.all([
        sourceDatabaseEvidence(source, t.p.sourceDomainId, t.p.contentId, signal),
        readDbNodeConfig(node.transport, node.root).then((config) =>
          nodeDatabaseEvidence(node.transport, config, 'postgresql', t.p.name ?? ''),
        ),
      ]);
      return sameEvidence(there, here);
    } catch {
      return false;
    }
  }

  private placeOf(t: Target, root: string): ContentPlace {
    if (t.p.contentKind === 'site') {
      if (t.webspaceId === undefined || !Number.isFinite(t.webspaceId))
        throw new MmError(
          'content-refused',
          `The journal holds no webspace for ${t.p.domainName}.`,
          t.p.contentId,
        );
      return sitePlace(root, t.webspaceId, t.p.location ?? '', t.p.contentId);
    }
    return mailboxPlace(root, t.p.name ?? '', t.p.contentId);
  }

  /** One content id: compared, and (unless dry) brought up to date. Undefined when unchanged. */
  private async one(
    t: Target,
    node: OpenedNode,
    source: OpenedServer,
    dryRun: boolean,
    signal: AbortSignal,
  ): Promise<ResyncItem | undefined> {
    const stream = source.agent.stream?.bind(source.agent);
    if (!stream)
      throw new MmError(
        'content-refused',
        `${source.server.name} is reached over SOAP, which cannot stream content yet.`,
      );
    const place = this.placeOf(t, node.root);
    const id = [`--domain-id=${t.p.sourceDomainId}`, `--content-id=${t.p.contentId}`];
    const listed = collector();
    await stream(['--extract=contentManifest', ...id], listed.sink, { signal, timeoutMs: DAY });
    const tree = parseTree(listed.text(), `${source.server.name}: contentManifest ${t.p.contentId}`);
    const now: Listing = tree.files;
    const sha = manifestSha256(now);
    // Folders and symlinks are not in the manifest: their own fingerprint sits beside it.
    const treeSha = treeSha256(tree);
    const marker = await readMarker(node.transport, place);
    const markedTree = (marker as { treeSha256?: unknown } | undefined)?.treeSha256;
    // The last copy recorded this very manifest and tree: nothing changed at the source since.
    if (
      marker &&
      marker.contentId === t.p.contentId &&
      marker.manifestSha256 === sha &&
      markedTree === treeSha
    )
      return undefined;
    const held = await listOnNode(node.transport, place.final);
    const heldTree = await treeOnNode(node.transport, place.final);
    // A subdomain's site published inside this one's folder (httpdocs/shop) is not this site's.
    const nested = (name: string): boolean => t.nested.some((n) => name === n || name.startsWith(`${n}/`));
    for (const name of [...held.keys()]) if (nested(name)) held.delete(name);
    const ours = <T extends { dirs: Set<string>; links: Map<string, string> }>(x: T) => ({
      dirs: new Set([...x.dirs].filter((d) => !nested(d))),
      links: new Map([...x.links].filter(([l]) => !nested(l))),
    });
    const found = diffListings(held, now);
    // An agent that does not list folders and links (older than this manager) changes none.
    const treeFound = tree.withTree
      ? diffTrees(ours(heldTree), ours(tree))
      : diffTrees({ dirs: new Set(), links: new Map() }, { dirs: new Set(), links: new Map() });
    // A symlink out of the content root is refused, as the first copy refuses it.
    for (const l of [...treeFound.linksAdded, ...treeFound.linksChanged]) {
      const target = tree.links.get(l) ?? '';
      if (!linkStaysInside(l, target))
        throw new MmError(
          'content-refused',
          `Content ${t.p.contentId}: symlink "${l}" → "${target}" points outside the content root: refused`,
          l,
        );
    }
    // Files the target wrote after the last copy (mail delivered there once MX points at it, an
    // upload) are the target's own: never deleted, only reported.
    // Those an earlier pass kept are named in its marker (the marker is newer than them now).
    const keptBefore = (marker as { targetOwn?: unknown } | undefined)?.targetOwn;
    const theirs = new Set<string>(Array.isArray(keptBefore) ? keptBefore.map(String) : []);
    if (found.deleted.some((n) => !theirs.has(n)))
      for (const n of await newerOnNode(node.transport, place.final, place.marker)) theirs.add(n);
    // A folder something wrote in after the last copy is the target's too (a mail client's).
    const theirDirs =
      treeFound.dirsDeleted.length > 0
        ? await newerDirsOnNode(node.transport, place.final, place.marker)
        : new Set<string>();
    const diff = { ...found, deleted: found.deleted.filter((n) => !theirs.has(n)) };
    const kept = found.deleted.filter((n) => theirs.has(n));
    const dirsGone = treeFound.dirsDeleted.filter((d) => !theirDirs.has(d));
    const treeChanges =
      treeFound.dirsAdded.length +
      dirsGone.length +
      treeFound.linksAdded.length +
      treeFound.linksChanged.length +
      treeFound.linksDeleted.length;
    if (
      diff.added.length + diff.changed.length + diff.deleted.length + treeChanges === 0 &&
      marker?.manifestSha256 === sha
    ) {
      // Nothing to move; the marker learns the tree's fingerprint so the next pass stops early.
      if (!dryRun && markedTree !== treeSha)
        await writeMarker(node.transport, place.marker, { ...marker, treeSha256: treeSha });
      return undefined;
    }
    const item: ResyncItem = {
      domain: t.p.domainName,
      content: t.p.contentId,
      kind: t.p.contentKind === 'site' ? 'site' : 'mailbox',
      // Folders are named with a trailing "/".
      added: [...diff.added, ...treeFound.dirsAdded.map((d) => `${d}/`), ...treeFound.linksAdded],
      changed: [...diff.changed, ...treeFound.linksChanged],
      deleted: [...diff.deleted, ...treeFound.linksDeleted, ...dirsGone.map((d) => `${d}/`)],
      bytes: diff.bytes,
      ...(kept.length > 0 ? { kept } : {}),
    };
    const reported = item.added.length + item.changed.length + item.deleted.length + kept.length > 0;
    if (dryRun) return reported ? item : undefined;
    // What goes first: files and links the source no longer has, and links that point
    // elsewhere now (the merge then puts the new link in their place, never over an old one).
    await removeOnNode(node.transport, place.final, [
      ...diff.deleted,
      ...treeFound.linksDeleted,
      ...treeFound.linksChanged,
    ]);
    const batchPlace: ContentPlace = {
      final: `${place.staging}.resync-ready`,
      staging: `${place.staging}.resync`,
      marker: `${place.staging}.resync-marker`,
    };
    for (const members of memberBatches([
      ...diff.added,
      ...diff.changed,
      ...treeFound.dirsAdded,
      ...treeFound.linksAdded,
      ...treeFound.linksChanged,
    ])) {
      await transferContent({
        contentId: t.p.contentId,
        node: node.transport,
        place: batchPlace,
        signal,
        source: (out, s) =>
          stream(['--extract=domainContent', ...id, `--members=${members}`], out, {
            signal: s,
            timeoutMs: DAY,
          }),
      });
      await mergeOnNode(node.transport, batchPlace.final, place.final);
    }
    await node.transport
      .exec(['rm', '-f', '--', batchPlace.marker], { timeoutMs: 60_000 })
      .catch(() => undefined);
    // Empty folders last, deepest first: one still holding the target's own files stays.
    await removeEmptyDirsOnNode(node.transport, place.final, dirsGone);
    let bytes = 0;
    for (const f of now.values()) bytes += f.size;
    await writeMarker(node.transport, place.marker, {
      contentId: t.p.contentId,
      files: now.size,
      bytes,
      manifestSha256: sha,
      treeSha256: treeSha,
      resyncedAt: new Date().toISOString(),
      ...(kept.length > 0 ? { targetOwn: kept } : {}),
    });
    return reported ? item : undefined;
  }
}
