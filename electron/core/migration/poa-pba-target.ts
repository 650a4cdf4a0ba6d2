/**
 * The POA/PBA provisioning target: the executor's `ProvisioningTarget` over the XML-RPC clients.
 * - prepare: ids for the WithID methods (a free id, checked by look-up) and, for POA steps, the
 *   request id `mm-<job>-<step>-<attempt>` of the step's transaction; nothing is created.
 * - apply: the calls (POA inside `txn.Begin` … `txn.Commit`, then `pem.getRequestStatus` until
 *   done); a refusal followed by a successful look-up is success via 'already-exists'; other
 *   refusals fail the step with the target's message; transport trouble and failed requests
 *   fail it transiently.
 * - reconcile: the request's status first, then the look-up; 'absent' only when the look-up
 *   surely finds nothing (a failed request's objects are gone, so it is absent too).
 * - readBack: poa-pba-readback.ts.
 * Per-kind calls and look-ups live in poa-pba-kinds.ts.
 */
import type { PlanStep, StepOutcome, TargetIds } from '../../../shared/model/migration';
import type { PbaClient } from '../target/pba-client';
import type { PoaClient } from '../target/poa-client';
import { type KindHandler, KINDS, isCreating } from './poa-pba-kinds';
import {
  DEFAULT_OPTIONS,
  type Env,
  type PoaPbaOptions,
  isRefusal,
  toStepFailure,
  waitForRequest,
} from './poa-pba-env';
import { readBack } from './poa-pba-readback';
import { type ProvisioningTarget, type StepContext, StepFailureError, type StepIntent } from './target-port';

export type { PoaPbaOptions } from './poa-pba-env';

type AnyHandler = KindHandler<Parameters<typeof isCreating>[0] & keyof typeof KINDS>;

function handlerOf(step: PlanStep): { handler: AnyHandler; payload: never } {
  if (!isCreating(step.payload.kind))
    throw new Error(`step ${step.id} (${step.payload.kind}) is not the target's to run`);
  return { handler: KINDS[step.payload.kind] as unknown as AnyHandler, payload: step.payload as never };
}

const outcome = (ids: TargetIds, via: StepOutcome['via']): StepOutcome => ({
  state: 'done',
  ids,
  via,
  at: new Date().toISOString(),
});

/** The request id of a step's transaction: stable per job, step and attempt. */
export function requestIdOf(jobId: string, stepId: string, attempt: number): string {
  return `mm-${jobId}-${stepId}-${attempt}`;
}

export function createPoaPbaTarget(
  clients: { readonly poa: PoaClient; readonly pba: PbaClient },
  options: Partial<PoaPbaOptions> = {},
): ProvisioningTarget {
  const { poa, pba } = clients;
  const opts: PoaPbaOptions = { ...DEFAULT_OPTIONS, ...options };
  const env = (ctx: StepContext, intent: StepIntent): Env => ({ poa, pba, options: opts, ctx, intent });

  return {
    async prepare(step, attempt, ctx, earlier) {
      const { handler, payload } = handlerOf(step);
      try {
        // A later attempt keeps the ids the first one chose: a PBA subscription or account made
        // before the crash is finished under its id (the create calls know "ours already").
        const kept = earlier && Object.keys(earlier.chosen).length > 0 ? earlier.chosen : undefined;
        const chosen =
          kept ??
          (handler.choose
            ? await handler.choose(payload, { env: { poa, pba, options: opts, ctx }, step, attempt })
            : {});
        return {
          chosen,
          attempt,
          ...(handler.poa ? { requestId: requestIdOf(ctx.jobId, step.id, attempt) } : {}),
        };
      } catch (e) {
        throw toStepFailure(e);
      }
    },

    async apply(step, intent, ctx) {
      const { handler, payload } = handlerOf(step);
      const e0 = env(ctx, intent);
      try {
        return outcome(await handler.create(payload, e0), 'call');
      } catch (e) {
        if (isRefusal(e)) {
          // "Already exists" (or any refusal whose object turns out to be there, ours): found.
          const found = await handler.find(payload, e0).catch(() => undefined);
          if (found) return outcome(found, 'already-exists');
        }
        throw toStepFailure(e);
      }
    },

    async reconcile(step, intent, ctx) {
      const { handler, payload } = handlerOf(step);
      const e0 = env(ctx, intent);
      let requestDone = false;
      try {
        if (intent.requestId) requestDone = (await waitForRequest(e0, intent.requestId)) === 'done';
      } catch (e) {
        // A failed request took its objects with it: the look-up below says so.
        if (!(e instanceof StepFailureError) || !e.transient || e.message.includes('still running'))
          throw toStepFailure(e);
      }
      try {
        const found = await handler.find(payload, e0);
        return found ? outcome(found, requestDone ? 'request-status' : 'look-up') : 'absent';
      } catch (e) {
        throw toStepFailure(e);
      }
    },

    readBack: (steps, ctx) => readBack(poa, pba, steps, ctx),

    async close() {
      // The clients hold no connection between calls.
    },
  };
}
