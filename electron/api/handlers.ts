/**
 * Contract call → validated input → core service → Result. No logic lives here; every shell
 * (Electron IPC, the browser host, tests) dispatches through `dispatch`.
 */
import { type CallChannel, type CallResponse, callSchemas } from '../../shared/contract';
import { type Result, err, ok } from '../../shared/result';
import type { Core } from '../core/core';
import { toAppError } from '../core/errors';
import type { z } from 'zod';

type Parsed<C extends CallChannel> = z.output<(typeof callSchemas)[C]>;
type Handler<C extends CallChannel> = (core: Core, req: Parsed<C>) => Promise<CallResponse<C>>;
type HandlerMap = { [C in CallChannel]: Handler<C> };

const handlers: HandlerMap = {
  'app:get-info': async (core) => core.info,
  'projects:list': (core) => core.projects.list(),
  'projects:create': (core, req) => core.projects.create(req.name, req.description ?? ''),
  'projects:get': (core, req) => core.projects.get(req.projectId),
  'jobs:cancel': async (core, req) => ({ cancelled: core.jobs.cancel(req.jobId) }),
  'target:get': (core, req) => core.target.get(req.projectId),
  'target:set': (core, { projectId, ...update }) => core.target.set(projectId, update),
  'target:test': (core, req) => core.target.test(req.projectId),
  'target:browse': (core, req) => core.target.browse(req.projectId),
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
  'inventory:get': (core, req) => core.inventory.detail(req.projectId, req.serverId, req.kind, req.id),
};

export function isCallChannel(channel: string): channel is CallChannel {
  return Object.prototype.hasOwnProperty.call(callSchemas, channel);
}

export async function dispatch(core: Core, channel: string, payload: unknown): Promise<Result<unknown>> {
  if (!isCallChannel(channel)) return err('unknown-call', `There is no call named "${channel}".`, channel);
  return dispatchTyped(core, channel, payload);
}

async function dispatchTyped<C extends CallChannel>(
  core: Core,
  channel: C,
  payload: unknown,
): Promise<Result<CallResponse<C>>> {
  const parsed = callSchemas[channel].safeParse(payload ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? issue.path.join('.') : channel;
    return err('invalid-input', issue ? `${where}: ${issue.message}` : 'invalid request', where);
  }
  try {
    const handler = handlers[channel] as Handler<C>;
    return ok(await handler(core, parsed.data as Parsed<C>));
  } catch (e) {
    const error = toAppError(e);
    return { ok: false, error };
  }
}
