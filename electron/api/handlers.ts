/**
 * Contract call → validated input → core service → Result. No logic lives here; every shell
 * (Electron IPC, the browser host, tests) dispatches through `dispatch`.
 */
import { type CallChannel, type CallResponse, callSchemas } from '../../shared/contract';
import { type Result, err, ok } from '../../shared/result';
import type { Core } from '../core/core';
import { toAppError } from '../core/errors';
import { dnsSheetFile } from '../core/cutover/dns-sheet-report';
import { attachProject, createSharedProject, projectStores } from '../core/store/store-choice';
import { engineerKey } from '../core/secrets/engineer-key';
import { sharedSecrets } from '../core/secrets/shared-secrets';
import { moveProjectToStore, testStoreConnection } from '../core/project/project-move';
import { controlSpreadBatch } from '../core/workers/spread-control';
import { isSpreadBatch, refuseWhileSpread } from '../core/workers/spread-guard';
import { startSpreadBatch } from '../core/workers/worker';
import { watchWorkers, workersView } from '../core/workers/workers-view';
import { watchProjectChanges } from '../core/store/project-changes';
import type { z } from 'zod';

export type Parsed<C extends CallChannel> = z.output<(typeof callSchemas)[C]>;
type Handler<C extends CallChannel> = (core: Core, req: Parsed<C>) => Promise<CallResponse<C>>;
type HandlerMap = { [C in CallChannel]: Handler<C> };

const handlers: HandlerMap = {
  'app:get-info': async (core) => core.info,
  'projects:list': (core) => core.projects.list(),
  'projects:create': (core, req) => core.projects.create(req.name, req.description ?? ''),
  'projects:get': (core, req) => core.projects.get(req.projectId),
  'projects:rename': (core, req) => core.projects.rename(req.projectId, req.name),
  'projects:remove': async (core, req) => {
    await core.projects.remove(req.projectId);
    // Its sealed passwords and keys go with it; no result of it stays in memory.
    await core.secrets.deletePrefix(`project/${req.projectId}/`);
    core.verification.forget(req.projectId);
    return { removed: req.projectId };
  },
  'jobs:cancel': async (core, req) => ({ cancelled: core.jobs.cancel(req.jobId) }),
  'mapping:list': (core, req) => core.mapping.rows(req.projectId, req.serverId),
  'mapping:set': (core, req) => core.decisions.setMapping(req.projectId, req.mapping, req.author),
  'mapping:remove': async (core, req) => ({
    removed: (await core.mapping.put(req.projectId, req.serverId, req.templateId, null)) !== null,
  }),
  'mapping:suggest': (core, req) => core.mapping.suggest(req.projectId, req.serverId),
  'mapping:apply-suggestions': (core, req) =>
    core.decisions.setMappings(req.projectId, req.mappings, req.author),
  'mapping:export': async (core, req) => ({
    fileName: `${req.projectId}-mapping.json`,
    content: await core.mapping.exportJson(req.projectId),
  }),
  'mapping:import': (core, req) =>
    core.decisions.setMappings(req.projectId, core.mapping.parseExport(req.content), req.author),
  'selection:get': (core, req) => core.selection.get(req.projectId),
  'selection:set': (core, { projectId, ...change }) => core.selection.change(projectId, change),
  'verification:run': async (core, req) => {
    const job = core.jobs.start('Verification', (ctx) => core.verification.run(req.projectId, ctx), {
      projectId: req.projectId,
      subject: 'verification',
    });
    job.done.catch(() => undefined); // the failure travels as a jobs:progress event
    return { jobId: job.jobId };
  },
  'verification:results': (core, { projectId, ...query }) => core.verification.rows(projectId, query),
  'verification:detail': async (core, req) => {
    const server = await core.servers.get(req.projectId, req.serverId);
    const decisions = await core.decisions.about(req.projectId, server.id, req.id);
    return core.verification.detail(req.projectId, req.kind, server.id, req.id, decisions);
  },
  'verification:summary': (core, req) => core.verification.summary(req.projectId),
  'decisions:list': (core, req) => core.decisions.list(req.projectId),
  'decisions:apply': (core, req) => core.decisions.apply(req.projectId, req.decision, req.author),
  'decisions:preview': (core, req) => core.decisions.preview(req.projectId, req.decision),
  'decisions:undo': (core, req) => core.decisions.undo(req.projectId, req.decisionId, req.author),
  'migration:preview': (core, { projectId, ...subset }) => core.migration.preview(projectId, subset),
  'migration:start': async (core, { projectId, ...options }) => {
    await refuseWhileSpread(core, projectId);
    const started = await core.migration.start(projectId, options);
    started.done.catch(() => undefined); // the outcome travels as migration:progress events
    return { jobId: started.jobId };
  },
  'migration:jobs': (core, req) => core.migration.jobs(req.projectId),
  'migration:job': (core, req) => core.migration.job(req.projectId, req.jobId),
  'migration:objects': (core, req) => core.migration.objects(req.projectId, req.jobId),
  'migration:steps': (core, req) => core.migration.steps(req.projectId, req.jobId, req.object),
  'migration:control': async (core, req) => {
    // a batch spread over workers is paused, resumed and cancelled where the workers look
    if (req.action !== 'retry' && (await isSpreadBatch(core, req.projectId, req.jobId))) {
      await controlSpreadBatch(core, req.projectId, req.action, { jobId: req.jobId });
      return { jobId: req.jobId };
    }
    if (req.action === 'pause' || req.action === 'cancel') {
      void core.migration.control(req.projectId, req.jobId, req.action).catch(() => undefined);
      return { jobId: req.jobId };
    }
    const started =
      req.action === 'retry'
        ? await core.migration.retry(req.projectId, req.jobId)
        : await core.migration.resume(req.projectId, req.jobId);
    started.done.catch(() => undefined);
    return { jobId: started.jobId };
  },
  'target:get': (core, req) => core.target.get(req.projectId),
  'target:set': (core, { projectId, ...update }) => core.target.set(projectId, update),
  'target:test': (core, req) => core.target.test(req.projectId),
  'target:browse': (core, req) => core.target.browse(req.projectId),
  'target:nodes': (core, req) => core.nodes.list(req.projectId),
  'target:node-test': (core, req) =>
    core.nodes.test(req.projectId, req.role, { trustNew: req.trustNewHostKey ?? false }),
  'target:node-add': async (core, { projectId, ...input }) => {
    const added = await core.nodes.add(projectId, input);
    return (await core.nodes.list(projectId)).find((n) => n.role === added.role) ?? { ...added, via: 'ssh' };
  },
  'target:node-remove': async (core, req) => {
    await core.nodes.remove(req.projectId, req.role);
    return null;
  },
  'ipmap:view': (core, req) => core.ipMap.view(req.projectId),
  'ipmap:suggest': (core, req) => core.ipMap.suggest(req.projectId, req.apply),
  'ipmap:set': (core, req) => core.ipMap.set(req.projectId, req.source, req.target),
  'ipmap:pool': (core, { projectId, ...pool }) => core.ipMap.setPool(projectId, pool),
  'ipmap:import': (core, req) => core.ipMap.import(req.projectId, req.text, req.fileName),
  'cutover:dns-sheet': (core, { projectId, ...options }) => core.dnsSheet.sheet(projectId, options),
  'cutover:dns-sheet-export': async (core, req) =>
    dnsSheetFile(
      await core.dnsSheet.sheet(req.projectId),
      (await core.projects.read(req.projectId)).name,
      req.format,
    ),
  'cutover:resync': async (core, { projectId, dryRun, domains, batch }) => {
    const started = core.jobs.start(
      dryRun ? 'Re-sync (dry run)' : 'Re-sync',
      (job) =>
        core.resync.run(
          projectId,
          { dryRun, ...(domains ? { domains } : {}), ...(batch ? { batch } : {}) },
          job,
        ),
      { projectId, subject: 'resync' },
    );
    started.done.catch(() => undefined); // a failure travels as the job's progress event
    return { jobId: started.jobId };
  },
  'cutover:resync-last': (core, req) => core.resync.last(req.projectId),
  'history:object': (core, req) => core.history.of(req.projectId, req.kind, req.serverId, req.id),
  // Reports and review bundles are downloads (api/downloads.ts), and bundles to open or merge
  // uploads (api/uploads.ts): no file crosses as one answer or one request.
  'review:comments': (core, req) => core.review.comments.list(req.projectId, req.about),
  'review:add-comment': (core, req) => core.review.comment(req.projectId, req.about, req.text, req.author),
  'rehearsal:start': async (core, { projectId, content, author, ...subset }) => {
    const started = await core.rehearsals.start(projectId, {
      ...subset,
      ...(content !== undefined ? { content } : {}),
      ...(author !== undefined ? { author } : {}),
    });
    started.done.catch(() => undefined); // the outcome travels as rehearsal:progress events
    return { rehearsalId: started.rehearsalId };
  },
  'rehearsal:list': (core, req) => core.rehearsals.list(req.projectId),
  'rehearsal:show': (core, req) => core.rehearsals.outcome(req.projectId, req.id),
  'rehearsal:holdings': (core, { projectId, id, ...query }) =>
    core.rehearsals.holdingsPage(projectId, id, query),
  'rehearsal:diff': (core, req) => core.rehearsals.diff(req.projectId, req.id, req.against),
  'rehearsal:signoff': (core, req) => core.rehearsals.signOff(req.projectId, req.id, req.author, req.comment),
  'rehearsal:status': (core, req) => core.rehearsals.status(req.projectId),
  'rehearsal:policy': async (core, req) => ({
    policy: await core.rehearsals.setPolicy(req.projectId, req.policy),
  }),
  'checks:run': async (core, { projectId, domains }) => {
    const started = core.jobs.start(
      'Post-migration checks',
      (job) =>
        core.checks.run(projectId, {
          trigger: 'manual',
          signal: job.signal,
          ...(domains ? { domains } : {}),
          onDomain: (done, total, domain) => job.progress(done, total, `Checked ${domain}`),
        }),
      { projectId, subject: 'checks' },
    );
    started.done.catch(() => undefined); // a failure travels as the job's progress event
    return { jobId: started.jobId };
  },
  'checks:runs': (core, req) => core.checks.runs(req.projectId),
  'checks:settings': async (core, { projectId, ...settings }) =>
    Object.keys(settings).length
      ? core.checks.setSettings(projectId, settings)
      : core.checks.settings(projectId),
  'workers:status': async (core, req) => {
    // the page asking is the page that wants to hear the workers move
    await watchWorkers(core, req.projectId);
    return workersView(core, req.projectId);
  },
  'workers:start': (core, { projectId, author, ...rest }) =>
    startSpreadBatch(core, projectId, { ...rest, ...(author !== undefined ? { author } : {}) }),
  'workers:control': (core, req) => controlSpreadBatch(core, req.projectId, req.action, { jobId: req.jobId }),
  'projects:stores': (core) => projectStores(core),
  'projects:create-shared': (core, req) => createSharedProject(core, req),
  'projects:attach': (core, req) => attachProject(core, req),
  'projects:move-to-store': (core, req) => moveProjectToStore(core, req),
  'projects:test-store': (_core, req) => testStoreConnection(req),
  'projects:watch': async (core, req) => {
    await core.projects.read(req.projectId); // an unknown project is refused by name, as everywhere
    return { shared: await watchProjectChanges(core, req.projectId) };
  },
  'projects:engineer-key': async (core) => {
    const { publicKey } = await engineerKey(sharedSecrets(core.secrets).local);
    return { publicKey: publicKey.text, fingerprint: publicKey.fingerprint };
  },
  'servers:list': (core, req) => core.servers.list(req.projectId),
  'servers:add': (core, { projectId, ...input }) => core.servers.add(projectId, input),
  'servers:test': (core, req) =>
    core.servers.test(req.projectId, req.serverId, { trustNew: req.trustNewHostKey ?? false }),
  'servers:remove': async (core, req) => {
    await core.servers.remove(req.projectId, req.serverId);
    return { removed: true };
  },
  'servers:update-settings': (core, req) =>
    core.servers.updateSettings(req.projectId, req.serverId, req.settings),
  'servers:pin-host-key': (core, req) =>
    core.servers.pinHostKey(req.projectId, req.serverId, req.fingerprint),
  'inventory:fetch': async (core, req) => {
    const job = core.jobs.start(
      `Inventory of ${req.serverId}`,
      (ctx) => core.inventory.fetch(req.projectId, req.serverId, ctx),
      { projectId: req.projectId, subject: req.serverId },
    );
    job.done.catch(() => undefined); // the failure travels as a jobs:progress event
    return { jobId: job.jobId };
  },
  'inventory:refresh': async (core, req) => {
    const ids = {
      ...(req.accountIds ? { accountIds: req.accountIds } : {}),
      ...(req.domainIds ? { domainIds: req.domainIds } : {}),
    };
    const job = core.jobs.start(
      `Refresh of ${req.serverId}`,
      (ctx) => core.inventory.refresh(req.projectId, req.serverId, ids, ctx),
      { projectId: req.projectId, subject: req.serverId },
    );
    job.done.catch(() => undefined);
    return { jobId: job.jobId };
  },
  'inventory:list': (core, req) => core.inventory.rows(req.projectId, req.kind, req.serverId),
  'inventory:fetch-domain-services': async (core, req) => {
    const server = await core.servers.get(req.projectId, req.serverId);
    const domainIds =
      req.domainIds ?? (await core.selection.get(req.projectId)).selected[server.id]?.domains ?? [];
    const job = core.jobs.start(
      `Domain services of ${server.name}`,
      (ctx) => core.domainServices.fetch(req.projectId, server.id, domainIds, ctx),
      { projectId: req.projectId, subject: server.id },
    );
    job.done.catch(() => undefined);
    return { jobId: job.jobId };
  },
  'inventory:get': (core, req) => core.inventory.detail(req.projectId, req.serverId, req.kind, req.id),
};

export function isCallChannel(channel: string): channel is CallChannel {
  return Object.prototype.hasOwnProperty.call(callSchemas, channel);
}

export async function dispatch(core: Core, channel: string, payload: unknown): Promise<Result<unknown>> {
  if (!isCallChannel(channel)) return err('unknown-call', `There is no call named "${channel}".`, channel);
  return dispatchTyped(core, channel, payload);
}

/** A call's request checked against its schema: the parsed value, or where and why not. */
export function parseRequest<C extends CallChannel>(channel: C, payload: unknown): Result<Parsed<C>> {
  const parsed = callSchemas[channel].safeParse(payload ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? issue.path.join('.') : channel;
    return err('invalid-input', issue ? `${where}: ${issue.message}` : 'invalid request', where);
  }
  return ok(parsed.data as Parsed<C>);
}

async function dispatchTyped<C extends CallChannel>(
  core: Core,
  channel: C,
  payload: unknown,
): Promise<Result<CallResponse<C>>> {
  const parsed = parseRequest(channel, payload);
  if (!parsed.ok) return parsed;
  try {
    const handler = handlers[channel] as Handler<C>;
    return ok(await handler(core, parsed.value));
  } catch (e) {
    const error = toAppError(e);
    return { ok: false, error };
  }
}
