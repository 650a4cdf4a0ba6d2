/**
 * What every step of the POA/PBA adapter shares: the clients, the options, the step's context
 * and intent, and the one way POA calls are made — inside a transaction whose request id was
 * journaled with the intent, committed, then waited for until POA says it is done.
 */
import type { TargetIds } from '../../../shared/model/migration';
import { TargetCallError } from '../target/errors';
import type { PbaClient } from '../target/pba-client';
import { BEING_PROVISIONED, isPoaError } from '../target/poa-errors';
import type { PoaClient } from '../target/poa-client';
import { type StepContext, StepFailureError, type StepIntent } from './target-port';

export interface PoaPbaOptions {
  /** pem.addDNSHosting's hosting_rt_id: the DNS Hosting resource type of the target. */
  readonly dnsHostingRtId: number;
  /** The POA service template of the DNS subscription a registration-only domain lives in. */
  readonly dnsTemplateId: number;
  /** The custom attribute that keeps the source's id on a PBA account. */
  readonly sourceKeyAttribute: string;
  /** Name servers DomainSubscr(WithID)Add_API requires (two at least). */
  readonly nameServers: readonly [string, string, ...string[]];
  /** PBA registrar ids per registrar type of the mapping (default 1). */
  readonly registrarIds: Readonly<Record<string, number>>;
  /** First poll of a request, and the longest wait between two polls (ms). */
  readonly pollMs: number;
  readonly maxPollMs: number;
  /** How long a request may stay "running" before the step fails (transient). */
  readonly requestTimeoutMs: number;
  /** A transaction left open (the manager died between txn.Begin and txn.Commit) is rolled back
   * by POA after this long, which frees its request id. */
  readonly txnTimeoutSec: number;
  /** How long a call refused "being provisioned" is tried again before the step fails. */
  readonly provisioningWaitMs: number;
  /** Ranges the chosen ids are taken from (clear of the ids the target generates). */
  readonly accountIds: { readonly from: number; readonly size: number };
  readonly subscriptionIds: { readonly from: number; readonly size: number };
}

export const DEFAULT_OPTIONS: PoaPbaOptions = {
  dnsHostingRtId: 9,
  dnsTemplateId: 17,
  sourceKeyAttribute: 'MM source key',
  nameServers: ['ns1.hosting.example', 'ns2.hosting.example'],
  registrarIds: {},
  pollMs: 50,
  maxPollMs: 1000,
  requestTimeoutMs: 10 * 60_000,
  provisioningWaitMs: 60_000,
  txnTimeoutSec: 600,
  accountIds: { from: 20_000_000, size: 70_000_000 },
  subscriptionIds: { from: 20_000_000, size: 70_000_000 },
};

export interface Env {
  readonly poa: PoaClient;
  readonly pba: PbaClient;
  readonly options: PoaPbaOptions;
  readonly ctx: StepContext;
  readonly intent: StepIntent;
}

export const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new StepFailureError('cancelled while waiting for the target', true));
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new StepFailureError('cancelled while waiting for the target', true));
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });

/** Polls a request until POA says done (resolves), failed (transient failure) or the wait runs out. */
export async function waitForRequest(env: Env, requestId: string): Promise<'done' | 'failed' | 'unknown'> {
  const { poa, options, ctx } = env;
  const deadline = Date.now() + options.requestTimeoutMs;
  let pause = options.pollMs;
  for (;;) {
    let status;
    try {
      status = await poa.requestStatus(requestId);
    } catch (e) {
      if (e instanceof TargetCallError && isPoaError(e, 'noSuchRequest')) return 'unknown';
      throw e;
    }
    if (status.state === 'done') return 'done';
    if (status.state === 'failed') {
      throw new StepFailureError(
        `POA request ${requestId} failed: ${status.messages.join('; ') || 'no message'}`,
        true,
      );
    }
    if (Date.now() > deadline)
      throw new StepFailureError(
        `POA request ${requestId} is still running after ${options.requestTimeoutMs / 1000} s`,
        true,
      );
    await sleep(pause, ctx.signal);
    pause = Math.min(options.maxPollMs, Math.ceil(pause * 1.5));
  }
}

/**
 * POA calls in one transaction under the intent's request id: begin, the calls, commit, then
 * wait for the request. A refusal rolls back and is thrown as is (the caller decides whether it
 * means "already there"); a "being provisioned" refusal (an object it needs is still being
 * created by an earlier request) waits and tries the whole transaction again.
 */
export async function inTransaction<T>(env: Env, calls: (txnId: string) => Promise<T>): Promise<T> {
  const { poa, intent, options, ctx } = env;
  const requestId = intent.requestId;
  if (!requestId) throw new Error('a POA step needs a request id in its intent');
  const giveUp = Date.now() + options.provisioningWaitMs;
  for (let pause = options.pollMs; ; pause = Math.min(options.maxPollMs, pause * 2)) {
    const txnId = await poa.begin({ requestId, timeoutSec: options.txnTimeoutSec });
    let result: T;
    try {
      result = await calls(txnId);
    } catch (e) {
      await poa.rollback(txnId).catch(() => undefined);
      if (e instanceof TargetCallError && isPoaError(e, ...BEING_PROVISIONED) && Date.now() < giveUp) {
        await sleep(pause, ctx.signal);
        continue;
      }
      throw e;
    }
    await poa.commit(txnId);
    if ((await waitForRequest(env, requestId)) === 'unknown')
      throw new StepFailureError(`POA does not know request ${requestId} after committing it`, true);
    return result;
  }
}

/** The ids of an earlier step, as numbers. */
export function numberOf(ids: TargetIds, key: string, step: string): number {
  const v = ids[key];
  if (typeof v !== 'number') throw new Error(`step ${step} has no ${key}`);
  return v;
}

/** A target refusal (not a transport failure): POA status -1, or a fault. */
export function isRefusal(e: unknown): boolean {
  return e instanceof TargetCallError && (e.code === 'target-error' || e.code === 'target-fault');
}

/** Look-ups answer "not there" with a refusal; anything else is a real failure. */
export async function orNothing<T>(lookUp: Promise<T>): Promise<T | undefined> {
  try {
    return await lookUp;
  } catch (e) {
    if (isRefusal(e)) return undefined;
    throw e;
  }
}

/** A failure as the executor takes it: the target's own words; transport trouble is transient. */
export function toStepFailure(e: unknown): StepFailureError {
  if (e instanceof StepFailureError) return e;
  if (e instanceof TargetCallError) {
    // Not the object's fault: a transaction of an earlier run still holds the request id, or
    // another call created one of its names meanwhile. A new attempt (after a look-up) will do.
    if (isPoaError(e, 'requestIdUsed', 'commitConflict', ...BEING_PROVISIONED))
      return new StepFailureError(e.targetMessage, true);
    if (isRefusal(e)) return new StepFailureError(e.targetMessage, false);
    const transient = [
      'target-timeout',
      'target-unreachable',
      'target-http-status',
      'target-bad-response',
    ].includes(e.code);
    return new StepFailureError(e.message, transient);
  }
  return new StepFailureError(e instanceof Error ? e.message : String(e), false);
}
